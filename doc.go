// Package chime is the root of the chime module: a command-line
// time-series database (cmd/chime) built on the format, tsdb, compact and
// server packages. It holds no code, only module-wide tests.
package chime
