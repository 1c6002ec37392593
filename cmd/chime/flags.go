package main

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
)

// noSyncFlag declares --no-sync, which every command that writes takes.
func noSyncFlag(cmd *cobra.Command, p *bool) {
	cmd.Flags().BoolVar(p, "no-sync", false, "skip fsync: atomic against crashes, not against power loss")
}

// byteSize is a flag value in bytes, with an optional binary suffix in
// either case: 64M, 64MiB, 1g, 512K, 100 (bytes).
type byteSize int64

func (b *byteSize) String() string {
	for _, u := range []struct {
		suffix string
		shift  uint
	}{{"T", 40}, {"G", 30}, {"M", 20}, {"K", 10}} {
		if *b != 0 && *b%(1<<u.shift) == 0 {
			return strconv.FormatInt(int64(*b)>>u.shift, 10) + u.suffix
		}
	}
	return strconv.FormatInt(int64(*b), 10)
}

func (b *byteSize) Set(s string) error {
	num, shift := strings.TrimSuffix(strings.TrimSuffix(s, "B"), "i"), uint(0)
	if n := len(num); n > 0 {
		if i := strings.IndexByte("KMGT", num[n-1]&^0x20); i >= 0 { // &^0x20: upper case
			num, shift = num[:n-1], 10*uint(i+1)
		}
	}
	v, err := strconv.ParseUint(num, 10, 63)
	if err != nil || v > math.MaxInt64>>shift {
		return fmt.Errorf("%q is not a size (bytes, or a number with a K, M, G or T suffix)", s)
	}
	*b = byteSize(v << shift)
	return nil
}

func (b *byteSize) Type() string { return "size" }

// minFree is the tsdb.Options.MinFree of the flag: 0 turns the check off.
func (b byteSize) minFree() int64 {
	if b == 0 {
		return -1
	}
	return int64(b)
}
