package interop_test

import (
	"bytes"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
)

// chimeBin is the chime command built for the tests.
var chimeBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "chime-interop-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	chimeBin = filepath.Join(dir, "chime")
	build := exec.Command("go", "build", "-o", chimeBin, "./cmd/chime")
	build.Dir = ".." // chime's own module
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build chime:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// chime runs the chime command with stdin, returning stdout, stderr and
// the exit status.
func chime(t *testing.T, stdin []byte, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(chimeBin, args...)
	cmd.Stdin = bytes.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("chime %v: %v", args, err)
	}
	return out.String(), errb.String(), code
}

// mustChime runs chime and fails the test unless it succeeds.
func mustChime(t *testing.T, stdin []byte, args ...string) string {
	t.Helper()
	out, errs, code := chime(t, stdin, args...)
	if code != 0 {
		t.Fatalf("chime %s: exit %d: %s", strings.Join(args, " "), code, errs)
	}
	return out
}

// newDB makes an empty chime database.
func newDB(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "db")
	mustChime(t, nil, "init", dir)
	return dir
}

// load makes a database from `KEY NANOS FORMAT VALUES` lines (sorted).
func load(t *testing.T, rows string) string {
	t.Helper()
	dir := newDB(t)
	rowsFile := filepath.Join(t.TempDir(), "rows.txt")
	if err := os.WriteFile(rowsFile, []byte(rows), 0o644); err != nil {
		t.Fatal(err)
	}
	mustChime(t, nil, "-d", dir, "compact", "--major", "--gegnum", "cat "+rowsFile)
	return dir
}

// duck opens an in-memory DuckDB with two threads, as the speed anchors
// of the README were measured.
func duck(t testing.TB) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Exec("SET threads TO 2"); err != nil {
		t.Fatal(err)
	}
	return db
}

// query runs q and renders each row as its columns joined by "|", NULL
// as "NULL".
func query(t testing.TB, db *sql.DB, q string, args ...any) []string {
	t.Helper()
	rows, err := db.Query(q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		cells := make([]string, len(vals))
		for i, v := range vals {
			switch v := v.(type) {
			case nil:
				cells[i] = "NULL"
			case []byte:
				cells[i] = fmt.Sprintf("%x", v)
			default:
				cells[i] = fmt.Sprint(v)
			}
		}
		out = append(out, strings.Join(cells, "|"))
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return out
}

// exec runs a statement.
func execSQL(t testing.TB, db *sql.DB, q string) {
	t.Helper()
	if _, err := db.Exec(q); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// equalLines compares two row lists, reporting the first difference.
func equalLines(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\n got %q\nwant %q", what, got, want)
	}
}
