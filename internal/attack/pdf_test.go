package attack

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/cloudisms/cloudisms/internal/report"
)

// TestAttackPrintedPDF is item 7 (and item 12's unbounded Chromium): an
// admin names their organization with CR and FF and CSS after them, so
// that the server's Chromium would fetch the attacker's URL when anyone
// prints a PDF; then a burst of PDF requests tries to start a Chromium
// each. The print reaches no URL, at most report.MaxPrints browsers run,
// requests beyond the queue get 503 with Retry-After, and the server
// stays up under the ceiling.
func TestAttackPrintedPDF(t *testing.T) {
	needServer(t)
	if _, err := report.FindBrowser(); err != nil {
		t.Skip(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var hits atomic.Int32
	hook := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) })}
	go hook.Serve(l)
	defer hook.Close()
	evil := "http://" + l.Addr().String()

	db := sqlite(t)
	token := org(t, db, "victim")
	srv := serve(t, db, nil)
	api := srv.url + "/api/v1/orgs/victim/bundle"
	_, _, b := call(t, nil, "GET", api, token, nil, "Accept", "application/json")
	var bundle map[string]any
	if err := json.Unmarshal(b, &bundle); err != nil {
		t.Fatal(err)
	}
	bundle["organization"].(map[string]any)["name"] = "Evil\r}} body { background: url(" + evil + "/bg) } h1 { background-image: url(" + evil + "/h1) } @page { @top-right { content: \"x\f"
	if st, _, body := call(t, nil, "PUT", api, token, bundle); st != http.StatusOK {
		t.Fatalf("renaming: %d %s", st, body)
	}

	web := browser(t, srv.url, "victim")
	st, h, body := call(t, web, "GET", srv.url+"/orgs/victim/print/scope?format=pdf", "", nil)
	if st != http.StatusOK || h.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(string(body), "%PDF-") {
		t.Fatalf("printing: %d %s %.200s", st, h.Get("Content-Type"), body)
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("printing the PDF made %d requests to the attacker's URL", n)
	}
	srv.survived(t, "PDF with CSS in the organization's name")

	// The burst: more PDF requests at once than the prints and the queue
	// take.
	burst := report.MaxPrints + report.MaxWaiting + 6
	statuses := make([]int, burst)
	retry := make([]string, burst)
	var wg sync.WaitGroup
	for i := range burst {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, h, _ := call(t, web, "GET", srv.url+"/orgs/victim/print/scope?format=pdf", "", nil)
			statuses[i], retry[i] = st, h.Get("Retry-After")
		}()
	}
	// While they run, count the browsers the server started.
	peakBrowsers := 0
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	for running := true; running; {
		select {
		case <-done:
			running = false
		default:
			peakBrowsers = max(peakBrowsers, browsersOf(srv.cmd.Process.Pid))
		}
	}
	counts := map[int]int{}
	for i, st := range statuses {
		counts[st]++
		if st == http.StatusServiceUnavailable && retry[i] == "" {
			t.Errorf("503 without Retry-After")
		}
		if st != http.StatusOK && st != http.StatusServiceUnavailable {
			t.Errorf("PDF request answered %d", st)
		}
	}
	t.Logf("burst of %d PDF requests: %v; at most %d Chromium main processes at once", burst, counts, peakBrowsers)
	if counts[http.StatusServiceUnavailable] == 0 {
		t.Errorf("no request was turned away: %v", counts)
	}
	if peakBrowsers > report.MaxPrints {
		t.Errorf("%d browsers ran at once (limit %d)", peakBrowsers, report.MaxPrints)
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the burst made %d requests to the attacker's URL", n)
	}
	srv.survived(t, fmt.Sprintf("burst of %d PDF requests", burst))
}
