package web_test

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cloudisms/cloudisms/internal/api"
)

// An SoA row's page shows, to every member, the records linked with the
// row: the risks that chose its control (of the SoA's service), the
// responsibilities and verifications on it, and its evidence, each by
// name and linked. An editor attaches evidence there; saving the row's
// form keeps it.
func TestSoARowLinkedRecords(t *testing.T) {
	eachBackend(t, func(t *testing.T, st *site) {
		const row = "/orgs/sample/soa/row?soa=svc-kintai%3Aprovider&control=CLD.6.3.1"
		page := st.get("viewer@example.com", row)
		i := strings.Index(page, `id="linked"`)
		if i < 0 {
			t.Fatalf("no linked records on the row page")
		}
		section := page[i : i+strings.Index(page[i:], "</section>")]
		for _, w := range []string{
			`href="/orgs/sample/items/risks/r-02"`, "カスタマ・当社・IaaS 事業者の間の役割及び責任の誤解", // r-02 chose CLD.6.3.1 for svc-kintai
			"リスク", "責任分担", "物理環境・仮想化基盤", `href="/orgs/sample/responsibilities?service=svc-kintai#resp-svc-kintai"`,
		} {
			if !strings.Contains(section, w) {
				t.Errorf("the row's linked records lack %q\n%s", w, section)
			}
		}
		// svc-iaas's responsibility for the same control belongs to another SoA.
		if strings.Contains(section, "物理セキュリティ・ハイパーバイザ") || strings.Contains(section, ">r-02<") {
			t.Errorf("another service's record, or an id for a name:\n%s", section)
		}
		if !strings.Contains(page, `id="evidence"`) || strings.Contains(page, `class="row-form"`) || strings.Contains(page, `/soa/row/evidence`) {
			t.Error("a viewer sees the evidence section but neither the form nor the upload")
		}
		// The organization's row of a control that a risk chose, and a
		// verification on a customer SoA's row.
		org := st.get("viewer@example.com", "/orgs/sample/soa/row?soa=organization&control=5.1")
		mustContain(t, "organization row 5.1", org, `href="/orgs/sample/items/risks/r-01"`)
		iaas := st.get("viewer@example.com", "/orgs/sample/soa/row?soa=svc-iaas%3Acustomer&control=27017%3A9.2.4")
		mustContain(t, "svc-iaas row 27017:9.2.4", iaas, `href="/orgs/sample/verifications#ver-ver-01"`, "提供者の検証")
		// The SoA page leads to the row's page from each control, for viewers too.
		mustContain(t, "SoA page", st.get("viewer@example.com", "/orgs/sample/soa?soa=svc-kintai%3Aprovider"),
			`<th scope="row"><a href="soa/row?soa=svc-kintai%3Aprovider&amp;control=CLD.6.3.1">`)
		// The organization's SoA names only the control: the row page's
		// default SoA is the organization's.
		mustContain(t, "organization SoA page", st.get("viewer@example.com", "/orgs/sample/soa"),
			`<th scope="row"><a href="soa/row?control=5.1">`)
		mustContain(t, "organization row by default", st.get("viewer@example.com", "/orgs/sample/soa/row?control=5.1"),
			`href="/orgs/sample/items/risks/r-01"`)

		// An editor attaches a file to the row.
		editor := st.get(fixManager, row)
		f := formAt(t, editor, "/orgs/sample/soa/row/evidence")
		content := []byte("責任分担表 2026 年版")
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		for k, v := range f {
			mw.WriteField(k, v[0])
		}
		fw, _ := mw.CreateFormFile("file", "責任分担表.pdf")
		fw.Write(content)
		mw.Close()
		req := httptest.NewRequest("POST", "/orgs/sample/soa/row/evidence", &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.AddCookie(&http.Cookie{Name: api.SessionCookie, Value: st.sessions[fixManager]})
		rec := httptest.NewRecorder()
		st.h.ServeHTTP(rec, req)
		if rec.Code != http.StatusSeeOther || !strings.Contains(rec.Header().Get("Location"), "/soa/row?soa=svc-kintai%3Aprovider&control=CLD.6.3.1") {
			t.Fatalf("upload: %d to %q\n%.500s", rec.Code, rec.Header().Get("Location"), rec.Body.String())
		}
		sum := fmt.Sprintf("%x", sha256.Sum256(content))
		if it := st.item("soa_rows", "svc-kintai:provider/CLD.6.3.1"); !strings.Contains(string(it.Data), sum) {
			t.Fatalf("the row does not name the file: %s", it.Data)
		}
		after := st.get(fixManager, rec.Header().Get("Location"))
		mustContain(t, "row page after the upload", after, "責任分担表.pdf", "/api/v1/orgs/sample/evidence/"+sum, "をこの行の証跡に添付しました")
		// The same upload form again, at the version it was drawn: refused.
		var stale bytes.Buffer
		mw = multipart.NewWriter(&stale)
		for k, v := range f {
			mw.WriteField(k, v[0])
		}
		fw, _ = mw.CreateFormFile("file", "古い版.pdf")
		fw.Write([]byte("x"))
		mw.Close()
		req = httptest.NewRequest("POST", "/orgs/sample/soa/row/evidence", &stale)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.AddCookie(&http.Cookie{Name: api.SessionCookie, Value: st.sessions[fixManager]})
		rec = httptest.NewRecorder()
		st.h.ServeHTTP(rec, req)
		if rec.Code != http.StatusConflict {
			t.Errorf("stale upload: %d", rec.Code)
		}
		// Saving the row's form keeps its evidence.
		form := formAt(t, after, "/orgs/sample/soa", `name="control" value="CLD.6.3.1"`)
		form.Set("notes", "証跡を添付した行の編集")
		if code, _, _ := st.do(fixManager, "POST", "/orgs/sample/soa", form); code != http.StatusSeeOther {
			t.Fatalf("save: %d", code)
		}
		if it := st.item("soa_rows", "svc-kintai:provider/CLD.6.3.1"); !strings.Contains(string(it.Data), sum) || !strings.Contains(string(it.Data), "証跡を添付した行の編集") {
			t.Errorf("the saved row lost its evidence or its notes: %s", it.Data)
		}
		// A viewer may not upload.
		if code, _, _ := st.do("viewer@example.com", "POST", "/orgs/sample/soa/row/evidence", f); code != http.StatusForbidden {
			t.Errorf("viewer upload: %d", code)
		}
	})
}
