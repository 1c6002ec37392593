// Package server is chime's HTTP API: sonnerie-serve's `GET /<filter>` and
// `PUT /`, plus deletes, compaction, key listing and many databases under
// one root. A Server is an http.Handler that other programs can embed;
// `chime serve` runs one with the timeouts, listener and graceful shutdown
// of this package.
//
// # Routes
//
// With Options.Dir one database is served with an empty base path; with
// Options.Root every database directory under the root is served with the
// base path /db/<name>.
//
//	GET    {base}/<filter>          read rows: KEY<TAB>NANOS<TAB>VALUES lines
//	GET    {base}/<filter>?keys     list keys
//	GET    {base}/<filter>?span     the time span of the selected rows (JSON)
//	PUT    {base}/                  write rows KEY NANOS FORMAT VALUES..., any order
//	POST   {base}/<filter>?delete   publish a delete marker
//	POST   {base}/?compact[&major]  compact
//	GET    /db/                     list the databases (root mode)
//	DELETE /db/<name>?confirm=<name> remove a database (root mode)
//	GET    /ui/                     the web UI (no token needed: it holds no data)
//
// Reads take query parameters named after read's long flags (after-key,
// before-key, after-time, before-time, timestamp-format, timestamp-nanos,
// timestamp-seconds, columns, print-format, output=text|json|csv) plus
// sonnerie's `human` and a repeatable `filter`. The filter in the path is
// percent-decoded; a '%' that starts no valid escape is taken literally,
// so that sonnerie clients' `GET /fib%` works (see Listener: Go's HTTP
// server refuses such request lines before any handler runs).
//
// # Web UI
//
// /ui/ serves a page (ui/assets: its script and style, and uPlot from the
// npm registry, embedded with go:embed) that lists keys with ?keys, plots
// min/max envelopes of aggregated reads with a step of (time range /
// chart width), zooms, pans and follows new data. Its files are served
// with a Content-Security-Policy that allows no inline script or style and
// nothing from another origin; with a token, the page asks for it once and
// sends it as the bearer header of its API requests. A key that starts
// with "ui/" is read with ?filter=.
//
// # Guarantees
//
// A write is answered 201 only after the commit protocol has published it
// (durably, unless tsdb.Options.NoSync). Every read takes a fresh snapshot,
// so it sees every transaction committed before it started, and a long
// streamed read keeps its files across a concurrent compaction. Input
// errors are 4xx answers whose one-line body names the problem (for a PUT,
// the line number and text); 5xx answers mean a fault of the server or
// its disk.
//
// # Safety
//
// Bodies are bounded (Options.MaxBody, MaxLine: 413), concurrent writers
// are capped (Options.MaxWriters: a writer waits for a slot, then gets 503),
// an optional bearer token is checked in constant time on every request,
// and in root mode database names are restricted to [A-Za-z0-9._-] (not
// starting with a dot) and resolved so that no request reaches outside the
// root, whatever symbolic links are planted in it.
package server
