package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cloudisms/cloudisms/internal/api"
	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/oscal"
	"github.com/cloudisms/cloudisms/internal/report"
	"github.com/cloudisms/cloudisms/internal/server"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/xuri/excelize/v2"
)

// plain is a server with the sample ISMS and one signed-in member, driven
// over HTTP without a browser.
type plain struct {
	t      *testing.T
	url    string
	store  *store.Store
	cookie *http.Cookie
}

func startPlain(t *testing.T, role string) *plain {
	ctx := context.Background()
	s, err := store.Open(ctx, "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	src, _ := os.ReadFile("../../examples/sample-saas.yaml")
	m, err := bundle.Decode("sample-saas.yaml", src)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Import(ctx, "sample", m, "setup"); err != nil {
		t.Fatal(err)
	}
	u, err := s.CreateUser(ctx, "member@example.com", "Member", "ja", password)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.AddMember(ctx, "sample", u.ID, role, "p-isms"); err != nil {
		t.Fatal(err)
	}
	tok, err := s.CreateSession(ctx, u.ID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	h, err := server.Handler(s, slog.New(slog.NewTextHandler(io.Discard, nil)), func() time.Time {
		return time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &plain{t: t, url: srv.URL, store: s, cookie: &http.Cookie{Name: api.SessionCookie, Value: tok}}
}

func (p *plain) get(path string) (int, http.Header, []byte) {
	p.t.Helper()
	req, _ := http.NewRequest("GET", p.url+path, nil)
	req.AddCookie(p.cookie)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		p.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, b
}

func TestReportsPageDownloads(t *testing.T) {
	p := startPlain(t, "viewer")
	code, _, body := p.get("/orgs/sample/reports")
	if code != 200 {
		t.Fatalf("reports page: %d %s", code, body)
	}
	if !bytes.Contains(body, []byte(`href="/orgs/sample/reports"`)) {
		t.Error("the side navigation does not link the reports page")
	}
	links := regexp.MustCompile(`href="(/api/v1/orgs/sample/reports/xlsx\?[^"]+)"`).FindAllSubmatch(body, -1)
	if len(links) != len(report.Kinds) {
		t.Fatalf("%d download links, want one per workbook kind (%d)", len(links), len(report.Kinds))
	}
	for _, l := range links {
		path := strings.ReplaceAll(string(l[1]), "&amp;", "&")
		code, hdr, wb := p.get(path)
		if code != 200 || !strings.HasPrefix(hdr.Get("Content-Disposition"), "attachment") {
			t.Fatalf("%s: %d %v", path, code, hdr)
		}
		f, err := excelize.OpenReader(bytes.NewReader(wb))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if len(f.GetSheetList()) == 0 {
			t.Errorf("%s: no sheets", path)
		}
		f.Close()
	}
}

func (p *plain) post(path, contentType string, body io.Reader) (int, []byte) {
	p.t.Helper()
	req, _ := http.NewRequest("POST", p.url+path, body)
	req.Header.Set("Content-Type", contentType)
	req.AddCookie(p.cookie)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		p.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

func (p *plain) upload(path string, wb []byte) (int, []byte) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("workbook", "soa.xlsx")
	fw.Write(wb)
	mw.Close()
	return p.post(path, mw.FormDataContentType(), &buf)
}

func TestSoAImportPreviewThenApply(t *testing.T) {
	p := startPlain(t, "isms-manager")
	_, _, src := p.get("/api/v1/orgs/sample/reports/xlsx?kind=soa&lang=ja")
	x, err := excelize.OpenReader(bytes.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	sh := x.GetSheetList()[0]
	rows, _ := x.GetRows(sh)
	row := 0
	for i, r := range rows {
		if len(r) > 0 && r[0] == "5.1" {
			row = i + 1
		}
	}
	x.SetCellValue(sh, "F"+strconv.Itoa(row), "計画中")
	var good bytes.Buffer
	x.WriteTo(&good)
	x.SetCellValue(sh, "D"+strconv.Itoa(row), "たぶん")
	var bad bytes.Buffer
	x.WriteTo(&bad)
	x.Close()
	ctx := context.Background()
	_, head, _ := p.store.ISMSAt(ctx, "sample")

	code, body := p.upload("/orgs/sample/reports/soa-import", bad.Bytes())
	if code != 400 || !bytes.Contains(body, []byte("セル D"+strconv.Itoa(row))) || !bytes.Contains(body, []byte("たぶん")) {
		t.Fatalf("bad workbook: %d %s", code, body)
	}
	code, body = p.upload("/orgs/sample/reports/soa-import", good.Bytes())
	if code != 200 || !bytes.Contains(body, []byte(`id="changes"`)) || !bytes.Contains(body, []byte("計画中")) {
		t.Fatalf("preview: %d %s", code, body)
	}
	if _, h, _ := p.store.ISMSAt(ctx, "sample"); h != head {
		t.Fatal("the preview changed the ISMS")
	}
	field := func(name string) string {
		m := regexp.MustCompile(`name="` + name + `" value="([^"]*)"`).FindSubmatch(body)
		if m == nil {
			t.Fatalf("no %s field", name)
		}
		return html.UnescapeString(string(m[1]))
	}
	form := url.Values{"workbook": {field("workbook")}, "head": {field("head")}, "file": {field("file")}}
	code, body = p.post("/orgs/sample/reports/soa-import/apply", "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if code != 200 || !bytes.Contains(body, []byte("1 行変更しました")) {
		t.Fatalf("apply: %d %s", code, body)
	}
	hist, _ := p.store.History(ctx, "sample", store.HistoryFilter{After: head})
	if len(hist) != 1 || hist[0].Actor != "member@example.com" || hist[0].Key != "organization/5.1" {
		t.Fatalf("history %+v", hist)
	}
	// The same form again was previewed at an older head: shown again, not applied.
	code, body = p.post("/orgs/sample/reports/soa-import/apply", "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if code != 200 || !bytes.Contains(body, []byte("もう一度確認")) || !bytes.Contains(body, []byte(`id="no-changes"`)) {
		t.Fatalf("stale apply: %d %s", code, body)
	}
	if hist, _ := p.store.History(ctx, "sample", store.HistoryFilter{After: head}); len(hist) != 1 {
		t.Fatalf("stale apply wrote: %d records", len(hist))
	}
}

func TestSoAImportNeedsWriteRole(t *testing.T) {
	p := startPlain(t, "viewer")
	_, _, src := p.get("/api/v1/orgs/sample/reports/xlsx?kind=soa")
	if code, _ := p.upload("/orgs/sample/reports/soa-import", src); code != 403 {
		t.Errorf("viewer preview: %d", code)
	}
	if _, _, body := p.get("/orgs/sample/reports"); bytes.Contains(body, []byte("soa-import")) {
		t.Error("a viewer is offered the import form")
	}
}

func TestPrintPages(t *testing.T) {
	p := startPlain(t, "viewer")
	for _, path := range []string{"/orgs/sample/print/scope", "/orgs/sample/print/soa?subject=svc-kintai:provider", "/orgs/sample/print/risks",
		"/orgs/sample/print/audit", "/orgs/sample/print/review"} {
		code, hdr, body := p.get(path)
		if code != 200 || !strings.Contains(hdr.Get("Content-Security-Policy"), "'sha256-") || !bytes.Contains(body, []byte(`href="/print.css"`)) ||
			!bytes.Contains(body, []byte("counter(page)")) {
			t.Errorf("%s: %d %v", path, code, hdr)
		}
	}
	if code, _, _ := p.get("/orgs/sample/print/minutes"); code != 404 {
		t.Errorf("unknown document: %d", code)
	}
	if code, hdr, css := p.get("/print.css"); code != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "text/css") || len(css) == 0 {
		t.Errorf("print.css: %d", code)
	}
	if _, err := os.Stat("/usr/bin/chromium"); err != nil {
		t.Skip("chromium is not installed: PDF download not tested")
	}
	code, hdr, pdf := p.get("/orgs/sample/print/review?format=pdf")
	if code != 200 || hdr.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Errorf("PDF: %d %v", code, hdr)
	}
}

func TestDisclosurePublishedByAdminOnly(t *testing.T) {
	p := startPlain(t, "admin")
	anon := func(path string) (int, []byte) {
		res, err := http.Get(p.url + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, b
	}
	if code, _ := anon("/disclosure/sample/svc-kintai"); code != 404 {
		t.Fatalf("public before publishing: %d", code)
	}
	if code, _ := anon("/api/v1/disclosure/sample/svc-kintai"); code != 404 {
		t.Fatalf("JSON before publishing: %d", code)
	}
	form := "on=true"
	if code, body := p.post("/orgs/sample/disclosure/svc-iaas", "application/x-www-form-urlencoded", strings.NewReader(form)); code != 404 {
		t.Errorf("a customer-role service published: %d %s", code, body)
	}
	code, body := p.post("/orgs/sample/disclosure/svc-kintai", "application/x-www-form-urlencoded", strings.NewReader(form))
	if code != 200 || !bytes.Contains(body, []byte(`id="public-svc-kintai"`)) {
		t.Fatalf("publish: %d %s", code, body)
	}
	code, body = anon("/disclosure/sample/svc-kintai?lang=en")
	if code != 200 || !bytes.Contains(body, []byte("The provider does")) || !bytes.Contains(body, []byte("CLD.6.3.1")) {
		t.Fatalf("public page: %d %s", code, body)
	}
	code, body = anon("/api/v1/disclosure/sample/svc-kintai")
	var d struct {
		Service string `json:"service"`
		Items   []struct {
			Control string `json:"control"`
			Shares  []struct {
				Provider string `json:"provider"`
			} `json:"shares"`
		} `json:"items"`
	}
	if code != 200 || json.Unmarshal(body, &d) != nil || d.Service != "svc-kintai" || len(d.Items) == 0 {
		t.Fatalf("JSON: %d %s", code, body)
	}
	shared := 0
	for _, it := range d.Items {
		shared += len(it.Shares)
	}
	if shared == 0 {
		t.Error("no control carries the service's responsibilities")
	}
	manager := startPlain(t, "isms-manager")
	if code, _ := manager.post("/orgs/sample/disclosure/svc-kintai", "application/x-www-form-urlencoded", strings.NewReader(form)); code != 403 {
		t.Errorf("an ISMS manager published: %d", code)
	}
	if code, _ := p.post("/orgs/sample/disclosure/svc-kintai", "application/x-www-form-urlencoded", strings.NewReader("on=false")); code != 200 {
		t.Fatal("unpublish failed")
	}
	if code, _ := anon("/disclosure/sample/svc-kintai"); code != 404 {
		t.Errorf("still public after unpublishing: %d", code)
	}
}

func TestControlTextsPage(t *testing.T) {
	p := startPlain(t, "isms-manager")
	form := url.Values{"control": {"5.1"}, "text": {"<b>本文</b> 5.1"}}
	code, body := p.post("/orgs/sample/control-texts", "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if code != 200 || !bytes.Contains(body, []byte("&lt;b&gt;本文&lt;/b&gt; 5.1")) {
		t.Fatalf("save: %d %s", code, body)
	}
	if _, _, soa := p.get("/orgs/sample/soa"); !bytes.Contains(soa, []byte(`class="own-text"`)) || !bytes.Contains(soa, []byte("&lt;b&gt;本文")) {
		t.Error("the SoA page does not show the control's text")
	}
	bad := url.Values{"control": {"A.5.1.1"}, "text": {"x"}}
	if code, _ := p.post("/orgs/sample/control-texts", "application/x-www-form-urlencoded", strings.NewReader(bad.Encode())); code != 400 {
		t.Errorf("a 2013 control on a 2022 organization: %d", code)
	}
	v := startPlain(t, "viewer")
	if code, _ := v.post("/orgs/sample/control-texts", "application/x-www-form-urlencoded", strings.NewReader(form.Encode())); code != 403 {
		t.Errorf("a viewer saved a text: %d", code)
	}
}

func TestFrameworkUploadAndOSCALLinks(t *testing.T) {
	p := startPlain(t, "isms-manager")
	upload := func(name string, src []byte, id string) (int, []byte) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		fw, _ := mw.CreateFormFile("catalog", name)
		fw.Write(src)
		mw.WriteField("id", id)
		mw.Close()
		return p.post("/orgs/sample/reports/frameworks", mw.FormDataContentType(), &buf)
	}
	if code, body := upload("x.json", []byte(`{"profile":{}}`), "x"); code != 400 || !bytes.Contains(body, []byte("catalog")) {
		t.Errorf("a profile: %d", code)
	}
	src, _ := os.ReadFile("../oscal/testdata/basic-catalog.json")
	code, body := upload("basic.json", src, "nist-basic")
	if code != 200 || !bytes.Contains(body, []byte("<code>nist-basic</code>")) {
		t.Fatalf("upload: %d %s", code, body)
	}
	links := regexp.MustCompile(`href="(/api/v1/[^"]*oscal[^"]*)"`).FindAllSubmatch(body, -1)
	if len(links) < 4 {
		t.Fatalf("%d OSCAL links", len(links))
	}
	for _, l := range links {
		path := html.UnescapeString(string(l[1]))
		if code, _, b := p.get(path); code != 200 || !bytes.Contains(b, []byte(`"oscal-version": "1.1.3"`)) {
			t.Errorf("%s: %d", path, code)
		}
	}
}

func TestImportedFrameworkSoA(t *testing.T) {
	p := startPlain(t, "isms-manager")
	src, _ := os.ReadFile("../oscal/testdata/basic-catalog.json")
	fw, err := oscal.ReadCatalog(src, "nist-basic")
	if err != nil {
		t.Fatal(err)
	}
	if err := p.store.PutFramework(context.Background(), "sample", fw, "setup"); err != nil {
		t.Fatal(err)
	}
	ctl := fw.Controls[0].ID
	code, _, body := p.get("/orgs/sample/frameworks/nist-basic?control=" + ctl)
	if code != 200 || !bytes.Contains(body, []byte(`id="fw-edit"`)) || !bytes.Contains(body, []byte(`id="c-`+ctl+`"`)) {
		t.Fatalf("page: %d %s", code, body)
	}
	post := func(v url.Values) (int, []byte) {
		return p.post("/orgs/sample/frameworks/nist-basic", "application/x-www-form-urlencoded", strings.NewReader(v.Encode()))
	}
	code, body = post(url.Values{"control": {ctl}, "version": {"0"}, "applicable": {"false"}})
	if code != 400 || !bytes.Contains(body, []byte(`id="justification-error"`)) {
		t.Fatalf("excluded without justification: %d", code)
	}
	good := url.Values{"control": {ctl}, "version": {"0"}, "applicable": {"true"}, "reasons": {"risk", "legal"}, "implementation": {"partial"}}
	if code, body = post(good); code != 200 || !bytes.Contains(body, []byte("一部実施")) {
		t.Fatalf("save: %d %s", code, body)
	}
	good.Set("implementation", "planned")
	if code, body = post(good); code != 409 || !bytes.Contains(body, []byte(`id="conflict"`)) || !bytes.Contains(body, []byte("(member@example.com):")) {
		t.Fatalf("stale save: %d", code)
	}
	rows, _ := p.store.FrameworkRows(context.Background(), "sample", "nist-basic")
	if rows[ctl].Implementation != "partial" || rows[ctl].UpdatedBy != "member@example.com" {
		t.Errorf("stored %+v", rows[ctl])
	}
	code, _, ssp := p.get("/api/v1/orgs/sample/oscal/ssp?framework=nist-basic")
	if code != 200 || oscal.Validate(oscal.V113, ssp) != nil || !bytes.Contains(ssp, []byte(`"control-id": "`+ctl+`"`)) {
		t.Errorf("framework SSP: %d %v", code, oscal.Validate(oscal.V113, ssp))
	}
	v := startPlain(t, "viewer")
	v.store.PutFramework(context.Background(), "sample", fw, "setup")
	if code, _ := v.post("/orgs/sample/frameworks/nist-basic", "application/x-www-form-urlencoded", strings.NewReader(good.Encode())); code != 403 {
		t.Errorf("viewer: %d", code)
	}
}
