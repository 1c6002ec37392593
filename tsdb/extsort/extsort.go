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

// maxFanIn bounds the runs merged at once, each read through a buffer of
// readBuffer bytes and holding a block of up to 4,096 rows: more spill
// files than that are first merged in groups into fewer (see cascade and
// reduceSpills), so that a merge of any size holds some 15 MiB beside the
// budget.
const (
	maxFanIn   = 32
	readBuffer = 256 << 10
)

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
	spills   []*os.File // oldest first
	levels   []int      // of each spill file: how many merges its rows went through (see cascade)
	dup      *DuplicateError
	rows     uint64
	fanIn    int // maxFanIn, or fewer in tests
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
	return &Sorter{o: o, cur: newRun(o.Memory / 2), fanIn: maxFanIn}
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
	if err := s.cascade(); err != nil {
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
		s.levels = append(s.levels, 0)
	}
	return res.err
}

// cascade merges the newest fanIn spill files into one when they are of
// one level, as a counter carries: a sort holds fewer than fanIn files of
// each level open, however long its input, and each row is rewritten once
// a level. The newest files of a level are the last of the list, so a
// merged file holds consecutive runs, as merges need (see reduceSpills).
func (s *Sorter) cascade() error {
	for n := len(s.spills); n >= s.fanIn && s.levels[n-s.fanIn] == s.levels[n-1]; n = len(s.spills) {
		group := s.spills[n-s.fanIn:]
		f, err := s.mergeFiles(group)
		if err != nil {
			return err
		}
		for _, g := range group {
			g.Close() // unlinked: closing frees its space
		}
		level := s.levels[n-1] + 1
		s.spills = append(s.spills[:n-s.fanIn], f)
		s.levels = append(s.levels[:n-s.fanIn], level)
	}
	return nil
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
	err = writeRun(f, func(emit func(*format.Block, []uint64) error) error {
		src := s.memSource(r)
		for {
			b, pos, err := src.next()
			if err != nil || b == nil {
				return err
			}
			if err := emit(b, pos); err != nil {
				return err
			}
		}
	})
	return f, err
}

// writeRun writes to f the blocks that rows passes to its emit, then the
// end mark. An error of rows' own (reading back spilled runs) is returned
// as it is.
func writeRun(f *os.File, rows func(emit func(*format.Block, []uint64) error) error) error {
	w := bufio.NewWriterSize(f, 1<<20)
	var scratch []byte
	var werr error
	err := rows(func(b *format.Block, pos []uint64) error {
		scratch, werr = writeBlock(w, b, pos, scratch)
		return werr
	})
	if err == nil {
		if werr = w.WriteByte(0); werr == nil {
			werr = w.Flush()
		}
	}
	if werr != nil {
		return fmt.Errorf("spill sorted rows to %s: %w", filepath.Dir(f.Name()), werr)
	}
	return err
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
	if err := s.reduceSpills(); err != nil { // the run in memory is one more source
		return err
	}
	sources, err := s.fileSources(s.spills)
	if err != nil {
		return err
	}
	sources = append(sources, s.memSource(s.cur))
	if err := merge(sources, func(b *format.Block, _ []uint64) error { return emit(b) }, s.dupFunc()); err != nil {
		return err
	}
	if s.dup != nil {
		return s.dup // the least repeat of all, now that all are seen
	}
	return nil
}

// dupFunc is what merges tell of repeats: noteDup with RejectDuplicates.
func (s *Sorter) dupFunc() func([]byte, uint64, uint64, uint64) {
	if s.o.RejectDuplicates {
		return s.noteDup
	}
	return nil
}

// fileSources rewinds the spill files and reads them as sources.
func (s *Sorter) fileSources(files []*os.File) ([]source, error) {
	var sources []source
	for _, f := range files {
		if _, err := f.Seek(0, 0); err != nil {
			return nil, fmt.Errorf("read back sorted rows: %w", err)
		}
		sources = append(sources, &fileSource{r: bufio.NewReaderSize(f, readBuffer), withPos: s.o.RejectDuplicates})
	}
	return sources, nil
}

// reduceSpills merges spill files until they and the run in memory are
// at most fanIn sources. Merged files keep the runs' order (a group is
// consecutive runs, and its file takes their place), so that of two rows
// with the same key and time the later run's still comes later. When
// merging the oldest few is enough, only those are rewritten; otherwise
// a pass merges them all in groups of fanIn.
func (s *Sorter) reduceSpills() error {
	s.levels = nil // no more cascades: this is the end of the sort
	for len(s.spills) >= s.fanIn {
		excess := len(s.spills) - s.fanIn + 2 // files to merge into one
		partial := excess <= s.fanIn
		group := s.fanIn
		if partial {
			group = excess
		}
		var out []*os.File
		for i := 0; i < len(s.spills); i += group {
			files := s.spills[i:min(i+group, len(s.spills))]
			if len(files) == 1 || partial && i > 0 {
				out = append(out, files...) // nothing to merge, or done
				continue
			}
			f, err := s.mergeFiles(files)
			if err != nil {
				s.spills = append(out, s.spills[i:]...) // for Close
				return err
			}
			for _, g := range files {
				g.Close() // unlinked: closing frees its space
			}
			out = append(out, f)
		}
		s.spills = out
	}
	return nil
}

// mergeFiles merges spill files into a new one.
func (s *Sorter) mergeFiles(files []*os.File) (*os.File, error) {
	sources, err := s.fileSources(files)
	if err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(s.o.Dir, ".chime-sort-*")
	if err != nil {
		return nil, fmt.Errorf("spill sorted rows: %w", err)
	}
	os.Remove(f.Name()) // as spill does
	err = writeRun(f, func(emit func(*format.Block, []uint64) error) error {
		return merge(sources, emit, s.dupFunc())
	})
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
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
