# chime: `make demo` builds chime and runs the quick start; `make test` is
# what CI runs.
GO      ?= go
BIN     := bin/chime
FUZZTIME ?= 30s

.PHONY: all build demo test interop kill powercut sshfs s3faults soak bench fuzz lint fmt clean ui ui-check

all: build

# Static (CGO_ENABLED=0): chime needs no C library, and a cgo build links
# libc through net and starts about 1 ms later (see scripts/bench.sh).
build:
	CGO_ENABLED=0 $(GO) build -o $(BIN) ./cmd/chime

# The fibonacci quick start of the README on a throwaway database.
demo: build
	@set -e; db=$$(mktemp -d)/database; \
	echo "+ chime init $$db"; $(BIN) init $$db; \
	printf 'fibonacci 2020-01-01T00:00:00 1\nfibonacci 2020-01-02T00:00:00 1\nfibonacci 2020-01-03T00:00:00 2\nfibonacci 2020-01-04T00:00:00 3\nfibonacci 2020-01-05T00:00:00 5\nfibonacci 2020-01-06T00:00:00 8\n' \
	  | $(BIN) -d $$db add --format u --timestamp-format %FT%T; \
	echo "+ chime -d $$db read fib%"; $(BIN) -d $$db read 'fib%'; \
	echo "+ chime -d $$db plot fib%"; $(BIN) -d $$db plot 'fib%'; \
	rm -rf $$(dirname $$db)

# The web UI's chart library, uPlot, comes from the npm registry, pinned by
# server/ui/package-lock.json. Its dist files are committed in
# server/ui/assets/vendor (60 KB, embedded with go:embed), so that go build
# needs no npm: make ui installs the locked version (npm ci) and copies
# them; make test (ui-check) installs it again and fails if the committed
# copy differs.
UI_NPM := server/ui/node_modules/uplot
UI_VENDOR := server/ui/assets/vendor
ui:
	cd server/ui && npm ci --no-audit --no-fund
	cp $(UI_NPM)/dist/uPlot.iife.min.js $(UI_NPM)/dist/uPlot.min.css $(UI_NPM)/LICENSE $(UI_VENDOR)/

ui-check:
	cd server/ui && npm ci --no-audit --no-fund
	@for f in dist/uPlot.iife.min.js dist/uPlot.min.css LICENSE; do \
	  cmp $(UI_NPM)/$$f $(UI_VENDOR)/$$(basename $$f) || \
	    { echo "$(UI_VENDOR) is not the uPlot of package-lock.json: run make ui"; exit 1; }; \
	done

# The kill and power-cut suites run after the other tests, not beside
# them: their kill delays are drawn from measured durations, which other
# packages' tests on the same two cores would skew.
# The fuzz run of test uses a count, not a duration: go1.26's fuzz
# coordinator can fail a timed run at its deadline on a loaded machine
# (golang/go#75804).
test: lint ui-check
	$(GO) vet -tags powercut ./cmd/chime/
	$(GO) vet -tags sshfs ./cmd/chime/
	GOOS=darwin $(GO) vet ./...
	GOOS=freebsd $(GO) vet ./...
	GOOS=windows $(GO) build ./tsdb/... ./format/...
	$(GO) test -count=1 -skip '$(KILL_TESTS)' ./...
	$(GO) test -count=1 -race -short $(RACE_PKGS)
	$(MAKE) interop
	$(MAKE) kill powercut sshfs s3faults
	$(MAKE) fuzz FUZZTIME=20000x

# The packages with concurrent code (the engine, its stores, the parallel
# import pipeline and scans, compaction, the server) run again under the
# race detector, in -short mode (fewer simulation seeds).
RACE_PKGS := ./tsdb/... ./compact/ ./server/ ./format/text/ ./internal/s3api/

# DuckDB as the independent reader and writer of what chime exports and
# imports (Parquet, CSV), and the anchor of the aggregation benchmark:
# interop/ is a module of its own, so that DuckDB (cgo, a large static
# library) stays out of chime's build.
interop:
	cd interop && $(GO) vet ./... && $(GO) test -count=1 ./...

# The kill suite (cmd/chime/kill_*_test.go): SIGKILL add, delete, compact
# and serve at random moments, 1,000 times and more. Verbose, so that the
# log shows where the kills landed.
KILL_TESTS := ^(Test(Add|Delete|Compact|Serve)_Killed|TestCompact_ConcurrentReadersWriters)$$
kill:
	$(GO) test -count=1 -v -run '$(KILL_TESTS)' ./cmd/chime/

# The power-cut suite (cmd/chime/powercut_test.go, build tag powercut):
# ext4 on a loop device, shut down with xfs_io right after an
# acknowledgement, 200 times, then the same against a build without
# directory fsync, which must lose rows. Root only; elsewhere it skips and
# says why. Verbose, so that the log shows the cuts.
powercut:
	$(GO) test -count=1 -v -tags powercut -run '^TestPowerCut' ./cmd/chime/

# The sshfs suite (cmd/chime/sshfs_test.go, build tag sshfs): a private
# sshd on a loopback port (its own config and keys in a temporary
# directory) serves a directory that sshfs mounts with its default caches;
# reads over the mount must match local reads and use pread, not mmap;
# reads right after a compaction on the server must survive sshfs's stale
# listing; writers through the mount must leave the right rows. Root,
# /dev/fuse, openssh-server and sshfs only; elsewhere it skips and says
# why, but fails when CI is set.
sshfs:
	$(GO) test -count=1 -v -tags sshfs -run '^TestSSHFS' ./cmd/chime/

# The object-storage fault suite (cmd/chime/s3faults_*_test.go, build tag
# s3faults), on a real SeaweedFS: SIGKILL of add, serve PUTs and every
# kind of compaction on s3://; a fault-injecting proxy (failed, dropped,
# delayed requests, bodies cut short, writes applied yet reported
# failed); the server killed and restarted mid-read and mid-upload;
# readers racing compactions; a three-volume cluster losing a volume
# server mid-read. Without the weed binary (scripts/seaweedfs.sh) it
# skips and says why, but fails when CI is set. Verbose, so that the log
# shows where the kills and faults landed.
s3faults:
	$(GO) test -count=1 -v -timeout 30m -tags s3faults -run '^TestS3Faults_' ./cmd/chime/

# Long runs of the reliability suites, outside make test: the model,
# crash-point and I/O-error tests, the kill and power-cut suites SOAK times
# over (each repetition draws new kill delays and cut points), and every
# fuzz target for SOAK_FUZZTIME.
SOAK ?= 20
SOAK_FUZZTIME ?= 2m
soak:
	$(GO) test -count=$(SOAK) -run 'Model|Crash|IOError' ./tsdb/ ./compact/
	$(GO) test -count=$(SOAK) -v -run '$(KILL_TESTS)' ./cmd/chime/
	$(GO) test -count=$(SOAK) -v -tags powercut -run '^TestPowerCut$$' ./cmd/chime/
	$(MAKE) fuzz FUZZTIME=$(SOAK_FUZZTIME)

# Each fuzz target for FUZZTIME (go test runs one fuzz target at a time).
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
	  for t in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "fuzz $$pkg $$t"; $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) $$pkg; \
	  done; \
	done

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./format/... ./tsdb/... ./server/
	scripts/bench.sh
	scripts/bench_s3.sh

lint:
	$(GO) vet ./...
	$(GO) vet -tags s3faults ./cmd/chime/
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt needed: $$out"; exit 1; fi

fmt:
	gofmt -w .

clean:
	rm -rf bin .bench
