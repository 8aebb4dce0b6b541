package api_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/cloudisms/cloudisms/internal/api"
	"github.com/cloudisms/cloudisms/internal/authz"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/report"
	"github.com/cloudisms/cloudisms/internal/store/storetest"
	"github.com/xuri/excelize/v2"
)

// soaWorkbook is the SoA workbook of an organization as stored now.
func soaWorkbook(t *testing.T, e *env, org string, edits ...func(f *excelize.File)) []byte {
	t.Helper()
	m, head, err := e.store.ISMSAt(ctx, org)
	if err != nil {
		t.Fatal(err)
	}
	var src bytes.Buffer
	if err := report.Write(&src, m, report.KindSoA, report.Options{Lang: "ja", Date: isms.MustDate("2026-11-01"), Head: head}); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&src)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, ed := range edits {
		ed(f)
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// setCell edits a cell of the organization's SoA sheet on the row of a control.
func setCell(t *testing.T, control string, col int, v string) func(*excelize.File) {
	return func(f *excelize.File) {
		sh := f.GetSheetList()[0]
		rows, _ := f.GetRows(sh)
		for i, r := range rows {
			if len(r) > 0 && r[0] == control {
				ref, _ := excelize.CoordinatesToCellName(col, i+1)
				if err := f.SetCellValue(sh, ref, v); err != nil {
					t.Fatal(err)
				}
				return
			}
		}
		t.Fatalf("no row %s", control)
	}
}

type importAnswer struct {
	Head    int64
	MadeAt  *int64 `json:"workbook_made_at"`
	Applied bool
	Changes []struct {
		SoA, Control, Cell string
		Stale              bool `json:"changed_since_workbook"`
	}
	Skipped []struct{ SoA, Control, Cell, Value, Reason string }
}

func TestSoAImportRoute(t *testing.T) {
	e := setup(t, storetest.Backends(t)[0].Open)
	old := soaWorkbook(t, e, "own", setCell(t, "5.3", 6, "計画中"), setCell(t, "5.4", 3, "区分を変えた"))
	post := func(query string, body []byte) resp {
		return e.do(authz.ISMSManager, "POST", "/api/v1/orgs/own/soa-import"+query, body, "Content-Type", api.XLSXType)
	}
	r := post("?dry_run=true", old)
	var a importAnswer
	if r.status != 200 || json.Unmarshal(r.body, &a) != nil || a.Applied || len(a.Changes) != 1 || a.Changes[0].Control != "5.3" ||
		len(a.Skipped) != 1 || a.Skipped[0].Control != "5.4" || a.Skipped[0].Reason == "" || a.MadeAt == nil {
		t.Fatalf("dry run: %d %s", r.status, r.body)
	}
	// Someone changes 5.3 meanwhile: the older workbook is refused, naming the row.
	if r := post("", soaWorkbook(t, e, "own", setCell(t, "5.3", 7, "画面での変更"))); r.status != 200 {
		t.Fatalf("newer import: %d %s", r.status, r.body)
	}
	r = post("", old)
	if r.status != 409 || !bytes.Contains(r.body, []byte(`"stale_workbook"`)) || !bytes.Contains(r.body, []byte("organization 5.3")) {
		t.Fatalf("stale workbook: %d %s", r.status, r.body)
	}
	r = post("?overwrite_newer=true", old)
	if r.status != 200 || json.Unmarshal(r.body, &a) != nil || !a.Applied || len(a.Changes) != 1 || !a.Changes[0].Stale {
		t.Fatalf("confirmed: %d %s", r.status, r.body)
	}
	// A broken workbook: every problem with its cell, nothing written.
	r = post("", soaWorkbook(t, e, "own", setCell(t, "5.5", 4, "たぶん")))
	if r.status != 400 || !bytes.Contains(r.body, []byte(`"path":"`)) {
		t.Errorf("invalid value: %d %s", r.status, r.body)
	}
	if r := post("", []byte("not a workbook")); r.status != 400 {
		t.Errorf("not a workbook: %d", r.status)
	}
	// A viewer may not import; another organization is not found.
	if r := e.do(authz.Viewer, "POST", "/api/v1/orgs/own/soa-import", old); r.status != 403 {
		t.Errorf("viewer: %d", r.status)
	}
	if r := e.do(authz.ISMSManager, "POST", "/api/v1/orgs/other/soa-import", old); r.status != 404 {
		t.Errorf("foreign: %d", r.status)
	}
}
