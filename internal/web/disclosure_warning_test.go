package web_test

import (
	"bytes"
	"context"
	"html"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/isms"
)

// Before a provider service's disclosure page is published, the reports
// page warns of the controls that would show neither an allocation nor
// the provider's implementation text, and the publish button asks for a
// confirmation naming them (issue 13, item 7). A fully allocated service
// gets no warning and the plain confirmation.
func TestDisclosureWarnsOfUnallocatedControls(t *testing.T) {
	p := startPlain(t, "admin")
	warning := regexp.MustCompile(`<p class="publish-warning unallocated">([^<]*)</p>`)
	button := regexp.MustCompile(`id="publish-svc-kintai" data-confirm="([^"]*)"`)
	page := func() (warnings []string, confirm string) {
		t.Helper()
		code, _, body := p.get("/orgs/sample/reports")
		if code != 200 {
			t.Fatalf("reports page: %d", code)
		}
		for _, m := range warning.FindAllSubmatch(body, -1) {
			warnings = append(warnings, html.UnescapeString(string(m[1])))
		}
		m := button.FindSubmatch(body)
		if m == nil {
			t.Fatalf("no publish button for svc-kintai:\n%s", body[bytes.Index(body, []byte("publish")):][:400])
		}
		return warnings, html.UnescapeString(string(m[1]))
	}
	for _, w := range func() []string { w, _ := page(); return w }() {
		if strings.Contains(w, "27017:6.1.1") {
			t.Fatalf("the sample's 27017:6.1.1 is already unallocated: %q", w)
		}
	}
	_, plainConfirm := page()

	src, err := os.ReadFile("../../examples/sample-saas.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m, err := bundle.Decode("sample-saas.yaml", src)
	if err != nil {
		t.Fatal(err)
	}
	for i := range m.SoAs {
		if m.SoAs[i].Service != "svc-kintai" {
			continue
		}
		for j := range m.SoAs[i].Rows {
			if m.SoAs[i].Rows[j].Control == "27017:6.1.1" {
				m.SoAs[i].Rows[j].Notes = ""
			}
		}
	}
	m.Responsibilities = slices.DeleteFunc(m.Responsibilities, func(r isms.Responsibility) bool { return r.Control == "27017:6.1.1" })
	if _, err := p.store.Import(context.Background(), "sample", m, "t"); err != nil {
		t.Fatal(err)
	}
	warnings, confirm := page()
	if !slices.ContainsFunc(warnings, func(w string) bool { return strings.Contains(w, "27017:6.1.1") }) {
		t.Errorf("no warning names 27017:6.1.1: %q", warnings)
	}
	if confirm == plainConfirm || !strings.Contains(confirm, "27017:6.1.1") {
		t.Errorf("the confirmation does not name the unallocated control: %q (plain: %q)", confirm, plainConfirm)
	}
}
