// Package parquet maps chime rows to Parquet files and back, so that
// DuckDB, pandas, Polars, Spark, Trino and ClickHouse read what chime
// exports and chime imports what they write. It is pure: an io.Writer
// out, an io.ReaderAt in.
//
// The footer and page headers are thrift structures, encoded with
// github.com/parquet-go/parquet-go's format and encoding/thrift packages;
// the page encodings (bitpack.go, delta.go, decode.go) and the use of the
// codecs (codec.go) are this package's own. parquet-go's root package is
// deliberately not imported: it links google.golang.org/protobuf, whose
// initialisation would cost every chime command about a millisecond of
// start-up. This package's own initialisation is a few error values; its
// coders are made on first use.
//
// # The schema chime writes
//
//	key  STRING (BYTE_ARRAY, UTF8), required, dictionary-encoded
//	ts   TIMESTAMP(NANOS, isAdjustedToUTC) (INT64), required, delta-encoded
//	v1   optional, typed from the rows' formats:
//	...    u UINT32, U UINT64, i INT32, I INT64 (INT32 and INT64, delta-encoded),
//	vN     f FLOAT, F DOUBLE, s STRING, B BINARY (BYTE_ARRAY)
//
// N is the widest format among the selected rows (or the columns that -C
// selects, named by their numbers: v2, v4). A row narrower than N has
// nulls in its last columns. Rows are in read's order, by key then time.
// Row groups hold DefaultRowGroupRows rows (fewer when their values pass
// 64 MiB), each column chunk in data pages of version 2 of at most 32Ki
// rows and about 1 MiB of values: definition levels RLE, values compressed
// with zstd; key as one dictionary page and RLE_DICTIONARY indices, ts and
// integers DELTA_BINARY_PACKED, floats and byte strings PLAIN. Every page
// and column chunk has min/max statistics and its count of nulls, so
// engines skip row groups by key and time.
//
// Parquet has one type per column. Where the selected rows disagree on the
// type of a column, it is widened to the narrowest type that holds every
// value exactly (Widen: u with U is UINT64; any of u, i, I is INT64; f with
// F, or a float with u or i, is DOUBLE; s with B is BINARY), and the
// import reads the widened type back. Types that no Parquet type holds
// exactly together (U with i or I; U or I with a float; a number with s
// or B) stop the export before anything is written, naming the column,
// two keys and their formats, so that the user selects around them.
// Timestamps after 2262-04-11 (beyond INT64 nanoseconds) are an error.
//
// # What chime reads
//
// Its own files, and any flat file with a string key column, a time
// column and typed value columns (ReaderOptions picks them by name): a
// TIMESTAMP of any unit, a DATE (midnight UTC), an INT96 (Impala, old
// Spark), an integer of nanoseconds or a string as the time; value types
// map back as above, with INT8 and INT16 as i, UINT8 and UINT16 as u,
// BOOLEAN as u (0 or 1), ENUM and JSON strings as s and FIXED_LEN_BYTE_ARRAY
// as B. DECIMAL, DATE, TIME and nested columns are not values chime has:
// the error names the column.
//
// Whatever the writer's choices: data pages of version 1 and 2, the
// encodings PLAIN, RLE, PLAIN_DICTIONARY and RLE_DICTIONARY,
// DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY and
// BYTE_STREAM_SPLIT, and the codecs snappy, gzip, zstd, brotli, LZ4_RAW
// and Hadoop's LZ4. The reader holds one page per column at a time, and
// checks every length a file declares against the bytes that hold it
// before allocating (check.go): a damaged file is an error naming the row
// group, the row and the column, never a panic or a huge allocation.
package parquet
