package report

import (
	"bytes"
	"html"
	"os"
	"strings"
	"testing"

	"github.com/cloudisms/cloudisms/internal/bundle"
)

// The printed management review lists the inputs of the ISMS's edition
// with that edition's lettering: JIS Q 27001:2023 9.3.2 a)–g) with c) the
// interested parties' needs under the 2022 edition, JIS Q 27001:2014 9.3
// a)–f) without it under the 2013 edition.
func TestPrintedReviewInputsByEdition(t *testing.T) {
	for _, tc := range []struct {
		name      string
		want, not []string
	}{
		{"sample-saas.yaml",
			[]string{"c) ISMS に関連する利害関係者のニーズ及び期待の変化", "d) 1) 不適合及び是正処置", "g) 継続的改善の機会"},
			[]string{"f) 継続的改善の機会"}},
		{"sample-2013.yaml",
			[]string{"c) 1) 不適合及び是正処置", "f) 継続的改善の機会"},
			[]string{"利害関係者のニーズ及び期待の変化", "g) 継続的改善の機会"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src, err := os.ReadFile("../../examples/" + tc.name)
			if err != nil {
				t.Fatal(err)
			}
			m, err := bundle.Decode(tc.name, src)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if _, err := PrintHTML(&buf, m, DocReview, PrintOptions{Options: Options{Date: asOf}}); err != nil {
				t.Fatal(err)
			}
			page := html.UnescapeString(buf.String())
			for _, w := range tc.want {
				if !strings.Contains(page, w) {
					t.Errorf("the printed review lacks %q", w)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(page, n) {
					t.Errorf("the printed review shows %q, another edition's input", n)
				}
			}
		})
	}
}
