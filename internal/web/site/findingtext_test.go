package site

import (
	"strings"
	"testing"

	"github.com/cloudisms/cloudisms/internal/conformity"
	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/names"
)

// A finding's text on a page names the risks, documents, audits,
// objectives, incidents and certificates it is about, not their ids.
func TestFindingTextNamesItems(t *testing.T) {
	m := &isms.ISMS{
		Risks:        []*isms.Risk{{ID: "r-01", Title: "不正アクセスによる情報漏えい"}},
		Documents:    []isms.Document{{ID: "doc-pol", Title: "情報セキュリティ方針"}},
		Audits:       []isms.Audit{{ID: "aud-2025", Title: "2025年度内部監査"}},
		Objectives:   []isms.Objective{{ID: "obj-1", Title: "稼働率 99.9%"}},
		Incidents:    []isms.Incident{{ID: "inc-1", Title: "ログイン障害"}},
		Certificates: []isms.Certificate{{ID: "cert-cloud", Number: "CLD 0001"}, {ID: "cert-isms", Number: "IS 123456"}},
	}
	nm := names.Of(m, "ja")
	for _, c := range []struct {
		msg      i18n.Message
		name, id string
	}{
		{i18n.M("rule.RISK-05", "risk", "r-01"), "不正アクセスによる情報漏えい", "r-01"},
		{i18n.M("rule.DOC-02.never", "document", "doc-pol"), "情報セキュリティ方針", "doc-pol"},
		{i18n.M("rule.AUD-05", "finding", "f-1", "audit", "aud-2025"), "2025年度内部監査", "aud-2025"},
		{i18n.M("rule.OBJ-02", "objective", "obj-1", "due", "2026-03-31"), "稼働率 99.9%", "obj-1"},
		{i18n.M("rule.INC-01", "incident", "inc-1", "service", "svc-x"), "ログイン障害", "inc-1"},
		{i18n.M("rule.CERT-01.not_isms", "certificate", "cert-cloud", "base", "cert-isms"), "IS 123456", "cert-isms"},
	} {
		got := FindingText(conformity.Finding{Message: c.msg}, "ja", nm)
		if !strings.Contains(got, c.name) || strings.Contains(got, c.id) {
			t.Errorf("%s: %q, want %q named and not %q", c.msg.Key, got, c.name, c.id)
		}
	}
}
