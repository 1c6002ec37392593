//go:build !linux

package main

import "os"

// mappedInput is standard input mapped into memory; only on Linux.
type mappedInput struct{}

// mapInput returns nil: add reads the file.
func mapInput(f *os.File) *mappedInput { return nil }

func (m *mappedInput) input() []byte { return nil }
func (m *mappedInput) release(n int) {}
func (m *mappedInput) close() error  { return nil }
