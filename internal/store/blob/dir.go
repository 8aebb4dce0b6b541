package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// Dir keeps objects as files under a local directory: the default, for a
// single instance or instances that mount the same directory.
type Dir struct{ root string }

// NewDir keeps objects under root (created when first written).
func NewDir(root string) *Dir { return &Dir{root: root} }

func (d *Dir) String() string { return d.root }

// path turns a key into a file name under the root, refusing keys that
// would leave it.
func (d *Dir) path(key string) (string, error) {
	if key == "" || strings.HasPrefix(key, "/") || strings.Contains(key, "\\") || path.Clean(key) != key || strings.HasPrefix(key, "..") {
		return "", fmt.Errorf("object key %q: not a plain relative path", key)
	}
	return filepath.Join(d.root, filepath.FromSlash(key)), nil
}

// Put writes to a temporary file beside the target, syncs it and renames
// it into place, so that a reader never sees half a file and a crash
// leaves at most a temporary file (named with a leading dot, never listed).
func (d *Dir) Put(ctx context.Context, key string, r io.Reader, size int64) error {
	dst, err := d.path(key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".put-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	n, err := io.Copy(tmp, io.LimitReader(r, size+1))
	if err == nil && n != size {
		err = fmt.Errorf("object %s: %d bytes read, %d expected", key, n, size)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp.Name(), dst)
}

func (d *Dir) Open(ctx context.Context, key string) (io.ReadCloser, Object, error) {
	p, err := d.path(key)
	if err != nil {
		return nil, Object{}, err
	}
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, Object{}, fmt.Errorf("%s: %w", key, ErrNotFound)
	}
	if err != nil {
		return nil, Object{}, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, Object{}, err
	}
	return f, Object{Key: key, Size: st.Size(), Modified: st.ModTime()}, nil
}

func (d *Dir) Stat(ctx context.Context, key string) (Object, error) {
	p, err := d.path(key)
	if err != nil {
		return Object{}, err
	}
	st, err := os.Stat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return Object{}, fmt.Errorf("%s: %w", key, ErrNotFound)
	}
	if err != nil {
		return Object{}, err
	}
	return Object{Key: key, Size: st.Size(), Modified: st.ModTime()}, nil
}

func (d *Dir) Delete(ctx context.Context, key string) error {
	p, err := d.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// List walks the directory; temporary files (leading dot) are skipped.
func (d *Dir) List(ctx context.Context, prefix string, each func(Object) error) error {
	err := filepath.WalkDir(d.root, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		rel, _ := filepath.Rel(d.root, p)
		key := filepath.ToSlash(rel)
		if e.IsDir() {
			// Descend only where the prefix may lead.
			if key != "." && !strings.HasPrefix(key+"/", prefix) && !strings.HasPrefix(prefix, key+"/") {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasPrefix(e.Name(), ".") || !strings.HasPrefix(key, prefix) || !e.Type().IsRegular() {
			return nil
		}
		info, err := e.Info()
		if err != nil {
			return nil // removed meanwhile
		}
		return each(Object{Key: key, Size: info.Size(), Modified: info.ModTime()})
	})
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// Check creates the directory and proves it writable.
func (d *Dir) Check(ctx context.Context) error {
	if err := os.MkdirAll(d.root, 0o750); err != nil {
		return fmt.Errorf("directory %s: %w", d.root, err)
	}
	f, err := os.CreateTemp(d.root, ".check-*")
	if err != nil {
		return fmt.Errorf("directory %s is not writable: %w", d.root, err)
	}
	f.Close()
	return os.Remove(f.Name())
}
