package blob_test

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cloudisms/cloudisms/internal/store/blob"
)

// TestDir: objects round-trip, a short write leaves nothing, listing skips
// temporary files, and keys cannot leave the directory.
func TestDir(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	d := blob.NewDir(filepath.Join(root, "objects"))
	if err := d.Check(ctx); err != nil {
		t.Fatal(err)
	}
	if err := d.Put(ctx, "ab/abc", strings.NewReader("hello"), 5); err != nil {
		t.Fatal(err)
	}
	rc, o, err := d.Open(ctx, "ab/abc")
	if err != nil || o.Size != 5 {
		t.Fatalf("open: %v %+v", err, o)
	}
	b, _ := io.ReadAll(rc)
	rc.Close()
	if string(b) != "hello" {
		t.Errorf("content %q", b)
	}
	// A reader that ends early (a cut upload) stores nothing.
	if err := d.Put(ctx, "cd/cde", strings.NewReader("hel"), 5); err == nil {
		t.Error("a short write succeeded")
	}
	if _, err := d.Stat(ctx, "cd/cde"); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("after a short write: %v", err)
	}
	os.WriteFile(filepath.Join(root, "objects", "ab", ".put-123"), []byte("x"), 0o600)
	var keys []string
	if err := d.List(ctx, "", func(o blob.Object) error { keys = append(keys, o.Key); return nil }); err != nil {
		t.Fatal(err)
	}
	if strings.Join(keys, ",") != "ab/abc" {
		t.Errorf("listed %v", keys)
	}
	for _, key := range []string{"../x", "/etc/passwd", "a/../../x", "", `a\b`} {
		if err := d.Put(ctx, key, strings.NewReader("x"), 1); err == nil {
			t.Errorf("key %q accepted", key)
		}
	}
	if err := d.Delete(ctx, "ab/abc"); err != nil {
		t.Fatal(err)
	}
	if err := d.Delete(ctx, "ab/abc"); err != nil {
		t.Errorf("deleting twice: %v", err)
	}
	if _, _, err := d.Open(ctx, "ab/abc"); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("after delete: %v", err)
	}
}
