package parquet

import (
	"fmt"
	"strconv"

	"github.com/parquet-go/parquet-go/deprecated"
	"github.com/parquet-go/parquet-go/encoding/thrift"
	pqformat "github.com/parquet-go/parquet-go/format"

	"github.com/chime-tsdb/chime/format"
)

// The names of the two leading columns of chime's Parquet schema.
const (
	KeyColumn  = "key"
	TimeColumn = "ts"
)

// ValueColumn is one value column of a file: column Index (0-based) of the
// rows, stored as Code, named v<Index+1>.
type ValueColumn struct {
	Index int
	Code  format.Code
	// Label, when set, names the column instead (the columns of
	// aggregates: v1_mean).
	Label string
}

// Name is the column's name in the file: v1 for the first value column,
// or its Label.
func (c ValueColumn) Name() string {
	if c.Label != "" {
		return c.Label
	}
	return "v" + strconv.Itoa(c.Index+1)
}

// Schema is the value columns of a file, in row order, each with the one
// type that holds every selected row's value of that column.
type Schema struct {
	Columns []ValueColumn
}

// FormatUse is a row format that some selected rows have, and the first
// key that has it, for error messages.
type FormatUse struct {
	Format format.Format
	Key    []byte
}

// ErrMixedTypes is wrapped by the error of PlanSchema when selected rows
// disagree on a column's type in a way that no Parquet type holds without
// loss.
var ErrMixedTypes = fmt.Errorf("selected rows disagree on a column's type")

// PlanSchema chooses the type of each selected value column (selected(col)
// for 0-based col; nil selects all) from the formats of the selected rows.
// Where rows disagree, the column is widened to a type that holds every
// value exactly (see Widen); where none does, it fails naming the column,
// two keys and their formats.
func PlanSchema(uses []FormatUse, selected func(col int) bool) (*Schema, error) {
	width := 0
	for _, u := range uses {
		width = max(width, u.Format.Len())
	}
	s := &Schema{}
	for col := range width {
		if selected != nil && !selected(col) {
			continue
		}
		code, err := columnType(uses, col)
		if err != nil {
			return nil, err
		}
		s.Columns = append(s.Columns, ValueColumn{Index: col, Code: code})
	}
	return s, nil
}

// columnType widens the codes of column col across uses.
func columnType(uses []FormatUse, col int) (format.Code, error) {
	var set codeSet
	for i := range uses {
		if col < uses[i].Format.Len() {
			set.add(uses[i].Format.Code(col))
		}
	}
	if code, ok := set.widest(); ok {
		return code, nil
	}
	// Name two keys whose codes do not widen together.
	for i := range uses {
		for j := range i {
			a, b := &uses[j], &uses[i]
			if col >= a.Format.Len() || col >= b.Format.Len() {
				continue
			}
			if _, ok := Widen(a.Format.Code(col), b.Format.Code(col)); !ok {
				return 0, mixedError(col, a, b)
			}
		}
	}
	return 0, mixedError(col, &uses[0], &uses[len(uses)-1])
}

func mixedError(col int, a, b *FormatUse) error {
	return fmt.Errorf("%w: column v%d is %c for key %s (format %s) and %c for key %s (format %s), and no Parquet type holds both exactly: select one kind of key with a filter, or leave the column out with -C",
		ErrMixedTypes, col+1, a.Format.Code(col), format.Quote(a.Key), a.Format, b.Format.Code(col), format.Quote(b.Key), b.Format)
}

// Widen returns the narrowest code whose values hold every value of the
// codes given exactly, and false when there is none:
//
//	u U            -> U       i I                -> I
//	u with i or I  -> I       f F                -> F
//	f or F with u or i (32-bit integers)         -> F
//	s B            -> B (the bytes of the strings)
//
// U with i or I, a 64-bit integer with a float, and numbers with s or B do
// not widen. It depends on the set of codes only, never on their order.
func Widen(codes ...format.Code) (format.Code, bool) {
	var set codeSet
	for _, c := range codes {
		set.add(c)
	}
	return set.widest()
}

// codeSet is a set of codes.
type codeSet uint32

func (s *codeSet) add(c format.Code) { *s |= 1 << codeBit(c) }

func (s codeSet) has(c format.Code) bool { return s&(1<<codeBit(c)) != 0 }

// only reports whether s holds no code but those given.
func (s codeSet) only(codes ...format.Code) bool {
	var t codeSet
	for _, c := range codes {
		t.add(c)
	}
	return s&^t == 0
}

func codeBit(c format.Code) int {
	for i, k := range []format.Code{format.U32, format.U64, format.I32, format.I64, format.F32, format.F64, format.Str, format.Bin} {
		if c == k {
			return i
		}
	}
	return 31
}

// widest applies Widen's table to the set.
func (s codeSet) widest() (format.Code, bool) {
	bytes := s.has(format.Str) || s.has(format.Bin)
	float := s.has(format.F32) || s.has(format.F64)
	switch {
	case s == 0 || s.has(31):
		return 0, false
	case bytes && !s.only(format.Str, format.Bin):
		return 0, false
	case bytes && s.only(format.Str):
		return format.Str, true
	case bytes:
		return format.Bin, true
	case float && (s.has(format.U64) || s.has(format.I64)):
		return 0, false
	case float && s.only(format.F32):
		return format.F32, true
	case float:
		return format.F64, true
	case s.only(format.U32):
		return format.U32, true
	case s.only(format.U32, format.U64):
		return format.U64, true
	case s.only(format.I32):
		return format.I32, true
	case s.has(format.U64):
		return 0, false // U with a signed integer
	}
	return format.I64, true // i, I and u in any mix
}

// elements is the Parquet schema of s, flattened as the footer holds it:
// the root, key (a string), ts (a nanosecond UTC timestamp), then the
// optional value columns.
func (s *Schema) elements() []pqformat.SchemaElement {
	els := []pqformat.SchemaElement{
		{Name: "chime", NumChildren: thrift.New(int32(2 + len(s.Columns)))},
		{Name: KeyColumn, Type: thrift.New(pqformat.ByteArray), RepetitionType: thrift.New(pqformat.Required),
			ConvertedType: thrift.New(deprecated.UTF8), LogicalType: pqformat.LogicalType{Value: &pqformat.StringType{}}},
		{Name: TimeColumn, Type: thrift.New(pqformat.Int64), RepetitionType: thrift.New(pqformat.Required),
			LogicalType: pqformat.LogicalType{Value: &pqformat.TimestampType{IsAdjustedToUTC: true, Unit: pqformat.TimeUnit{Value: &pqformat.NanoSeconds{}}}}},
	}
	for _, c := range s.Columns {
		el := leafOf(c.Code)
		el.Name = c.Name()
		el.RepetitionType = thrift.New(pqformat.Optional)
		els = append(els, el)
	}
	return els
}

// leafOf is the Parquet type of a chime code.
func leafOf(c format.Code) pqformat.SchemaElement {
	integer := func(typ pqformat.Type, ct deprecated.ConvertedType, bits int8, signed bool) pqformat.SchemaElement {
		return pqformat.SchemaElement{Type: thrift.New(typ), ConvertedType: thrift.New(ct),
			LogicalType: pqformat.LogicalType{Value: &pqformat.IntType{BitWidth: bits, IsSigned: signed}}}
	}
	switch c {
	case format.U32:
		return integer(pqformat.Int32, deprecated.Uint32, 32, false)
	case format.U64:
		return integer(pqformat.Int64, deprecated.Uint64, 64, false)
	case format.I32:
		return integer(pqformat.Int32, deprecated.Int32, 32, true)
	case format.I64:
		return integer(pqformat.Int64, deprecated.Int64, 64, true)
	case format.F32:
		return pqformat.SchemaElement{Type: thrift.New(pqformat.Float)}
	case format.F64:
		return pqformat.SchemaElement{Type: thrift.New(pqformat.Double)}
	case format.Str:
		return pqformat.SchemaElement{Type: thrift.New(pqformat.ByteArray), ConvertedType: thrift.New(deprecated.UTF8),
			LogicalType: pqformat.LogicalType{Value: &pqformat.StringType{}}}
	}
	return pqformat.SchemaElement{Type: thrift.New(pqformat.ByteArray)}
}
