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

func metricsServer(t *testing.T, o server.Options) *server.Handlers {
	t.Helper()
	s, err := store.Open(context.Background(), "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	h, err := server.Build(s, slog.New(slog.NewTextHandler(io.Discard, nil)), time.Now, o)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func fetch(t *testing.T, method, url string, header ...string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// TestMetricsLabelsBounded is issue 10's item 9: 200 requests with long,
// distinct methods and paths made /metrics 10 MB (a label per method,
// never freed). Labels now come from fixed sets: the method or "other",
// the route pattern or "unmatched", and the status.
func TestMetricsLabelsBounded(t *testing.T) {
	h := metricsServer(t, server.Options{})
	srv := httptest.NewServer(h.Main)
	defer srv.Close()
	for i := range 200 {
		method := strings.Repeat("X", 10_000) + strings.Repeat("Y", i%26+1)
		fetch(t, method, srv.URL+"/nowhere/"+strings.Repeat("p", i))
		fetch(t, "GET", srv.URL+"/api/v1/orgs/org"+strings.Repeat("o", i)+"/items/risks/r"+strings.Repeat("1", i))
	}
	_, body := fetch(t, "GET", srv.URL+"/metrics")
	if len(body) > 8<<10 {
		t.Errorf("/metrics is %d bytes after 400 hostile requests", len(body))
	}
	for _, want := range []string{
		`cloudisms_http_requests_total{method="other",route="unmatched",status="404"} 200`,
		`cloudisms_http_requests_total{method="GET",route="/api/v1/orgs/{org}/items/{kind}/{key...}",status="401"} 200`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("no %s in:\n%s", want, body)
		}
	}
	if strings.Contains(body, "XXXX") || strings.Contains(body, "org"+"oo") {
		t.Errorf("request text in the labels:\n%.2000s", body)
	}
}

// TestMetricsProtected: with a token, /metrics asks for it; apart, the main
// handler does not serve it and the metrics handler does.
func TestMetricsProtected(t *testing.T) {
	h := metricsServer(t, server.Options{MetricsToken: "s3cret-token", MetricsApart: true})
	main := httptest.NewServer(h.Main)
	defer main.Close()
	apart := httptest.NewServer(h.Metrics)
	defer apart.Close()
	if st, _ := fetch(t, "GET", main.URL+"/metrics", "Authorization", "Bearer s3cret-token"); st != http.StatusNotFound {
		t.Errorf("main handler with metrics apart: %d", st)
	}
	for _, c := range []struct {
		auth string
		want int
	}{{"", 401}, {"Bearer wrong", 401}, {"Bearer s3cret-token-longer", 401}, {"Bearer s3cret-token", 200}} {
		st, body := fetch(t, "GET", apart.URL+"/metrics", "Authorization", c.auth)
		if st != c.want {
			t.Errorf("Authorization %q: %d, want %d", c.auth, st, c.want)
		}
		if st == 200 && !strings.Contains(body, "cloudisms_http_request_duration_seconds_count") {
			t.Errorf("metrics body: %s", body)
		}
	}
	if st, _ := fetch(t, "GET", apart.URL+"/login"); st != http.StatusNotFound {
		t.Errorf("the metrics listener serves other pages: %d", st)
	}
	// A token alone, on the main handler.
	h = metricsServer(t, server.Options{MetricsToken: "tok"})
	only := httptest.NewServer(h.Main)
	defer only.Close()
	if st, _ := fetch(t, "GET", only.URL+"/metrics"); st != http.StatusUnauthorized {
		t.Errorf("no token: %d", st)
	}
	if st, _ := fetch(t, "GET", only.URL+"/metrics", "Authorization", "Bearer tok"); st != http.StatusOK {
		t.Errorf("token: %d", st)
	}
}

// TestProfilingOnlyApart: Go's profiles are served on the metrics listener
// when asked for, behind its token, and never on the main address.
func TestProfilingOnlyApart(t *testing.T) {
	h := metricsServer(t, server.Options{MetricsToken: "tok", MetricsApart: true, Profiling: true})
	main := httptest.NewServer(h.Main)
	defer main.Close()
	apart := httptest.NewServer(h.Metrics)
	defer apart.Close()
	if st, body := fetch(t, "GET", main.URL+"/debug/pprof/", "Authorization", "Bearer tok"); strings.Contains(body, "goroutine") {
		t.Errorf("main address serves profiles: %d", st)
	}
	if st, _ := fetch(t, "GET", apart.URL+"/debug/pprof/"); st != http.StatusUnauthorized {
		t.Errorf("profiles without the token: %d", st)
	}
	st, body := fetch(t, "GET", apart.URL+"/debug/pprof/goroutine?debug=1", "Authorization", "Bearer tok")
	if st != http.StatusOK || !strings.Contains(body, "goroutine profile") {
		t.Errorf("goroutine profile: %d %.200s", st, body)
	}
	// Without the option, the metrics listener has no profiles.
	h = metricsServer(t, server.Options{MetricsApart: true})
	plain := httptest.NewServer(h.Metrics)
	defer plain.Close()
	if st, _ := fetch(t, "GET", plain.URL+"/debug/pprof/"); st != http.StatusNotFound {
		t.Errorf("profiles without --pprof: %d", st)
	}
}
