package store_test

import (
	"errors"
	"io"
	"strings"
	"syscall"
	"testing"

	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/store/blob"
)

// brokenBody gives some bytes, then the error a request body gives when
// its sender stops or its connection breaks.
type brokenBody struct {
	r   io.Reader
	err error
}

func (b *brokenBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err == io.EOF {
		return n, b.err
	}
	return n, err
}

// TestEvidenceUploadIncomplete: an upload whose body breaks off is
// reported as incomplete (the client's failure, not the database's or the
// object storage's), and leaves no claim and no object, in a directory
// and in a bucket.
func TestEvidenceUploadIncomplete(t *testing.T) {
	for _, ob := range objectStores() {
		for _, cut := range []error{io.ErrUnexpectedEOF, syscall.ECONNRESET} {
			t.Run(ob.name+"/"+cut.Error(), func(t *testing.T) {
				objects := ob.open(t)
				s := openWith(t, "sqlite", "", t.TempDir(), objects)
				m, _ := sample(t, "sample-saas.yaml")
				if _, err := s.Import(ctx, "a", m, "setup"); err != nil {
					t.Fatal(err)
				}
				_, err := s.SaveEvidence(ctx, "a", "alice", &brokenBody{r: strings.NewReader(strings.Repeat("途中まで ", 10_000)), err: cut})
				if !errors.Is(err, store.ErrUploadIncomplete) || store.ObjectsFailed(err) {
					t.Fatalf("a broken-off upload: %v (incomplete %v, objects failed %v)", err, errors.Is(err, store.ErrUploadIncomplete), store.ObjectsFailed(err))
				}
				if got := owners(t, s); len(got) != 0 {
					t.Errorf("claims after a broken-off upload: %q", got)
				}
				var n int
				if err := store.DBOf(s).QueryRow(`SELECT COUNT(*) FROM evidence_owners`).Scan(&n); err != nil || n != 0 {
					t.Errorf("pending claims after a broken-off upload: %d %v", n, err)
				}
				objects.List(ctx, "", func(o blob.Object) error {
					t.Errorf("an object after a broken-off upload: %s", o.Key)
					return nil
				})
				// A whole upload afterwards is stored as usual.
				if _, err := s.SaveEvidence(ctx, "a", "alice", strings.NewReader("whole")); err != nil {
					t.Errorf("a whole upload afterwards: %v", err)
				}
			})
		}
	}
}
