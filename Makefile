# chime: `make demo` builds chime and runs the quick start; `make test` is
# what CI runs.
GO      ?= go
BIN     := bin/chime
FUZZTIME ?= 30s

.PHONY: all build demo test bench fuzz lint fmt clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/chime

# The fibonacci quick start of the README on a throwaway database.
demo: build
	@set -e; db=$$(mktemp -d)/database; \
	echo "+ chime init $$db"; $(BIN) init $$db; \
	printf 'fibonacci 2020-01-01T00:00:00 1\nfibonacci 2020-01-02T00:00:00 1\nfibonacci 2020-01-03T00:00:00 2\nfibonacci 2020-01-04T00:00:00 3\nfibonacci 2020-01-05T00:00:00 5\nfibonacci 2020-01-06T00:00:00 8\n' \
	  | $(BIN) -d $$db add --format u --timestamp-format %FT%T; \
	echo "+ chime -d $$db read fib%"; $(BIN) -d $$db read 'fib%'; \
	rm -rf $$(dirname $$db)

test:
	$(GO) vet ./...
	$(GO) test -count=1 ./...
	$(MAKE) fuzz FUZZTIME=5s

# Each fuzz target for FUZZTIME (go test runs one fuzz target at a time).
fuzz:
	@set -e; for pkg in ./format ./tsdb ./server; do \
	  for t in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "fuzz $$pkg $$t"; $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) $$pkg; \
	  done; \
	done

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./format/ ./tsdb/ ./server/
	scripts/bench.sh

lint:
	$(GO) vet ./...
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt needed: $$out"; exit 1; fi

fmt:
	gofmt -w .

clean:
	rm -rf bin .bench
