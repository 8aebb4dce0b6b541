package api_test

import (
	"encoding/json"
	"testing"

	"github.com/cloudisms/cloudisms/internal/authz"
	"github.com/cloudisms/cloudisms/internal/store/storetest"
)

// GET /api/v1/orgs lists the caller's organizations only (it answered 404).
func TestListOrgs(t *testing.T) {
	e := setup(t, storetest.Backends(t)[0].Open)
	var got struct {
		Orgs []struct{ ID, Name, Role, URL string }
	}
	for _, c := range []struct {
		who, org, role string
	}{{authz.Auditor, "own", authz.Auditor}, {"outsider", "other", authz.Admin}} {
		r := e.do(c.who, "GET", "/api/v1/orgs", nil)
		if r.status != 200 {
			t.Fatalf("%s: %d %s", c.who, r.status, r.body)
		}
		if err := json.Unmarshal(r.body, &got); err != nil {
			t.Fatal(err)
		}
		if len(got.Orgs) != 1 || got.Orgs[0].ID != c.org || got.Orgs[0].Role != c.role || got.Orgs[0].Name == "" || got.Orgs[0].URL != "/api/v1/orgs/"+c.org {
			t.Errorf("%s: %s", c.who, r.body)
		}
	}
	if r := e.do("nobody", "GET", "/api/v1/orgs", nil); r.status != 401 {
		t.Errorf("anonymous: %d", r.status)
	}
}
