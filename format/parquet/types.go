package parquet

import (
	"fmt"
	"math"

	pq "github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/deprecated"
	pqformat "github.com/parquet-go/parquet-go/format"

	"github.com/chime-tsdb/chime/format"
)

// How the columns of a file are read back, whoever wrote it (chime,
// DuckDB, pandas, Spark): a value column's Parquet type gives the chime
// code, a time column's gives the conversion to nanoseconds.

// codeOf returns the chime code of a value column of type t.
func codeOf(t pq.Type) (format.Code, error) {
	if it, ok := intType(t); ok {
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
	if lt := t.LogicalType(); lt != nil && lt.Value != nil {
		switch lt.Value.(type) {
		case *pqformat.StringType, *pqformat.EnumType, *pqformat.JsonType:
			if t.Kind() == pq.ByteArray {
				return format.Str, nil
			}
		case *pqformat.IntType:
		default:
			return 0, fmt.Errorf("type %s has no chime format code", lt)
		}
	}
	if ct := t.ConvertedType(); ct != nil && t.Kind() == pq.ByteArray && (*ct == deprecated.UTF8 || *ct == deprecated.Enum || *ct == deprecated.Json) {
		return format.Str, nil
	}
	switch t.Kind() {
	case pq.Boolean:
		return format.U32, nil // 0 or 1
	case pq.Int32:
		return format.I32, nil
	case pq.Int64:
		return format.I64, nil
	case pq.Float:
		return format.F32, nil
	case pq.Double:
		return format.F64, nil
	case pq.ByteArray, pq.FixedLenByteArray:
		return format.Bin, nil
	}
	return 0, fmt.Errorf("type %s has no chime format code", t)
}

// intType returns the integer annotation of t (logical or converted).
func intType(t pq.Type) (pqformat.IntType, bool) {
	if lt := t.LogicalType(); lt != nil {
		if it, ok := lt.Value.(*pqformat.IntType); ok {
			return *it, true
		}
	}
	if ct := t.ConvertedType(); ct != nil {
		switch *ct {
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

// numOf converts a non-null value of a column of code c to chime's bits
// (see format.Code).
func numOf(v pq.Value, c format.Code) uint64 {
	switch v.Kind() {
	case pq.Boolean:
		if v.Boolean() {
			return 1
		}
		return 0
	case pq.Int32:
		if c == format.U32 {
			return uint64(uint32(v.Int32()))
		}
		return uint64(int64(v.Int32()))
	case pq.Float:
		return uint64(math.Float32bits(v.Float()))
	case pq.Double:
		return math.Float64bits(v.Double())
	}
	return uint64(v.Int64())
}

// timeConv converts the values of a time column to nanoseconds.
type timeConv func(v pq.Value) (uint64, error)

// timeConvOf returns the conversion of a time column of type t:
// TIMESTAMP in milli, micro or nanoseconds, DATE (midnight UTC), INT96
// (Impala and old Spark), plain integers as nanoseconds, and strings with
// parseText. Times before 1970 are an error: chime's timestamps are
// unsigned.
func timeConvOf(t pq.Type, parseText func([]byte) (uint64, error)) (timeConv, error) {
	if lt := t.LogicalType(); lt != nil && lt.Value != nil {
		switch v := lt.Value.(type) {
		case *pqformat.TimestampType:
			return scaledTime(unitNanos(v.Unit)), nil
		case *pqformat.DateType:
			return scaledTime(86400 * 1e9), nil
		}
	}
	if ct := t.ConvertedType(); ct != nil {
		switch *ct {
		case deprecated.TimestampMillis:
			return scaledTime(1e6), nil
		case deprecated.TimestampMicros:
			return scaledTime(1e3), nil
		case deprecated.Date:
			return scaledTime(86400 * 1e9), nil
		}
	}
	if it, ok := intType(t); ok && !it.IsSigned && it.BitWidth == 64 {
		return func(v pq.Value) (uint64, error) { return uint64(v.Int64()), nil }, nil
	}
	switch t.Kind() {
	case pq.Int64, pq.Int32:
		return scaledTime(1), nil
	case pq.Int96:
		return int96Time, nil
	case pq.ByteArray:
		return func(v pq.Value) (uint64, error) { return parseText(v.ByteArray()) }, nil
	}
	return nil, fmt.Errorf("type %s is not a time", t)
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

// scaledTime converts integers counting units of scale nanoseconds.
func scaledTime(scale int64) timeConv {
	return func(v pq.Value) (uint64, error) {
		n := v.Int64()
		if v.Kind() == pq.Int32 {
			n = int64(v.Int32())
		}
		if n < 0 {
			return 0, fmt.Errorf("time %d is before 1970-01-01, which chime cannot store", n)
		}
		if uint64(n) > math.MaxUint64/uint64(scale) {
			return 0, fmt.Errorf("time %d is after 2554-07-21, the last chime timestamp", n)
		}
		return uint64(n) * uint64(scale), nil
	}
}

// int96Time converts an INT96 timestamp: nanoseconds of the day, then the
// Julian day number.
func int96Time(v pq.Value) (uint64, error) {
	i := v.Int96()
	nanos := uint64(i[1])<<32 | uint64(i[0])
	const unixJulianDay = 2440588
	day := int64(i[2]) - unixJulianDay
	if day < 0 {
		return 0, fmt.Errorf("INT96 time is before 1970-01-01, which chime cannot store")
	}
	if uint64(day) > (math.MaxUint64-nanos)/(86400*1e9) {
		return 0, fmt.Errorf("INT96 time is after 2554-07-21, the last chime timestamp")
	}
	return uint64(day)*86400*1e9 + nanos, nil
}
