package attack

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// nestingBombs are issue 10's item 1: before the fix each made the fast
// YAML reader recurse until `fatal error: stack overflow` killed the
// server (all tenants), and a 2 MB body took it to 842 MB.
func nestingBombs() map[string][]byte {
	return map[string][]byte{
		"8 MB of [":  append([]byte("x: "), bytes.Repeat([]byte("["), 8<<20)...),
		"2 MB of - ": append(bytes.Repeat([]byte("- "), 1<<20), 'a', '\n'),
	}
}

// TestAttackYAMLNesting sends the bombs to PUT /api/v1/orgs/{org}/bundle
// and to the import page: each answers 400 naming the nesting limit, the
// line and the path; the server stays up under the memory ceiling and the
// organization's ISMS is untouched.
func TestAttackYAMLNesting(t *testing.T) {
	needServer(t)
	db := sqlite(t)
	token := org(t, db, "victim")
	srv := serve(t, db, nil)
	api := srv.url + "/api/v1/orgs/victim/bundle"
	_, _, before := call(t, nil, "GET", api, token, nil)
	web := browser(t, srv.url, "victim")

	for name, bomb := range nestingBombs() {
		t.Run("API "+name, func(t *testing.T) {
			st, _, body := call(t, nil, "PUT", api, token, bomb, "Content-Type", "application/yaml", "Accept-Language", "en")
			var e struct {
				Error struct {
					Code   string
					Fields []struct {
						Path    string
						Line    int
						Message string
					}
				}
			}
			json.Unmarshal(body, &e)
			if st != http.StatusBadRequest || len(e.Error.Fields) != 1 {
				t.Fatalf("want 400 with one field, got %d %.300s", st, body)
			}
			f := e.Error.Fields[0]
			if !strings.Contains(f.Message, "200") || f.Line != 1 || f.Path == "" {
				t.Errorf("the answer does not name the limit, line and path: %+v", f)
			}
			srv.survived(t, "PUT bundle "+name)
		})
		t.Run("import page "+name, func(t *testing.T) {
			var buf bytes.Buffer
			mw := multipart.NewWriter(&buf)
			fw, _ := mw.CreateFormFile("bundle", "bomb.yaml")
			fw.Write(bomb)
			mw.Close()
			st, _, body := call(t, web, "POST", srv.url+"/orgs/victim/import", "", buf.Bytes(), "Content-Type", mw.FormDataContentType())
			if st != http.StatusBadRequest || !strings.Contains(string(body), "200 段") {
				t.Fatalf("want 400 naming the limit, got %d %.300s", st, body)
			}
			srv.survived(t, "import page "+name)
		})
	}
	if _, _, after := call(t, nil, "GET", api, token, nil); !bytes.Equal(before, after) {
		t.Error("the ISMS changed")
	}
}

// TestAttackYAMLNestingCLI runs `cloudisms validate` and `cloudisms check`
// on the bombs: exit status 2 with the problem, not a crash, in little
// memory.
func TestAttackYAMLNestingCLI(t *testing.T) {
	needServer(t)
	dir := t.TempDir()
	for name, bomb := range nestingBombs() {
		file := filepath.Join(dir, strings.NewReplacer(" ", "_", "[", "bracket").Replace(name)+".yaml")
		if err := os.WriteFile(file, bomb, 0o600); err != nil {
			t.Fatal(err)
		}
		for _, cmdName := range []string{"validate", "check"} {
			cmd := exec.Command(bin, cmdName, "--lang", "en", file)
			out, err := cmd.CombinedOutput()
			code := cmd.ProcessState.ExitCode()
			peak := peakRSS(cmd)
			t.Logf("%s %s: exit %d, peak RSS %d MB: %.200s", cmdName, name, code, peak>>20, out)
			if code != 2 || !strings.Contains(string(out), "200 levels") || !strings.Contains(string(out), ".yaml:1: ") {
				t.Errorf("%s %s: want exit 2 with the problem and its line, got %v\n%.500s", cmdName, name, err, out)
			}
			if peak > 200<<20 {
				t.Errorf("%s %s: peak RSS %d MB", cmdName, name, peak>>20)
			}
		}
	}
}
