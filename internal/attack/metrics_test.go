package attack

import (
	"net/http"
	"strings"
	"testing"
)

// TestAttackMetrics is item 9: an anonymous client sends 200 requests with
// long, distinct methods (10 KB each) and paths. Before the fix each method
// became a label and /metrics grew to 10 MB, never freed; now it stays a
// few kilobytes. Then /metrics is protected: on its own address and behind
// a bearer token, it is not served on the main address at all.
func TestAttackMetrics(t *testing.T) {
	needServer(t)
	db := sqlite(t)
	srv := serve(t, db, nil)
	for i := range 200 {
		method := strings.Repeat("M", 10_000) + strings.Repeat("Z", i+1)
		call(t, nil, method, srv.url+"/"+strings.Repeat("p", i+1), "", nil)
	}
	st, _, body := call(t, nil, "GET", srv.url+"/metrics", "", nil)
	t.Logf("/metrics after 200 long methods: %d, %d bytes", st, len(body))
	if st != http.StatusOK || len(body) > 8<<10 {
		t.Errorf("/metrics: %d, %d bytes", st, len(body))
	}
	if strings.Contains(string(body), "MMMM") {
		t.Error("a request's method became a label")
	}
	srv.survived(t, "200 long methods")

	apart := freeAddr(t)
	guarded := serve(t, sqlite(t), []string{"CLOUDISMS_METRICS_TOKEN=metrics-secret"}, "--metrics-listen", apart)
	waitListening(t, apart)
	if st, _, _ := call(t, nil, "GET", guarded.url+"/metrics", "metrics-secret", nil); st != http.StatusNotFound {
		t.Errorf("/metrics on the main address: %d, want 404", st)
	}
	if st, _, _ := call(t, nil, "GET", "http://"+apart+"/metrics", "", nil); st != http.StatusUnauthorized {
		t.Errorf("/metrics without the token: %d, want 401", st)
	}
	if st, _, body := call(t, nil, "GET", "http://"+apart+"/metrics", "metrics-secret", nil); st != http.StatusOK || !strings.Contains(string(body), "cloudisms_http_requests_total") {
		t.Errorf("/metrics with the token: %d %.200s", st, body)
	}
}
