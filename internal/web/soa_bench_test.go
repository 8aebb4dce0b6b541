package web_test

import (
	"context"
	"net/http"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/store"
)

// benchSite is the UI over the sample organization on SQLite with one
// signed-in manager, for benchmarks of single handlers.
func benchSite(b *testing.B) (http.Handler, string) {
	b.Helper()
	src, err := os.ReadFile("../../examples/sample-saas.yaml")
	if err != nil {
		b.Fatal(err)
	}
	m, err := bundle.Decode("sample-saas.yaml", src)
	if err != nil {
		b.Fatal(err)
	}
	h, tok, _ := benchUI(b, "sample", m)
	return h, tok
}

// benchUI is the UI over one organization holding m on SQLite, with one
// signed-in ISMS manager (person p-isms), and its store.
func benchUI(b *testing.B, org string, m *isms.ISMS) (http.Handler, string, *store.Store) {
	b.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, "", b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	if _, err := s.Import(ctx, org, m, "setup"); err != nil {
		b.Fatal(err)
	}
	app := newApp(b, s, testNow)
	acc, err := s.CreateUser(ctx, "manager@example.com", "manager@example.com", "ja", password)
	if err != nil {
		b.Fatal(err)
	}
	if err := s.AddMember(ctx, org, acc.ID, "isms-manager", "p-isms"); err != nil {
		b.Fatal(err)
	}
	tok, err := s.CreateSession(ctx, acc.ID, time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	return app, tok, s
}

// cpuTime is the CPU time the process has used: on a shared machine the
// server's work per request, where wall time also counts the waits for a
// core.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkSoAPage is the sample organization's SoA page, as a signed-in
// manager sees it, after a first request has loaded the ISMS and its
// check: server time per page (ns/op, and the CPU it took, cpu-ms/op) and
// the page's size (bytes/page; the goal is under 60 KB and 5 ms).
func BenchmarkSoAPage(b *testing.B) {
	h, tok := benchSite(b)
	benchPage(b, h, tok, "/orgs/sample/soa")
}
