package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cloudisms/cloudisms/internal/store/storetest"
)

// proxy forwards TCP connections to a target and can play a database
// that went away: cut closes every open connection and refuses new ones
// (accepted and closed at once) until resume. The machine's PostgreSQL is
// never stopped: other tests use it at the same time.
type proxy struct {
	l      net.Listener
	target string
	down   atomic.Bool
	mu     sync.Mutex
	conns  map[net.Conn]bool
}

func newProxy(t *testing.T, target string) *proxy {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{l: l, target: target, conns: map[net.Conn]bool{}}
	go p.serve()
	t.Cleanup(func() { l.Close(); p.cut() })
	return p
}

func (p *proxy) addr() string { return p.l.Addr().String() }

func (p *proxy) serve() {
	for {
		c, err := p.l.Accept()
		if err != nil {
			return
		}
		if p.down.Load() {
			c.Close()
			continue
		}
		go p.pipe(c)
	}
}

func (p *proxy) pipe(c net.Conn) {
	up, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	p.conns[c], p.conns[up] = true, true
	p.mu.Unlock()
	go func() { io.Copy(up, c); up.Close() }()
	io.Copy(c, up)
	c.Close()
}

func (p *proxy) cut() {
	p.down.Store(true)
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		c.Close()
	}
	p.conns = map[net.Conn]bool{}
}

func (p *proxy) resume() { p.down.Store(false) }

// viaProxy points a PostgreSQL URL at the proxy.
func viaProxy(t *testing.T, dsn, addr string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	u.Host = addr
	return u.String()
}

// TestDatabaseOutage cuts the server's PostgreSQL connections under load
// and refuses new ones: /readyz goes unready, requests fail fast with 503,
// and when the database is back the same server process recovers by
// itself.
func TestDatabaseOutage(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped in -short mode: it builds cloudisms and runs a server")
	}
	if storetest.PostgresURL() == "" {
		t.Skip("CLOUDISMS_TEST_POSTGRES is not set: set it to a PostgreSQL URL to run the outage test")
	}
	bin := buildCLI(t)
	dsn := storetest.FreshSchema(t)
	u, _ := url.Parse(dsn)
	px := newProxy(t, u.Host)
	data := t.TempDir() // files never go to the working directory
	token := setupOrg(t, bin, []string{"--database", dsn, "--data", data})
	srv := startServer(t, bin, []string{"--database", viaProxy(t, dsn, px.addr()), "--data", data})
	c := &apiClient{base: srv.url + "/api/v1/orgs/" + crashOrg, token: token, http: &http.Client{Timeout: 30 * time.Second}}

	// Load: readers and a writer, counting answers by status.
	ctx, stop := context.WithCancel(context.Background())
	var mu sync.Mutex
	statuses := map[int]int{}
	var slowest time.Duration
	var odd []string // answers other than 200, 201 and 503, to say which
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for n := 0; ctx.Err() == nil; n++ {
				start := time.Now()
				var st int
				var body []byte
				var err error
				what := "POST /items/risks"
				if w == 0 {
					st, _, body, err = c.do("POST", "/items/risks", map[string]any{"id": fmt.Sprintf("o-%d", n), "title": "outage", "treatment": "retain", "owner": "p-isms"})
				} else {
					what = "GET " + []string{"/items/risks/r-01", "/check", "/items/risks?limit=20"}[w%3]
					st, _, body, err = c.do("GET", what[4:], nil)
				}
				d := time.Since(start)
				if err != nil {
					st = -1
				}
				mu.Lock()
				statuses[st]++
				if st != http.StatusOK && st != http.StatusCreated && st != http.StatusServiceUnavailable && len(odd) < 5 {
					odd = append(odd, fmt.Sprintf("%s: %d %.300s", what, st, body))
				}
				slowest = max(slowest, d)
				mu.Unlock()
				time.Sleep(5 * time.Millisecond)
			}
		})
	}
	time.Sleep(500 * time.Millisecond)

	px.cut()
	cutAt := time.Now()
	mu.Lock()
	statuses, slowest = map[int]int{}, 0
	mu.Unlock()
	waitStatus(t, srv.url+"/readyz", http.StatusServiceUnavailable, 10*time.Second)
	t.Logf("unready %v after the cut", time.Since(cutAt).Round(time.Millisecond))
	time.Sleep(2 * time.Second)
	mu.Lock()
	during, slow := statuses, slowest
	statuses, slowest = map[int]int{}, 0
	mu.Unlock()
	t.Logf("during the outage: statuses %v, slowest answer %v", during, slow)
	mu.Lock()
	for _, o := range odd {
		t.Log(o)
	}
	mu.Unlock()
	for st, n := range during {
		if st != http.StatusServiceUnavailable && st != http.StatusOK && st != http.StatusCreated {
			t.Errorf("during the outage: %d answers with status %d (want 503)", n, st)
		}
	}
	if during[http.StatusServiceUnavailable] == 0 {
		t.Error("no 503 during the outage")
	}
	if slow > 7*time.Second {
		t.Errorf("a request took %v during the outage: requests must fail fast", slow)
	}
	// An answer during the outage says what happened, in the error shape.
	if st, h, body, _ := c.do("GET", "/items/risks/r-01", nil, "Accept-Language", "en"); st != http.StatusServiceUnavailable ||
		!strings.Contains(string(body), `"unavailable"`) || h.Get("Retry-After") == "" {
		t.Errorf("GET during the outage: %d %s", st, body)
	}
	// A signed-in browser opening the home page is told the same, not sent
	// to a login page that cannot work.
	for _, path := range []string{"/", "/orgs/" + crashOrg + "/"} {
		req, _ := http.NewRequest("GET", srv.url+path, nil)
		req.AddCookie(&http.Cookie{Name: "cloudisms_session", Value: "any-session"})
		noRedirect := &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		res, err := noRedirect.Do(req)
		if err != nil {
			t.Errorf("GET %s during the outage: %v", path, err)
			continue
		}
		res.Body.Close()
		if res.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("GET %s during the outage: status %d, want 503", path, res.StatusCode)
		}
	}

	px.resume()
	back := time.Now()
	waitStatus(t, srv.url+"/readyz", http.StatusOK, 15*time.Second)
	t.Logf("ready again %v after the database came back", time.Since(back).Round(time.Millisecond))
	// Connections cut in the pool are found dead at their next use (a
	// 503 each); a moment later every answer is good again.
	time.Sleep(500 * time.Millisecond)
	mu.Lock()
	t.Logf("while the pool renews its connections: statuses %v", statuses)
	statuses = map[int]int{}
	mu.Unlock()
	time.Sleep(time.Second)
	stop()
	wg.Wait()
	t.Logf("after the recovery: statuses %v", statuses)
	if statuses[http.StatusServiceUnavailable] > 0 || statuses[http.StatusOK] == 0 {
		t.Errorf("after recovery: statuses %v", statuses)
	}
	select {
	case <-srv.done:
		t.Fatal("the server exited")
	default:
	}
	srv.stop(t)
	if out, err := runCLI(bin, nil, "history", "verify", "--database", dsn, "--data", data); err != nil {
		t.Errorf("history verify after the outage: %v\n%s", err, out)
	}
}

// waitStatus polls url until it answers want.
func waitStatus(t *testing.T, url string, want int, within time.Duration) {
	t.Helper()
	cl := &http.Client{Timeout: 5 * time.Second}
	deadline := time.Now().Add(within)
	last := 0
	for time.Now().Before(deadline) {
		if res, err := cl.Get(url); err == nil {
			res.Body.Close()
			last = res.StatusCode
			if last == want {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s did not answer %d within %v (last %d)", url, want, within, last)
}

// TestStorageFull runs the server on SQLite with a small file size limit
// (RLIMIT_FSIZE through prlimit: it works unprivileged, unlike mounting a
// small file system, and root is not exempt, unlike file modes). Writes
// that do not fit fail with a clear 507 and a log line; every write
// acknowledged before stays, and the database passes integrity_check.
func TestStorageFull(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped in -short mode: it builds cloudisms and runs a server")
	}
	prlimit, err := exec.LookPath("prlimit")
	if err != nil {
		t.Skip("prlimit (util-linux) is not installed")
	}
	bin := buildCLI(t)
	dir := t.TempDir()
	token := setupOrg(t, bin, []string{"--data", dir})
	db := filepath.Join(dir, "cloudisms.db")
	st, err := os.Stat(db)
	if err != nil {
		t.Fatal(err)
	}
	limit := st.Size() + 256<<10
	wrapper := filepath.Join(t.TempDir(), "cloudisms-limited")
	script := fmt.Sprintf("#!/bin/sh\nexec %s --fsize=%d -- %s \"$@\"\n", prlimit, limit, bin)
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	srv := startServer(t, wrapper, []string{"--data", dir})
	c := &apiClient{base: srv.url + "/api/v1/orgs/" + crashOrg, token: token, http: &http.Client{Timeout: 30 * time.Second}}
	acked := map[string]string{}
	var full []byte
	big := strings.Repeat("容量テスト ", 2000) // about 30 KB a risk
	for n := 0; n < 200; n++ {
		id := fmt.Sprintf("full-%d", n)
		status, _, body, err := c.do("POST", "/items/risks", map[string]any{"id": id, "title": "full " + id + big, "treatment": "retain", "owner": "p-isms"}, "Accept-Language", "en")
		if err != nil {
			t.Fatalf("POST %s: %v", id, err)
		}
		if status == http.StatusCreated {
			acked[id] = "full " + id + big
			continue
		}
		if status != http.StatusInsufficientStorage {
			t.Fatalf("POST %s when the disk is full: %d %s", id, status, body)
		}
		full = body
		break
	}
	if full == nil {
		t.Fatalf("200 writes of 30 KB fit under a %d byte limit", limit)
	}
	t.Logf("%d writes acknowledged before the limit; then: %s", len(acked), full)
	// The crash user's language is Japanese.
	if !strings.Contains(string(full), `"code":"storage"`) || !strings.Contains(string(full), "何も保存されていません") {
		t.Errorf("the error does not tell the user: %s", full)
	}
	// The server keeps serving reads.
	if status, _, body, _ := c.do("GET", "/items/risks/r-01", nil); status != http.StatusOK {
		t.Errorf("a read when the disk is full: %d %s", status, body)
	}
	srv.kill(t)
	if !strings.Contains(srv.log.String(), "storage: a write failed") {
		t.Errorf("the log does not say the storage failed:\n%s", srv.logTail())
	}
	integrityCheck(t, db)

	// Without the limit, every acknowledged write is there and writing
	// works again.
	srv = startServer(t, bin, []string{"--data", dir})
	c.base = srv.url + "/api/v1/orgs/" + crashOrg
	for id, title := range acked {
		if it, err := getRisk(c, id); err != nil || it.Data.Title != title {
			t.Errorf("%s after the disk was full: %v %v", id, it, err)
		}
	}
	if status, _, body, _ := c.do("POST", "/items/risks", map[string]any{"id": "after-full", "title": "after", "treatment": "retain", "owner": "p-isms"}); status != http.StatusCreated {
		t.Errorf("a write after space returned: %d %s", status, body)
	}
	srv.stop(t)
	if out, err := runCLI(bin, nil, "history", "verify", "--data", dir); err != nil {
		t.Errorf("history verify: %v\n%s", err, out)
	}
}

// TestKillDuringImport SIGKILLs a cloudisms import of a large bundle at
// several moments: the organization holds either the whole old ISMS or the
// whole new one, never a mix; the history verifies; on SQLite the file
// passes integrity_check.
func TestKillDuringImport(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped in -short mode: it builds cloudisms and kills imports")
	}
	bin := buildCLI(t)
	big := filepath.Join(t.TempDir(), "big.yaml")
	if out, err := runCLI(bin, nil, "generate", "--risks", "8000", "--assets", "2000", "--services", "20", "-o", big); err != nil {
		t.Fatalf("generate: %v\n%s", err, out)
	}
	backends := map[string]func(t *testing.T) []string{
		"sqlite": func(t *testing.T) []string { return []string{"--data", t.TempDir()} },
		"postgres": func(t *testing.T) []string {
			if storetest.PostgresURL() == "" {
				t.Skip("CLOUDISMS_TEST_POSTGRES is not set")
			}
			return []string{"--database", storetest.FreshSchema(t), "--data", t.TempDir()}
		},
	}
	for _, name := range []string{"sqlite", "postgres"} {
		t.Run(name, func(t *testing.T) {
			storeArgs := backends[name](t)
			setupOrg(t, bin, storeArgs)
			before := riskCount(t, bin, storeArgs)
			outcomes := map[string]int{}
			for _, delay := range []time.Duration{200 * time.Millisecond, 600 * time.Millisecond, 1200 * time.Millisecond, 2500 * time.Millisecond} {
				cmd := exec.Command(bin, append([]string{"import", big, "--org", crashOrg}, storeArgs...)...)
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				done := make(chan error, 1)
				go func() { done <- cmd.Wait() }()
				finished := false
				select {
				case <-time.After(delay):
					cmd.Process.Kill()
					<-done
				case <-done:
					finished = true
				}
				n := riskCount(t, bin, storeArgs)
				switch {
				case n == before:
					outcomes["old"]++
				case n == 8000:
					outcomes["new"]++
					before = n // later imports of the same file change nothing
				default:
					t.Fatalf("after a kill at %v: %d risks, neither the old %d nor the new 8000 (half imported)", delay, n, before)
				}
				if finished {
					outcomes["finished before the kill"]++
				}
				if out, err := runCLI(bin, nil, append([]string{"history", "verify"}, storeArgs...)...); err != nil {
					t.Fatalf("history verify after a kill at %v: %v\n%s", delay, err, out)
				}
				if name == "sqlite" {
					integrityCheck(t, filepath.Join(storeArgs[1], "cloudisms.db"))
				}
			}
			t.Logf("outcomes: %v", outcomes)
		})
	}
}

// riskCount counts the risks of the crash organization from its summary.
func riskCount(t *testing.T, bin string, storeArgs []string) int {
	t.Helper()
	out, err := exec.Command(bin, append([]string{"summary", "--org", crashOrg, "--format", "json"}, storeArgs...)...).Output()
	if err != nil {
		t.Fatalf("summary: %v", err)
	}
	var s struct {
		Risks []json.RawMessage `json:"risks"`
	}
	if err := json.Unmarshal(out, &s); err != nil || len(s.Risks) == 0 {
		t.Fatalf("summary: %v %s", err, out[:min(len(out), 400)])
	}
	return len(s.Risks)
}
