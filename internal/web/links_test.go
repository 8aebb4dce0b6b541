package web_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/cloudisms/cloudisms/internal/store/storetest"
)

// Every link the main pages show within the organization leads somewhere:
// findings, tasks, dashboard blocks and a person's records link to pages
// that exist (a 404 behind a link is a dead end for the person who
// followed it). PDFs and downloads are left to their own tests.
func TestNoDeadLinks(t *testing.T) {
	st := newSite(t, storetest.Backends(t)[0])
	seen := map[string]bool{}
	pages := []string{"/orgs/sample/", "/orgs/sample/tasks", "/orgs/sample/scope", "/orgs/sample/risks", "/orgs/sample/soa",
		"/orgs/sample/people/p-isms", "/orgs/sample/people/p-cs-lead", "/orgs/sample/audits", "/orgs/sample/reviews",
		"/orgs/sample/verifications", "/orgs/sample/responsibilities", "/orgs/sample/reports"}
	for _, page := range pages {
		body := st.get("manager@example.com", page)
		for _, m := range regexp.MustCompile(`href="(/orgs/sample/[^"#]*)`).FindAllStringSubmatch(body, -1) {
			u := strings.ReplaceAll(m[1], "&amp;", "&")
			if seen[u] || strings.Contains(u, "format=") || strings.Contains(u, "/download") || strings.HasPrefix(u, "/orgs/sample/print/") {
				continue
			}
			seen[u] = true
			if code, _, _ := st.do("manager@example.com", "GET", u, nil); code != http.StatusOK {
				t.Errorf("%s links %s: %d", page, u, code)
			}
		}
	}
	if len(seen) < 50 {
		t.Errorf("only %d links found on the main pages", len(seen))
	}
	t.Logf("%d links followed", len(seen))
}
