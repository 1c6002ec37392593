package chime_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLayers enforces the import direction
// format <- tsdb <- compact <- server <- cmd: a package may import only
// the layers below it, and format never touches the operating system.
func TestLayers(t *testing.T) {
	const mod = "github.com/chime-tsdb/chime/"
	rank := map[string]int{"format": 0, "tsdb": 1, "compact": 2, "server": 3, "cmd/chime": 4}
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Imports " "}}`, "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg, ok := strings.CutPrefix(fields[0], mod)
		r, layered := rank[pkg]
		if !ok || !layered {
			continue
		}
		for _, imp := range fields[1:] {
			if dep, ok := strings.CutPrefix(imp, mod); ok {
				if dr, layered := rank[dep]; layered && dr >= r {
					t.Errorf("%s imports %s: imports must point down the layers", pkg, dep)
				}
				if strings.HasPrefix(dep, "internal/") && pkg == "format" {
					t.Errorf("format imports %s: format is pure", dep)
				}
			}
			if pkg == "format" && (imp == "os" || imp == "os/exec" || imp == "syscall" || imp == "io/fs") {
				t.Errorf("format imports %s: format must not touch the file system", imp)
			}
		}
	}
}
