#!/usr/bin/env bash
# Whole-command benchmarks of chime against the reference figures of
# the README ("Performance"). Run by `make bench`.
#
# Every figure is the median of several whole-process runs (the machine is
# shared and noisy), printed next to its target and sonnerie's
# figure. The data sets are generated once into .bench/ and reused while the
# generator's version is the same.
#
# Environment:
#   BENCH_RUNS=5        runs of the slow steps (add, read %, compact)
#   BENCH_FAST_RUNS=20  runs of the millisecond steps
#   BENCH_SLICE_RUNS=3  runs of the 10 time-sliced adds
#   BENCH_KEYS=1000     keys of 10,000 samples each (200: the 2M-row variant
#                       that issue 14 compares with sonnerie)
#   BENCH_DIR=.bench    data and scratch databases (.bench-KEYS for other
#                       BENCH_KEYS)
#   BENCH_KEEP=1        keep the scratch databases afterwards
#   CHIME=path          benchmark this binary instead of building bin/chime
#                       (e.g. CHIME=sonnerie, for the reference figures)
#   BENCH_DUCKDB=0      skip DuckDB, the anchor of the aggregation and
#                       Parquet figures (built from the interop module:
#                       cgo, a few minutes the first time)
#   BENCH_100M=0        skip the 100M-row aggregation (about 10 s to add
#                       the rows, 90 MB of disk)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

RUNS=${BENCH_RUNS:-5}
FAST_RUNS=${BENCH_FAST_RUNS:-20}
SLICE_RUNS=${BENCH_SLICE_RUNS:-3}
KEYS=${BENCH_KEYS:-1000}
if [[ $KEYS == 1000 ]]; then
	DATA=${BENCH_DIR:-.bench}
else
	DATA=${BENCH_DIR:-.bench-$KEYS}
fi
WORK=$DATA/work
ROWS=$((KEYS * 10000)) # KEYS x 10,000 samples
SLICES=10
KEY=$(printf 'sensor.%05d' $((KEYS / 2))) # the key of the one-key reads

failures=0

# measure LABEL [measure flags] -- command...: one result line; a failure is
# reported and counted, and the benchmark goes on.
measure() {
	local label
	label=$(printf '%-40s' "$1")
	shift
	if ! "$TOOLS/measure" -label "$label" "$@"; then
		failures=$((failures + 1))
	fi
}

# median_ms LINE: the median of a measure -ms result line.
median_ms() {
	sed -n 's/.*median \([0-9.]*\)ms.*/\1/p' <<<"$1"
}

# new_db DIR: an empty database, made by `chime init` or else the sonnerie
# way (mkdir + touch main).
new_db() {
	rm -rf "$1"
	if ! "$CHIME" init "$1" >/dev/null 2>&1; then
		rm -rf "$1"
		mkdir -p "$1"
		touch "$1/main"
	fi
}

# db_bytes DIR: the sum of the sizes of the files in DIR.
db_bytes() {
	find "$1" -type f -exec cat {} + | wc -c | tr -d ' '
}

# per_sample BYTES: bytes per sample of the reference data set.
per_sample() {
	awk -v b="$1" -v n="$ROWS" 'BEGIN { printf "%.2f", b / n }'
}

mib() {
	awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'
}

# warn MESSAGE: a failed sanity check; the figures around it are suspect.
warn() {
	echo "WARNING: $*" >&2
	failures=$((failures + 1))
}

# check_rows DB FILTER WANT: the number of rows read must be WANT.
check_rows() {
	local got
	got=$("$CHIME" -d "$1" read "$2" --timestamp-nanos | wc -l | tr -d ' ') || true
	if [[ $got != "$3" ]]; then
		warn "$1: read $2 gave $got rows, want $3"
	fi
}

# --- build ------------------------------------------------------------------

# chime is built as make build builds it: static (CGO_ENABLED=0), which
# starts about 1 ms sooner than a cgo build linked against libc.
if [[ -z ${CHIME:-} ]]; then
	CGO_ENABLED=0 go build -o bin/chime ./cmd/chime
	CHIME=bin/chime
fi
if [[ $CHIME != */* ]]; then
	CHIME=$(command -v "$CHIME")
fi
TOOLS=$(mktemp -d "${TMPDIR:-/tmp}/chime-bench.XXXXXX")
cleanup() {
	rm -rf "$TOOLS"
	if [[ -z ${BENCH_KEEP:-} ]]; then
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT
go build -o "$TOOLS/gen" ./internal/tools/gen
go build -o "$TOOLS/measure" ./internal/tools/measure
CGO_ENABLED=0 go build -o "$TOOLS/hello" ./internal/tools/hello
# deps is hello with every package cmd/chime imports linked in, and none
# of chime's code: the start-up floor of its dependencies' package
# initialisation alone. Its main.go is an overlay (go build -overlay), so
# that the tree stays as it is.
{
	echo "// Command deps: see scripts/bench.sh."
	echo "package main"
	echo "import ("
	echo '	"os"'
	go list -f '{{join .Imports "\n"}}' ./cmd/chime | grep -vx os | sed 's/.*/	_ "&"/'
	echo ")"
	echo 'func main() { os.Stdout.WriteString("hello\n") }'
} >"$TOOLS/deps.go"
printf '{"Replace": {"%s": "%s"}}\n' "$PWD/internal/tools/hello/main.go" "$TOOLS/deps.go" >"$TOOLS/overlay.json"
CGO_ENABLED=0 go build -overlay "$TOOLS/overlay.json" -o "$TOOLS/deps" ./internal/tools/hello

# --- data -------------------------------------------------------------------

stamp="$("$TOOLS/gen" -version) rows=$ROWS slices=$SLICES"
data_files=("$DATA/u.txt" "$DATA/F.txt" "$DATA/one.txt" "$DATA/u.bytime.txt")
for ((i = 0; i < SLICES; i++)); do
	data_files+=("$DATA/u.slice$i.txt")
done
fresh=1
for f in "$DATA/stamp" "${data_files[@]}"; do
	[[ -f $f ]] || fresh=0
done
if [[ $fresh == 1 && $(cat "$DATA/stamp") == "$stamp" ]]; then
	echo "data: reusing $DATA ($stamp)"
else
	echo "data: generating into $DATA ($stamp)"
	mkdir -p "$DATA"
	rm -f "$DATA/stamp"
	start=$(date +%s)
	"$TOOLS/gen" -format u -keys "$KEYS" -o "$DATA/u.txt"
	"$TOOLS/gen" -format F -keys "$KEYS" -o "$DATA/F.txt"
	"$TOOLS/gen" -format u -keys "$KEYS" -by-time -o "$DATA/u.bytime.txt"
	for ((i = 0; i < SLICES; i++)); do
		"$TOOLS/gen" -format u -keys "$KEYS" -slice "$i" -slices "$SLICES" -o "$DATA/u.slice$i.txt"
	done
	# One row after everything the u database holds.
	echo "$KEY 1577846800000000000 42" >"$DATA/one.txt"
	echo "$stamp" >"$DATA/stamp"
	echo "data: generated in $(($(date +%s) - start)) s"
fi

rm -rf "$WORK"
mkdir -p "$WORK"
new_db "$WORK/empty"
# recreate DB: the setup that gives a run an empty database.
recreate() {
	echo "rm -rf '$1' && cp -a '$WORK/empty' '$1'"
}

echo
echo "chime: $CHIME ($("$CHIME" --version 2>&1 | head -n 1 || true))"
echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo none)$(git diff --quiet HEAD -- 2>/dev/null || echo ' (modified)')"
echo "machine: $(uname -sm), $(getconf _NPROCESSORS_ONLN) cores; $(go version | cut -d' ' -f3)"
echo "runs: $RUNS (slow), $FAST_RUNS (ms), $SLICE_RUNS (sliced adds); targets in [brackets]"
if [[ $KEYS != 1000 ]]; then
	echo "data: $KEYS keys, $ROWS rows: the targets and sonnerie figures in [brackets] are for 10M rows"
fi

# --- add --------------------------------------------------------------------

echo
echo "== add ($ROWS rows, one transaction)"
measure "add -f u" -n "$RUNS" -stdin "$DATA/u.txt" -setup "$(recreate "$WORK/u")" \
	-note "<= 1.2 s, <= 32 MiB; sonnerie 3.66 s, 15 MiB" \
	-- "$CHIME" -d "$WORK/u" add -f u
measure "add -f F" -n "$RUNS" -stdin "$DATA/F.txt" -setup "$(recreate "$WORK/F")" \
	-note "<= 1.5 s, <= 32 MiB; sonnerie 4.49 s" \
	-- "$CHIME" -d "$WORK/F" add -f F

u_bytes=$(db_bytes "$WORK/u")
F_bytes=$(db_bytes "$WORK/F")
echo "size on disk, u: $(per_sample "$u_bytes") bytes/sample ($(mib "$u_bytes"))  [<= 2.0; sonnerie 8.14]"
echo "size on disk, F: $(per_sample "$F_bytes") bytes/sample ($(mib "$F_bytes"))  [<= 8.0; sonnerie 14.5]"

# The single key must read back exactly as generated.
if ! "$CHIME" -d "$WORK/u" read "$KEY" --timestamp-nanos |
	cmp -s - <(grep "^$KEY " "$DATA/u.txt" | tr ' ' '\t'); then
	warn "read $KEY --timestamp-nanos differs from the generated rows"
fi
check_rows "$WORK/u" % "$ROWS"
check_rows "$WORK/F" % "$ROWS"

# --- read -------------------------------------------------------------------

echo
echo "== read % > /dev/null (u database $(mib "$u_bytes"), F database $(mib "$F_bytes"))"
measure "read % (u, %F %T timestamps)" -n "$RUNS" \
	-note "<= 2.1 s, RSS - db <= 32 MiB; sonnerie 6.33 s, 82 MiB" \
	-- "$CHIME" -d "$WORK/u" read %
measure "read % --timestamp-nanos (u)" -n "$RUNS" \
	-note "<= 0.7 s; sonnerie 2.09 s" \
	-- "$CHIME" -d "$WORK/u" read % --timestamp-nanos
measure "read % (F)" -n "$RUNS" \
	-note "<= 3.8 s, RSS - db <= 32 MiB; sonnerie 11.4 s, 143 MiB" \
	-- "$CHIME" -d "$WORK/F" read %

echo
echo "== milliseconds (whole process)"
# The floor beside a bare Go program built by the same toolchain, measured
# twice around it so that a burst of load shows as a gap between the two.
hello_line() {
	"$TOOLS/measure" -label "$(printf '%-40s' "hello-world Go program")" -ms -n "$FAST_RUNS" -warmup 2 \
		-note "same toolchain, same run" -- "$TOOLS/hello"
}
hello1=$(hello_line) || failures=$((failures + 1))
echo "$hello1"
line=$("$TOOLS/measure" -label "$(printf '%-40s' "start-up floor: --version")" -ms -n "$FAST_RUNS" -warmup 2 \
	-note "<= hello-world + 0.5 ms" -- "$CHIME" --version) || failures=$((failures + 1))
echo "$line"
hello2=$(hello_line) || failures=$((failures + 1))
echo "$hello2"
floor=$(median_ms "$line")
floor=${floor:-0}
hello=$(awk -v a="$(median_ms "$hello1")" -v b="$(median_ms "$hello2")" 'BEGIN { printf "%.2f", (a + b) / 2 }')
echo "start-up floor - hello-world: $(awk -v f="$floor" -v h="$hello" 'BEGIN { printf "%.2f", f - h }') ms  [<= 0.5 ms]"
deps=$("$TOOLS/measure" -label "$(printf '%-40s' "hello + chime's imports, no chime code")" -ms -n "$FAST_RUNS" -warmup 2 \
	-note "the dependencies' initialisation alone" -- "$TOOLS/deps") || failures=$((failures + 1))
echo "$deps"
echo "dependencies alone - hello-world: $(awk -v f="$(median_ms "$deps")" -v h="$hello" 'BEGIN { printf "%.2f", f - h }') ms"
measure "read $KEY (10,000 rows)" -ms -n "$FAST_RUNS" -warmup 2 \
	-note "<= 4 ms and <= floor + 1.5 = $(awk -v f="$floor" 'BEGIN { printf "%.2f", f + 1.5 }') ms; sonnerie 17 ms" \
	-- "$CHIME" -d "$WORK/u" read "$KEY"
measure "read nosuch (missing key)" -ms -n "$FAST_RUNS" -warmup 2 \
	-note "<= floor + 0.5 = $(awk -v f="$floor" 'BEGIN { printf "%.2f", f + 0.5 }') ms; sonnerie 8 ms" \
	-- "$CHIME" -d "$WORK/u" read nosuch
cp -a "$WORK/u" "$WORK/one"
measure "add one row, with fsync (10M-row db)" -ms -n "$FAST_RUNS" -warmup 2 -stdin "$DATA/one.txt" \
	-note "no worse than sonnerie's 9 ms" \
	-- "$CHIME" -d "$WORK/one" add -f u
rm -rf "$WORK/one"

# --- aggregation ------------------------------------------------------------

echo
if ! "$CHIME" read --help 2>/dev/null | grep -q -- '--agg'; then
	echo "== aggregation: skipped ($CHIME has no read --agg)"
else
	echo "== aggregation: hourly mean, min, max per key (u database), beside DuckDB"
	agg=(read % --step 1h --agg mean,min,max)
	measure "read % --step 1h --agg mean,min,max" -n "$RUNS" \
		-note "<= DuckDB's warm GROUP BY below (measured at 0.11 s when chime began)" \
		-- "$CHIME" -d "$WORK/u" "${agg[@]}"
	if [[ ${BENCH_DUCKDB:-1} == 0 ]]; then
		echo "duckdb: skipped (BENCH_DUCKDB=0)"
	elif (cd interop && go build -o "$TOOLS/aggbench" ./aggbench) >"$TOOLS/aggbench.log" 2>&1; then
		"$CHIME" -d "$WORK/u" "${agg[@]}" --timestamp-nanos >"$TOOLS/agg.txt"
		"$TOOLS/aggbench" -data "$DATA/u.txt" -runs "$((RUNS > 7 ? RUNS : 7))" -check "$TOOLS/agg.txt" ||
			warn "DuckDB's hourly aggregates differ from chime's, or DuckDB failed"
	else
		warn "could not build interop/aggbench (DuckDB): $(tail -n 1 "$TOOLS/aggbench.log")"
	fi
	measure "read sensor.00500 --step 1h --agg mean,min,max" -ms -n "$FAST_RUNS" -warmup 2 \
		-note "<= read sensor.00500 above" \
		-- "$CHIME" -d "$WORK/u" read sensor.00500 --step 1h --agg mean,min,max
	measure "read sensor.00500 (again, same run)" -ms -n "$FAST_RUNS" -warmup 2 \
		-- "$CHIME" -d "$WORK/u" read sensor.00500
	measure "read % --agg count (block headers)" -n "$RUNS" \
		-- "$CHIME" -d "$WORK/u" read % --agg count
	measure "read % --merge all --step 1h --agg mean,p99" -n "$RUNS" \
		-- "$CHIME" -d "$WORK/u" read % --merge all --step 1h --agg mean,p99
	if [[ ${BENCH_100M:-1} == 0 ]]; then
		echo "100M rows: skipped (BENCH_100M=0)"
	else
		new_db "$WORK/u100"
		start=$(date +%s)
		"$TOOLS/gen" -format u -samples 100000 | "$CHIME" -d "$WORK/u100" add -f u
		echo "100M rows (1,000 keys x 100,000 s): added in $(($(date +%s) - start)) s, $(mib "$(db_bytes "$WORK/u100")")"
		measure "read % --step 1h --agg mean,min,max, 100M" -n "$RUNS" \
			-note "< 1 s; RSS bounded by keys in flight" \
			-- "$CHIME" -d "$WORK/u100" "${agg[@]}"
		rm -rf "$WORK/u100"
	fi
fi

# --- plot -------------------------------------------------------------------

echo
if ! "$CHIME" plot --help >/dev/null 2>&1; then
	echo "== plot: skipped ($CHIME has no plot)"
else
	echo "== plot: one key of 600,000 rows (F random walk, one a second), whole process"
	new_db "$WORK/plot"
	"$TOOLS/gen" -format F -keys 1 -samples 600000 | "$CHIME" -d "$WORK/plot" add -f F
	measure "plot % (terminal, 120x30)" -ms -n "$FAST_RUNS" -warmup 2 \
		-note "well under 1 s" -- "$CHIME" -d "$WORK/plot" plot % --width 120 --height 30
	measure "plot % -o chart.png (1000x500)" -ms -n "$RUNS" -warmup 1 \
		-note "well under 1 s" -- "$CHIME" -d "$WORK/plot" plot % -o "$WORK/plot.png"
	measure "plot % -o chart.svg (1000x500)" -ms -n "$RUNS" -warmup 1 \
		-note "well under 1 s" -- "$CHIME" -d "$WORK/plot" plot % -o "$WORK/plot.svg"
	rm -rf "$WORK/plot"
fi

# --- time-sliced adds -------------------------------------------------------

echo
echo "== 10 time-sliced adds of $((ROWS / SLICES)) rows into one database"
adds="set -e; for i in"
for ((i = 0; i < SLICES; i++)); do
	adds+=" $i"
done
adds+="; do '$CHIME' -d '$WORK/s' add -f u < '$DATA/u.slice'\$i.txt; done"
measure "10 time-sliced adds, total" -n "$SLICE_RUNS" -shell -setup "$(recreate "$WORK/s")" \
	-note "<= 1.0 s; sonnerie 2.99 s" -- "$adds"
rm -rf "$WORK/s"
rm -rf "$WORK/F"

# --- interop: Parquet out, unsorted in --------------------------------------

echo
if ! "$CHIME" read --help 2>/dev/null | grep -q -- 'parquet'; then
	echo "== interop: skipped ($CHIME has no read -o parquet)"
else
	echo "== interop: Parquet export of the u database beside DuckDB's, unsorted add"
	measure "read % -o parquet > file" -n "$RUNS" -stdout "$WORK/u.parquet" \
		-note "<= DuckDB's COPY below, and no larger (measured at 0.92 s, 53 MB when chime began)" \
		-- "$CHIME" -d "$WORK/u" read % -o parquet
	echo "parquet file: chime $(mib "$(wc -c <"$WORK/u.parquet" | tr -d ' ')")"
	if [[ ${BENCH_DUCKDB:-1} == 0 ]]; then
		echo "duckdb: skipped (BENCH_DUCKDB=0)"
	elif (cd interop && go build -o "$TOOLS/parquetbench" ./parquetbench) >"$TOOLS/parquetbench.log" 2>&1; then
		# chime's export again, each run just before one of DuckDB's: the
		# same load for both on a shared machine.
		"$TOOLS/parquetbench" -data "$DATA/u.txt" -runs "$RUNS" -out "$WORK/duck.parquet" \
			-chime "$CHIME -d $WORK/u read % -o parquet" -chime-out "$WORK/u.parquet" ||
			warn "DuckDB's COPY TO parquet failed"
	else
		warn "could not build interop/parquetbench (DuckDB): $(tail -n 1 "$TOOLS/parquetbench.log")"
	fi
	rm -f "$WORK/u.parquet" "$WORK/duck.parquet"
	# The same 10M rows ordered by time, every key interleaved (a log).
	measure "add -f u --unsorted (rows by time)" -n "$RUNS" -stdin "$DATA/u.bytime.txt" -setup "$(recreate "$WORK/us")" \
		-note "<= 2 x add -f u above, RSS < 256 MiB (--sort-memory 64M)" \
		-- "$CHIME" -d "$WORK/us" add -f u --unsorted
	if [[ -d $WORK/us ]] && ! cmp -s <("$CHIME" -d "$WORK/us" read % --timestamp-nanos) <("$CHIME" -d "$WORK/u" read % --timestamp-nanos); then
		warn "add --unsorted of the rows by time gave another database than add of the sorted rows"
	fi
	rm -rf "$WORK/us"
fi

# --- compaction -------------------------------------------------------------

echo
if ! "$CHIME" compact --help >/dev/null 2>&1; then
	echo "== compaction: skipped ($CHIME has no compact command yet)"
else
	echo "== compaction (slice 0, compact --major, then slices 1-9 as transactions)"
	tpl=$WORK/tpl
	new_db "$tpl"
	built=1
	"$CHIME" -d "$tpl" add -f u <"$DATA/u.slice0.txt" || built=0
	if [[ $built == 1 ]]; then
		"$CHIME" -d "$tpl" compact --major || built=0
	fi
	for ((i = 1; i < SLICES && built == 1; i++)); do
		"$CHIME" -d "$tpl" add -f u <"$DATA/u.slice$i.txt" || built=0
	done
	if [[ $built == 0 ]]; then
		warn "could not build the database to compact"
	else
		tpl_bytes=$(db_bytes "$tpl")
		echo "database: $(mib "$tpl_bytes") in $(find "$tpl" -type f | wc -l | tr -d ' ') files"
		copy="rm -rf '$WORK/c' && cp -a '$tpl' '$WORK/c'"
		measure "read % (main + 9 tx)" -n "$RUNS" \
			-note "compare read % above: <= 2.1 s" \
			-- "$CHIME" -d "$tpl" read %
		measure "compact (minor, 9 tx)" -n "$RUNS" -setup "$copy" \
			-note "<= 0.8 s, RSS - db <= 64 MiB; sonnerie 2.50 s, 89 MiB" \
			-- "$CHIME" -d "$WORK/c" compact
		measure "compact --major" -n "$RUNS" -setup "$copy" \
			-note "<= 1.0 s, RSS - db <= 64 MiB; sonnerie 3.11 s, 94 MiB" \
			-- "$CHIME" -d "$WORK/c" compact --major
		measure "compact --major --gegnum cat" -n "$RUNS" -setup "$copy" \
			-note "<= 2.0 s; sonnerie 6.05 s" \
			-- "$CHIME" -d "$WORK/c" compact --major --gegnum cat
		if [[ -d $WORK/c ]]; then
			check_rows "$WORK/c" % "$ROWS"
			c_bytes=$(db_bytes "$WORK/c")
			echo "size on disk after compact --major --gegnum cat, u: $(per_sample "$c_bytes") bytes/sample  [<= 2.0; sonnerie 8.14]"
		fi
	fi
fi

echo
if ((failures > 0)); then
	echo "bench: $failures failed step(s) or check(s), see above" >&2
	exit 1
fi
echo "bench: done"
