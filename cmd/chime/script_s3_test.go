package main

// The command-line tests a second time, on object storage: TestScriptS3
// runs every testdata/script/*.txtar file against a real S3 server
// (SeaweedFS, see internal/s3test), each script with its own prefix of
// one bucket, and expects the same output. The scripts do not change:
// their database arguments (-d DIR, --dir DIR, init DIR) are relative
// directories, which chimeS3 turns into locations under
// $CHIME_TEST_S3_ROOT before running chime, first copying into the store
// a database the script's archive holds as files (-- db/main --).
//
// Scripts that look at the database's files themselves (ls, dd, cp of a
// database directory, flock of its lock file) say `[s3] skip` with the
// reason: the commands are the same, but the files are objects. serve
// --root keeps its local directory (an S3 root is tested by
// TestS3_ServeRoot: a prefix is never missing, as a directory can be).

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/chime-tsdb/chime/internal/s3test"
	"github.com/chime-tsdb/chime/tsdb/vfs/s3"
)

// s3RootVar names the location under which chimeS3 puts the databases of
// a script.
const s3RootVar = "CHIME_TEST_S3_ROOT"

func TestScriptS3(t *testing.T) {
	srv := s3test.Shared(t)
	bucket := srv.Bucket(t)
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		Setup: func(e *testscript.Env) error {
			for _, kv := range srv.Env() {
				k, v, _ := strings.Cut(kv, "=")
				e.Setenv(k, v)
			}
			e.Setenv(s3RootVar, "s3://"+bucket+"/"+filepath.Base(e.WorkDir))
			return nil
		},
		Condition: func(cond string) (bool, error) {
			if cond == "s3" {
				return true, nil
			}
			return false, errors.New("unknown condition " + cond)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exitcode": cmdExitcode,
			"errline":  cmdErrline,
			"pngsize":  cmdPNGSize,
		},
	})
}

// chimeS3 is chime as the scripts of TestScriptS3 run it: with
// $CHIME_TEST_S3_ROOT set, database directories become locations under
// it (see the file's comment); otherwise it is chime.
func chimeS3() {
	root := os.Getenv(s3RootVar)
	if root == "" {
		main()
		return
	}
	args, err := s3Args(root, os.Args[1:])
	if err != nil {
		os.Stderr.WriteString("chimeS3: " + err.Error() + "\n")
		os.Exit(99)
	}
	os.Args = append(os.Args[:1], args...)
	main()
}

// s3Args maps the database arguments of a command line to locations under
// root, seeding each from the local directory of that name.
func s3Args(root string, args []string) ([]string, error) {
	out := make([]string, 0, len(args))
	mapLoc := func(dir string) (string, error) {
		if dir == "" || s3.IsLocation(dir) || filepath.IsAbs(dir) || strings.HasPrefix(dir, "..") {
			return dir, nil
		}
		loc := root + "/" + filepath.ToSlash(filepath.Clean(dir))
		return loc, seed(loc, dir)
	}
	positional := 0
	command := ""
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-d" || a == "--dir":
			out = append(out, a)
			if i+1 < len(args) {
				i++
				loc, err := mapLoc(args[i])
				if err != nil {
					return nil, err
				}
				out = append(out, loc)
			}
			continue
		case strings.HasPrefix(a, "--dir=") || strings.HasPrefix(a, "-d="):
			flag, v, _ := strings.Cut(a, "=")
			loc, err := mapLoc(v)
			if err != nil {
				return nil, err
			}
			out = append(out, flag+"="+loc)
			continue
		case !strings.HasPrefix(a, "-"):
			positional++
			if positional == 1 {
				command = a
			} else if command == "init" && positional == 2 {
				loc, err := mapLoc(a)
				if err != nil {
					return nil, err
				}
				a = loc
			}
		}
		out = append(out, a)
	}
	return out, nil
}

// seed copies the files of the local database directory dir into the
// store at loc when the store is empty: a database the script's archive
// holds as files.
func seed(loc, dir string) error {
	entries, err := os.ReadDir(dir)
	if _, merr := os.Stat(filepath.Join(dir, "main")); err != nil || merr != nil {
		return nil // not a database directory: nothing to copy
	}
	st, err := s3.Open(loc, s3.Options{})
	if err != nil {
		return err
	}
	if listed, err := st.List(); err != nil || len(listed) > 0 {
		return err
	}
	for _, e := range entries {
		if e.Type().IsRegular() && !strings.HasPrefix(e.Name(), ".") {
			if err := upload(st, filepath.Join(dir, e.Name()), e.Name()); err != nil {
				return err
			}
		}
	}
	return nil
}

func upload(st *s3.Store, path, name string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	p, err := st.Create()
	if err != nil {
		return err
	}
	defer p.Close()
	if _, err := io.Copy(p, f); err != nil {
		return err
	}
	return p.Publish(name)
}
