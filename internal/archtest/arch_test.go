// Package archtest keeps the layers of architecture.md: domain packages do
// no I/O and import no storage, HTTP or template code.
package archtest

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

var domain = []string{"isms", "catalog", "conformity", "bundle", "i18n", "generate", "trend", "totp", "names"}

// forbidden imports for a domain package: I/O, networking, storage,
// templates, and the packages of the layers above.
var forbidden = []string{
	"os", "os/exec", "io/ioutil", "net", "net/http", "database/sql", "html/template", "text/template", "log", "log/slog",
	"github.com/cloudisms/cloudisms/internal/cli",
	"github.com/cloudisms/cloudisms/internal/store",
	"github.com/cloudisms/cloudisms/internal/web",
	"github.com/cloudisms/cloudisms/internal/api",
	"github.com/cloudisms/cloudisms/internal/report",
}

func TestDomainPackagesArePure(t *testing.T) {
	for _, pkg := range domain {
		dir := filepath.Join("..", pkg)
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("package %s: no files (%v)", pkg, err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue // tests may read sample files
			}
			af, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range af.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				for _, bad := range forbidden {
					if path == bad || strings.HasPrefix(path, bad+"/") {
						t.Errorf("%s imports %s: domain packages must stay pure", f, path)
					}
				}
			}
		}
	}
}

// The test must notice a violation: a file that imports net/http is caught.
func TestDetectsViolation(t *testing.T) {
	dir := t.TempDir()
	src := "package x\nimport _ \"net/http\"\n"
	f := filepath.Join(dir, "x.go")
	if err := os.WriteFile(f, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	af, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := strconv.Unquote(af.Imports[0].Path.Value)
	found := false
	for _, bad := range forbidden {
		if p == bad {
			found = true
		}
	}
	if !found {
		t.Error("net/http is not forbidden")
	}
}

// TestNothingBelowTheWebImportsIt keeps the web UI a top layer: documents,
// the API and the store may be used by pages, never the reverse (a report
// that needs people's names takes them from internal/names, not from a
// page package). Only what assembles the process above the web UI may
// import it: the server (routes) and the CLI's serve (the reminder sender).
func TestNothingBelowTheWebImportsIt(t *testing.T) {
	const web = "github.com/cloudisms/cloudisms/internal/web"
	err := filepath.WalkDir("..", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch path {
			case filepath.Join("..", "web"), filepath.Join("..", "server"), filepath.Join("..", "cli"):
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		af, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range af.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if p == web || strings.HasPrefix(p, web+"/") {
				t.Errorf("%s imports %s: only the web UI's own packages and the commands may", path, p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
