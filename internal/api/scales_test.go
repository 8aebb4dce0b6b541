package api_test

import (
	"strings"
	"testing"

	"github.com/cloudisms/cloudisms/internal/authz"
)

// A value outside its scale is refused with its path, and nothing is
// stored: likelihood 7 on a 1–3 scale, confidentiality 9.
func TestScaleValuesRefused(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		a := authz.Admin
		for _, c := range []struct{ path, body, want string }{
			{"/api/v1/orgs/own/items/risks", `{"id":"x-scale","title":"t","treatment":"retain","likelihood":7,"impact":2}`, `"path":"risks.likelihood"`},
			{"/api/v1/orgs/own/items/risks", `{"id":"x-scale","title":"t","treatment":"retain","likelihood":1,"impact":2,"residual":{"impact":9}}`, `"path":"risks.residual.impact"`},
			{"/api/v1/orgs/own/items/assets", `{"id":"x-scale","name":"n","confidentiality":9}`, `"path":"assets.confidentiality"`},
		} {
			r := e.do(a, "POST", c.path, c.body)
			if r.status != 400 || !strings.Contains(string(r.body), c.want) {
				t.Errorf("%s: %d %s", c.body, r.status, r.body)
			}
			if got := e.do(a, "GET", strings.Replace(c.path, "/items/", "/items/", 1)+"/x-scale", nil); got.status != 404 {
				t.Errorf("a refused risk was stored: %d", got.status)
			}
		}
		// In scale: stored.
		if r := e.do(a, "POST", "/api/v1/orgs/own/items/risks", `{"id":"x-ok","title":"t","treatment":"retain","likelihood":3,"impact":4}`); r.status != 201 {
			t.Errorf("in scale: %d %s", r.status, r.body)
		}
	})
}
