package server_test

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cloudisms/cloudisms/internal/store/blob"
	"github.com/cloudisms/cloudisms/internal/store/blob/weedtest"
	"github.com/cloudisms/cloudisms/internal/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(weedtest.Main(m)) }

// bucketEnv points the processes the test starts at the S3 server.
func bucketEnv(t *testing.T, srv *weedtest.Server, endpoint string) {
	for k, v := range srv.Env() {
		t.Setenv(k, v)
	}
	t.Setenv("AWS_ENDPOINT_URL_S3", endpoint)
}

// upload posts a file to the organization's evidence and returns the
// status and the answer.
func upload(t *testing.T, base, token string, content []byte) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("POST", base+"/api/v1/orgs/"+crashOrg+"/evidence", bytes.NewReader(content))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/octet-stream")
	res, err := (&http.Client{Timeout: 60 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out
}

func download(t *testing.T, base, token, sum string) (int, []byte, http.Header) {
	t.Helper()
	req, _ := http.NewRequest("GET", base+"/api/v1/orgs/"+crashOrg+"/evidence/"+sum+"?name=x.pdf", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := (&http.Client{Timeout: 60 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b, res.Header
}

// TestInstancesShareBucket runs two cloudisms serve processes that share
// nothing but a PostgreSQL database and a bucket: a file uploaded on one
// is downloaded from the other at once, neither keeps it on its disk; a
// backup goes to the bucket and comes back from it, evidence included;
// evidence gc reports a file no item names and deletes nothing without
// --delete.
func TestInstancesShareBucket(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped in -short mode: it builds cloudisms and runs two servers")
	}
	srv := weedtest.Start(t)
	if storetest.PostgresURL() == "" {
		t.Skip("CLOUDISMS_TEST_POSTGRES is not set: set it to a PostgreSQL URL to run the shared-bucket test")
	}
	bin := buildCLI(t)
	bucket := srv.Bucket(t)
	bucketEnv(t, srv, srv.Endpoint)
	dsn := storetest.FreshSchema(t)
	dataA, dataB := t.TempDir(), t.TempDir()
	evidence := "s3://" + bucket + "/cloudisms/evidence"
	argsA := []string{"--database", dsn, "--data", dataA, "--evidence", evidence}
	argsB := []string{"--database", dsn, "--data", dataB, "--evidence", evidence}
	token := setupOrg(t, bin, argsA)
	a, b := launch(t, bin, argsA), launch(t, bin, argsB)
	a.waitReady(t)
	b.waitReady(t)

	content := bytes.Repeat([]byte("共有バケットの証跡 / evidence in the shared bucket\n"), 40_000)
	st, ans := upload(t, a.url, token, content)
	sum, _ := ans["sha256"].(string)
	if st != http.StatusCreated || len(sum) != 64 {
		t.Fatalf("upload on A: %d %v\n%s", st, ans, a.logTail())
	}
	st, got, h := download(t, b.url, token, sum)
	if st != http.StatusOK || !bytes.Equal(got, content) {
		t.Fatalf("download on B: %d, %d bytes\n%s", st, len(got), b.logTail())
	}
	if cd := h.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") {
		t.Errorf("served inline: %q", cd)
	}
	for _, dir := range []string{dataA, dataB} {
		filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.Contains(p, sum) {
				t.Errorf("the file is on an instance's disk: %s", p)
			}
			return nil
		})
	}

	// Backup to the bucket and restore from it into another database,
	// with the evidence in another prefix.
	out, err := runCLI(bin, nil, append([]string{"backup", "--to", "s3://" + bucket + "/backups/one.tar.gz", "--lang", "en"}, argsB...)...)
	if err != nil || !strings.Contains(string(out), "1 evidence file(s)") {
		t.Fatalf("backup to the bucket: %v\n%s", err, out)
	}
	restored := []string{"--database", storetest.FreshSchema(t), "--data", t.TempDir(), "--evidence", "s3://" + bucket + "/restored"}
	out, err = runCLI(bin, nil, append([]string{"restore", "s3://" + bucket + "/backups/one.tar.gz", "--lang", "en"}, restored...)...)
	if err != nil || !strings.Contains(string(out), "restored") {
		t.Fatalf("restore from the bucket: %v\n%s", err, out)
	}
	c := launch(t, bin, restored)
	c.waitReady(t)
	if st, got, _ := download(t, c.url, token, sum); st != http.StatusOK || !bytes.Equal(got, content) {
		t.Errorf("download from the restored store: %d, %d bytes", st, len(got))
	}
	out, err = runCLI(bin, nil, append([]string{"restore", "s3://" + bucket + "/backups/none.tar.gz", "--lang", "en"}, "--data", t.TempDir())...)
	if err == nil || !strings.Contains(string(out), "no such object") {
		t.Errorf("restore of a missing object: %v\n%s", err, out)
	}

	// The uploaded file is attached to no item: gc reports it (once it
	// is old enough) and deletes nothing.
	out, err = runCLI(bin, nil, append([]string{"evidence", "gc", "--min-age", "0s", "--lang", "en"}, argsB...)...)
	if err != nil || !strings.Contains(string(out), sum) || !strings.Contains(string(out), "1 unreferenced") || !strings.Contains(string(out), "Nothing was deleted") {
		t.Errorf("evidence gc: %v\n%s", err, out)
	}
	if st, _, _ := download(t, a.url, token, sum); st != http.StatusOK {
		t.Errorf("after the gc report, download: %d", st)
	}
}

// TestBucketFaults, on both databases: when the bucket cannot be reached
// an upload is answered 503 with a clear message and leaves nothing
// behind (no claim, no item change), a download 503 too, and uploads work
// again once it is back; wrong credentials stop serve at start with a
// message that says so.
func TestBucketFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped in -short mode: it builds cloudisms and runs servers")
	}
	srv := weedtest.Start(t)
	bin := buildCLI(t)
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			if backend == "postgres" && storetest.PostgresURL() == "" {
				t.Skip("CLOUDISMS_TEST_POSTGRES is not set")
			}
			bucket := srv.Bucket(t)
			p := newProxy(t, strings.TrimPrefix(srv.Endpoint, "http://"))
			bucketEnv(t, srv, "http://"+p.addr())
			data := t.TempDir()
			args := []string{"--data", data, "--evidence", "s3://" + bucket + "/ev"}
			driver, dsn := "sqlite", "file:"+filepath.Join(data, "cloudisms.db")
			if backend == "postgres" {
				dsn = storetest.FreshSchema(t)
				driver = "pgx"
				args = append(args, "--database", dsn)
			}
			token := setupOrg(t, bin, args)
			s := launch(t, bin, args)
			s.waitReady(t)
			first := []byte("届いたファイル")
			st, ans := upload(t, s.url, token, first)
			if st != http.StatusCreated {
				t.Fatalf("upload: %d %v\n%s", st, ans, s.logTail())
			}
			firstSum := ans["sha256"].(string)
			c := &apiClient{base: s.url + "/api/v1/orgs/" + crashOrg, token: token, http: &http.Client{Timeout: 60 * time.Second}}
			_, _, before, _ := c.do("GET", "/items/documents/doc-pol-001", nil)

			p.cut()
			lost := []byte("届かないファイル")
			start := time.Now()
			st, ans = upload(t, s.url, token, lost)
			msg, _ := json.Marshal(ans)
			if st != http.StatusServiceUnavailable || !strings.Contains(string(msg), "objects_unavailable") {
				t.Fatalf("upload with the bucket unreachable: %d %s", st, msg)
			}
			t.Logf("503 after %v: %s", time.Since(start).Round(time.Millisecond), msg)
			req, _ := http.NewRequest("POST", c.base+"/evidence/documents/doc-pol-001?name=x.pdf", bytes.NewReader(lost))
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("If-Match", `"1"`)
			if res, err := c.http.Do(req); err != nil || res.StatusCode != http.StatusServiceUnavailable {
				t.Errorf("attach with the bucket unreachable: %v %v", err, res)
			} else {
				res.Body.Close()
			}
			if st, _, _ := download(t, s.url, token, firstSum); st != http.StatusServiceUnavailable {
				t.Errorf("download with the bucket unreachable: %d", st)
			}
			_, _, after, _ := c.do("GET", "/items/documents/doc-pol-001", nil)
			if !bytes.Equal(before, after) {
				t.Error("the item changed although its file was not stored")
			}
			db, err := sql.Open(driver, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			var n int
			if err := db.QueryRow(`SELECT COUNT(*) FROM evidence_owners`).Scan(&n); err != nil || n != 1 {
				t.Errorf("claims after the failed uploads: %d %v (want only the first file's)", n, err)
			}

			p.resume()
			if st, ans := upload(t, s.url, token, lost); st != http.StatusCreated {
				t.Errorf("upload once the bucket is back: %d %v", st, ans)
			}

			// An upload the client stops sending halfway (a dropped
			// connection, a killed browser) leaves nothing either: no
			// object in the bucket, no claim, no item change.
			objects, err := blob.NewS3(srv.Config(bucket, "ev"))
			if err != nil {
				t.Fatal(err)
			}
			stored := func() (keys []string) {
				objects.List(context.Background(), "", func(o blob.Object) error { keys = append(keys, o.Key); return nil })
				return keys
			}
			claims := func() (n int) {
				if err := db.QueryRow(`SELECT COUNT(*) FROM evidence_owners`).Scan(&n); err != nil {
					t.Fatal(err)
				}
				return n
			}
			keysBefore, claimsBefore := stored(), claims()
			_, h, before, _ := c.do("GET", "/items/documents/doc-pol-001", nil)
			for _, path := range []string{"/evidence", "/evidence/documents/doc-pol-001?name=cut.pdf"} {
				st, answer := cutUpload(t, strings.TrimPrefix(s.url, "http://"), "/api/v1/orgs/"+crashOrg+path, token, h.Get("ETag"), 8<<20, 3<<20)
				// The client's failure, not the database's or the bucket's
				// (before: 503 "database unavailable", logged as an error).
				if st != http.StatusBadRequest || !strings.Contains(answer, `"incomplete"`) {
					t.Errorf("an upload cut off after 3 of 8 MiB (%s): %d %s, want 400 incomplete", path, st, answer)
				}
			}
			if strings.Contains(s.logTail(), "database unavailable") {
				t.Errorf("a cut-off upload was logged as the database failing:\n%s", s.logTail())
			}
			if keys := stored(); !slices.Equal(keys, keysBefore) {
				t.Errorf("the bucket after cut-off uploads holds %q, before %q", keys, keysBefore)
			}
			if n := claims(); n != claimsBefore {
				t.Errorf("claims after cut-off uploads: %d, before %d", n, claimsBefore)
			}
			if _, _, after, _ := c.do("GET", "/items/documents/doc-pol-001", nil); !bytes.Equal(before, after) {
				t.Error("the item changed after a cut-off upload")
			}

			// Wrong credentials: serve stops at start and says why.
			t.Setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret")
			cmd := exec.Command(bin, append([]string{"serve", "--listen", freeAddr(t)}, args...)...)
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			cmd = exec.CommandContext(ctx, cmd.Path, cmd.Args[1:]...)
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 2 || !strings.Contains(string(out), "refused the credentials") {
				t.Errorf("serve with a wrong secret: %v\n%s", err, out)
			}
		})
	}
}

// cutUpload sends an upload's headers announcing size bytes, then only
// sent bytes of the body, and stops sending (closes its side); it returns
// the status and body the server answered (0 when it only closed).
func cutUpload(t *testing.T, addr, path, token, etag string, size, sent int) (int, string) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(60 * time.Second))
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Type: application/octet-stream\r\nIf-Match: %s\r\nContent-Length: %d\r\n\r\n", path, addr, token, etag, size)
	if _, err := conn.Write(bytes.Repeat([]byte("途中で切れる証跡 "), sent/24+1)[:sent]); err != nil {
		t.Fatal(err)
	}
	conn.(*net.TCPConn).CloseWrite()
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return 0, err.Error()
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}
