package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestEvidenceGCCommand: evidence gc lists a file no item names and
// deletes it only with --delete; a file younger than --min-age is kept;
// a bad --evidence or subcommand is refused clearly.
func TestEvidenceGCCommand(t *testing.T) {
	data := t.TempDir()
	env := map[string]string{"LANG": "en_US.UTF-8"}
	if code, _, errOut := run(t, env, "import", sample, "--org", "acme", "--data", data); code != 0 {
		t.Fatal(errOut)
	}
	sum := sha256.Sum256([]byte("orphan"))
	hexSum := hex.EncodeToString(sum[:])
	path := filepath.Join(data, "evidence", hexSum[:2], hexSum)
	os.MkdirAll(filepath.Dir(path), 0o750)
	os.WriteFile(path, []byte("orphan"), 0o600)

	code, out, errOut := run(t, env, "evidence", "gc", "--data", data)
	if code != 0 || !strings.Contains(out, "1 kept as newer than 24h0m0s") || strings.Contains(out, hexSum) {
		t.Fatalf("a new file: %d\n%s%s", code, out, errOut)
	}
	old := time.Now().Add(-48 * time.Hour)
	os.Chtimes(path, old, old)
	code, out, errOut = run(t, env, "evidence", "gc", "--data", data)
	if code != 0 || !strings.Contains(out, hexSum+"\t6\t") || !strings.Contains(out, "Nothing was deleted") {
		t.Fatalf("report: %d\n%s%s", code, out, errOut)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatal("the report deleted the file")
	}
	code, out, errOut = run(t, env, "evidence", "gc", "--delete", "--data", data)
	if code != 0 || !strings.Contains(out, "1 (6 bytes) deleted") {
		t.Fatalf("delete: %d\n%s%s", code, out, errOut)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("not deleted: %v", err)
	}
	for _, c := range []struct {
		args []string
		err  string
	}{
		{[]string{"evidence"}, "usage: cloudisms evidence gc"},
		{[]string{"evidence", "list"}, "usage: cloudisms evidence gc"},
		{[]string{"evidence", "gc", "--data", data, "--evidence", "ftp://x/y"}, "expected a directory or s3://BUCKET/PREFIX"},
		{[]string{"evidence", "gc", "--data", data, "--evidence", "s3://Bad_Bucket/p"}, "not a valid bucket name"},
		{[]string{"evidence", "gc", "--data", data, "--evidence", "s3://bucket/p"}, "no credentials"},
		{[]string{"evidence", "gc", "--data", data, "--min-age", "-1h"}, "--min-age"},
	} {
		code, _, errOut := run(t, env, c.args...)
		if code != 2 || !strings.Contains(errOut, c.err) {
			t.Errorf("%v: %d %s", c.args, code, errOut)
		}
	}
}
