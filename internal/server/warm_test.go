package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/cloudisms/cloudisms/examples"
	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/server"
	"github.com/cloudisms/cloudisms/internal/store"
)

// The first whole-ISMS load after a start runs in the background: /readyz
// answers ready only once it is done, and by then the check a dashboard
// shows is computed, not left to the first request.
func TestWarmUpBeforeReady(t *testing.T) {
	ctx := context.Background()
	s, err := store.Open(ctx, "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	m, err := bundle.Decode("sample-saas.yaml", examples.SaaS)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Import(ctx, "sample", m, "setup"); err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC) }
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	hs, err := server.Build(s, log, now, server.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(hs.Main)
	defer srv.Close()
	hs.WarmUp(ctx, log)
	// Generous: the warm-up is quick, but the machine may be slow.
	deadline := time.Now().Add(2 * time.Minute)
	for {
		res, err := http.Get(srv.URL + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode == http.StatusOK {
			break
		}
		if res.StatusCode != http.StatusServiceUnavailable || time.Now().After(deadline) {
			t.Fatalf("readyz during warm-up: %d", res.StatusCode)
		}
		time.Sleep(20 * time.Millisecond)
	}
	computed := false
	if _, _, err := s.Derived(ctx, "sample", "check "+isms.DateOf(now()).String(), func(*isms.ISMS) any { computed = true; return nil }); err != nil {
		t.Fatal(err)
	}
	if computed {
		t.Error("ready before the check was computed")
	}
}
