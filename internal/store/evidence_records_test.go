package store_test

import (
	"strings"
	"testing"
	"time"

	"github.com/cloudisms/cloudisms/internal/store/storetest"
)

// EvidenceRecords answers an organization's own files only, with size,
// uploader and time (the first upload: when the evidence was collected)
// and the last upload of the same content, on every backend.
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
			if !r.LastUploadedAt.Equal(r.UploadedAt) || r.LastUploadedBy != "yamada@example.com" {
				t.Errorf("uploaded once: the last upload is the first: %+v", r)
			}
			// The same content again, later and by someone else: the file
			// was collected at the first upload; the repeat is recorded as
			// the last upload.
			time.Sleep(5 * time.Millisecond)
			if _, err := s.SaveEvidence(ctx, "a", "suzuki@example.com", strings.NewReader("議事録 2026")); err != nil {
				t.Fatal(err)
			}
			recs, _ = s.EvidenceRecords(ctx, "a")
			again := recs[ev.SHA256]
			if !again.UploadedAt.Equal(r.UploadedAt) || again.UploadedBy != "yamada@example.com" {
				t.Errorf("a repeated upload changed the first: %+v, was %+v", again, r)
			}
			if !again.LastUploadedAt.After(r.UploadedAt) || again.LastUploadedBy != "suzuki@example.com" {
				t.Errorf("the repeated upload is not recorded: %+v", again)
			}
			if other, err := s.EvidenceRecords(ctx, "b"); err != nil || len(other) != 0 {
				t.Errorf("another organization sees %v (%v)", other, err)
			}
		})
	}
}
