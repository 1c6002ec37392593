package chime_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// layers is every package of the module and the module packages it may
// import: the import direction format/... <- tsdb/... <- compact <- server
// <- cmd, and format pure. A package missing here fails the test, so that
// no new package escapes the layering (as the standard library's go/build
// deps test does).
var layers = map[string][]string{
	"":                        {},
	"format":                  {},
	"format/internal/decimal": {},
	"format/timefmt":          {"format/internal/decimal"},
	"format/internal/wire":    {},
	"format/segment/codec":    {"format", "format/internal/wire"},
	"format/segment":          {"format", "format/internal/wire", "format/segment/codec"},
	"format/text":             {"format", "format/internal/decimal", "format/timefmt"},
	"format/parquet":          {"format", "format/timefmt"},
	"tsdb/vfs":                {},
	"tsdb/vfs/memfs":          {"tsdb/vfs"},
	"tsdb/vfs/s3":             {"tsdb/vfs", "internal/s3api"},
	"tsdb/agg":                {"format", "format/text", "format/timefmt"},
	"tsdb/extsort":            {"format", "format/segment"},
	"tsdb":                    {"format", "format/segment", "format/text", "format/timefmt", "tsdb/vfs", "tsdb/agg", "tsdb/extsort"},
	"compact":                 {"format", "format/segment", "format/text", "format/timefmt", "tsdb", "tsdb/vfs"},
	"server":                  {"format", "format/segment", "format/text", "format/timefmt", "tsdb", "tsdb/vfs", "tsdb/agg", "tsdb/extsort", "compact"},
	"cmd/chime":               {"format", "format/segment", "format/text", "format/timefmt", "format/parquet", "tsdb", "tsdb/vfs", "tsdb/vfs/s3", "tsdb/agg", "tsdb/extsort", "compact", "server", "internal/chart"},
	"internal/benchdata":      {"format"},
	"internal/chart":          {},
	"internal/aggref":         {"format", "tsdb/agg"},
	"internal/tools/gen":      {"internal/benchdata"},
	"internal/tools/measure":  {},
	"internal/s3api":          {},
	"internal/s3test":         {"internal/s3api"},
	"internal/tools/hello":    {},
}

// pure lists the packages that must not touch the operating system.
var pure = []string{"format"}

// osImports are the standard packages that reach the file system or
// processes.
var osImports = map[string]bool{"os": true, "os/exec": true, "syscall": true, "io/fs": true, "net": true, "net/http": true}

// TestLayers checks every package's imports of the module (tests
// included) against the allow-list above.
func TestLayers(t *testing.T) {
	const mod = "github.com/chime-tsdb/chime"
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}|{{join .Imports " "}}|{{join .TestImports " "}} {{join .XTestImports " "}}`, "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		parts := strings.Split(line, "|")
		pkg := strings.TrimPrefix(strings.TrimPrefix(parts[0], mod), "/")
		allowed, known := layers[pkg]
		if !known {
			t.Errorf("package %s is not in the layers allow-list of layers_test.go: add it with the packages it may import", pkg)
			continue
		}
		imports, testImports := strings.Fields(parts[1]), strings.Fields(parts[2])
		for i, imp := range append(imports, testImports...) {
			if dep, ok := strings.CutPrefix(imp, mod+"/"); ok {
				test := i >= len(imports)
				if dep != pkg && !slices.Contains(allowed, dep) && !(test && testHelpers[dep]) {
					t.Errorf("%s imports %s: not allowed by the layers (format/... <- tsdb/... <- compact <- server <- cmd)", pkg, dep)
				}
			}
			if isPure(pkg) && osImports[imp] {
				t.Errorf("%s imports %s: format is pure, it never touches the file system", pkg, imp)
			}
		}
	}
}

func isPure(pkg string) bool {
	for _, p := range pure {
		if pkg == p || strings.HasPrefix(pkg, p+"/") {
			return true
		}
	}
	return false
}

// testHelpers are the module's packages that any package's tests may
// import.
var testHelpers = map[string]bool{"tsdb/vfs/memfs": true, "internal/benchdata": true, "internal/aggref": true, "internal/s3test": true, "tsdb/vfs/s3": true}
