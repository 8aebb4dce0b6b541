package api_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/cloudisms/cloudisms/internal/api"
	"github.com/cloudisms/cloudisms/internal/authz"
	"github.com/cloudisms/cloudisms/internal/store/storetest"
	"github.com/xuri/excelize/v2"
)

func TestXLSXReport(t *testing.T) {
	e := setup(t, storetest.Backends(t)[0].Open)
	r := e.do(authz.Viewer, "GET", "/api/v1/orgs/own/reports/xlsx?kind=risks&lang=ja", nil)
	if r.status != 200 || r.header.Get("Content-Type") != api.XLSXType || !strings.Contains(r.header.Get("Content-Disposition"), "own-risks.xlsx") {
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
