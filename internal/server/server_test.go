package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cloudisms/cloudisms/internal/server"
	"github.com/cloudisms/cloudisms/internal/store"
)

func TestHealthReadyMetrics(t *testing.T) {
	s, err := store.Open(context.Background(), "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	h, err := server.Handler(s, slog.New(slog.NewTextHandler(io.Discard, nil)), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	get := func(path string) (int, string, http.Header) {
		res, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b), res.Header
	}
	if code, body, _ := get("/healthz"); code != 200 || !strings.Contains(body, "ok") {
		t.Errorf("healthz: %d %s", code, body)
	}
	if code, _, _ := get("/readyz"); code != 200 {
		t.Errorf("readyz: %d", code)
	}
	if code, body, h := get("/login"); code != 200 || !strings.Contains(body, "<form") || h.Get("X-Frame-Options") != "DENY" {
		t.Errorf("login page: %d %s", code, body)
	}
	get("/api/v1/me") // a 401, counted
	code, body, _ := get("/metrics")
	for _, want := range []string{`cloudisms_http_requests_total{method="GET",route="/api/v1/me",status="401"} 1`, "cloudisms_http_request_duration_seconds_bucket", "cloudisms_http_errors_total 0"} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q:\n%s", want, body)
		}
	}
	if code != 200 {
		t.Errorf("metrics: %d", code)
	}
	// When the database stops answering, the server is not ready.
	s.Close()
	if code, _, _ := get("/readyz"); code != 503 {
		t.Errorf("readyz with a closed database: %d", code)
	}
}
