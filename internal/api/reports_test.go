package api_test

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/cloudisms/cloudisms/internal/api"
	"github.com/cloudisms/cloudisms/internal/authz"
	"github.com/cloudisms/cloudisms/internal/oscal"
	"github.com/cloudisms/cloudisms/internal/store/storetest"
	"github.com/xuri/excelize/v2"
)

func TestXLSXReport(t *testing.T) {
	e := setup(t, storetest.Backends(t)[0].Open)
	r := e.do(authz.Viewer, "GET", "/api/v1/orgs/own/reports/xlsx?kind=risks&lang=ja", nil)
	if r.status != 200 || r.header.Get("Content-Type") != api.XLSXType || !strings.Contains(r.header.Get("Content-Disposition"), `filename="own_risks_`) ||
		!strings.Contains(r.header.Get("Content-Disposition"), "filename*=UTF-8''") {
		t.Fatalf("%d %v %s", r.status, r.header, r.body)
	}
	f, err := excelize.OpenReader(bytes.NewReader(r.body))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if v, _ := f.GetCellValue("リスクアセスメント", "A1"); v != "リスクアセスメント・リスク対応計画" {
		t.Errorf("A1 %q, sheets %v", v, f.GetSheetList())
	}
	if v, _ := f.GetCellValue("リスクアセスメント", "B3"); !strings.Contains(v, "#") {
		t.Errorf("version %q names no history position", v)
	}
	for _, q := range []string{"?kind=pie", "?lang=fr", "?kind=soa&service=nope"} {
		if r := e.do(authz.Viewer, "GET", "/api/v1/orgs/own/reports/xlsx"+q, nil); r.status != 400 {
			t.Errorf("%s: %d", q, r.status)
		}
	}
}

// sampleLibrary is a CISO Assistant library written for the tests.
var sampleLibrary = func() []byte {
	b, err := os.ReadFile("../library/testdata/sample-library.yaml")
	if err != nil {
		panic(err)
	}
	return b
}()

// basicCatalog is NIST's example catalog, for routes that import one.
var basicCatalog = func() []byte {
	b, err := os.ReadFile("../oscal/testdata/basic-catalog.json")
	if err != nil {
		panic(err)
	}
	return b
}()

func TestOSCALRoutes(t *testing.T) {
	e := setup(t, storetest.Backends(t)[0].Open)
	for _, c := range []struct{ path, version string }{
		{"/api/v1/oscal/catalog?framework=iso27017:2015", oscal.V113},
		{"/api/v1/oscal/catalog?framework=iso27001:2013&oscal_version=1.2.2&lang=en", oscal.V122},
		{"/api/v1/orgs/own/oscal/ssp", oscal.V113},
		{"/api/v1/orgs/own/oscal/ssp?soa=svc-iaas:customer&oscal_version=1.2.2", oscal.V122},
		{"/api/v1/orgs/own/oscal/assessment-results", oscal.V113},
		{"/api/v1/orgs/own/oscal/poam?lang=en", oscal.V113},
	} {
		r := e.do(authz.Viewer, "GET", c.path, nil)
		if r.status != 200 {
			t.Fatalf("%s: %d %s", c.path, r.status, r.body)
		}
		if err := oscal.Validate(c.version, r.body); err != nil {
			t.Errorf("%s: %v", c.path, err)
		}
	}
	for _, p := range []string{"/api/v1/oscal/catalog?framework=risk-sources", "/api/v1/oscal/catalog?oscal_version=2.0"} {
		if r := e.do(authz.Viewer, "GET", p, nil); r.status != 400 {
			t.Errorf("%s: %d", p, r.status)
		}
	}
	if r := e.do(authz.Viewer, "GET", "/api/v1/orgs/own/oscal/ssp?soa=nope:provider", nil); r.status != 404 {
		t.Errorf("unknown SoA: %d", r.status)
	}
	if r := e.do(authz.Admin, "POST", "/api/v1/orgs/own/frameworks?id=bad", []byte(`{"profile":{}}`)); r.status != 400 || !strings.Contains(string(r.body), "catalog") {
		t.Errorf("a profile imported: %d %s", r.status, r.body)
	}
	if r := e.do(authz.Viewer, "GET", "/api/v1/orgs/own/frameworks", nil); r.status != 200 || string(r.body) != "{\"frameworks\":[]}\n" {
		t.Errorf("frameworks after a refused import: %d %s", r.status, r.body)
	}
	if r := e.do(authz.Admin, "POST", "/api/v1/orgs/own/frameworks?id=nist-basic", basicCatalog); r.status != 201 {
		t.Fatalf("import: %d %s", r.status, r.body)
	}
	if r := e.do(authz.Viewer, "GET", "/api/v1/orgs/own/frameworks", nil); !strings.Contains(string(r.body), `"id":"nist-basic"`) {
		t.Errorf("frameworks: %s", r.body)
	}
	if r := e.do(authz.Admin, "POST", "/api/v1/orgs/own/frameworks/library", []byte("urn: x\nobjects:\n  framework:\n    urn: y\n    requirement_nodes: []\n")); r.status != 400 || !strings.Contains(string(r.body), "requirement_nodes") {
		t.Errorf("an empty library: %d %s", r.status, r.body)
	}
	if r := e.do(authz.Admin, "POST", "/api/v1/orgs/own/frameworks/library", sampleLibrary); r.status != 201 || !strings.Contains(string(r.body), `"id":"sample-cloud-rules"`) {
		t.Errorf("library: %d %s", r.status, r.body)
	}
}
