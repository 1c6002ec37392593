#!/usr/bin/env bash
# The object-storage figures of `make bench`: the same steps on a local
# directory and on s3:// (a SeaweedFS on loopback, started here and killed
# at the end), side by side, with the requests each command sends
# (CHIME_S3_REQUESTS). Skipped, saying so, when scripts/seaweedfs.sh has
# not built weed.
#
# Environment: BENCH_ROWS (default 10,000,000: 1,000 keys x 10,000
# samples), BENCH_RUNS (5), BENCH_FAST_RUNS (20), BENCH_DIR (.bench).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

ROWS=${BENCH_ROWS:-10000000}
RUNS=${BENCH_RUNS:-5}
FAST=${BENCH_FAST_RUNS:-20}
DATA=${BENCH_DIR:-.bench}/s3
weed=${XDG_CACHE_HOME:-$HOME/.cache}/chime/weed-v0.0.0-20261109003541-7506e5f91cd6
if [[ ! -x $weed ]]; then
	echo "s3 bench: skipped: no weed binary (build it with scripts/seaweedfs.sh)"
	exit 0
fi

go build -o bin/chime ./cmd/chime
CHIME=$PWD/bin/chime
TOOLS=$(mktemp -d "${TMPDIR:-/tmp}/chime-bench-s3.XXXXXX")
go build -o "$TOOLS/gen" ./internal/tools/gen
go build -o "$TOOLS/measure" ./internal/tools/measure
mkdir -p "$DATA"
keys=$((ROWS / 10000))
if [[ ! -f $DATA/u.$ROWS.txt ]]; then
	"$TOOLS/gen" -format u -keys "$keys" -o "$DATA/u.$ROWS.txt"
fi

# --- the server -------------------------------------------------------------
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
P=()
for _ in 1 2 3 4 5 6 7 8; do P+=("$(port)"); done
W=$TOOLS/weed
mkdir -p "$W/data"
echo '{"identities":[{"name":"bench","credentials":[{"accessKey":"bench","secretKey":"benchsecret"}],"actions":["Admin","Read","Write","List"]}]}' >"$W/ids.json"
"$weed" server -ip=127.0.0.1 -ip.bind=127.0.0.1 -dir="$W/data" \
	-master.port="${P[0]}" -master.port.grpc="${P[1]}" -volume.port="${P[2]}" -volume.port.grpc="${P[3]}" \
	-filer.port="${P[4]}" -filer.port.grpc="${P[5]}" -s3 -s3.port="${P[6]}" -s3.port.grpc="${P[7]}" \
	-s3.config="$W/ids.json" -s3.port.iceberg=0 -s3.port.lance=0 -master.telemetry=false \
	-master.electionTimeout=1s -volume.preStopSeconds=0 -volume.max=0 -master.volumeSizeLimitMB=1024 >"$W/log" 2>&1 &
WEED=$!
cleanup() {
	kill -9 "$WEED" 2>/dev/null || true
	wait "$WEED" 2>/dev/null || true
	for p in "${P[@]}"; do rm -f /tmp/seaweedfs-*-"$p".sock; done
	rm -rf "$TOOLS"
}
trap cleanup EXIT
export AWS_ENDPOINT_URL=http://127.0.0.1:${P[6]} AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=benchsecret \
	AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
for _ in $(seq 120); do
	curl -s -o /dev/null -w '%{http_code}' -X PUT --aws-sigv4 "aws:amz:us-east-1:s3" --user bench:benchsecret \
		"$AWS_ENDPOINT_URL/bench" | grep -q 200 && break
	sleep 0.5
done

L=$TOOLS/local
S=s3://bench/run$$
echo
echo "s3 bench: $ROWS rows ($keys keys x 10,000), SeaweedFS on loopback; medians; the machine may be shared"
m() { "$TOOLS/measure" "$@" || true; }
for where in local s3; do
	if [[ $where == local ]]; then D=$L; else D=$S/u; fi
	setup="rm -rf '$L'; '$CHIME' init '$L'"
	[[ $where == s3 ]] && setup="'$CHIME' init '$S/u\$\$' >/dev/null"
	# add: a fresh database each run
	if [[ $where == local ]]; then
		m -label "$(printf '%-6s add -f u' "$where")" -n "$RUNS" -stdin "$DATA/u.$ROWS.txt" -setup "$setup" -- "$CHIME" -d "$L" add -f u
		"$CHIME" init "$L"
	else
		i=0
		m -label "$(printf '%-6s add -f u' "$where")" -n "$RUNS" -stdin "$DATA/u.$ROWS.txt" -shell -- \
			"d=$S/add\$(date +%s%N); '$CHIME' init \$d && '$CHIME' -d \$d add -f u"
		"$CHIME" init "$D"
	fi
	"$CHIME" -d "$D" add -f u <"$DATA/u.$ROWS.txt"
	"$CHIME" -d "$D" compact --major 2>/dev/null
	m -label "$(printf '%-6s read %%' "$where")" -n "$RUNS" -- "$CHIME" -d "$D" read %
	m -label "$(printf '%-6s read one key (10,000 rows)' "$where")" -ms -n "$FAST" -warmup 2 -- "$CHIME" -d "$D" read sensor.00000
	m -label "$(printf '%-6s read a missing key' "$where")" -ms -n "$FAST" -warmup 2 -- "$CHIME" -d "$D" read nokey
	m -label "$(printf '%-6s keys --count' "$where")" -ms -n "$FAST" -warmup 2 -- "$CHIME" -d "$D" keys --count
	m -label "$(printf '%-6s stats' "$where")" -ms -n "$FAST" -warmup 2 -- "$CHIME" -d "$D" stats
	m -label "$(printf '%-6s compact --major (+1 tx, rewrite)' "$where")" -n "$RUNS" -shell -- \
		"echo 'sensor.00000 1 1' | '$CHIME' -d '$D' add -f u && '$CHIME' -d '$D' compact --major 2>/dev/null"
done

echo
echo "requests per command on s3:// (CHIME_S3_REQUESTS=1):"
# A database of its own, so that no replaced file left within the grace
# period by the timings above adds its requests: add, compact, and a
# second compaction with --grace 0 sweeps what the first replaced.
R=$S/req
"$CHIME" init "$R" >/dev/null
"$CHIME" -d "$R" add -f u <"$DATA/u.$ROWS.txt"
"$CHIME" -d "$R" compact --major 2>/dev/null
"$CHIME" -d "$R" compact --major --grace 0 2>/dev/null
export CHIME_S3_REQUESTS=1
req() { printf '  %-34s ' "$1"; shift; "$@" 2>&1 >/dev/null </dev/null | grep '^s3 requests' || echo; }
echo " on the compacted database (one main):"
req "read one key" "$CHIME" -d "$R" read sensor.00000
req "read a missing key" "$CHIME" -d "$R" read nokey
req "keys --count" "$CHIME" -d "$R" keys --count
req "stats" "$CHIME" -d "$R" stats
req "check" "$CHIME" -d "$R" check
req "read %" "$CHIME" -d "$R" read %
echo " writes, then reads with live transaction files:"
printf '  %-34s ' "add one row"; echo 'zz 1 1' | "$CHIME" -d "$R" add -f u 2>&1 | grep '^s3 requests'
req "read one key (1 live tx)" "$CHIME" -d "$R" read sensor.00000
req "delete one key" "$CHIME" -d "$R" delete zz
req "read one key (2 live tx)" "$CHIME" -d "$R" read sensor.00000
echo " compactions (default --grace: what they replace stays an hour):"
req "compact (minor, 2 tx)" "$CHIME" -d "$R" compact
req "compact --major" "$CHIME" -d "$R" compact --major
req "init" "$CHIME" init "$S/new"
