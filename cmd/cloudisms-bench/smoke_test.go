package main

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/server"
	"github.com/cloudisms/cloudisms/internal/store"
)

// benchServer is an in-process server on the sample ISMS with a member
// to sign in as: its URL and the member's API token.
func benchServer(t *testing.T) (string, string) {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	src, err := os.ReadFile("../../examples/sample-saas.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m, err := bundle.Decode("sample", src)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Import(ctx, "sample", m, "setup"); err != nil {
		t.Fatal(err)
	}
	u, err := s.CreateUser(ctx, "bench@example.com", "bench", "en", "a long enough password")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.AddMember(ctx, "sample", u.ID, "admin", "p-isms"); err != nil {
		t.Fatal(err)
	}
	token, _, err := s.CreateToken(ctx, u.ID, "bench", time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	h, err := server.Handler(s, slog.New(slog.NewTextHandler(io.Discard, nil)), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL, token
}

// TestOpsSmoke runs the ops scenario briefly against an in-process server
// on the sample ISMS: every kind of request is made and none fails. (The
// load runs themselves are scripts/bench-mix.sh, not part of go test.)
func TestOpsSmoke(t *testing.T) {
	ctx := context.Background()
	url, token := benchServer(t)
	cfg, err := parseFlags([]string{"-url", url, "-org", "sample", "-token", token, "-scenario", "ops",
		"-email", "bench@example.com", "-password", "a long enough password", "-clients", "4", "-requests", "40", "-duration", "0", "-edit-keys", "8"})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := run(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	// An edit that loses the race for its risk twice (four clients on
	// eight risks) is the scenario's own outcome, counted and reported,
	// not a failure of the server: any other error is.
	lost := rep.Reasons["edit: HTTP 409 after a retry"]
	if rep.Overall.Count != 40 || rep.Overall.Errors != lost {
		t.Errorf("%d requests, %d errors: %v", rep.Overall.Count, rep.Overall.Errors, rep.Reasons)
	}
	seen := map[string]bool{}
	for _, k := range rep.Kinds {
		seen[k.Kind] = k.Count > 0
	}
	for _, k := range scenarios["ops"] {
		if !seen[k] {
			t.Errorf("no %s request was made", k)
		}
	}
}

// TestStaticSmoke runs the static scenario briefly: the dashboard's bytes,
// served by the bench tool's own handler, every request answered.
func TestStaticSmoke(t *testing.T) {
	url, token := benchServer(t)
	cfg, err := parseFlags([]string{"-url", url, "-org", "sample", "-token", token, "-scenario", "static",
		"-email", "bench@example.com", "-password", "a long enough password", "-clients", "4", "-requests", "40", "-duration", "0"})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Overall.Count != 40 || rep.Overall.Errors != 0 || len(rep.Kinds) != 1 || rep.Kinds[0].Kind != kindStatic {
		t.Errorf("%d requests, %d errors, kinds %v: %v", rep.Overall.Count, rep.Overall.Errors, rep.Kinds, rep.Reasons)
	}
}

// TestWarmupNotCounted: the load of -warmup is sent but not reported; the
// report counts the measured run alone and says how long the warm-up was.
func TestWarmupNotCounted(t *testing.T) {
	url, token := benchServer(t)
	args := []string{"-url", url, "-org", "sample", "-token", token, "-scenario", "mix", "-clients", "2", "-requests", "10", "-duration", "0"}
	if _, err := parseFlags(append(args, "-warmup", "-1s")); err == nil {
		t.Error("a negative warm-up was taken")
	}
	cfg, err := parseFlags(append(args, "-warmup", "300ms"))
	if err != nil {
		t.Fatal(err)
	}
	started := time.Now()
	rep, err := run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if time.Since(started) < 300*time.Millisecond {
		t.Errorf("the run took %v, less than its warm-up", time.Since(started))
	}
	if rep.Overall.Count != 10 || rep.Warmup != 0.3 {
		t.Errorf("%d requests counted (want 10), warm-up %v s", rep.Overall.Count, rep.Warmup)
	}
	var out strings.Builder
	if err := rep.writeTable(&out); err != nil || !strings.Contains(out.String(), "after 0.3s of warm-up") {
		t.Errorf("the table does not say the warm-up: %q %v", out.String(), err)
	}
}
