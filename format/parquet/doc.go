// Package parquet maps chime rows to Parquet files and back, so that
// DuckDB, pandas, Polars, Spark, Trino and ClickHouse read what chime
// exports and chime imports what they write. It is pure: an io.Writer
// out, an io.ReaderAt in. The encoding is github.com/parquet-go/parquet-go's.
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
// nulls in its last columns. Rows are in read's order, by key then time;
// pages are compressed with zstd; every column chunk of every row group
// has min/max statistics, so engines skip row groups by key and time.
// Row groups hold DefaultRowGroupRows rows.
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
package parquet
