package interop_test

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// TestParquet_ChimeReadsArrow imports files written as pandas writes
// them: pandas' to_parquet goes through pyarrow, whose Go twin is
// arrow-go's pqarrow, with the same writer and defaults (snappy, data
// pages v1, dictionaries, nanosecond timestamps, the Arrow schema in the
// metadata), and variants with the encodings and codecs people choose
// (data pages v2, DELTA_BYTE_ARRAY strings, BYTE_STREAM_SPLIT floats,
// PLAIN). DuckDB reads the file too, and compares it with chime's export
// of what chime imported.
func TestParquet_ChimeReadsArrow(t *testing.T) {
	variants := []struct {
		name  string
		want  string // an encoding the file must use
		props []parquet.WriterProperty
	}{
		{"pandas defaults", "RLE_DICTIONARY", []parquet.WriterProperty{parquet.WithCompression(compress.Codecs.Snappy)}},
		{"v2 delta zstd", "DELTA_BYTE_ARRAY", []parquet.WriterProperty{
			parquet.WithCompression(compress.Codecs.Zstd), parquet.WithDataPageVersion(parquet.DataPageV2),
			parquet.WithDictionaryDefault(false), parquet.WithDictionaryFor("symbol", true),
			parquet.WithEncodingFor("note", parquet.Encodings.DeltaByteArray),
			parquet.WithEncodingFor("volume", parquet.Encodings.DeltaBinaryPacked),
			parquet.WithEncodingFor("price", parquet.Encodings.ByteStreamSplit),
		}},
		{"plain gzip", "PLAIN", []parquet.WriterProperty{parquet.WithCompression(compress.Codecs.Gzip), parquet.WithDictionaryDefault(false)}},
		{"lz4 raw small pages", "RLE_DICTIONARY", []parquet.WriterProperty{parquet.WithCompression(compress.Codecs.Lz4Raw), parquet.WithDataPageSize(512)}},
	}
	db := duck(t)
	for i, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "pandas.parquet")
			writeArrow(t, file, append(v.props, parquet.WithMaxRowGroupLength(700))...)
			if got := query(t, db, `SELECT count(*) FROM parquet_metadata(?) WHERE encodings LIKE '%' || ? || '%'`, file, v.want); got[0] == "0" {
				t.Errorf("no column chunk encoded %s", v.want)
			}
			data, _ := os.ReadFile(file)
			dir := newDB(t)
			mustChime(t, data, "-d", dir, "add", "--input", "parquet", "--key-column", "symbol", "--time-column", "date")
			back := filepath.Join(t.TempDir(), "back.parquet")
			mustChime(t, nil, "-d", dir, "read", "%", "-o", "parquet", "--output-file", back)
			src := fmt.Sprintf("arrow%d", i)
			execSQL(t, db, fmt.Sprintf(`CREATE TABLE %s AS SELECT * FROM read_parquet('%s')`, src, file))
			cols := `symbol, epoch_us(date), price, volume, note`
			backCols := `key, epoch_us(ts), v1, v2, v3`
			for _, q := range []string{
				fmt.Sprintf(`SELECT count(*) FROM (SELECT %s FROM %s EXCEPT ALL SELECT %s FROM read_parquet(?))`, cols, src, backCols),
				fmt.Sprintf(`SELECT count(*) FROM (SELECT %s FROM read_parquet(?) EXCEPT ALL SELECT %s FROM %s)`, backCols, cols, src),
			} {
				equalLines(t, "rows that differ", query(t, db, q, back), []string{"0"})
			}
			equalLines(t, "rows", query(t, db, `SELECT count(*), count(v3) FROM read_parquet(?)`, back), []string{"3000|1000"})
		})
	}
}

// writeArrow writes a table as pandas would hold it: symbol, date
// (datetime64[ns]), price (float64), volume (Int64) and note (strings),
// nulls at the ends of rows, sorted by symbol then date.
func writeArrow(t *testing.T, file string, props ...parquet.WriterProperty) {
	t.Helper()
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "symbol", Type: arrow.BinaryTypes.String},
		{Name: "date", Type: &arrow.TimestampType{Unit: arrow.Nanosecond}},
		{Name: "price", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "volume", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "note", Type: arrow.BinaryTypes.String, Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	start := time.Date(2000, 1, 3, 0, 0, 0, 0, time.UTC).UnixNano()
	for i := range 3000 {
		b.Field(0).(*array.StringBuilder).Append([]string{"AAPL", "AMZN", "GOOG"}[i/1000])
		b.Field(1).(*array.TimestampBuilder).Append(arrow.Timestamp(start + int64(i%1000)*86400e9 + int64(i)*1000))
		b.Field(2).(*array.Float64Builder).Append(math.Round(float64(i)*1.37*100) / 100)
		if i%3 == 0 {
			b.Field(3).(*array.Int64Builder).AppendNull()
			b.Field(4).(*array.StringBuilder).AppendNull()
			continue
		}
		b.Field(3).(*array.Int64Builder).Append(int64(i) * 1_000_003)
		if i%3 == 1 {
			b.Field(4).(*array.StringBuilder).AppendNull()
		} else {
			b.Field(4).(*array.StringBuilder).Append(fmt.Sprintf("https://example.com/quotes/%d/%d", i/1000, i))
		}
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w, err := pqarrow.NewFileWriter(schema, f, parquet.NewWriterProperties(props...), pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestParquet_ArrowReadsChime reads chime's export with arrow-go, the
// reader of pyarrow and so of pandas' read_parquet: every type, the nulls
// of narrower rows, nanosecond timestamps kept whole.
func TestParquet_ArrowReadsChime(t *testing.T) {
	dir := load(t, sampleRows)
	file := filepath.Join(t.TempDir(), "x.parquet")
	mustChime(t, nil, "-d", dir, "read", "%", "-o", "parquet", "--output-file", file)
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tbl, err := pqarrow.ReadTable(context.Background(), f, nil, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	var got []string
	for r := range int(tbl.NumRows()) {
		var cells []string
		for c := range int(tbl.NumCols()) {
			col := tbl.Column(c).Data().Chunk(0)
			switch a := col.(type) {
			case *array.Timestamp:
				cells = append(cells, fmt.Sprint(int64(a.Value(r))))
			case *array.Binary:
				if a.IsNull(r) {
					cells = append(cells, "NULL")
				} else {
					cells = append(cells, fmt.Sprintf("%x", a.Value(r)))
				}
			default:
				cells = append(cells, col.ValueStr(r))
			}
		}
		got = append(got, strings.Join(cells, "|"))
	}
	var types []string
	for _, f := range tbl.Schema().Fields() {
		types = append(types, fmt.Sprintf("%s %s %v", f.Name, f.Type, f.Nullable))
	}
	equalLines(t, "types", types, []string{
		"key utf8 false", "ts timestamp[ns, tz=UTC] false", "v1 uint32 true", "v2 uint64 true", "v3 int32 true",
		"v4 int64 true", "v5 float32 true", "v6 float64 true", "v7 utf8 true", "v8 binary true",
	})
	equalLines(t, "rows", got, []string{
		"a b|1000|4294967295|18446744073709551615|-2147483648|-9223372036854775808|0.5|-0.1|hello world|0001",
		"a b|2000|0|0|0|0|-0|1e+300|(null)|NULL",
		"a b|3000|7|(null)|(null)|(null)|(null)|(null)|(null)|NULL",
		"café|1000|1|2|-3|-4|(null)|(null)|(null)|NULL",
		"日本 語|1000000000|1|2|3|4|+Inf|-Inf|x|NULL",
	})
}
