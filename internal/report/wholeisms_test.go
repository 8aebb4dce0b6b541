package report

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/isms"
)

// registersModel is the bundle's test ISMS holding one of everything of
// the version 2 registers.
func registersModel(t testing.TB) *isms.ISMS {
	t.Helper()
	src, err := os.ReadFile("../bundle/testdata/registers.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m, err := bundle.Decode("registers.yaml", src)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// Every register report is a workbook and a printed document holding the
// records: what each table must show, in Japanese.
func TestRegisterReports(t *testing.T) {
	m := registersModel(t)
	want := map[string][]string{
		KindParties:    {"サービスAの利用企業", "クラウドサービスカスタマ", "障害と事故の速やかな通知", "顧客のクラウド認証要求の高まり", "データセンターの水害リスクとして扱う"},
		KindObjectives: {"重大障害ゼロ", "年 0 件", "2026-09-30 0", "1 件中 1 件完了", "障害記録の集計", "9 月"},
		// p1 is ISMS personnel without an awareness training; the
		// competence training on 2026-05-10 was attended by p1.
		KindCompetence:      {"山田", "認識（意識向上）の教育", "満たしていない", "クラウドセキュリティ研修", "attendance.xlsx", "p1"},
		KindDocuments:       {"情報セキュリティ方針", "5.2、6.2", "2027-04-01"},
		KindNonconformities: {"手順どおりに通知されなかった", "周知した", "文書の版管理が不十分", "手順を定めた", "審査（認証機関）", "不適合"},
		KindIncidents:       {"API の応答遅延", "中", "nc-1", "30 分で復旧"},
		KindCertification:   {"IS 000001", "CLOUD 000001", "2028-01-09", "本社におけるサービスAの開発・運用", "維持審査", "重大 0・軽微 1・観察 0・改善の機会 1", "report.pdf", "クラウド利用の記録を一元化するとよい"},
	}
	for _, kind := range RegisterReports {
		t.Run(kind, func(t *testing.T) {
			o := Options{Lang: "ja", Date: isms.MustDate("2026-11-01"), Version: "t"}
			f := reopen(t, m, kind, o)
			var cells strings.Builder
			for _, sh := range f.GetSheetList() {
				rows, err := f.GetRows(sh)
				if err != nil {
					t.Fatal(err)
				}
				if len(rows) == 0 || !strings.HasPrefix(rows[0][0], tr("ja", "report.title."+kind)) {
					t.Errorf("sheet %s: title %v", sh, rows)
				}
				for _, r := range rows {
					cells.WriteString(strings.Join(r, " ") + "\n")
				}
			}
			var page bytes.Buffer
			if _, err := PrintHTML(&page, m, kind, PrintOptions{Options: o}); err != nil {
				t.Fatal(err)
			}
			printed := page.String()
			if !strings.Contains(printed, "<title>") || !strings.Contains(printed, tr("ja", "report.title."+kind)) {
				t.Errorf("printed document lacks its title")
			}
			for _, w := range want[kind] {
				if !strings.Contains(cells.String(), w) {
					t.Errorf("workbook lacks %q:\n%s", w, cells.String())
				}
				if !strings.Contains(printed, strings.ReplaceAll(w, "&", "&amp;")) {
					t.Errorf("printed document lacks %q", w)
				}
			}
			// English.
			o.Lang = "en"
			page.Reset()
			if _, err := PrintHTML(&page, m, kind, PrintOptions{Options: o}); err != nil || !strings.Contains(page.String(), tr("en", "report.title."+kind)) {
				t.Errorf("English: %v", err)
			}
			if strings.Contains(page.String(), "regui.") {
				t.Errorf("an untranslated key in the English document")
			}
		})
	}
	// The all-in-one workbook holds them too, each sheet named once.
	f := reopen(t, m, KindAll, Options{Date: isms.MustDate("2026-11-01")})
	for _, want := range []string{"利害関係者一覧", "情報セキュリティ目的", "出席記録", "文書一覧", "不適合・是正処置", "インシデント一覧", "認証", "審査の指摘"} {
		if !contains(f.GetSheetList(), want) {
			t.Errorf("all-in-one lacks %s: %v", want, f.GetSheetList())
		}
	}
}

// The documents list marks a policy whose review is overdue and one
// never approved.
func TestDocumentsReviewDue(t *testing.T) {
	m := registersModel(t)
	m.Documents = append(m.Documents, isms.Document{ID: "doc-old", Kind: "procedure", Title: "古い手順", ReviewedOn: isms.MustDate("2025-01-01")})
	b := newBuilder(m, Options{Lang: "ja", Date: isms.MustDate("2026-11-01")})
	tb := b.documentsTable()
	last := tb.Rows[len(tb.Rows)-1]
	if last[8] != "2026-01-01" || !strings.Contains(last[9], "見直し期限切れ") || !strings.Contains(last[9], tr("ja", "ui.not_approved")) {
		t.Errorf("overdue review: %v", last)
	}
	if first := tb.Rows[0]; first[9] != "" {
		t.Errorf("the approved, reviewed policy is marked: %v", first)
	}
	// In English the marks are an English list.
	en := newBuilder(m, Options{Lang: "en", Date: isms.MustDate("2026-11-01")}).documentsTable()
	if got := en.Rows[len(en.Rows)-1][9]; got != tr("en", "ui.not_approved")+", "+tr("en", "regui.rep.review_overdue") {
		t.Errorf("overdue review in English: %q", got)
	}
}
