//go:build !linux

package main

// mappedInput is standard input mapped into memory; only on Linux.
type mappedInput struct{}

// mapStdin returns nil: add reads stdin.
func mapStdin() *mappedInput { return nil }

func (m *mappedInput) input() []byte { return nil }
func (m *mappedInput) release(n int) {}
func (m *mappedInput) close() error  { return nil }
