#!/usr/bin/env bash
# Builds SeaweedFS's weed binary once, from the Go module proxy, and prints
# its path. The S3 tests (make test) start it as their real S3 server.
#
# `go install` refuses the module (its go.mod has replace lines), so a
# scratch module requires it with upstream's one needed replace. The build
# takes about 6 minutes and 3 GB of modules on 2 cores: the binary is
# cached under ${XDG_CACHE_HOME:-~/.cache}/chime and reused.
set -euo pipefail

version=v0.0.0-20261109003541-7506e5f91cd6
cache=${XDG_CACHE_HOME:-$HOME/.cache}/chime
bin=$cache/weed-$version

if [ -x "$bin" ]; then
	echo "$bin"
	exit 0
fi
mkdir -p "$cache"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
cat >go.mod <<MOD
module chime.local/weedbuild

go 1.26.6

require github.com/seaweedfs/seaweedfs $version

replace github.com/tyler-smith/go-bip39 => github.com/cosmos/go-bip39 v1.0.0
MOD
cat >tools.go <<'GO'
//go:build tools

package weedbuild

import _ "github.com/seaweedfs/seaweedfs/weed"
GO
echo "seaweedfs: building weed $version (once; about 6 minutes)" >&2
GOFLAGS=-mod=mod go mod tidy >&2
GOFLAGS=-mod=mod go build -trimpath -ldflags=-s -o "$bin.tmp" github.com/seaweedfs/seaweedfs/weed >&2
mv "$bin.tmp" "$bin"
echo "$bin"
