package server

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// TestLoad_ConcurrentWriters has 64 clients PUT distinct rows at once,
// with readers alongside, and then checks that every acknowledged row
// reads back, exactly once and with its value.
func TestLoad_ConcurrentWriters(t *testing.T) {
	const writers, puts, rows = 64, 5, 40
	e := newDirEnv(t, nil)
	client := e.ts.Client()
	client.Transport.(*http.Transport).MaxIdleConnsPerHost = writers
	var (
		acked = &ackedRows{rows: map[string]bool{}}
		wg    sync.WaitGroup
		errs  = make(chan error, writers+4)
	)
	for w := range writers {
		wg.Go(func() {
			for p := range puts {
				if err := acked.put(client, e.ts.URL, loadBody(w, p, rows)); err != nil {
					errs <- fmt.Errorf("writer %d put %d: %w", w, p, err)
					return
				}
			}
		})
	}
	for range 4 {
		wg.Go(func() {
			for range puts {
				if err := readAllOnce(client, e.ts.URL+"/w%25"); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	acked.check(t, e.must(http.StatusOK, "GET", "/%25", ""), writers*puts*rows)
}

// loadBody is writer w's body number p: rows lines over 7 keys of its
// own, keys interleaved so that the server has to sort them.
func loadBody(w, p, rows int) []string {
	var lines []string
	for r := range rows {
		lines = append(lines, fmt.Sprintf("w%02d.%d %d u %d", w, r%7, p*rows+r, w*1000+p*rows+r))
	}
	return lines
}

// ackedRows are the rows of the PUTs answered 201.
type ackedRows struct {
	mu   sync.Mutex
	rows map[string]bool
}

// put sends lines as one PUT and records them once acknowledged.
func (a *ackedRows) put(client *http.Client, url string, lines []string) error {
	if err := putOnce(client, url, strings.Join(lines, "\n")+"\n"); err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, l := range lines {
		a.rows[l] = true
	}
	return nil
}

// check compares a read of everything, KEY<TAB>NANOS<TAB>VALUE lines, with
// the acknowledged rows.
func (a *ackedRows) check(t *testing.T, got string, want int) {
	t.Helper()
	seen := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSuffix(got, "\n"), "\n") {
		f := strings.Split(line, "\t")
		row := strings.Join([]string{f[0], f[1], "u", f[len(f)-1]}, " ")
		if seen[row] {
			t.Errorf("row %q read twice", row)
		}
		seen[row] = true
	}
	for row := range a.rows {
		if !seen[row] {
			t.Errorf("acknowledged row %q is missing", row)
		}
	}
	if len(a.rows) != want || len(seen) != len(a.rows) {
		t.Errorf("%d rows acknowledged, %d read, want %d", len(a.rows), len(seen), want)
	}
}

// putOnce sends one PUT and wants 201 ok.
func putOnce(client *http.Client, url, body string) error {
	req, err := http.NewRequest("PUT", url+"/", strings.NewReader(body))
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusCreated || string(b) != "ok" {
		return fmt.Errorf("status %d: %s", resp.StatusCode, b)
	}
	return nil
}

// readAllOnce GETs url and reads the whole answer.
func readAllOnce(client *http.Client, url string) error {
	resp, err := client.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %d", url, resp.StatusCode)
	}
	return nil
}
