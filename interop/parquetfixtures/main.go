// Command parquetfixtures writes the Parquet files of
// format/parquet/testdata: one small table, written by DuckDB and by
// arrow-go (pandas' writer, pyarrow, in Go) with the encodings, codecs and
// page versions they offer, so that chime's reader is tested, and fuzzed,
// on files chime did not write, without DuckDB:
//
//	cd interop && go run ./parquetfixtures -dir ../format/parquet/testdata
//
// The table (format/parquet's fixture test computes the same rows): 300
// rows, key "key" || i / 100, ts i seconds after the epoch, a = i
// (INTEGER), b = i * 0.5 (DOUBLE), c = 'str' || i (VARCHAR) for even i,
// null for odd i.
package main

import (
	"database/sql"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	_ "github.com/duckdb/duckdb-go/v2"
)

const rows = 300

func main() {
	dir := flag.String("dir", "", "the directory to write the files to")
	flag.Parse()
	if *dir == "" {
		fmt.Fprintln(os.Stderr, "parquetfixtures: give -dir")
		os.Exit(2)
	}
	if err := run(*dir); err != nil {
		fmt.Fprintln(os.Stderr, "parquetfixtures:", err)
		os.Exit(1)
	}
}

func run(dir string) error {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return err
	}
	defer db.Close()
	table := fmt.Sprintf(`SELECT 'key' || (i // 100)::VARCHAR AS key, make_timestamp(i * 1000000) AS ts, i::INTEGER AS a,
		(i * 0.5)::DOUBLE AS b, CASE WHEN i %% 2 = 0 THEN 'str' || i::VARCHAR END AS c FROM range(%d) t(i)`, rows)
	for _, opts := range []string{"V1, snappy", "V2, zstd", "V1, gzip", "V2, uncompressed", "V1, brotli", "V2, lz4"} {
		var version, codec string
		fmt.Sscanf(opts, "%2s, %s", &version, &codec)
		file := filepath.Join(dir, fmt.Sprintf("duckdb-%s-%s.parquet", version, codec))
		q := fmt.Sprintf(`COPY (%s) TO '%s' (FORMAT parquet, PARQUET_VERSION %s, COMPRESSION %s, ROW_GROUP_SIZE 128)`, table, file, version, codec)
		if _, err := db.Exec(q); err != nil {
			return err
		}
	}
	arrowFiles := map[string][]parquet.WriterProperty{
		"arrow-v1-snappy-dict.parquet": {parquet.WithCompression(compress.Codecs.Snappy)},
		"arrow-v2-zstd-delta.parquet": {parquet.WithCompression(compress.Codecs.Zstd), parquet.WithDataPageVersion(parquet.DataPageV2),
			parquet.WithDictionaryDefault(false), parquet.WithEncodingFor("c", parquet.Encodings.DeltaByteArray),
			parquet.WithEncodingFor("a", parquet.Encodings.DeltaBinaryPacked), parquet.WithEncodingFor("b", parquet.Encodings.ByteStreamSplit)},
		"arrow-v1-gzip-plain.parquet": {parquet.WithCompression(compress.Codecs.Gzip), parquet.WithDictionaryDefault(false), parquet.WithDataPageSize(256)},
	}
	for name, props := range arrowFiles {
		if err := writeArrow(filepath.Join(dir, name), append(props, parquet.WithMaxRowGroupLength(128))...); err != nil {
			return err
		}
	}
	return nil
}

// writeArrow writes the table with arrow-go.
func writeArrow(file string, props ...parquet.WriterProperty) error {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "key", Type: arrow.BinaryTypes.String},
		{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Nanosecond}},
		{Name: "a", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "b", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "c", Type: arrow.BinaryTypes.String, Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	for i := range rows {
		b.Field(0).(*array.StringBuilder).Append(fmt.Sprintf("key%d", i/100))
		b.Field(1).(*array.TimestampBuilder).Append(arrow.Timestamp(int64(i) * 1e9))
		b.Field(2).(*array.Int32Builder).Append(int32(i))
		b.Field(3).(*array.Float64Builder).Append(float64(i) * 0.5)
		if i%2 == 0 {
			b.Field(4).(*array.StringBuilder).Append(fmt.Sprintf("str%d", i))
		} else {
			b.Field(4).(*array.StringBuilder).AppendNull()
		}
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	w, err := pqarrow.NewFileWriter(schema, f, parquet.NewWriterProperties(props...), pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		f.Close()
		return err
	}
	if err := w.Write(rec); err != nil {
		f.Close()
		return err
	}
	return w.Close() // closes f
}
