package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBackupRestoreCommands(t *testing.T) {
	dir := t.TempDir()
	src, dst := filepath.Join(dir, "src"), filepath.Join(dir, "dst")
	archive := filepath.Join(dir, "backup.tar.gz")
	env := map[string]string{"LANG": "en_US.UTF-8", "CLOUDISMS_PASSWORD": "a long enough password"}
	steps := []struct {
		args []string
		code int
		out  string // in standard output (code 0) or standard error
	}{
		{[]string{"import", sample, "--org", "acme", "--data", src}, 0, "imported"},
		{[]string{"user", "add", "a@example.com", "--name", "A", "--data", src}, 0, ""},
		{[]string{"member", "add", "--org", "acme", "--email", "a@example.com", "--role", "admin", "--data", src}, 0, ""},
		{[]string{"backup", "--data", src}, 2, "--to is required"},
		{[]string{"backup", "--to", archive, "--data", src}, 0, "1 organization(s)"},
		{[]string{"restore", archive, "--data", dst}, 0, "history verified"},
		{[]string{"restore", archive, "--data", dst}, 2, "not empty"},
		{[]string{"restore", filepath.Join(dir, "missing.tar.gz"), "--data", filepath.Join(dir, "other")}, 2, "cannot read"},
		{[]string{"restore", sample, "--data", filepath.Join(dir, "other")}, 2, "not a cloudisms backup"},
		{[]string{"history", "verify", "--data", dst}, 0, "unbroken"},
	}
	for _, s := range steps {
		code, out, errOut := run(t, env, s.args...)
		if code != s.code {
			t.Fatalf("%v: exit %d, want %d\n%s%s", s.args, code, s.code, out, errOut)
		}
		got := out
		if code != 0 {
			got = errOut
		}
		if !strings.Contains(got, s.out) {
			t.Errorf("%v: output lacks %q:\n%s", s.args, s.out, got)
		}
	}
	if st, err := os.Stat(archive); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("the backup file should be readable by its owner only: %v %v", st.Mode(), err)
	}
	_, a, _ := run(t, env, "export", "--org", "acme", "--data", src)
	_, b, _ := run(t, env, "export", "--org", "acme", "--data", dst)
	if a == "" || a != b {
		t.Error("the restored organization exports differently")
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, ".cloudisms-backup-*"))
	if len(leftovers) > 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
}
