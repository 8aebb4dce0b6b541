// Package server assembles the HTTP server: the API, health and readiness,
// metrics, request logging and timeouts.
package server

import (
	"context"
	"crypto/subtle"
	"fmt"
	"github.com/cloudisms/cloudisms/internal/mail"
	"log/slog"
	"net/http"
	"net/http/pprof"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cloudisms/cloudisms/internal/api"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/passkey"
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
	h, err := Build(s, log, now, Options{})
	if err != nil {
		return nil, err
	}
	return h.Main, nil
}

// Options configure the server beyond its defaults.
type Options struct {
	// MetricsToken, when set, is asked of /metrics as a bearer token
	// (Authorization: Bearer TOKEN); without it /metrics answers 401.
	MetricsToken string
	// MetricsApart serves /metrics only from Handlers.Metrics (on an
	// address of its own, e.g. one only the monitoring network reaches);
	// the main handler then answers 404 there.
	MetricsApart bool
	// Mail sends what the web pages mail (invitations); BaseURL is the
	// public address links in mails point to.
	Mail    mail.Sender
	BaseURL string
	// PublicURL is the address people reach the server at, which
	// passkeys belong to (their relying party): https://HOST[:PORT], or
	// http://localhost:PORT. "" or an address passkeys cannot use (an IP
	// address, http elsewhere than localhost) turns passkeys off, said
	// in the log.
	PublicURL string
	// Profiling serves Go's profiles (/debug/pprof/) on the metrics
	// listener, behind its token: only with MetricsApart, so that they are
	// never reachable on the public address.
	Profiling bool
}

// Handlers are what Build makes: the main handler, and /metrics alone for
// a listener of its own.
type Handlers struct {
	Main, Metrics http.Handler
	// UI is the web UI, for the work it does in the background (digests).
	UI *web.App

	store   *store.Store
	now     func() time.Time
	loading *atomic.Bool // the first load after start is running
}

// WarmUp loads every organization's ISMS, with its check and summary, in
// the background; until it is done /readyz answers 503 "loading", so that
// a load balancer sends no request to wait for a whole-ISMS load. A
// failure is logged and ends the warm-up: requests then load on demand,
// as without it.
func (h *Handlers) WarmUp(ctx context.Context, log *slog.Logger) {
	h.loading.Store(true)
	go func() {
		defer h.loading.Store(false)
		start := time.Now()
		if err := h.store.Warm(ctx, isms.DateOf(h.now())); err != nil {
			log.Warn("warm-up", "err", err, "took", time.Since(start))
			return
		}
		log.Info("warm-up done", "took", time.Since(start))
	}()
}

// Build makes the server's handlers with the given options.
func Build(s *store.Store, log *slog.Logger, now func() time.Time, o Options) (*Handlers, error) {
	m := newMetrics()
	ui, err := web.New(s, log, now)
	if err != nil {
		return nil, err
	}
	ui.Mail, ui.BaseURL = o.Mail, o.BaseURL
	if o.PublicURL != "" {
		rp, err := passkey.New(o.PublicURL, s)
		if err != nil {
			log.Warn("passkeys off", "reason", err.Error())
		} else {
			ui.Passkeys = rp
			log.Info("passkeys", "origin", rp.Origin, "rp_id", rp.ID)
		}
	}
	metricsPage := protectMetrics(http.HandlerFunc(m.serve), o.MetricsToken)
	loading := &atomic.Bool{}
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
		if loading.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, "loading")
			return
		}
		fmt.Fprintln(w, "ready")
	})
	if o.MetricsApart {
		mux.Handle("/metrics", http.NotFoundHandler())
	} else {
		mux.Handle("GET /metrics", metricsPage)
	}
	mux.Handle("/", ui)
	csrf := http.NewCrossOriginProtection()
	apart := http.NewServeMux()
	apart.Handle("GET /metrics", metricsPage)
	if o.Profiling && o.MetricsApart {
		// A CPU profile takes its ?seconds (at most the work bound) to answer.
		apart.Handle("GET /debug/pprof/", protectMetrics(http.HandlerFunc(pprof.Index), o.MetricsToken))
		apart.Handle("GET /debug/pprof/profile", protectMetrics(http.HandlerFunc(pprof.Profile), o.MetricsToken))
		apart.Handle("GET /debug/pprof/trace", protectMetrics(http.HandlerFunc(pprof.Trace), o.MetricsToken))
	}
	return &Handlers{
		Main:    withLimits(m.wrap(logRequests(log, securityHeaders(csrf.Handler(mux)))), DefaultLimits),
		Metrics: withLimits(securityHeaders(apart), DefaultLimits),
		UI:      ui,
		store:   s, now: now, loading: loading,
	}, nil
}

// protectMetrics asks for the bearer token when one is set.
func protectMetrics(h http.Handler, token string) http.Handler {
	if token == "" {
		return h
	}
	want := []byte("Bearer " + token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="cloudisms metrics"`)
			http.Error(w, "401 unauthorized: /metrics needs its bearer token", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
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
		if api.IsHTTPS(r) {
			// Served over HTTPS (directly, or as a trusted proxy says):
			// browsers are to keep to HTTPS for a year.
			w.Header().Set("Strict-Transport-Security", "max-age=31536000")
		}
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
// Prometheus text format. Its labels come from fixed sets only, so that no
// client can make it grow: the method (one of metricMethods, "other" for
// the rest), the route pattern that served the request (from the
// server's own routing table; "unmatched" when none did) and the status.
type metrics struct {
	mu       sync.Mutex
	requests map[requestKey]*atomic.Int64
	buckets  []float64
	counts   []atomic.Int64 // latency histogram, cumulative on output
	sum      atomic.Int64   // microseconds
	total    atomic.Int64
}

type requestKey struct{ method, route, status string }

// metricMethods are the methods counted by name.
var metricMethods = map[string]bool{"GET": true, "HEAD": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true, "OPTIONS": true}

func newMetrics() *metrics {
	b := []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5}
	return &metrics{requests: map[requestKey]*atomic.Int64{}, buckets: b, counts: make([]atomic.Int64, len(b))}
}

// labels gives a finished request's labels. The route is the pattern the
// innermost router matched (ServeMux records it on the request), without
// its method, which has its own label.
func labels(r *http.Request, status int) requestKey {
	k := requestKey{method: "other", route: "unmatched", status: "other"}
	if metricMethods[r.Method] {
		k.method = r.Method
	}
	if p := r.Pattern; p != "" {
		if _, path, ok := strings.Cut(p, " "); ok {
			p = path
		}
		k.route = p
	}
	if status == 0 {
		status = http.StatusOK
	}
	if status >= 100 && status <= 599 {
		k.status = strconv.Itoa(status)
	}
	return k
}

func (m *metrics) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		h.ServeHTTP(sw, r)
		d := time.Since(start).Seconds()
		key := labels(r, sw.status)
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
	b.WriteString("# HELP cloudisms_http_requests_total HTTP requests by method, route pattern and status.\n# TYPE cloudisms_http_requests_total counter\n")
	m.mu.Lock()
	keys := make([]requestKey, 0, len(m.requests))
	for k := range m.requests {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.route != b.route {
			return a.route < b.route
		}
		if a.method != b.method {
			return a.method < b.method
		}
		return a.status < b.status
	})
	errors := int64(0)
	for _, k := range keys {
		n := m.requests[k].Load()
		if strings.HasPrefix(k.status, "5") {
			errors += n
		}
		fmt.Fprintf(&b, "cloudisms_http_requests_total{method=%q,route=%q,status=%q} %d\n", k.method, k.route, k.status, n)
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
