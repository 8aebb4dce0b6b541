package store_test

import (
	"strings"
	"testing"
	"time"

	"github.com/cloudisms/cloudisms/internal/store/storetest"
)

// EvidenceRecords answers an organization's own files only, with size,
// uploader and time, on every backend.
func TestEvidenceRecords(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			s, _ := b.Open(t)
			for _, org := range []string{"a", "b"} {
				if err := s.CreateOrg(ctx, org, org); err != nil {
					t.Fatal(err)
				}
			}
			before := time.Now().Add(-time.Minute)
			ev, err := s.SaveEvidence(ctx, "a", "yamada@example.com", strings.NewReader("議事録 2026"))
			if err != nil {
				t.Fatal(err)
			}
			recs, err := s.EvidenceRecords(ctx, "a")
			if err != nil {
				t.Fatal(err)
			}
			r, ok := recs[ev.SHA256]
			if !ok || len(recs) != 1 || r.Size != int64(len("議事録 2026")) || r.UploadedBy != "yamada@example.com" || r.UploadedAt.Before(before) {
				t.Fatalf("records of a: %+v", recs)
			}
			if other, err := s.EvidenceRecords(ctx, "b"); err != nil || len(other) != 0 {
				t.Errorf("another organization sees %v (%v)", other, err)
			}
		})
	}
}
