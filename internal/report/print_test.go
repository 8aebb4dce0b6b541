package report

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPrintHTMLDocuments(t *testing.T) {
	m := sample(t)
	cases := []struct {
		doc, subject string
		want         []string
	}{
		{DocScope, "", []string{"ISMS 及びクラウドセキュリティの適用範囲", m.Organization.ISMSScope[:20], "svc-kintai"}},
		{DocSoA, "svc-kintai:provider", []string{"適用宣言書", "27017:12.3.1", "CLD.6.3.1", "size: A4 landscape"}},
		{DocRisks, "", []string{"リスクアセスメント・リスク対応計画", m.Risks[0].ID, "ヒートマップ"}},
		{DocAudit, m.Audits[0].ID, []string{"内部監査報告書", m.Audits[0].ID, m.Audits[0].Findings[0].ID}},
		{DocReview, "", []string{"マネジメントレビュー議事録", "a) 前回までの", m.Reviews[0].Outputs[0].Decision}},
	}
	for _, c := range cases {
		var buf bytes.Buffer
		hash, err := PrintHTML(&buf, m, c.doc, PrintOptions{Subject: c.subject, Options: Options{Version: "変更履歴 #12", Date: asOf}})
		if err != nil {
			t.Fatalf("%s: %v", c.doc, err)
		}
		page := buf.String()
		for _, w := range append(c.want, "@top-left", "counter(page)", "counter(pages)", "指紋", "line-break: strict", m.Organization.Name, `<html lang="ja">`) {
			if !strings.Contains(page, w) {
				t.Errorf("%s: no %q", c.doc, w)
			}
		}
		if !strings.HasPrefix(hash, "'sha256-") {
			t.Errorf("%s: style hash %q", c.doc, hash)
		}
	}
	for _, c := range []struct{ doc, subject string }{{DocSoA, "nope:provider"}, {DocAudit, "aud-x"}, {DocReview, "mr-x"}, {"minutes", ""}} {
		if _, err := PrintHTML(&bytes.Buffer{}, m, c.doc, PrintOptions{Subject: c.subject}); err == nil {
			t.Errorf("%s %s: no error", c.doc, c.subject)
		}
	}
}

// A name cannot break out of the page's style or markup.
func TestPrintEscapes(t *testing.T) {
	m := sample(t)
	m.Organization.Name = `</style><script>alert(1)</script>"\`
	var buf bytes.Buffer
	if _, err := PrintHTML(&buf, m, DocScope, PrintOptions{Options: Options{Lang: "ja"}}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "<script>") {
		t.Errorf("markup from data in the page:\n%s", buf.String()[:600])
	}
}

func TestPDFThroughChromium(t *testing.T) {
	browser, err := FindBrowser()
	if err != nil {
		t.Skip(err)
	}
	m := sample(t)
	var buf bytes.Buffer
	if _, err := PrintHTML(&buf, m, DocSoA, PrintOptions{Options: Options{Version: "1", Date: asOf}}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "soa.pdf")
	if err := PDF(context.Background(), browser, buf.Bytes(), out); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(out)
	if !bytes.HasPrefix(b, []byte("%PDF-")) || bytes.Count(b, []byte("/Type /Page\n"))+bytes.Count(b, []byte("/Type /Page")) < 2 {
		t.Errorf("not a multi-page PDF (%d bytes)", len(b))
	}
	if err := PDF(context.Background(), "/nonexistent/chromium", buf.Bytes(), out); err == nil {
		t.Error("a missing browser printed")
	}
}
