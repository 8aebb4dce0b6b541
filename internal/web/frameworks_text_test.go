package web_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cloudisms/cloudisms/internal/oscal"
)

// An imported catalog's SoA shows labels, group headings, the statement
// with the organization's parameter values, and withdrawn controls only
// when asked; the values are saved per control and appear in the plan.
func TestFrameworkStatementsAndParams(t *testing.T) {
	p := startPlain(t, "isms-manager")
	src, _ := os.ReadFile("../oscal/testdata/sample-params-catalog.json")
	fw, err := oscal.ReadCatalog(src, "sample-cat")
	if err != nil {
		t.Fatal(err)
	}
	if err := p.store.PutFramework(context.Background(), "sample", fw, "setup"); err != nil {
		t.Fatal(err)
	}
	code, _, body := p.get("/orgs/sample/frameworks/sample-cat?control=ac-1")
	if code != 200 {
		t.Fatalf("page: %d", code)
	}
	for _, want := range []string{
		`<tr class="fw-group"><th colspan="5" scope="rowgroup">Access Handling</th>`,
		`>AC-1(1)</a>`,
		`[割当て: 組織が定めるstaff or roles]`,
		`[選択（1つ以上）: company-wide; per department; per system]`,
		`name="param.ac-01_odp.02" value="per department"`,
		`id="param-ac-01_odp.03"`,
		`取り下げ 2（適用宣言の対象外）`,
		`Rules that nobody reads protect nothing`,
		`Logging / Retention`,
	} {
		if !bytes.Contains(body, []byte(want)) {
			t.Errorf("page lacks %s", want)
		}
	}
	if bytes.Contains(body, []byte(`id="c-ac-2"`)) {
		t.Error("a withdrawn control is shown by default")
	}
	if _, _, all := p.get("/orgs/sample/frameworks/sample-cat?withdrawn=1"); !bytes.Contains(all, []byte(`<tr id="c-ac-2" class="withdrawn">`)) || !bytes.Contains(all, []byte("移行先 AC-1")) {
		t.Error("withdrawn controls are not shown on request")
	}
	post := func(v url.Values) (int, []byte) {
		return p.post("/orgs/sample/frameworks/sample-cat", "application/x-www-form-urlencoded", strings.NewReader(v.Encode()))
	}
	form := url.Values{"control": {"ac-1"}, "version": {"0"}, "applicable": {"true"}, "implementation": {"implemented"},
		"param.ac-01_odp.01": {"全従業員"}, "param.ac-01_odp.02": {"company-wide", "per system"}, "param.ac-01_odp.03": {""}}
	code, body = post(form)
	if code != 200 || !bytes.Contains(body, []byte(`<span class="param set" data-param="ac-01_odp.01">全従業員</span>`)) ||
		!bytes.Contains(body, []byte(`data-param="ac-01_odp.02">company-wide; per system</span>`)) {
		t.Fatalf("save: %d", code)
	}
	rows, _ := p.store.FrameworkRows(context.Background(), "sample", "sample-cat")
	if got := rows["ac-1"].Params; len(got) != 2 || got["ac-01_odp.01"] != "全従業員" {
		t.Errorf("stored %+v", got)
	}
	for name, bad := range map[string]url.Values{
		"withdrawn":     {"control": {"ac-2"}, "version": {"0"}, "applicable": {"true"}},
		"unknown param": {"control": {"ac-1"}, "version": {"1"}, "applicable": {"true"}, "param.zz": {"x"}},
		"too long":      {"control": {"ac-1"}, "version": {"1"}, "applicable": {"true"}, "param.ac-01_odp.01": {strings.Repeat("x", 2001)}},
	} {
		if code, _ := post(bad); code != 400 {
			t.Errorf("%s: %d", name, code)
		}
	}
	if rows2, _ := p.store.FrameworkRows(context.Background(), "sample", "sample-cat"); len(rows2) != 1 || rows2["ac-1"].Version != 1 {
		t.Errorf("a refused form changed the rows: %+v", rows2)
	}
	code, _, ssp := p.get("/api/v1/orgs/sample/oscal/ssp?framework=sample-cat")
	if code != 200 || !bytes.Contains(ssp, []byte(`"param-id": "ac-01_odp.01"`)) || oscal.Validate(oscal.V113, ssp) != nil {
		t.Errorf("plan: %d", code)
	}
}

// A CISO Assistant library uploaded on the reports page becomes a
// framework whose SoA shows its headings, requirements and, for each, the
// organization's Annex A rows its mapping names; a mapping library adds
// its mappings; a bad file is refused with the place in it.
func TestLibraryUploadAndAnnexA(t *testing.T) {
	p := startPlain(t, "isms-manager")
	upload := func(file, id string, src []byte) (int, []byte) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		fw, _ := mw.CreateFormFile("library", file)
		fw.Write(src)
		mw.WriteField("id", id)
		mw.Close()
		return p.post("/orgs/sample/reports/libraries", mw.FormDataContentType(), &buf)
	}
	src, _ := os.ReadFile("../library/testdata/sample-library.yaml")
	bad := strings.Replace(string(src), "depth: 1\n", "depth: 99\n", 1)
	if code, body := upload("bad.yaml", "", []byte(bad)); code != 400 || !bytes.Contains(body, []byte("objects.framework.requirement_nodes[0].depth")) {
		t.Errorf("bad library: %d", code)
	}
	if fws, _ := p.store.Frameworks(context.Background(), "sample"); len(fws) != 0 {
		t.Fatalf("a refused library was stored: %+v", fws)
	}
	code, body := upload("sample-library.yaml", "", src)
	if code != 200 || !bytes.Contains(body, []byte("適用宣言の行 3 件")) || !bytes.Contains(body, []byte(`href="/orgs/sample/frameworks/sample-cloud-rules"`)) {
		t.Fatalf("upload: %d", code)
	}
	maps, _ := os.ReadFile("../library/testdata/sample-mapping.yaml")
	if code, body := upload("sample-mapping.yaml", "", maps); code != 400 || !bytes.Contains(body, []byte("ID を入力")) {
		t.Errorf("mapping library without id: %d", code)
	}
	if code, _ := upload("sample-mapping.yaml", "sample-cloud-rules", maps); code != 200 {
		t.Errorf("mapping library: %d", code)
	}
	code, _, page := p.get("/orgs/sample/frameworks/sample-cloud-rules")
	if code != 200 {
		t.Fatalf("SoA: %d", code)
	}
	for _, want := range []string{
		`<tr id="c-ac" class="fw-heading"><th scope="row" class="d0">AC</th>`,
		`<th scope="row" class="d1"><a href="?control=ac-01#fw-edit">AC-01</a></th>`,
		`href="/orgs/sample/soa#row-5.15">5.15 `,
		`href="/orgs/sample/soa#row-8.13">8.13 `,
		`附属書A（組織の適用宣言書）`,
	} {
		if !bytes.Contains(page, []byte(want)) {
			t.Errorf("SoA lacks %s", want)
		}
	}
	if code, _, _ := p.get("/orgs/sample/frameworks/sample-cloud-rules?control=ac"); code != 200 {
		t.Errorf("a heading's page: %d", code)
	}
	v := startPlain(t, "viewer")
	if code, _ := v.post("/orgs/sample/reports/libraries", "multipart/form-data; boundary=x", strings.NewReader("--x--")); code != 403 {
		t.Errorf("viewer: %d", code)
	}
}

// A profile uploaded with the catalog it is based on becomes a framework
// of the controls it selects.
func TestProfileUpload(t *testing.T) {
	p := startPlain(t, "isms-manager")
	upload := func(file, id, base string) (int, []byte) {
		src, _ := os.ReadFile(file)
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		fw, _ := mw.CreateFormFile("catalog", filepath.Base(file))
		fw.Write(src)
		mw.WriteField("id", id)
		mw.WriteField("base", base)
		mw.Close()
		return p.post("/orgs/sample/reports/frameworks", mw.FormDataContentType(), &buf)
	}
	if code, body := upload("../oscal/testdata/sample-low-profile.json", "low", "cat"); code != 400 || !bytes.Contains(body, []byte("cat")) {
		t.Errorf("no base yet: %d", code)
	}
	if code, _ := upload("../oscal/testdata/sample-params-catalog.json", "cat", ""); code != 200 {
		t.Fatalf("catalog: %d", code)
	}
	code, body := upload("../oscal/testdata/sample-low-profile.json", "low", "cat")
	if code != 200 || !bytes.Contains(body, []byte(`<option value="cat">`)) {
		t.Fatalf("profile: %d", code)
	}
	fw, err := p.store.Framework(context.Background(), "sample", "low")
	if err != nil || len(fw.Controls) != 3 || fw.Title != "Sample low baseline" {
		t.Errorf("%+v %v", fw, err)
	}
}
