// Package server assembles the HTTP server: the API, health and readiness,
// metrics, request logging and timeouts.
package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cloudisms/cloudisms/internal/api"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/web"
)

// Timeouts of the connection's stages; each request's own body size, read,
// work and write times are set per kind of request by DefaultLimits
// (limits.go), which extend ReadTimeout and WriteTimeout for bulk requests.
const (
	ReadHeaderTimeout = 10 * time.Second
	ReadTimeout       = 60 * time.Second
	WriteTimeout      = 120 * time.Second
	IdleTimeout       = 120 * time.Second
	ShutdownTimeout   = 20 * time.Second
	MaxHeaderBytes    = 64 << 10
	readyTimeout      = 2 * time.Second
)

// Handler returns the whole HTTP handler: the API, the web UI, health and
// metrics, with cross-origin protection on every unsafe method.
func Handler(s *store.Store, log *slog.Logger, now func() time.Time) (http.Handler, error) {
	m := newMetrics()
	ui, err := web.New(s, log, now)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/api/", api.New(s, log, now))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := s.Ping(ctx); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, "database unavailable")
			return
		}
		fmt.Fprintln(w, "ready")
	})
	mux.HandleFunc("GET /metrics", m.serve)
	mux.Handle("/", ui)
	csrf := http.NewCrossOriginProtection()
	return withLimits(m.wrap(logRequests(log, securityHeaders(csrf.Handler(mux)))), DefaultLimits), nil
}

// New returns an http.Server with every timeout set.
func New(addr string, h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Addr: addr, Handler: h,
		ReadHeaderTimeout: ReadHeaderTimeout, ReadTimeout: ReadTimeout,
		WriteTimeout: WriteTimeout, IdleTimeout: IdleTimeout, MaxHeaderBytes: MaxHeaderBytes,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// Run serves until ctx ends, then shuts down gracefully.
func Run(ctx context.Context, srv *http.Server, log *slog.Logger) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	log.Info("listening", "addr", srv.Addr)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
	defer cancel()
	return srv.Shutdown(sctx)
}

func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("X-Frame-Options", "DENY")
		w.Header().Set("Referrer-Policy", "same-origin")
		h.ServeHTTP(w, r)
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

func logRequests(log *slog.Logger, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		h.ServeHTTP(sw, r)
		log.Info("request", "method", r.Method, "path", r.URL.Path, "status", sw.status, "ms", time.Since(start).Milliseconds())
	})
}

// metrics counts requests, errors and latencies for /metrics in the
// Prometheus text format.
type metrics struct {
	mu       sync.Mutex
	requests map[string]*atomic.Int64 // "method status" → count
	buckets  []float64
	counts   []atomic.Int64 // latency histogram, cumulative on output
	sum      atomic.Int64   // microseconds
	total    atomic.Int64
}

func newMetrics() *metrics {
	b := []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5}
	return &metrics{requests: map[string]*atomic.Int64{}, buckets: b, counts: make([]atomic.Int64, len(b))}
}

func (m *metrics) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		h.ServeHTTP(sw, r)
		d := time.Since(start).Seconds()
		key := r.Method + " " + strconv.Itoa(sw.status)
		m.mu.Lock()
		c := m.requests[key]
		if c == nil {
			c = &atomic.Int64{}
			m.requests[key] = c
		}
		m.mu.Unlock()
		c.Add(1)
		for i, b := range m.buckets {
			if d <= b {
				m.counts[i].Add(1)
				break
			}
		}
		m.sum.Add(int64(d * 1e6))
		m.total.Add(1)
	})
}

func (m *metrics) serve(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	var b strings.Builder
	b.WriteString("# HELP cloudisms_http_requests_total HTTP requests by method and status.\n# TYPE cloudisms_http_requests_total counter\n")
	m.mu.Lock()
	keys := make([]string, 0, len(m.requests))
	for k := range m.requests {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	errors := int64(0)
	for _, k := range keys {
		method, status, _ := strings.Cut(k, " ")
		n := m.requests[k].Load()
		if strings.HasPrefix(status, "5") {
			errors += n
		}
		fmt.Fprintf(&b, "cloudisms_http_requests_total{method=%q,status=%q} %d\n", method, status, n)
	}
	m.mu.Unlock()
	b.WriteString("# HELP cloudisms_http_errors_total HTTP responses with a 5xx status.\n# TYPE cloudisms_http_errors_total counter\n")
	fmt.Fprintf(&b, "cloudisms_http_errors_total %d\n", errors)
	b.WriteString("# HELP cloudisms_http_request_duration_seconds Request latency.\n# TYPE cloudisms_http_request_duration_seconds histogram\n")
	var cum int64
	for i, bound := range m.buckets {
		cum += m.counts[i].Load()
		fmt.Fprintf(&b, "cloudisms_http_request_duration_seconds_bucket{le=\"%g\"} %d\n", bound, cum)
	}
	fmt.Fprintf(&b, "cloudisms_http_request_duration_seconds_bucket{le=\"+Inf\"} %d\n", m.total.Load())
	fmt.Fprintf(&b, "cloudisms_http_request_duration_seconds_sum %g\n", float64(m.sum.Load())/1e6)
	fmt.Fprintf(&b, "cloudisms_http_request_duration_seconds_count %d\n", m.total.Load())
	w.Write([]byte(b.String()))
}
