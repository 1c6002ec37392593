package text

import (
	"errors"
	"fmt"
	"strings"

	"github.com/chime-tsdb/chime/format"
)

// ColumnSet is the set of value columns that read's -C/--columns prints.
// Has takes 0-based column numbers (value column 1 of the command line is
// column 0, as in Block.Cols). A nil *ColumnSet holds every column, so
// that the default needs no parsing.
type ColumnSet struct {
	bits [(format.MaxFormatLen + 63) / 64]uint64
}

// maxColumn is the largest 1-based column number a ColumnSet can hold;
// larger ones exceed MaxFormatLen and can select nothing.
const maxColumn = format.MaxFormatLen

// Has reports whether the 0-based column col is selected.
func (s *ColumnSet) Has(col int) bool {
	if s == nil {
		return true
	}
	if col < 0 || col >= maxColumn {
		return false
	}
	return s.bits[col>>6]>>(col&63)&1 != 0
}

// ParseColumns parses a -C/--columns list: 1-based column numbers and
// inclusive ranges a-b, separated by any mix of commas, semicolons and
// blanks, or the words all and none. Order and duplicates do not matter;
// 0, numbers beyond any row and reversed ranges select nothing, as in
// sonnerie. An empty list or any other text is an error.
func ParseColumns(list string) (*ColumnSet, error) {
	s := new(ColumnSet)
	items := 0
	for item := range strings.FieldsFuncSeq(list, isColumnSep) {
		items++
		if err := s.add(item); err != nil {
			return nil, fmt.Errorf("column list %q: %w", list, err)
		}
	}
	if items == 0 {
		return nil, fmt.Errorf("column list %q: no columns (use none to print no values)", list)
	}
	return s, nil
}

// isColumnSep reports whether r separates the items of a column list.
func isColumnSep(r rune) bool {
	return r == ',' || r == ';' || r == ' ' || r == '\t'
}

var errColumnItem = errors.New("want a column number, a range a-b, all or none")

// add adds one list item to s.
func (s *ColumnSet) add(item string) error {
	switch item {
	case "all":
		s.addRange(1, maxColumn)
		return nil
	case "none":
		return nil
	}
	lo, hi, isRange := strings.Cut(item, "-")
	a, ok := parseColumnNumber(lo)
	if !ok {
		return fmt.Errorf("%q: %w", item, errColumnItem)
	}
	b := a
	if isRange {
		if b, ok = parseColumnNumber(hi); !ok {
			return fmt.Errorf("%q: %w", item, errColumnItem)
		}
	}
	s.addRange(a, b)
	return nil
}

// parseColumnNumber parses decimal digits, saturating past maxColumn since
// any such column is simply absent.
func parseColumnNumber(t string) (int, bool) {
	if t == "" {
		return 0, false
	}
	n := 0
	for i := 0; i < len(t); i++ {
		if t[i] < '0' || t[i] > '9' {
			return 0, false
		}
		n = min(n*10+int(t[i]-'0'), maxColumn+1)
	}
	return n, true
}

// addRange adds the 1-based columns a to b inclusive, ignoring those that
// cannot exist.
func (s *ColumnSet) addRange(a, b int) {
	for c := max(a, 1); c <= min(b, maxColumn); c++ {
		s.bits[(c-1)>>6] |= 1 << ((c - 1) & 63)
	}
}
