package server

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

var testLimits = Limits{
	Default: Stage{Body: 1000, Read: 50 * time.Millisecond, Work: 200 * time.Millisecond, Write: 50 * time.Millisecond},
	Bulk:    Stage{Body: 100000, Read: 5 * time.Second, Work: 3 * time.Second, Write: 3 * time.Second},
}

// TestLimits: the body cap, the work deadline in the request's context and
// the write deadline are the default stage's, or the bulk stage's for
// bundles, imports, evidence and exports.
func TestLimits(t *testing.T) {
	var workLeft time.Duration
	h := withLimits(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		dl, ok := r.Context().Deadline()
		if !ok {
			t.Error("no deadline on the request's context")
		}
		workLeft = time.Until(dl)
		if _, err := io.ReadAll(r.Body); err != nil {
			var tooBig *http.MaxBytesError
			if !errors.As(err, &tooBig) {
				t.Errorf("body read: %v", err)
			}
			http.Error(w, "too large", http.StatusRequestEntityTooLarge)
			return
		}
		if r.URL.Query().Has("slow") {
			// Answer after the default stage's write deadline.
			time.Sleep(600 * time.Millisecond)
			w.Write(bytes.Repeat([]byte("x"), 1<<20))
			return
		}
		if r.URL.Query().Has("work") {
			select {
			case <-r.Context().Done():
				http.Error(w, "unavailable", http.StatusServiceUnavailable)
			case <-time.After(2 * time.Second):
			}
		}
	}), testLimits)
	srv := httptest.NewServer(h)
	defer srv.Close()
	post := func(path, ct string, body io.Reader) (int, []byte, error) {
		res, err := http.Post(srv.URL+path, ct, body)
		if err != nil {
			return 0, nil, err
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		return res.StatusCode, b, err
	}
	// Bodies: a known length over the cap is refused before reading; an
	// unknown one is cut at the cap.
	for _, c := range []struct {
		path, ct string
		body     io.Reader
		want     int
	}{
		{"/api/v1/orgs/o/items/risks", "application/json", strings.NewReader(strings.Repeat("x", 999)), 200},
		{"/api/v1/orgs/o/items/risks", "application/json", strings.NewReader(strings.Repeat("x", 1001)), 413},
		{"/api/v1/orgs/o/items/risks", "application/json", io.MultiReader(strings.NewReader(strings.Repeat("x", 1001))), 413},
		{"/api/v1/orgs/o/bundle", "application/yaml", strings.NewReader(strings.Repeat("x", 50000)), 200},
		{"/orgs/o/import", "multipart/form-data; boundary=x", strings.NewReader(strings.Repeat("x", 50000)), 200},
		{"/orgs/o/import", "multipart/form-data; boundary=x", strings.NewReader(strings.Repeat("x", 100001)), 413},
	} {
		st, b, err := post(c.path, c.ct, c.body)
		if err != nil || st != c.want {
			t.Errorf("POST %s (%s): %d %v, want %d", c.path, c.ct, st, err, c.want)
		}
		// A known length over the cap is refused by the limit itself.
		if _, known := c.body.(*strings.Reader); known && st == 413 && strings.HasPrefix(c.path, "/api/") && !strings.Contains(string(b), `"too_large"`) {
			t.Errorf("an API 413 not in the error shape: %s", b)
		}
	}
	// Work: the context ends at the stage's work time.
	start := time.Now()
	if st, _, _ := post("/api/v1/orgs/o/check?work", "application/json", nil); st != 503 || time.Since(start) > time.Second {
		t.Errorf("work past the deadline: %d after %v", st, time.Since(start))
	}
	post("/api/v1/orgs/o/bundle?x", "application/json", nil)
	if workLeft < 2*time.Second {
		t.Errorf("a bundle request has %v to work, want the bulk stage's 3s", workLeft)
	}
	// Write: a slow answer is cut on an ordinary route, delivered on a
	// bulk one.
	if _, b, err := post("/api/v1/orgs/o/items/risks?slow", "application/json", nil); err == nil && len(b) == 1<<20 {
		t.Error("an answer past the write deadline was delivered whole")
	}
	if st, b, err := post("/api/v1/orgs/o/exports/1/bundle?slow", "application/json", nil); err != nil || st != 200 || len(b) != 1<<20 {
		t.Errorf("a bulk answer: %d, %d bytes, %v", st, len(b), err)
	}
}

// TestHandlerStopsWhenClientGoes: a client that gives up ends the
// request's context, so the handler stops its work.
func TestHandlerStopsWhenClientGoes(t *testing.T) {
	stopped := make(chan time.Duration, 1)
	h := withLimits(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		<-r.Context().Done()
		stopped <- time.Since(start)
	}), DefaultLimits)
	srv := httptest.NewServer(h)
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/api/v1/orgs/o/check", nil)
	if _, err := http.DefaultClient.Do(req); err == nil {
		t.Fatal("the request should time out on the client")
	}
	select {
	case d := <-stopped:
		if d > time.Second {
			t.Errorf("the handler noticed after %v", d)
		}
	case <-time.After(3 * time.Second):
		t.Error("the handler went on after the client left")
	}
}
