package web_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/store/storetest"
)

// The management review's inputs are those of the ISMS's edition, lettered
// as that edition letters them: 2022 has 9.3.2 c) (interested parties'
// needs) and d) 1)–4); 2013 has no such input and c) 1)–4).
func TestReviewInputsByEdition(t *testing.T) {
	st := newSite(t, storetest.Backends(t)[0])
	form := st.get(fixCEO, "/orgs/sample/reviews/new")
	for _, want := range []string{`name="in_interested_party_needs"`, "c) ISMS に関連する利害関係者のニーズ及び期待の変化", "d) 1) 不適合及び是正処置", "g) 継続的改善の機会"} {
		if !strings.Contains(form, want) {
			t.Errorf("2022 review form lacks %q", want)
		}
	}
	if page := st.get(fixCEO, "/orgs/sample/reviews"); !strings.Contains(page, "c) ISMS に関連する利害関係者のニーズ及び期待の変化") {
		t.Error("2022 review page does not show 9.3.2 c)")
	}
	src, err := os.ReadFile("../../examples/sample-2013.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m, err := bundle.Decode("sample-2013.yaml", src)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.s.Import(context.Background(), "sample", m, "t"); err != nil {
		t.Fatal(err)
	}
	form = st.get(fixCEO, "/orgs/sample/reviews/new")
	if strings.Contains(form, `name="in_interested_party_needs"`) {
		t.Error("2013 review form asks for the 2022 input c)")
	}
	for _, want := range []string{"c) 1) 不適合及び是正処置", "f) 継続的改善の機会"} {
		if !strings.Contains(form, want) {
			t.Errorf("2013 review form lacks %q", want)
		}
	}
}

// Japanese titles no published list confirmed are marked on the SoA page
// with a note; an organization's own title (control texts, ID#title)
// replaces the catalog's, unmarked.
func TestUnconfirmedTitlesMarked(t *testing.T) {
	st := newSite(t, storetest.Backends(t)[0])
	page := st.get(fixManager, "/orgs/sample/soa?soa=organization")
	if !strings.Contains(page, `<sup class="unconfirmed"`) || !strings.Contains(page, `class="hint unconfirmed-note"`) {
		t.Fatal("the SoA page marks no unconfirmed title")
	}
	row := func(body, id string) string {
		i := strings.Index(body, `<tr id="row-`+id+`"`)
		if i < 0 {
			t.Fatalf("no row %s", id)
		}
		j := strings.Index(body[i:], "</tr>")
		return body[i : i+j]
	}
	if !strings.Contains(row(page, "5.23"), `class="unconfirmed"`) {
		t.Error("5.23's catalog title is unverified and should be marked")
	}
	if _, err := st.s.SetControlTexts(context.Background(), "sample", map[string]string{"5.23#title": "クラウドサービス利用の情報セキュリティ（自社訳）"}, "t"); err != nil {
		t.Fatal(err)
	}
	r := row(st.get(fixManager, "/orgs/sample/soa?soa=organization"), "5.23")
	if !strings.Contains(r, "クラウドサービス利用の情報セキュリティ（自社訳）") || strings.Contains(r, `class="unconfirmed"`) {
		t.Errorf("the organization's own title should replace the catalog's, unmarked: %s", r)
	}
}
