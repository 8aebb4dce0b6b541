// Command cloudisms-bench drives a running cloudisms server with concurrent
// clients and reports, per request kind and overall, the number of
// requests, errors, conflicts, throughput and latency percentiles.
//
//	cloudisms-bench -url http://127.0.0.1:8080 -org big -token cis_… -scenario list -clients 64 -duration 20s
//
// Scenarios:
//
//	list  the first page of the risk list
//	check the conformity check
//	mix   in turn: the risk list, a risk, the check, the summary and an edit
//	      (GET then PUT with If-Match on one of a few risks, retried once
//	      on 409); the edits mark the titles of the first -edit-keys risks
//	      of the list, so run it on a copy of real data
//	ops   the fixed mix of the README's table: in turn the dashboard, the
//	      risk register page, the SoA page (web pages, signed in with
//	      -email and -password), the API's check and an edit
//	static the dashboard's bytes (fetched once, signed in with -email and
//	      -password) served by a plain handler in this process: the
//	      yardstick of the ops scenario's throughput (static.go)
//
// Every client stops by itself once -duration has passed or -requests
// operations have been started, whichever comes first. A request in flight
// at the deadline is allowed to finish.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"text/tabwriter"
	"time"
)

// Request kinds, in report order.
const (
	kindList    = "list"
	kindGet     = "get"
	kindCheck   = "check"
	kindSummary = "summary"
	kindEdit    = "edit"
)

var kindOrder = []string{kindStatic, kindDashboard, kindRiskPage, kindSoAPage, kindList, kindGet, kindCheck, kindSummary, kindEdit}

// scenarios name the cycle of operations each client repeats.
var scenarios = map[string][]string{
	"list":   {kindList},
	"check":  {kindCheck},
	"mix":    {kindList, kindGet, kindCheck, kindSummary, kindEdit},
	"ops":    {kindDashboard, kindRiskPage, kindSoAPage, kindCheck, kindEdit},
	"static": {kindStatic},
}

type config struct {
	url      string
	org      string
	token    string
	scenario string
	clients  int
	duration time.Duration
	warmup   time.Duration
	requests int64
	timeout  time.Duration
	asOf     string
	editKeys int
	json     bool
	email    string
	password string
}

func main() {
	cfg, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "cloudisms-bench:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	go func() {
		// The first interrupt ends the run (requests in flight finish and
		// are reported); the next one kills the program.
		<-ctx.Done()
		stop()
	}()
	rep, err := run(ctx, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "cloudisms-bench:", err)
		os.Exit(1)
	}
	if cfg.json {
		err = rep.writeJSON(os.Stdout)
	} else {
		err = rep.writeTable(os.Stdout)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "cloudisms-bench:", err)
		os.Exit(1)
	}
}

func parseFlags(args []string) (config, error) {
	var c config
	fs := flag.NewFlagSet("cloudisms-bench", flag.ContinueOnError)
	fs.StringVar(&c.url, "url", "http://127.0.0.1:8080", "base URL of the running server")
	fs.StringVar(&c.org, "org", "", "organization id (required)")
	fs.StringVar(&c.token, "token", os.Getenv("CLOUDISMS_TOKEN"), "API token (default $CLOUDISMS_TOKEN)")
	fs.StringVar(&c.scenario, "scenario", "list", "list, check, mix, ops or static")
	fs.IntVar(&c.clients, "clients", 64, "concurrent clients")
	fs.DurationVar(&c.duration, "duration", 20*time.Second, "how long to run (0: until -requests are done)")
	fs.DurationVar(&c.warmup, "warmup", 0, "load sent before the measured run and not counted (the server's connections and caches warm up)")
	fs.Int64Var(&c.requests, "requests", 0, "operations in all (0: unbounded within -duration)")
	fs.DurationVar(&c.timeout, "timeout", 5*time.Minute, "timeout of one request")
	fs.StringVar(&c.asOf, "as-of", "2026-11-01", "as_of date of the check and the summary")
	fs.IntVar(&c.editKeys, "edit-keys", 8, "how many risks the mix scenario edits (fewer: more conflicts)")
	fs.BoolVar(&c.json, "json", false, "report as JSON")
	fs.StringVar(&c.email, "email", "", "user to sign in as for the web pages (ops scenario)")
	fs.StringVar(&c.password, "password", os.Getenv("CLOUDISMS_PASSWORD"), "their password (default $CLOUDISMS_PASSWORD)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	switch {
	case fs.NArg() > 0:
		return c, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	case c.org == "":
		return c, errors.New("-org is required")
	case c.token == "":
		return c, errors.New("-token (or CLOUDISMS_TOKEN) is required")
	case scenarios[c.scenario] == nil:
		return c, fmt.Errorf("-scenario %q: want list, check, mix, ops or static", c.scenario)
	case (c.scenario == "ops" || c.scenario == "static") && (c.email == "" || c.password == ""):
		return c, fmt.Errorf("the %s scenario opens web pages: give -email and -password (or CLOUDISMS_PASSWORD)", c.scenario)
	case c.clients < 1:
		return c, errors.New("-clients must be at least 1")
	case c.duration < 0 || c.requests < 0 || c.warmup < 0:
		return c, errors.New("-duration, -requests and -warmup must not be negative")
	case c.duration == 0 && c.requests == 0:
		return c, errors.New("set -duration or -requests: the run must end")
	case c.editKeys < 1:
		return c, errors.New("-edit-keys must be at least 1")
	}
	c.url = strings.TrimRight(c.url, "/")
	return c, nil
}

// run prepares the keys the scenario needs, runs the clients and merges
// their samples into a report.
func run(ctx context.Context, cfg config) (*report, error) {
	cl := newClient(cfg)
	keys, err := cl.riskKeys(ctx)
	if err != nil {
		return nil, err
	}
	if cfg.scenario == "ops" || cfg.scenario == "static" {
		if err := cl.login(); err != nil {
			return nil, err
		}
	}
	if cfg.scenario == "static" {
		st, err := cl.startStatic()
		if err != nil {
			return nil, err
		}
		defer st.close()
		cl.staticURL = st.url
	}
	if len(keys) == 0 && (cfg.scenario == "mix" || cfg.scenario == "ops") {
		return nil, fmt.Errorf("organization %s has no risks to get and edit", cfg.org)
	}
	workers := make([]*worker, cfg.clients)
	for i := range workers {
		workers[i] = &worker{id: i, cl: cl, keys: keys, editKeys: keys[:min(cfg.editKeys, len(keys))],
			ops: scenarios[cfg.scenario], rnd: rand.New(rand.NewPCG(uint64(i), 1))}
	}
	if cfg.warmup > 0 {
		// The same clients run the scenario first, unrecorded; their
		// edits go on numbering from there.
		wb := newBudget(ctx, cfg.warmup, 0)
		if reason := drive(workers, wb); reason != "" {
			return nil, fmt.Errorf("warm-up: %s", reason)
		}
	}
	b := newBudget(ctx, cfg.duration, cfg.requests)
	start := time.Now()
	recs := make([]*recorder, cfg.clients)
	for i, w := range workers {
		recs[i] = newRecorder()
		w.rec = recs[i]
	}
	reason := drive(workers, b)
	rep := newReport(cfg, time.Since(start), recs)
	rep.StoppedEarly = reason
	return rep, nil
}

// drive runs every worker within the budget and says why the run stopped
// early ("" when it did not).
func drive(workers []*worker, b *budget) string {
	defer b.stop()
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Go(func() { w.loop(b) })
	}
	wg.Wait()
	return b.haltReason()
}

// budget says whether a client may start another operation.
type budget struct {
	ctx    context.Context
	stop   context.CancelFunc
	left   atomic.Int64
	capped bool
	halted atomic.Pointer[string] // why the run stopped early
}

func newBudget(ctx context.Context, d time.Duration, n int64) *budget {
	b := &budget{capped: n > 0}
	b.left.Store(n)
	if d > 0 {
		b.ctx, b.stop = context.WithTimeout(ctx, d)
	} else {
		b.ctx, b.stop = context.WithCancel(ctx)
	}
	return b
}

// next takes one operation from the budget; false once time or operations
// have run out.
func (b *budget) next() bool {
	if b.ctx.Err() != nil {
		return false
	}
	return !b.capped || b.left.Add(-1) >= 0
}

// halt ends the run early for every client, keeping the first reason.
func (b *budget) halt(reason string) {
	b.halted.CompareAndSwap(nil, &reason)
	b.stop()
}

// haltReason is why the run stopped early ("" when it did not).
func (b *budget) haltReason() string {
	if r := b.halted.Load(); r != nil {
		return *r
	}
	return ""
}

// client sends the API requests.
type client struct {
	cfg     config
	http    *http.Client
	base    string       // .../api/v1/orgs/{org}
	session *http.Cookie // for the web pages
	// staticURL is the static scenario's page (static.go).
	staticURL string
}

func newClient(cfg config) *client {
	tr := &http.Transport{
		MaxIdleConns:        cfg.clients * 2,
		MaxIdleConnsPerHost: cfg.clients * 2,
		IdleConnTimeout:     90 * time.Second,
	}
	return &client{cfg: cfg, http: &http.Client{Transport: tr, Timeout: cfg.timeout},
		base: cfg.url + "/api/v1/orgs/" + url.PathEscape(cfg.org)}
}

// result is the outcome of one HTTP request.
type result struct {
	status int
	etag   string
	body   []byte
}

// do sends one request and reads the whole response; keep says whether to
// keep the body (otherwise it is read and discarded).
func (c *client) do(method, path string, body []byte, keep bool, header ...string) (result, error) {
	// Requests are not bound to the run's deadline: one in flight is
	// allowed to finish, so that its latency is measured.
	req, err := http.NewRequest(method, c.base+path, bytes.NewReader(body))
	if err != nil {
		return result{}, err
	}
	req.Header.Set("Authorization", "Bearer "+c.cfg.token)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return result{}, err
	}
	defer resp.Body.Close()
	r := result{status: resp.StatusCode, etag: resp.Header.Get("ETag")}
	if keep || r.status >= 300 {
		r.body, err = io.ReadAll(resp.Body)
	} else {
		_, err = io.Copy(io.Discard, resp.Body)
	}
	return r, err
}

// riskKeys reads the first page of the risk list (up to 500) before the
// run, which also checks the URL, the token and the organization.
func (c *client) riskKeys(ctx context.Context) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r, err := c.do("GET", "/items/risks?limit=500", nil, true)
	if err != nil {
		return nil, fmt.Errorf("preflight: %w", err)
	}
	if r.status != http.StatusOK {
		return nil, fmt.Errorf("preflight: GET risks: %d %s", r.status, snippet(r.body))
	}
	var page struct {
		Items []struct {
			Key string `json:"key"`
		} `json:"items"`
	}
	if err := json.Unmarshal(r.body, &page); err != nil {
		return nil, fmt.Errorf("preflight: risk list: %w", err)
	}
	keys := make([]string, len(page.Items))
	for i, it := range page.Items {
		keys[i] = it.Key
	}
	return keys, nil
}

func snippet(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// outcome is what one operation did, for the recorder.
type outcome struct {
	err       string // "" when it succeeded
	conflicts int    // 409s that were retried
	down      bool   // the server refused the connection: it is not running
}

func statusErr(r result, what string) outcome {
	return outcome{err: fmt.Sprintf("%s: HTTP %d", what, r.status)}
}

// transportErr describes a failed request without what differs from one
// connection to the next (addresses, ports), so that like errors add up.
func transportErr(err error, what string) outcome {
	o := outcome{down: errors.Is(err, syscall.ECONNREFUSED)}
	var op *net.OpError
	var ue *url.Error
	switch {
	case errors.As(err, &op):
		inner := op.Err
		var se *os.SyscallError
		if errors.As(inner, &se) {
			inner = se.Err
		}
		o.err = what + ": " + op.Op + ": " + inner.Error()
	case errors.As(err, &ue):
		o.err = what + ": " + ue.Err.Error()
	default:
		o.err = what + ": " + err.Error()
	}
	return o
}

// simple runs one GET whose only expected answer is 200.
func (c *client) simple(path, what string) outcome {
	r, err := c.do("GET", path, nil, false)
	switch {
	case err != nil:
		return transportErr(err, what)
	case r.status/100 != 2:
		return statusErr(r, what)
	}
	return outcome{}
}

func (c *client) list() outcome { return c.simple("/items/risks?limit=50", kindList) }

func (c *client) get(key string) outcome {
	return c.simple("/items/risks/"+url.PathEscape(key), kindGet)
}

func (c *client) check() outcome {
	return c.simple("/check?as_of="+url.QueryEscape(c.cfg.asOf), kindCheck)
}

func (c *client) summary() outcome {
	return c.simple("/summary?as_of="+url.QueryEscape(c.cfg.asOf), kindSummary)
}

// edit changes a risk's title: GET for the data and ETag, PUT with
// If-Match; a 409 (another client won the race) is retried once.
func (c *client) edit(key, mark string) outcome {
	var o outcome
	for attempt := 0; ; attempt++ {
		status, failed := c.editOnce(key, mark)
		switch {
		case failed.err != "":
			failed.conflicts = o.conflicts
			return failed
		case status == http.StatusConflict && attempt == 0:
			o.conflicts++
			continue
		case status == http.StatusConflict:
			o.conflicts++
			o.err = "edit: HTTP 409 after a retry"
		case status/100 != 2:
			o.err = fmt.Sprintf("edit: PUT HTTP %d", status)
		}
		return o
	}
}

// editOnce is one GET and PUT; it returns the PUT's status, or the failed
// outcome when the GET, the item or the transport failed.
func (c *client) editOnce(key, mark string) (int, outcome) {
	path := "/items/risks/" + url.PathEscape(key)
	g, err := c.do("GET", path, nil, true)
	if err != nil {
		return 0, transportErr(err, "edit: GET")
	}
	if g.status != http.StatusOK {
		return 0, statusErr(g, "edit: GET")
	}
	body, err := retitle(g.body, mark)
	if err != nil {
		return 0, outcome{err: "edit: " + err.Error()}
	}
	p, err := c.do("PUT", path, body, false, "If-Match", g.etag)
	if err != nil {
		return 0, transportErr(err, "edit: PUT")
	}
	return p.status, outcome{}
}

// benchMark separates a risk's title from the mark the bench appends.
const benchMark = " · bench "

// retitle takes an item as GET returns it and gives its data with the
// title marked anew; every other field is kept as it is.
func retitle(item []byte, mark string) ([]byte, error) {
	var it struct {
		Data map[string]json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(item, &it); err != nil || it.Data == nil {
		return nil, fmt.Errorf("item without data: %v", err)
	}
	var title string
	json.Unmarshal(it.Data["title"], &title)
	title, _, _ = strings.Cut(title, benchMark)
	t, _ := json.Marshal(title + benchMark + mark)
	it.Data["title"] = t
	return json.Marshal(it.Data)
}

// worker is one client's loop.
type worker struct {
	id       int
	cl       *client
	keys     []string
	editKeys []string
	ops      []string
	rec      *recorder
	rnd      *rand.Rand
	n        int
}

func (w *worker) loop(b *budget) {
	for i := w.id; b.next(); i++ {
		kind := w.ops[i%len(w.ops)]
		start := time.Now()
		o := w.op(kind)
		if w.rec != nil { // nil: warming up
			w.rec.add(kind, time.Since(start), o)
		}
		if o.down {
			// Requests to a server that is gone fail at once and would
			// swamp the figures of the run so far.
			b.halt("the server refused a connection (" + o.err + ")")
		}
	}
}

func (w *worker) op(kind string) outcome {
	switch kind {
	case kindStatic:
		return w.cl.static()
	case kindDashboard:
		return w.cl.page("/", kindDashboard)
	case kindRiskPage:
		return w.cl.page("/risks", kindRiskPage)
	case kindSoAPage:
		return w.cl.page("/soa", kindSoAPage)
	case kindList:
		return w.cl.list()
	case kindGet:
		return w.cl.get(w.keys[w.rnd.IntN(len(w.keys))])
	case kindCheck:
		return w.cl.check()
	case kindSummary:
		return w.cl.summary()
	case kindEdit:
		w.n++
		return w.cl.edit(w.editKeys[w.rnd.IntN(len(w.editKeys))], fmt.Sprintf("%d-%d", w.id, w.n))
	}
	panic("unknown kind " + kind)
}

// samples are one kind's outcomes.
type samples struct {
	lat       []time.Duration
	errors    int
	conflicts int
	reasons   map[string]int
}

// recorder keeps one client's samples (no locking: one goroutine).
type recorder struct{ kinds map[string]*samples }

func newRecorder() *recorder { return &recorder{kinds: map[string]*samples{}} }

func (r *recorder) add(kind string, d time.Duration, o outcome) {
	s := r.kinds[kind]
	if s == nil {
		s = &samples{reasons: map[string]int{}}
		r.kinds[kind] = s
	}
	s.lat = append(s.lat, d)
	s.conflicts += o.conflicts
	if o.err != "" {
		s.errors++
		s.reasons[o.err]++
	}
}

func (s *samples) merge(o *samples) {
	s.lat = append(s.lat, o.lat...)
	s.errors += o.errors
	s.conflicts += o.conflicts
	for k, v := range o.reasons {
		s.reasons[k] += v
	}
}

// stats are the figures of one row of the report.
type stats struct {
	Kind      string  `json:"kind"`
	Count     int     `json:"count"`
	Errors    int     `json:"errors"`
	Conflicts int     `json:"conflicts"`
	RPS       float64 `json:"requests_per_second"`
	P50       float64 `json:"p50_ms"`
	P95       float64 `json:"p95_ms"`
	P99       float64 `json:"p99_ms"`
	Max       float64 `json:"max_ms"`
}

func newStats(kind string, s *samples, elapsed time.Duration) stats {
	slices.Sort(s.lat)
	st := stats{Kind: kind, Count: len(s.lat), Errors: s.errors, Conflicts: s.conflicts}
	if elapsed > 0 {
		st.RPS = math.Round(float64(st.Count)/elapsed.Seconds()*100) / 100
	}
	st.P50, st.P95, st.P99 = percentile(s.lat, 50), percentile(s.lat, 95), percentile(s.lat, 99)
	if n := len(s.lat); n > 0 {
		st.Max = ms(s.lat[n-1])
	}
	return st
}

// percentile of sorted latencies, nearest-rank, in milliseconds.
func percentile(sorted []time.Duration, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	return ms(sorted[max(i, 0)])
}

func ms(d time.Duration) float64 { return math.Round(float64(d)/1e4) / 100 }

// report is the merged result of a run.
type report struct {
	URL      string  `json:"url"`
	Org      string  `json:"org"`
	Scenario string  `json:"scenario"`
	Clients  int     `json:"clients"`
	Elapsed  float64 `json:"elapsed_seconds"`
	// Warmup is the unrecorded load before the run.
	Warmup  float64        `json:"warmup_seconds,omitempty"`
	Kinds   []stats        `json:"kinds"`
	Overall stats          `json:"overall"`
	Reasons map[string]int `json:"error_reasons,omitempty"`
	// StoppedEarly says why the run ended before its time or requests.
	StoppedEarly string `json:"stopped_early,omitempty"`
}

func newReport(cfg config, elapsed time.Duration, recs []*recorder) *report {
	all := &samples{reasons: map[string]int{}}
	rep := &report{URL: cfg.url, Org: cfg.org, Scenario: cfg.scenario, Clients: cfg.clients, Warmup: cfg.warmup.Seconds(),
		Elapsed: math.Round(elapsed.Seconds()*1000) / 1000, Kinds: []stats{}}
	for _, kind := range kindOrder {
		s := &samples{reasons: map[string]int{}}
		for _, r := range recs {
			if k := r.kinds[kind]; k != nil {
				s.merge(k)
			}
		}
		if len(s.lat) == 0 {
			continue
		}
		all.merge(s)
		rep.Kinds = append(rep.Kinds, newStats(kind, s, elapsed))
	}
	rep.Overall = newStats("overall", all, elapsed)
	if len(all.reasons) > 0 {
		rep.Reasons = all.reasons
	}
	return rep
}

func (r *report) writeJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// maxReasons is how many error reasons the table shows.
const maxReasons = 10

func (r *report) writeTable(w io.Writer) error {
	warm := ""
	if r.Warmup > 0 {
		warm = fmt.Sprintf(" after %gs of warm-up", r.Warmup)
	}
	fmt.Fprintf(w, "scenario %s, org %s, %d clients, %.1fs%s, %s\n", r.Scenario, r.Org, r.Clients, r.Elapsed, warm, r.URL)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "kind    \tcount\terrors\tconflicts\treq/s\tp50 ms\tp95 ms\tp99 ms\tmax ms\t")
	for _, s := range append(slices.Clone(r.Kinds), r.Overall) {
		fmt.Fprintf(tw, "%-8s\t%d\t%d\t%d\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t\n",
			s.Kind, s.Count, s.Errors, s.Conflicts, s.RPS, s.P50, s.P95, s.P99, s.Max)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if r.StoppedEarly != "" {
		fmt.Fprintf(w, "  STOPPED EARLY: %s\n", r.StoppedEarly)
	}
	// The most frequent error reasons, most frequent first.
	reasons := make([]string, 0, len(r.Reasons))
	for k := range r.Reasons {
		reasons = append(reasons, k)
	}
	sort.Slice(reasons, func(i, j int) bool {
		a, b := reasons[i], reasons[j]
		return r.Reasons[a] > r.Reasons[b] || r.Reasons[a] == r.Reasons[b] && a < b
	})
	for i, k := range reasons {
		if i == maxReasons {
			fmt.Fprintf(w, "  … and %d more error reasons (see -json)\n", len(reasons)-i)
			break
		}
		fmt.Fprintf(w, "  error %s × %d\n", k, r.Reasons[k])
	}
	return nil
}
