package extsort

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"

	"github.com/chime-tsdb/chime/format"
)

// DefaultMemory is the memory budget of a sort unless Options say
// otherwise: two runs of about 1.4 million rows of one column each.
const DefaultMemory = 64 << 20

// minMemory keeps a run from being uselessly small.
const minMemory = 64 << 10

// Options configure a Sorter. The zero value is valid.
type Options struct {
	// Memory is the budget, in bytes, for the rows held in memory (their
	// values, keys and sort bookkeeping, estimated); 0 means
	// DefaultMemory. Spill files take the rest, on disk.
	Memory int64
	// Dir is where runs spill; "" means os.TempDir() ($TMPDIR).
	Dir string
	// RejectDuplicates makes a repeated (key, time) an error instead of
	// the later row winning. Add then takes every row's position.
	RejectDuplicates bool
}

// DuplicateError is a (key, time) given twice, with RejectDuplicates: the
// positions of the two rows, as Add was given them. Of several, it is the
// one whose second position is least.
type DuplicateError struct {
	Key           []byte
	TS            uint64
	First, Second uint64
}

func (e *DuplicateError) Error() string {
	return fmt.Sprintf("key %s at timestamp %d repeats row %d", format.Quote(e.Key), e.TS, e.First)
}

// Sorter sorts rows with bounded memory. Add the rows in input order,
// then Sort; Close removes the spill files. It is not safe for concurrent
// use.
type Sorter struct {
	o        Options
	cur      *run // the run being filled
	spare    *run // the run being spilled, or done with
	spilling chan spillResult
	spills   []*os.File
	dup      *DuplicateError
	rows     uint64
}

// spillResult is what a spill in flight gives.
type spillResult struct {
	f   *os.File
	err error
}

// New returns a Sorter.
func New(o Options) *Sorter {
	if o.Memory <= 0 {
		o.Memory = DefaultMemory
	}
	o.Memory = max(o.Memory, minMemory)
	if o.Dir == "" {
		o.Dir = os.TempDir()
	}
	return &Sorter{o: o, cur: newRun(o.Memory / 2)}
}

// Rows is the number of rows added.
func (s *Sorter) Rows() uint64 { return s.rows }

// Add copies the rows of b, which may be reused once it returns. pos
// gives the rows' positions in the input (line numbers), increasing; it
// is required with RejectDuplicates and ignored otherwise.
func (s *Sorter) Add(b *format.Block, pos []uint64) error {
	if !s.o.RejectDuplicates {
		pos = nil
	} else if len(pos) != b.Len() {
		return fmt.Errorf("extsort: %d positions for %d rows", len(pos), b.Len())
	}
	for from := 0; from < b.Len(); {
		to := min(b.Len(), from+4096) // within maxPiece
		s.cur.add(b, from, to, pos)
		s.rows += uint64(to - from)
		from = to
		if s.cur.bytes >= s.o.Memory/2 || s.cur.full() {
			if err := s.startSpill(); err != nil {
				return err
			}
		}
	}
	return nil
}

// startSpill hands the full run to a goroutine that sorts and spills it
// while the other run fills: each run has half the budget.
func (s *Sorter) startSpill() error {
	if err := s.waitSpill(); err != nil {
		return err
	}
	full := s.cur
	if s.spare == nil {
		s.spare = newRun(s.o.Memory / 2)
	}
	s.cur, s.spare = s.spare, full
	s.cur.reset()
	done := make(chan spillResult, 1)
	s.spilling = done
	go func() {
		f, err := s.spill(full)
		done <- spillResult{f, err}
	}()
	return nil
}

// waitSpill waits for the spill in flight, if any.
func (s *Sorter) waitSpill() error {
	if s.spilling == nil {
		return nil
	}
	res := <-s.spilling
	s.spilling = nil
	if res.f != nil {
		s.spills = append(s.spills, res.f)
	}
	return res.err
}

// spill sorts r and writes it to a temporary file.
func (s *Sorter) spill(r *run) (*os.File, error) {
	f, err := os.CreateTemp(s.o.Dir, ".chime-sort-*")
	if err != nil {
		return nil, fmt.Errorf("spill sorted rows: %w", err)
	}
	// Unlinked at once: the open file lives on, and nothing is left
	// behind if the process dies.
	os.Remove(f.Name())
	err = writeRun(f, s.memSource(r))
	return f, err
}

// writeRun writes the rows of src to f.
func writeRun(f *os.File, src *memSource) error {
	w := bufio.NewWriterSize(f, 1<<20)
	var scratch []byte
	for {
		b, pos, err := src.next()
		if err != nil || b == nil {
			break
		}
		if scratch, err = writeBlock(w, b, pos, scratch); err != nil {
			return fmt.Errorf("spill sorted rows to %s: %w", filepath.Dir(f.Name()), err)
		}
	}
	if err := w.WriteByte(0); err != nil {
		return fmt.Errorf("spill sorted rows to %s: %w", filepath.Dir(f.Name()), err)
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("spill sorted rows to %s: %w", filepath.Dir(f.Name()), err)
	}
	return nil
}

// memSource sorts r and returns its rows as a source.
func (s *Sorter) memSource(r *run) *memSource {
	m := &memSource{r: r, keys: r.sort()}
	if s.o.RejectDuplicates {
		m.dup = s.noteDup
	}
	return m
}

// noteDup keeps the repeat whose second row comes first.
func (s *Sorter) noteDup(key []byte, ts, first, second uint64) {
	if s.dup == nil || second < s.dup.Second {
		s.dup = &DuplicateError{Key: append([]byte(nil), key...), TS: ts, First: first, Second: second}
	}
}

// Sort passes every row added to emit in (key, time) order, in blocks of
// one key and one format; emit must copy what it keeps. With
// RejectDuplicates, a repeat makes it return a *DuplicateError once every
// row has been emitted (the caller rolls back what they went to).
func (s *Sorter) Sort(emit func(*format.Block) error) error {
	if err := s.waitSpill(); err != nil {
		return err
	}
	var sources []source
	for _, f := range s.spills {
		if _, err := f.Seek(0, 0); err != nil {
			return fmt.Errorf("read back sorted rows: %w", err)
		}
		sources = append(sources, &fileSource{r: bufio.NewReaderSize(f, 1<<20), withPos: s.o.RejectDuplicates})
	}
	sources = append(sources, s.memSource(s.cur))
	var dup func([]byte, uint64, uint64, uint64)
	if s.o.RejectDuplicates {
		dup = s.noteDup
	}
	if err := merge(sources, emit, dup); err != nil {
		return err
	}
	if s.dup != nil {
		return s.dup // the least repeat of all, now that all are seen
	}
	return nil
}

// Close removes the spill files.
func (s *Sorter) Close() error {
	first := s.waitSpill()
	for _, f := range s.spills {
		if err := f.Close(); err != nil && first == nil {
			first = err
		}
	}
	s.spills, s.cur, s.spare = nil, nil, nil
	return first
}
