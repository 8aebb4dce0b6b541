package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/cloudisms/cloudisms/internal/store/storetest"
)

// TestTwoInstances runs two cloudisms serve processes on one PostgreSQL
// database with no sticky sessions, as behind a load balancer: they start
// (and migrate) at the same moment; a session made on one works on the
// other and a logout on one ends it on both; failed logins count on both;
// a change made on one is seen by the other at once; an export job runs
// exactly once, whichever instance is asked about it.
func TestTwoInstances(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped in -short mode: it builds cloudisms and runs two servers")
	}
	if storetest.PostgresURL() == "" {
		t.Skip("CLOUDISMS_TEST_POSTGRES is not set: set it to a PostgreSQL URL to run the two-instance test")
	}
	bin := buildCLI(t)
	storeArgs := []string{"--database", storetest.FreshSchema(t), "--data", t.TempDir()}

	// Both start on an empty database at once: both migrate.
	a, b := launch(t, bin, storeArgs), launch(t, bin, storeArgs)
	a.waitReady(t)
	b.waitReady(t)
	token := setupOrg(t, bin, storeArgs)

	t.Run("session", func(t *testing.T) {
		cookie := login(t, a.url, "crash-test-password", http.StatusOK)
		if st := getWithCookie(t, b.url+"/api/v1/me", cookie); st != http.StatusOK {
			t.Fatalf("a session made on A is refused on B: %d", st)
		}
		req, _ := http.NewRequest("DELETE", b.url+"/api/v1/session", nil)
		req.AddCookie(cookie)
		res, err := http.DefaultClient.Do(req)
		if err != nil || res.StatusCode != http.StatusNoContent {
			t.Fatalf("logout on B: %v %v", err, res)
		}
		res.Body.Close()
		if st := getWithCookie(t, a.url+"/api/v1/me", cookie); st != http.StatusUnauthorized {
			t.Errorf("after logout on B, A still accepts the session: %d", st)
		}
	})

	t.Run("change seen at once", func(t *testing.T) {
		ca := &apiClient{base: a.url + "/api/v1/orgs/" + crashOrg, token: token, http: http.DefaultClient}
		cb := &apiClient{base: b.url + "/api/v1/orgs/" + crashOrg, token: token, http: http.DefaultClient}
		for i := range 5 {
			// B computes (and caches) the bundle and the check first.
			for _, p := range []string{"/bundle", "/check"} {
				if st, _, body, err := cb.do("GET", p, nil); err != nil || st != http.StatusOK {
					t.Fatalf("GET %s on B: %d %v %s", p, st, err, body)
				}
			}
			title := fmt.Sprintf("instance A change %d", i)
			if st, _, body, err := ca.do("POST", "/items/risks", map[string]any{"id": fmt.Sprintf("two-%d", i), "title": title, "treatment": "retain", "owner": "p-isms"}); err != nil || st != http.StatusCreated {
				t.Fatalf("create on A: %d %v %s", st, err, body)
			}
			_, _, body, _ := cb.do("GET", "/bundle", nil)
			if !strings.Contains(string(body), title) {
				t.Fatalf("B's bundle lacks the risk just created on A (%q)", title)
			}
			if it, err := getRisk(cb, fmt.Sprintf("two-%d", i)); err != nil || it.Data.Title != title {
				t.Fatalf("B reads %v %v", it, err)
			}
		}
	})

	t.Run("export job runs once", func(t *testing.T) {
		ca := &apiClient{base: a.url + "/api/v1/orgs/" + crashOrg, token: token, http: http.DefaultClient}
		cb := &apiClient{base: b.url + "/api/v1/orgs/" + crashOrg, token: token, http: http.DefaultClient}
		type job struct {
			ID        int64
			State     string
			Runs      int64
			RunBy     string `json:"run_by"`
			BundleURL string `json:"bundle_url"`
		}
		var jobs []job
		for i := range 6 {
			c := ca
			if i%2 == 1 {
				c = cb
			}
			// One member may have only store.MaxPendingJobs exports
			// waiting: past that the server answers 429 until one ends,
			// so the test waits as a client would.
			st, _, body, err := c.do("POST", "/exports", nil)
			for deadline := time.Now().Add(20 * time.Second); err == nil && st == http.StatusTooManyRequests && time.Now().Before(deadline); {
				time.Sleep(100 * time.Millisecond)
				st, _, body, err = c.do("POST", "/exports", nil)
			}
			if err != nil || st != http.StatusAccepted {
				t.Fatalf("POST exports: %d %v %s", st, err, body)
			}
			var j job
			json.Unmarshal(body, &j)
			jobs = append(jobs, j)
		}
		_, _, want, _ := ca.do("GET", "/bundle", nil)
		runBy := map[string]int{}
		for _, j := range jobs {
			deadline := time.Now().Add(20 * time.Second)
			for j.State != "done" && time.Now().Before(deadline) {
				time.Sleep(100 * time.Millisecond)
				c := cb
				if j.ID%2 == 0 {
					c = ca
				}
				_, _, body, err := c.do("GET", fmt.Sprintf("/exports/%d", j.ID), nil)
				if err != nil {
					t.Fatal(err)
				}
				json.Unmarshal(body, &j)
			}
			if j.State != "done" || j.Runs != 1 {
				t.Fatalf("job %d: state %s, runs %d", j.ID, j.State, j.Runs)
			}
			runBy[j.RunBy]++
			_, _, got, _ := cb.do("GET", fmt.Sprintf("/exports/%d/bundle", j.ID), nil)
			if !bytes.Equal(got, want) {
				t.Errorf("job %d's bundle differs from the export", j.ID)
			}
		}
		t.Logf("jobs run by: %v", runBy)
	})

	t.Run("login throttling shared", func(t *testing.T) {
		for i := range 5 {
			url := a.url
			if i%2 == 1 {
				url = b.url
			}
			login(t, url, "wrong password", http.StatusUnauthorized)
		}
		for _, url := range []string{a.url, b.url} {
			login(t, url, "crash-test-password", http.StatusTooManyRequests)
		}
	})
}

// launch starts a cloudisms serve process without waiting for it.
func launch(t *testing.T, bin string, storeArgs []string) *crashServer {
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
	return s
}

// login posts the crash user's credentials and returns the session cookie.
func login(t *testing.T, base, password string, want int) *http.Cookie {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"email": crashEmail, "password": password})
	res, err := http.Post(base+"/api/v1/session", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		t.Fatalf("login at %s: %d, want %d: %s", base, res.StatusCode, want, b)
	}
	for _, c := range res.Cookies() {
		if c.Name == "cloudisms_session" {
			return c
		}
	}
	return nil
}

func getWithCookie(t *testing.T, url string, c *http.Cookie) int {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.AddCookie(c)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}
