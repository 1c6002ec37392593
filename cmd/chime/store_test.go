package main

import (
	"strings"
	"testing"
	"time"

	"github.com/chime-tsdb/chime/tsdb/vfs/s3"
)

// TestS3Tuning: CHIME_S3_TIMEOUT and CHIME_S3_PART_SIZE set the store's
// options, and a bad value is one line naming the variable.
func TestS3Tuning(t *testing.T) {
	for _, c := range []struct {
		timeout, part string
		want          s3.Options
		err           string
	}{
		{want: s3.Options{}},
		{timeout: "1500ms", part: "5MiB", want: s3.Options{Timeout: 1500 * time.Millisecond, PartSize: 5 << 20}},
		{part: "67108864", want: s3.Options{PartSize: 64 << 20}},
		{part: "5GiB", want: s3.Options{PartSize: 5 << 30}},
		{timeout: "10", err: `CHIME_S3_TIMEOUT="10": want a positive duration`},
		{timeout: "-1s", err: `CHIME_S3_TIMEOUT="-1s": want a positive duration`},
		{timeout: "0s", err: `CHIME_S3_TIMEOUT="0s"`},
		{part: "4MiB", err: `CHIME_S3_PART_SIZE="4MiB": want a size from 5MiB to 5GiB`},
		{part: "6GiB", err: `CHIME_S3_PART_SIZE="6GiB"`},
		{part: "64M", want: s3.Options{PartSize: 64 << 20}}, // as --sort-memory reads it
		{part: "64 MiB", err: `CHIME_S3_PART_SIZE="64 MiB"`},
		{part: "9223372036854775807GiB", err: `CHIME_S3_PART_SIZE=`},
		{part: "-5MiB", err: `CHIME_S3_PART_SIZE=`},
	} {
		t.Setenv("CHIME_S3_TIMEOUT", c.timeout)
		t.Setenv("CHIME_S3_PART_SIZE", c.part)
		o, err := s3Tuning()
		switch {
		case c.err == "" && err != nil:
			t.Errorf("%q %q: %v", c.timeout, c.part, err)
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err) || strings.Contains(err.Error(), "\n")):
			t.Errorf("%q %q: error %v, want one line with %q", c.timeout, c.part, err, c.err)
		case c.err == "" && o != c.want:
			t.Errorf("%q %q: %+v, want %+v", c.timeout, c.part, o, c.want)
		}
	}
}
