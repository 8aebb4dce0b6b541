package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
)

// MaxEvidence is the largest evidence file accepted.
const MaxEvidence = 32 << 20

// ErrTooLarge is an evidence file over MaxEvidence.
var ErrTooLarge = errors.New("evidence file too large")

var shaPattern = regexp.MustCompile(`^[0-9a-f]{64}$`)

// blobPath spreads files over 256 folders by the first two hex digits.
func (s *Store) blobPath(sum string) string {
	return filepath.Join(s.evidenceDir, sum[:2], sum)
}

// SaveEvidence stores a file by its content: the same content is kept once,
// whoever uploads it. It returns the SHA-256 and the size. The file is
// written to a temporary name and renamed, so a reader never sees half a
// file.
func (s *Store) SaveEvidence(r io.Reader) (string, int64, error) {
	if err := os.MkdirAll(s.evidenceDir, 0o750); err != nil {
		return "", 0, fmt.Errorf("evidence: %w", err)
	}
	tmp, err := os.CreateTemp(s.evidenceDir, ".upload-*")
	if err != nil {
		return "", 0, fmt.Errorf("evidence: %w", err)
	}
	defer os.Remove(tmp.Name())
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(r, MaxEvidence+1))
	if err == nil && n > MaxEvidence {
		err = ErrTooLarge
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", 0, fmt.Errorf("evidence: %w", err)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	dst := s.blobPath(sum)
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return "", 0, fmt.Errorf("evidence: %w", err)
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return "", 0, fmt.Errorf("evidence: %w", err)
	}
	return sum, n, nil
}

// OpenEvidence opens a stored file for an organization: only a file that
// one of the organization's items names can be read, so one tenant cannot
// fetch another's files by hash.
func (s *Store) OpenEvidence(ctx context.Context, org, sum string) (io.ReadSeekCloser, error) {
	if !shaPattern.MatchString(sum) {
		return nil, fmt.Errorf("evidence %s: %w", sum, ErrNotFound)
	}
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM items WHERE org_id = $1 AND data LIKE $2`, org, `%"sha256":"`+sum+`"%`).Scan(&n); err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, fmt.Errorf("evidence %s: %w", sum, ErrNotFound)
	}
	f, err := os.Open(s.blobPath(sum))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("evidence %s: file missing: %w", sum, ErrNotFound)
	}
	return f, err
}
