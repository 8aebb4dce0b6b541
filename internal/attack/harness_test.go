package attack

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cloudisms/cloudisms/internal/store/storetest"
)

// bin is the cloudisms command built once for the whole suite.
var bin string

// rssCeiling is the resident memory a server may reach while it is
// attacked: several times what it uses at rest with two sample
// organizations (about 40–60 MB), far below what the attacks cost before
// they were fixed (842 MB to over 1 GB).
const rssCeiling = 400 << 20

const password = "attack-suite-password"

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

var (
	buildOnce sync.Once
	buildDir  string
	buildErr  error
)

// needServer skips in -short mode and where the suite cannot run, and
// builds the command once for the tests that need it.
func needServer(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("attack suite skipped in -short mode: it builds cloudisms and runs servers")
	}
	if runtime.GOOS != "linux" {
		t.Skip("the attack suite reads memory from /proc (Linux only)")
	}
	buildOnce.Do(func() {
		// CLOUDISMS_ATTACK_BIN runs the suite against another build, e.g.
		// an older one, to measure what an attack cost before its fix.
		if b := os.Getenv("CLOUDISMS_ATTACK_BIN"); b != "" {
			bin = b
			return
		}
		buildDir, buildErr = os.MkdirTemp("", "cloudisms-attack-")
		if buildErr != nil {
			return
		}
		bin = filepath.Join(buildDir, "cloudisms")
		goTool, err := exec.LookPath("go")
		if err != nil {
			goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
		}
		if out, err := exec.Command(goTool, "build", "-o", bin, "github.com/cloudisms/cloudisms/cmd/cloudisms").CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
}

// database is where a server keeps its data: SQLite in a temporary
// directory, or a fresh PostgreSQL schema.
type database struct {
	name string
	args []string
	skip string
}

func sqlite(t *testing.T) database {
	return database{name: "sqlite", args: []string{"--data", t.TempDir()}}
}

// databases lists SQLite and PostgreSQL (skipped, saying why, without
// CLOUDISMS_TEST_POSTGRES).
func databases(t *testing.T) []database {
	dbs := []database{sqlite(t)}
	if storetest.PostgresURL() == "" {
		return append(dbs, database{name: "postgres", skip: "CLOUDISMS_TEST_POSTGRES is not set: set it to a PostgreSQL URL to run this attack on PostgreSQL"})
	}
	return append(dbs, database{name: "postgres", args: []string{"--database", storetest.FreshSchema(t), "--data", t.TempDir()}})
}

// cli runs a cloudisms command against the database.
func cli(t *testing.T, db database, env []string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(bin, append(args, db.args...)...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// org makes an organization from the sample bundle with an admin,
// NAME@example.com (password `password`, the sample's ISMS manager
// p-isms), and returns the admin's token.
func org(t *testing.T, db database, name string) string {
	t.Helper()
	email := name + "@example.com"
	env := []string{"CLOUDISMS_PASSWORD=" + password}
	for _, args := range [][]string{
		{"import", filepath.Join("..", "..", "examples", "sample-saas.yaml"), "--org", name},
		{"user", "add", email, "--name", name},
		{"member", "add", "--org", name, "--email", email, "--role", "admin", "--person", "p-isms"},
	} {
		if out, err := cli(t, db, env, args...); err != nil {
			t.Fatalf("cloudisms %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	cmd := exec.Command(bin, append([]string{"token", "create", "--email", email, "--name", "attack"}, db.args...)...)
	out, err := cmd.Output()
	token := strings.TrimSpace(string(out))
	if err != nil || !strings.HasPrefix(token, "cis_") {
		t.Fatalf("token create for %s: %v %q", name, err, token)
	}
	return token
}

// server is a running cloudisms serve process.
type server struct {
	cmd  *exec.Cmd
	url  string
	log  *logBuffer
	done chan struct{}
}

// serve starts cloudisms serve on the database with extra arguments and
// environment, and waits until it is ready.
func serve(t *testing.T, db database, env []string, extra ...string) *server {
	t.Helper()
	addr := freeAddr(t)
	s := &server{url: "http://" + addr, log: &logBuffer{}, done: make(chan struct{})}
	args := append([]string{"serve", "--listen", addr}, extra...)
	s.cmd = exec.Command(bin, append(args, db.args...)...)
	s.cmd.Env = append(os.Environ(), env...)
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

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func (s *server) waitReady(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			t.Fatalf("the server exited:\n%s", s.log.tail())
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
	t.Fatalf("the server was not ready after 20s:\n%s", s.log.tail())
}

// memory reads the process's resident memory now and its peak so far
// (VmRSS and VmHWM of /proc/PID/status), in bytes.
func (s *server) memory(t *testing.T) (rss, peak int64) {
	t.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		t.Fatalf("the server is gone: %v\n%s", err, s.log.tail())
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), ":")
		fields := strings.Fields(v)
		if len(fields) == 0 {
			continue
		}
		n, _ := strconv.ParseInt(fields[0], 10, 64)
		switch k {
		case "VmRSS":
			rss = n << 10
		case "VmHWM":
			peak = n << 10
		}
	}
	return rss, peak
}

// survived checks that the server is still up and ready, that its peak
// memory stayed under the ceiling, and logs the figures.
func (s *server) survived(t *testing.T, what string) {
	t.Helper()
	select {
	case <-s.done:
		t.Fatalf("%s: the server died:\n%s", what, s.log.tail())
	default:
	}
	res, err := http.Get(s.url + "/readyz")
	if err != nil {
		t.Fatalf("%s: the server does not answer: %v\n%s", what, err, s.log.tail())
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("%s: the server is not ready: %d", what, res.StatusCode)
	}
	rss, peak := s.memory(t)
	t.Logf("%s: server up, RSS %d MB, peak %d MB (ceiling %d MB)", what, rss>>20, peak>>20, rssCeiling>>20)
	if peak > rssCeiling {
		t.Errorf("%s: peak RSS %d MB is over the ceiling of %d MB", what, peak>>20, rssCeiling>>20)
	}
}

// logBuffer keeps the server's output for failure messages.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func (b *logBuffer) tail() string {
	s := b.String()
	if len(s) > 4000 {
		s = "…" + s[len(s)-4000:]
	}
	return s
}

// call sends one request: a token (if any) as bearer, a body that is not
// bytes or a reader as JSON, header as name, value pairs.
func call(t *testing.T, c *http.Client, method, u, token string, body any, header ...string) (int, http.Header, []byte) {
	t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		r = bytes.NewReader(b)
	case io.Reader:
		r = b
	default:
		j, _ := json.Marshal(b)
		r = bytes.NewReader(j)
		header = append([]string{"Content-Type", "application/json"}, header...)
	}
	req, err := http.NewRequest(method, u, r)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	if c == nil {
		c = http.DefaultClient
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(res.Body, 64<<20))
	return res.StatusCode, res.Header, b
}

// browser signs in to the web UI as NAME@example.com and returns a client
// that keeps the session cookie and does not follow redirects.
func browser(t *testing.T, base, name string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.PostForm(base+"/login", url.Values{"email": {name + "@example.com"}, "password": {password}, "next": {"/"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	u, _ := url.Parse(base)
	if len(jar.Cookies(u)) == 0 {
		t.Fatalf("no session after signing in as %s: %d", name, res.StatusCode)
	}
	return c
}

// peakRSS is the peak resident memory of a finished child process.
func peakRSS(cmd *exec.Cmd) int64 {
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss << 10 // kilobytes on Linux
	}
	return 0
}

// browsersOf counts the Chromium main processes that are children of the
// process pid (the helpers each starts are its children, not the server's).
func browsersOf(pid int) int {
	entries, _ := os.ReadDir("/proc")
	n := 0
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(s[i+1:])
		if len(f) > 1 && f[1] == strconv.Itoa(pid) && strings.Contains(s[:i], "chrom") {
			n++
		}
	}
	return n
}

// waitListening waits until something accepts connections at addr.
func waitListening(t *testing.T, addr string) {
	t.Helper()
	for range 200 {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatalf("nothing listens at %s", addr)
}
