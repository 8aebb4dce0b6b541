package api_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cloudisms/cloudisms/internal/authz"
	"github.com/cloudisms/cloudisms/internal/gate"
	"github.com/cloudisms/cloudisms/internal/oscal"
)

// Framework imports are bounded in how many are read at once: with the
// server's reads all taken and no room to wait, an OSCAL catalog or a
// library import answers 503 with Retry-After and stores nothing.
func TestFrameworkImportsBounded(t *testing.T) {
	saved := oscal.Imports
	defer func() { oscal.Imports = saved }()
	oscal.Imports = gate.New(1, 0, 2*time.Second)
	leave, err := oscal.Imports.Enter(context.Background()) // one import being read
	if err != nil {
		t.Fatal(err)
	}
	defer leave()
	forEachBackend(t, func(t *testing.T, e *env) {
		for _, path := range []string{"/api/v1/orgs/own/frameworks?id=nist-basic", "/api/v1/orgs/own/frameworks/library?id=lib"} {
			r := e.do(authz.Admin, "POST", path, []byte(`{}`))
			if r.status != 503 || r.header.Get("Retry-After") != "2" || !strings.Contains(string(r.body), `"busy"`) {
				t.Errorf("%s with the reads taken: %d %q %s", path, r.status, r.header.Get("Retry-After"), r.body)
			}
		}
		if r := e.do(authz.Viewer, "GET", "/api/v1/orgs/own/frameworks", nil); string(r.body) != "{\"frameworks\":[]}\n" {
			t.Errorf("a refused import stored something: %s", r.body)
		}
	})
}
