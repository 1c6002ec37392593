// Package timefmt reads and prints timestamps as text: strftime patterns
// in chrono's dialect, which sonnerie used (Layout), the time bounds of
// read and delete (ParseBound), and RFC 3339 for the JSON and CSV outputs.
// Timestamps are unsigned nanoseconds since the Unix epoch, UTC. It depends
// on nothing else of chime.
package timefmt
