package parquet

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/parquet-go/parquet-go/deprecated"
	pqformat "github.com/parquet-go/parquet-go/format"

	"github.com/chime-tsdb/chime/format"
)

// How the columns of a file are read back, whoever wrote it (chime,
// DuckDB, pandas, Spark): a value column's Parquet type gives the chime
// code, a time column's gives the conversion to nanoseconds. A type is
// its physical type with a logical type, or the converted type of older
// writers, or neither.

// leaf is a column of a flat file: a leaf of the schema's root.
type leaf struct {
	name string
	el   *pqformat.SchemaElement
}

func (l *leaf) optional() bool {
	return l.el.RepetitionType.Valid && l.el.RepetitionType.V == pqformat.Optional
}

func (l *leaf) physical() physical {
	return physical{typ: l.el.Type.V, size: int(l.el.TypeLength.V), maxLen: max(format.MaxKeyLen, format.MaxValueLen)}
}

// converted returns the converted type of the column, if it has one.
func (l *leaf) converted() (deprecated.ConvertedType, bool) {
	return l.el.ConvertedType.V, l.el.ConvertedType.Valid
}

// String describes the column's type for messages: INT32, or BYTE_ARRAY
// (STRING).
func (l *leaf) String() string {
	s := l.el.Type.V.String()
	if lt := l.el.LogicalType.Value; lt != nil {
		return s + " (" + lt.String() + ")"
	}
	if ct, ok := l.converted(); ok {
		return fmt.Sprintf("%s (converted type %s)", s, convertedName(ct))
	}
	return s
}

// convertedNames name the converted types of older writers, by value
// (an array, not a map: nothing to build at start-up).
var convertedNames = [...]string{
	deprecated.UTF8: "UTF8", deprecated.Map: "MAP", deprecated.MapKeyValue: "MAP_KEY_VALUE", deprecated.List: "LIST",
	deprecated.Enum: "ENUM", deprecated.Decimal: "DECIMAL", deprecated.Date: "DATE", deprecated.TimeMillis: "TIME_MILLIS",
	deprecated.TimeMicros: "TIME_MICROS", deprecated.TimestampMillis: "TIMESTAMP_MILLIS", deprecated.TimestampMicros: "TIMESTAMP_MICROS",
	deprecated.Uint8: "UINT_8", deprecated.Uint16: "UINT_16", deprecated.Uint32: "UINT_32", deprecated.Uint64: "UINT_64",
	deprecated.Int8: "INT_8", deprecated.Int16: "INT_16", deprecated.Int32: "INT_32", deprecated.Int64: "INT_64",
	deprecated.Json: "JSON", deprecated.Bson: "BSON", deprecated.Interval: "INTERVAL",
}

// convertedName names a converted type.
func convertedName(ct deprecated.ConvertedType) string {
	if ct >= 0 && int(ct) < len(convertedNames) {
		return convertedNames[ct]
	}
	return fmt.Sprintf("%d", ct)
}

// codeOf returns the chime code of a value column.
func codeOf(l *leaf) (format.Code, error) {
	if it, ok := intType(l); ok {
		switch {
		case it.IsSigned && it.BitWidth <= 32:
			return format.I32, nil
		case it.IsSigned:
			return format.I64, nil
		case it.BitWidth <= 32:
			return format.U32, nil
		}
		return format.U64, nil
	}
	typ := l.el.Type.V
	switch lt := l.el.LogicalType.Value; lt.(type) {
	case nil:
	case *pqformat.StringType, *pqformat.EnumType, *pqformat.JsonType:
		if typ == pqformat.ByteArray {
			return format.Str, nil
		}
		return 0, fmt.Errorf("type %s has no chime format code", l)
	default:
		return 0, fmt.Errorf("type %s has no chime format code", l)
	}
	if ct, ok := l.converted(); ok {
		if typ == pqformat.ByteArray && (ct == deprecated.UTF8 || ct == deprecated.Enum || ct == deprecated.Json) {
			return format.Str, nil
		}
		return 0, fmt.Errorf("type %s has no chime format code", l)
	}
	switch typ {
	case pqformat.Boolean:
		return format.U32, nil // 0 or 1
	case pqformat.Int32:
		return format.I32, nil
	case pqformat.Int64:
		return format.I64, nil
	case pqformat.Float:
		return format.F32, nil
	case pqformat.Double:
		return format.F64, nil
	case pqformat.ByteArray, pqformat.FixedLenByteArray:
		return format.Bin, nil
	}
	return 0, fmt.Errorf("type %s has no chime format code", l)
}

// intType returns the integer annotation of a column (logical or
// converted).
func intType(l *leaf) (pqformat.IntType, bool) {
	if it, ok := l.el.LogicalType.Value.(*pqformat.IntType); ok {
		return *it, true
	}
	if ct, ok := l.converted(); ok {
		switch ct {
		case deprecated.Int8, deprecated.Int16, deprecated.Int32:
			return pqformat.IntType{BitWidth: 32, IsSigned: true}, true
		case deprecated.Int64:
			return pqformat.IntType{BitWidth: 64, IsSigned: true}, true
		case deprecated.Uint8, deprecated.Uint16, deprecated.Uint32:
			return pqformat.IntType{BitWidth: 32}, true
		case deprecated.Uint64:
			return pqformat.IntType{BitWidth: 64}, true
		}
	}
	return pqformat.IntType{}, false
}

// numOf converts a decoded number of a column of code c to chime's bits
// (see format.Code): the decoders sign-extend INT32, which a u column
// holds unsigned.
func numOf(num uint64, c format.Code) uint64 {
	if c == format.U32 {
		return uint64(uint32(num))
	}
	return num
}

// timeConv converts a decoded value of a time column to nanoseconds: num
// for the number types, b for the byte types.
type timeConv func(num uint64, b []byte) (uint64, error)

// timeConvOf returns the conversion of a time column: TIMESTAMP in milli,
// micro or nanoseconds, DATE (midnight UTC), INT96 (Impala and old
// Spark), plain integers as nanoseconds, and strings with parseText.
// Times before 1970 are an error: chime's timestamps are unsigned.
func timeConvOf(l *leaf, parseText func([]byte) (uint64, error)) (timeConv, error) {
	switch v := l.el.LogicalType.Value.(type) {
	case *pqformat.TimestampType:
		return scaledTime(unitNanos(v.Unit)), nil
	case *pqformat.DateType:
		return scaledTime(86400 * 1e9), nil
	}
	if ct, ok := l.converted(); ok {
		switch ct {
		case deprecated.TimestampMillis:
			return scaledTime(1e6), nil
		case deprecated.TimestampMicros:
			return scaledTime(1e3), nil
		case deprecated.Date:
			return scaledTime(86400 * 1e9), nil
		}
	}
	if it, ok := intType(l); ok && !it.IsSigned && it.BitWidth == 64 {
		return func(num uint64, _ []byte) (uint64, error) { return num, nil }, nil
	}
	switch l.el.Type.V {
	case pqformat.Int64, pqformat.Int32:
		return scaledTime(1), nil
	case pqformat.Int96:
		return int96Time, nil
	case pqformat.ByteArray:
		return func(_ uint64, b []byte) (uint64, error) { return parseText(b) }, nil
	}
	return nil, fmt.Errorf("type %s is not a time", l)
}

// unitNanos is the length of a time unit in nanoseconds.
func unitNanos(u pqformat.TimeUnit) int64 {
	switch u.Value.(type) {
	case *pqformat.MilliSeconds:
		return 1e6
	case *pqformat.MicroSeconds:
		return 1e3
	}
	return 1
}

// scaledTime converts integers counting units of scale nanoseconds (INT32
// ones arrive sign-extended).
func scaledTime(scale int64) timeConv {
	return func(num uint64, _ []byte) (uint64, error) {
		n := int64(num)
		if n < 0 {
			return 0, fmt.Errorf("time %d is before 1970-01-01, which chime cannot store", n)
		}
		if uint64(n) > math.MaxUint64/uint64(scale) {
			return 0, fmt.Errorf("time %d is after 2554-07-21, the last chime timestamp", n)
		}
		return uint64(n) * uint64(scale), nil
	}
}

// int96Time converts an INT96 timestamp: nanoseconds of the day (8 bytes),
// then the Julian day number (4 bytes), little-endian.
func int96Time(_ uint64, b []byte) (uint64, error) {
	nanos := binary.LittleEndian.Uint64(b)
	const unixJulianDay = 2440588
	day := int64(binary.LittleEndian.Uint32(b[8:])) - unixJulianDay
	if day < 0 {
		return 0, fmt.Errorf("INT96 time is before 1970-01-01, which chime cannot store")
	}
	if uint64(day) > (math.MaxUint64-nanos)/(86400*1e9) {
		return 0, fmt.Errorf("INT96 time is after 2554-07-21, the last chime timestamp")
	}
	return uint64(day)*86400*1e9 + nanos, nil
}
