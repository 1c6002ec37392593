package text

import (
	"slices"
	"testing"

	"github.com/chime-tsdb/chime/format"
)

// selected lists the 1-based columns of s among the first n.
func selected(s *ColumnSet, n int) []int {
	var cols []int
	for c := range n {
		if s.Has(c) {
			cols = append(cols, c+1)
		}
	}
	return cols
}

func TestParseColumns(t *testing.T) {
	tests := []struct {
		list string
		want []int // among columns 1 to 6
	}{
		{"2,1", []int{1, 2}},
		{"1 3", []int{1, 3}},
		{"1;4", []int{1, 4}},
		{"3-10", []int{3, 4, 5, 6}},
		{"none", nil},
		{"0", nil},
		{"2-1", nil},
		{"all", []int{1, 2, 3, 4, 5, 6}},
		{"2", []int{2}},
		{"5,5,5", []int{5}},
		{" ,;1 ;, 6 ", []int{1, 6}},
		{"1\t2", []int{1, 2}},
		{"7", nil},
		{"0-2", []int{1, 2}},
		{"99999999999999999999999", nil},
		{"6-99999999999999999999999", []int{6}},
		{"none,2", []int{2}},
		{"all,none", []int{1, 2, 3, 4, 5, 6}},
		{"007", nil},
		{"02-03", []int{2, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.list, func(t *testing.T) {
			s, err := ParseColumns(tt.list)
			if err != nil {
				t.Fatal(err)
			}
			if got := selected(s, 6); !slices.Equal(got, tt.want) {
				t.Errorf("columns %v, want %v", got, tt.want)
			}
		})
	}
}

func TestParseColumns_Errors(t *testing.T) {
	for _, list := range []string{"x", "", " ,; ", "1-", "-3", "1-2-3", "1..3", "All", "+1", "1,x", "a-b", "3 - 4", "1.5"} {
		t.Run(list, func(t *testing.T) {
			if s, err := ParseColumns(list); err == nil {
				t.Errorf("no error, columns %v", selected(s, 6))
			}
		})
	}
}

func TestColumnSet_Has(t *testing.T) {
	var all *ColumnSet
	if !all.Has(0) || !all.Has(format.MaxFormatLen-1) {
		t.Error("nil set lacks a column")
	}
	s, err := ParseColumns("all")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []int{0, 63, 64, format.MaxFormatLen - 1} {
		if !s.Has(c) {
			t.Errorf("all lacks column %d", c)
		}
	}
	for _, c := range []int{-1, format.MaxFormatLen, 1 << 40} {
		if s.Has(c) {
			t.Errorf("all has column %d", c)
		}
	}
	last, err := ParseColumns("255")
	if err != nil {
		t.Fatal(err)
	}
	if !last.Has(254) || last.Has(253) {
		t.Errorf("255 selects %v", selected(last, format.MaxFormatLen))
	}
}
