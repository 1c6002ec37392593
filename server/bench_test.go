package server

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chime-tsdb/chime/format/text"
	"github.com/chime-tsdb/chime/tsdb"
)

// putBody is a PUT body of keys x perKey `u` rows, with timestamps
// starting at base, shuffled or sorted.
func putBody(keys, perKey int, base uint64, shuffle bool) string {
	lines := make([]string, 0, keys*perKey)
	for k := range keys {
		for i := range perKey {
			lines = append(lines, fmt.Sprintf("sensor.%05d %d u %d\n", k, base+uint64(i)*1e9, 1000+i%97))
		}
	}
	if shuffle {
		r := rand.New(rand.NewPCG(1, 2))
		r.Shuffle(len(lines), func(i, j int) { lines[i], lines[j] = lines[j], lines[i] })
	}
	return strings.Join(lines, "")
}

// BenchmarkPut measures write throughput over loopback HTTP: bodies of
// 10,000 rows, in order or shuffled (the server sorts them), committed
// with or without fsync.
func BenchmarkPut(b *testing.B) {
	for _, tc := range []struct {
		order string
		sync  bool
	}{{"sorted", false}, {"shuffled", false}, {"shuffled", true}} {
		b.Run(fmt.Sprintf("rows=10000/order=%s/sync=%v", tc.order, tc.sync), func(b *testing.B) {
			e := newDirEnv(b, func(o *Options) { o.DB.NoSync = !tc.sync })
			client := e.ts.Client()
			const keys, perKey = 100, 100
			body := putBody(keys, perKey, 1577836800000000000, tc.order == "shuffled")
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			start := time.Now()
			for b.Loop() {
				if err := putOnce(client, e.ts.URL, body); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*keys*perKey)/time.Since(start).Seconds(), "rows/s")
		})
	}
}

// BenchmarkGetKey measures the latency of reading one key over loopback
// HTTP, from a database of 1,000 keys x 1,000 rows plus the key read.
func BenchmarkGetKey(b *testing.B) {
	e := newDirEnv(b, nil)
	db, err := tsdb.Open(e.dir, &tsdb.Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	var rows strings.Builder
	for k := range 1000 {
		for i := range 1000 {
			fmt.Fprintf(&rows, "sensor.%05d %d %d\n", k, 1577836800000000000+uint64(i)*1e9, i)
		}
	}
	if _, _, err := db.AddText(strings.NewReader(rows.String()), text.Options{Format: "u"}); err != nil {
		b.Fatal(err)
	}
	e.put("", putBody(1, 10000, 1577836800000000000, false)) // sensor.00000: 10,000 rows more
	client := e.ts.Client()
	for _, tc := range []struct{ name, path string }{
		{"rows=1000", "/sensor.00500"},
		{"rows=10000", "/sensor.00000"},
		{"rows=0", "/missing"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				resp, err := client.Get(e.ts.URL + tc.path)
				if err != nil {
					b.Fatal(err)
				}
				n, _ := io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK || (tc.name != "rows=0") != (n > 0) {
					b.Fatalf("GET %s: %d, %d bytes", tc.path, resp.StatusCode, n)
				}
			}
		})
	}
}
