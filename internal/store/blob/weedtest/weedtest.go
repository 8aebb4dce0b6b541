// Package weedtest starts a real S3 server for tests: SeaweedFS's weed
// binary, found as CLOUDISMS_TEST_WEED or weed on PATH (.ci/run builds
// it). One server is shared by the tests of a package, on free ports and
// in a temporary directory, and stopped by Main.
package weedtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/cloudisms/cloudisms/internal/store/blob"
)

// Server is a running S3 server.
type Server struct {
	Endpoint             string
	AccessKey, SecretKey string
	cmd                  *exec.Cmd
	dir                  string
	done                 chan struct{}
}

var (
	once    sync.Once
	shared  *Server
	startEr error
	absent  string
)

// Binary is the weed program, or "" with the reason it is absent.
func Binary() (string, string) {
	if p := os.Getenv("CLOUDISMS_TEST_WEED"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Sprintf("CLOUDISMS_TEST_WEED=%s: %v", p, err)
		}
		return p, ""
	}
	p, err := exec.LookPath("weed")
	if err != nil {
		return "", "SeaweedFS's weed is not installed (not on PATH, CLOUDISMS_TEST_WEED not set): S3 tests skipped; .ci/run builds it"
	}
	return p, ""
}

// Start returns the package's shared server, starting it on first use;
// the test is skipped when weed is not installed.
func Start(t testing.TB) *Server {
	t.Helper()
	once.Do(func() {
		bin, why := Binary()
		if bin == "" {
			absent = why
			return
		}
		shared, startEr = start(bin)
	})
	if absent != "" {
		t.Skip(absent)
	}
	if startEr != nil {
		t.Fatalf("starting the S3 server: %v", startEr)
	}
	return shared
}

// Main runs the tests and stops the shared server after them.
func Main(m *testing.M) int {
	code := m.Run()
	if shared != nil {
		shared.stop()
	}
	return code
}

func freePorts(n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	var out []int
	for len(out) < n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		out = append(out, l.Addr().(*net.TCPAddr).Port)
	}
	return out, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func start(bin string) (*Server, error) {
	dir, err := os.MkdirTemp("", "cloudisms-weed-*")
	if err != nil {
		return nil, err
	}
	s := &Server{AccessKey: "AK" + randomHex(8), SecretKey: randomHex(20), dir: dir, done: make(chan struct{})}
	conf := map[string]any{"identities": []any{map[string]any{
		"name":        "cloudisms",
		"credentials": []any{map[string]string{"accessKey": s.AccessKey, "secretKey": s.SecretKey}},
		"actions":     []string{"Admin", "Read", "Write", "List", "Tagging"},
	}}}
	b, _ := json.Marshal(conf)
	confPath := filepath.Join(dir, "s3.json")
	if err := os.WriteFile(confPath, b, 0o600); err != nil {
		return nil, err
	}
	p, err := freePorts(8)
	if err != nil {
		return nil, err
	}
	data := filepath.Join(dir, "data")
	os.MkdirAll(data, 0o700)
	port := strconv.Itoa
	args := []string{"server", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", "-dir=" + data,
		"-master.port=" + port(p[0]), "-master.port.grpc=" + port(p[1]), "-master.volumeSizeLimitMB=64", "-master.telemetry=false",
		"-volume.port=" + port(p[2]), "-volume.port.grpc=" + port(p[3]), "-volume.max=0",
		"-filer", "-filer.port=" + port(p[4]), "-filer.port.grpc=" + port(p[5]),
		"-s3", "-s3.port=" + port(p[6]), "-s3.port.grpc=" + port(p[7]), "-s3.port.iceberg=0", "-s3.port.lance=0",
		"-s3.config=" + confPath,
	}
	s.cmd = exec.Command(bin, args...)
	s.cmd.Dir = dir
	logf, err := os.Create(filepath.Join(dir, "weed.log"))
	if err != nil {
		return nil, err
	}
	s.cmd.Stdout, s.cmd.Stderr = logf, logf
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("%s: %w", bin, err)
	}
	go func() { s.cmd.Wait(); logf.Close(); close(s.done) }()
	s.Endpoint = "http://127.0.0.1:" + port(p[6])
	// Ready when a bucket can be made and written (the volume server has
	// joined the master).
	deadline := time.Now().Add(90 * time.Second)
	probe, _ := blob.NewS3(s.Config("ready-probe", ""))
	var last error
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			log, _ := os.ReadFile(filepath.Join(dir, "weed.log"))
			return nil, fmt.Errorf("weed exited at start: %s", tail(log))
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		last = probe.MakeBucket(ctx)
		if last == nil {
			last = probe.Check(ctx)
		}
		cancel()
		if last == nil {
			return s, nil
		}
		time.Sleep(300 * time.Millisecond)
	}
	s.stop()
	return nil, fmt.Errorf("weed did not become ready in 90s: %v", last)
}

func tail(b []byte) string {
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}

func (s *Server) stop() {
	if s.cmd.Process != nil {
		s.cmd.Process.Signal(os.Interrupt)
		select {
		case <-s.done:
		case <-time.After(10 * time.Second):
			s.cmd.Process.Kill()
			<-s.done
		}
	}
	os.RemoveAll(s.dir)
}

// Config is the configuration of a bucket on the server.
func (s *Server) Config(bucket, prefix string) blob.S3Config {
	return blob.S3Config{Endpoint: s.Endpoint, Region: "us-east-1", Bucket: bucket, Prefix: prefix,
		AccessKey: s.AccessKey, SecretKey: s.SecretKey, PathStyle: true}
}

// Bucket makes a new bucket with a random name for one test.
func (s *Server) Bucket(t testing.TB) string {
	t.Helper()
	name := "t-" + randomHex(6)
	b, err := blob.NewS3(s.Config(name, ""))
	if err != nil {
		t.Fatal(err)
	}
	if err := b.MakeBucket(context.Background()); err != nil {
		t.Fatalf("make bucket %s: %v", name, err)
	}
	return name
}

// Env is the environment that points cloudisms at the server.
func (s *Server) Env() map[string]string {
	return map[string]string{"AWS_ENDPOINT_URL_S3": s.Endpoint, "AWS_REGION": "us-east-1",
		"AWS_ACCESS_KEY_ID": s.AccessKey, "AWS_SECRET_ACCESS_KEY": s.SecretKey}
}
