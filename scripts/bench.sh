#!/usr/bin/env bash
# Whole-command benchmarks of chime against the reference figures of
# DESIGN.md ("Performance: the reference figures"). Run by `make bench`.
#
# Every figure is the median of several whole-process runs (the machine is
# shared and noisy), printed next to its DESIGN.md target and sonnerie's
# figure. The data sets are generated once into .bench/ and reused while the
# generator's version is the same.
#
# Environment:
#   BENCH_RUNS=5        runs of the slow steps (add, read %, compact)
#   BENCH_FAST_RUNS=20  runs of the millisecond steps
#   BENCH_SLICE_RUNS=3  runs of the 10 time-sliced adds
#   BENCH_DIR=.bench    data and scratch databases
#   BENCH_KEEP=1        keep the scratch databases afterwards
#   CHIME=path          benchmark this binary instead of building bin/chime
#                       (e.g. CHIME=sonnerie, for the reference figures)
#   BENCH_DUCKDB=0      skip DuckDB's side of the interop figures (built
#                       from the interop module: cgo, slow the first time)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

RUNS=${BENCH_RUNS:-5}
FAST_RUNS=${BENCH_FAST_RUNS:-20}
SLICE_RUNS=${BENCH_SLICE_RUNS:-3}
DATA=${BENCH_DIR:-.bench}
WORK=$DATA/work
ROWS=10000000 # 1,000 keys x 10,000 samples
SLICES=10

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

if [[ -z ${CHIME:-} ]]; then
	go build -o bin/chime ./cmd/chime
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
	"$TOOLS/gen" -format u -o "$DATA/u.txt"
	"$TOOLS/gen" -format F -o "$DATA/F.txt"
	"$TOOLS/gen" -format u -by-time -o "$DATA/u.bytime.txt"
	for ((i = 0; i < SLICES; i++)); do
		"$TOOLS/gen" -format u -slice "$i" -slices "$SLICES" -o "$DATA/u.slice$i.txt"
	done
	# One row after everything the u database holds.
	echo "sensor.00500 1577846800000000000 42" >"$DATA/one.txt"
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

# --- add --------------------------------------------------------------------

echo
echo "== add (10M rows, one transaction)"
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
if ! "$CHIME" -d "$WORK/u" read sensor.00500 --timestamp-nanos |
	cmp -s - <(grep '^sensor\.00500 ' "$DATA/u.txt" | tr ' ' '\t'); then
	warn "read sensor.00500 --timestamp-nanos differs from the generated rows"
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
line=$("$TOOLS/measure" -label "$(printf '%-40s' "start-up floor: --version")" -ms -n "$FAST_RUNS" -warmup 2 \
	-note "near a bare Go program, 1.5-2 ms" -- "$CHIME" --version) || failures=$((failures + 1))
echo "$line"
floor=$(median_ms "$line")
floor=${floor:-0}
measure "read sensor.00500 (10,000 rows)" -ms -n "$FAST_RUNS" -warmup 2 \
	-note "<= 4 ms and <= floor + 1.5 = $(awk -v f="$floor" 'BEGIN { printf "%.2f", f + 1.5 }') ms; sonnerie 17 ms" \
	-- "$CHIME" -d "$WORK/u" read sensor.00500
measure "read nosuch (missing key)" -ms -n "$FAST_RUNS" -warmup 2 \
	-note "<= floor + 0.5 = $(awk -v f="$floor" 'BEGIN { printf "%.2f", f + 0.5 }') ms; sonnerie 8 ms" \
	-- "$CHIME" -d "$WORK/u" read nosuch
cp -a "$WORK/u" "$WORK/one"
measure "add one row, with fsync (10M-row db)" -ms -n "$FAST_RUNS" -warmup 2 -stdin "$DATA/one.txt" \
	-note "no worse than sonnerie's 9 ms" \
	-- "$CHIME" -d "$WORK/one" add -f u
rm -rf "$WORK/one"

# --- time-sliced adds -------------------------------------------------------

echo
echo "== 10 time-sliced adds of 1M rows into one database"
adds="set -e; for i in"
for ((i = 0; i < SLICES; i++)); do
	adds+=" $i"
done
adds+="; do '$CHIME' -d '$WORK/s' add -f u < '$DATA/u.slice'\$i.txt; done"
measure "10 adds of 1M rows, total" -n "$SLICE_RUNS" -shell -setup "$(recreate "$WORK/s")" \
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
		-note "<= DuckDB's COPY below, and no larger (DESIGN.md: 0.92 s, 53 MB)" \
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
