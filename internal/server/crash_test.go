package server_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/cloudisms/cloudisms/internal/store/storetest"
)

// The crash test: a real cloudisms server under concurrent writes is
// killed with SIGKILL, restarted on the same database, and every write it
// acknowledged must still be there, the history chain must verify and, on
// SQLite, the database file must pass integrity_check.

const (
	crashOrg      = "crash"
	crashEmail    = "crash@example.com"
	crashWriters  = 6 // clients creating risks
	crashUpdaters = 2 // clients updating one risk each
	crashLoad     = time.Second
)

func TestCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test skipped in -short mode: it builds cloudisms and SIGKILLs a running server")
	}
	if runtime.GOOS == "windows" {
		t.Skip("crash test needs SIGKILL and SIGINT semantics (not on Windows)")
	}
	bin := buildCLI(t)
	t.Run("sqlite", func(t *testing.T) {
		dir := t.TempDir()
		crashRecovery(t, bin, []string{"--data", dir})
		integrityCheck(t, filepath.Join(dir, "cloudisms.db"))
	})
	t.Run("postgres", func(t *testing.T) {
		if storetest.PostgresURL() == "" {
			t.Skip("CLOUDISMS_TEST_POSTGRES is not set: set it to a PostgreSQL URL to run the crash test on PostgreSQL")
		}
		crashRecovery(t, bin, []string{"--database", storetest.FreshSchema(t), "--data", t.TempDir()})
	})
}

// buildCLI builds the cloudisms command into a temporary directory.
func buildCLI(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	bin := filepath.Join(t.TempDir(), "cloudisms")
	out, err := exec.Command(goTool, "build", "-o", bin, "github.com/cloudisms/cloudisms/cmd/cloudisms").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func crashRecovery(t *testing.T, bin string, storeArgs []string) {
	token := setupOrg(t, bin, storeArgs)

	srv := startServer(t, bin, storeArgs)
	c := &apiClient{base: srv.url + "/api/v1/orgs/" + crashOrg, token: token,
		http: &http.Client{Timeout: 10 * time.Second}}
	acked := runLoadAndKill(t, c, srv)
	if len(acked.created) == 0 {
		t.Fatalf("no write was acknowledged in %v of load; server log:\n%s", crashLoad, srv.logTail())
	}
	t.Logf("acknowledged before SIGKILL: %d creates, %d updates", len(acked.created), acked.updates())

	srv = startServer(t, bin, storeArgs)
	c.base = srv.url + "/api/v1/orgs/" + crashOrg
	checkAcked(t, c, acked)
	srv.stop(t)

	if out, err := runCLI(bin, nil, append([]string{"history", "verify"}, storeArgs...)...); err != nil {
		t.Errorf("history verify after the crash: %v\n%s", err, out)
	}
}

// setupOrg imports the sample ISMS and creates an admin; it returns the
// admin's API token.
func setupOrg(t *testing.T, bin string, storeArgs []string) string {
	t.Helper()
	steps := [][]string{
		{"import", filepath.Join("..", "..", "examples", "sample-saas.yaml"), "--org", crashOrg},
		{"user", "add", crashEmail, "--name", "Crash"},
		{"member", "add", "--org", crashOrg, "--email", crashEmail, "--role", "admin"},
	}
	env := []string{"CLOUDISMS_PASSWORD=crash-test-password"}
	for _, args := range steps {
		if out, err := runCLI(bin, env, append(args, storeArgs...)...); err != nil {
			t.Fatalf("cloudisms %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	cmd := exec.Command(bin, append([]string{"token", "create", "--email", crashEmail, "--name", "crash"}, storeArgs...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	token := strings.TrimSpace(string(out))
	if err != nil || !strings.HasPrefix(token, "cis_") {
		t.Fatalf("cloudisms token create: %v, token %q\n%s", err, token, stderr.String())
	}
	return token
}

func runCLI(bin string, env []string, args ...string) ([]byte, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	return cmd.CombinedOutput()
}

// crashServer is a running cloudisms serve process.
type crashServer struct {
	cmd  *exec.Cmd
	url  string
	log  *syncBuffer
	done chan struct{} // closed when the process has exited
}

func startServer(t *testing.T, bin string, storeArgs []string) *crashServer {
	t.Helper()
	addr := freeAddr(t)
	s := &crashServer{url: "http://" + addr, log: &syncBuffer{}, done: make(chan struct{})}
	s.cmd = exec.Command(bin, append([]string{"serve", "--listen", addr}, storeArgs...)...)
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.cmd.Wait(); close(s.done) }()
	t.Cleanup(func() {
		s.cmd.Process.Kill()
		<-s.done
	})
	s.waitReady(t)
	return s
}

// freeAddr finds a loopback address nobody listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func (s *crashServer) waitReady(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			t.Fatalf("the server exited before it was ready:\n%s", s.logTail())
		default:
		}
		if res, err := http.Get(s.url + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("the server was not ready after 15s:\n%s", s.logTail())
}

// kill ends the server at once, as a crash or an OOM kill would.
func (s *crashServer) kill(t *testing.T) {
	t.Helper()
	if err := s.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-s.done
}

// stop shuts the server down gracefully (SIGINT).
func (s *crashServer) stop(t *testing.T) {
	t.Helper()
	s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		t.Errorf("the server did not stop within 10s of SIGINT")
	}
}

func (s *crashServer) logTail() string {
	b := s.log.String()
	if len(b) > 4000 {
		b = "…" + b[len(b)-4000:]
	}
	return b
}

// syncBuffer is a bytes.Buffer safe for the process's two output pipes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// apiClient calls the items API of the crash organization.
type apiClient struct {
	base, token string
	http        *http.Client
}

func (c *apiClient) do(method, path string, body any, header ...string) (int, http.Header, []byte, error) {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, nil, err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, r)
	if err != nil {
		return 0, nil, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := c.http.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, b, err
}

// ackedUpdate is the last acknowledged update of a risk.
type ackedUpdate struct {
	version int64
	title   string
}

// acked holds every write the server acknowledged with a 2xx status.
type acked struct {
	mu      sync.Mutex
	created map[string]string      // risk id → title
	updated map[string]ackedUpdate // risk id → last acknowledged update
	n       int                    // acknowledged updates in all
}

func (a *acked) create(id, title string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.created[id] = title
}

func (a *acked) update(id string, u ackedUpdate) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.updated[id] = u
	a.n++
}

func (a *acked) updates() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.n
}

// runLoadAndKill runs the writers, SIGKILLs the server after crashLoad and
// returns what was acknowledged. Writers stop at their first failed request
// after the kill.
func runLoadAndKill(t *testing.T, c *apiClient, srv *crashServer) *acked {
	t.Helper()
	ack := &acked{created: map[string]string{}, updated: map[string]ackedUpdate{}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errs := make(chan error, crashWriters+crashUpdaters)
	var wg sync.WaitGroup
	for w := range crashWriters {
		wg.Go(func() { errs <- createLoop(ctx, c, w, ack) })
	}
	for u := range crashUpdaters {
		id := fmt.Sprintf("r-%02d", u+1)
		wg.Go(func() { errs <- updateLoop(ctx, c, id, ack) })
	}
	time.Sleep(crashLoad)
	// Writers learn of the kill first, so that the failures it causes are
	// not taken for errors; requests in flight stay in flight.
	cancel()
	srv.kill(t)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("before the kill: %v", err)
		}
	}
	return ack
}

// createLoop creates risks c-<client>-<n> until ctx ends. A failed request
// while ctx is live is an error; after, the kill explains it.
func createLoop(ctx context.Context, c *apiClient, client int, ack *acked) error {
	for n := 0; ; n++ {
		id := fmt.Sprintf("c-%d-%d", client, n)
		title := fmt.Sprintf("crash test %d/%d", client, n)
		status, _, body, err := c.do("POST", "/items/risks", map[string]any{"id": id, "title": title, "treatment": "retain", "owner": "p-isms"})
		if ctx.Err() != nil {
			if err == nil && status == http.StatusCreated {
				ack.create(id, title)
			}
			return nil
		}
		if err != nil {
			return fmt.Errorf("POST %s: %v", id, err)
		}
		if status != http.StatusCreated {
			return fmt.Errorf("POST %s: %d %s", id, status, body)
		}
		ack.create(id, title)
	}
}

// updateLoop retitles one risk with GET and PUT If-Match until ctx ends.
func updateLoop(ctx context.Context, c *apiClient, id string, ack *acked) error {
	for n := 0; ; n++ {
		status, h, body, err := c.do("GET", "/items/risks/"+id, nil)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil || status != http.StatusOK {
			return fmt.Errorf("GET %s: %d %v %s", id, status, err, body)
		}
		var it struct {
			Data map[string]any `json:"data"`
		}
		if err := json.Unmarshal(body, &it); err != nil {
			return fmt.Errorf("GET %s: %v", id, err)
		}
		title := fmt.Sprintf("crash test update %d", n)
		it.Data["title"] = title
		status, h, body, err = c.do("PUT", "/items/risks/"+id, it.Data, "If-Match", h.Get("ETag"))
		if err == nil && status == http.StatusOK {
			var out struct {
				Version int64 `json:"version"`
			}
			json.Unmarshal(body, &out)
			ack.update(id, ackedUpdate{version: out.Version, title: title})
			continue
		}
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("PUT %s: %d %v %s", id, status, err, body)
	}
}

// checkAcked reads back every acknowledged write from the restarted server.
func checkAcked(t *testing.T, c *apiClient, ack *acked) {
	t.Helper()
	missing := 0
	for id, title := range ack.created {
		it, err := getRisk(c, id)
		switch {
		case err != nil:
			missing++
			if missing <= 10 {
				t.Errorf("acknowledged create of %s lost: %v", id, err)
			}
		case it.Data.Title != title:
			t.Errorf("%s: title %q, acknowledged %q", id, it.Data.Title, title)
		}
	}
	if missing > 0 {
		t.Errorf("%d of %d acknowledged creates lost", missing, len(ack.created))
	}
	for id, u := range ack.updated {
		it, err := getRisk(c, id)
		switch {
		case err != nil:
			t.Errorf("%s: %v", id, err)
		case it.Version < u.version:
			t.Errorf("%s at version %d, but version %d was acknowledged", id, it.Version, u.version)
		case it.Version == u.version && it.Data.Title != u.title:
			t.Errorf("%s version %d: title %q, acknowledged %q", id, u.version, it.Data.Title, u.title)
		}
	}
}

type storedRisk struct {
	Version int64 `json:"version"`
	Data    struct {
		Title string `json:"title"`
	} `json:"data"`
}

func getRisk(c *apiClient, id string) (storedRisk, error) {
	var it storedRisk
	status, _, body, err := c.do("GET", "/items/risks/"+id, nil)
	if err != nil {
		return it, err
	}
	if status != http.StatusOK {
		return it, fmt.Errorf("GET: %d %s", status, body)
	}
	return it, json.Unmarshal(body, &it)
}

// integrityCheck runs SQLite's PRAGMA integrity_check on the database file.
func integrityCheck(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query("PRAGMA integrity_check")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		problems = append(problems, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(problems) != 1 || problems[0] != "ok" {
		t.Errorf("integrity_check: %s", strings.Join(problems, "; "))
	}
}
