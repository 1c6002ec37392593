// Package interop_test checks what chime exports and imports against
// DuckDB, the independent reader and writer: a separate module, so that
// DuckDB (cgo, a large static library) never enters chime's own build.
// Run with `make interop` (and `make test`); each test builds and runs
// the real chime command.
package interop_test
