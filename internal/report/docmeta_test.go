package report

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
)

func printPage(t *testing.T, doc string, o PrintOptions) string {
	t.Helper()
	var buf bytes.Buffer
	if _, err := PrintHTML(&buf, sample(t), doc, o); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

var fpRe = regexp.MustCompile(`指紋 ([0-9a-f]{8})`)

// A printed document names its version as an auditor reads one: the
// approved version (date) with a fingerprint of the content, a draft
// when the approved content has since changed; the standard by its name.
func TestPrintedVersionAndStandard(t *testing.T) {
	o := PrintOptions{Options: Options{Date: asOf}}
	page := printPage(t, DocSoA, o)
	for _, want := range []string{"2026-06-24 承認版（指紋 ", "JIS Q 27001:2023 附属書A"} {
		if !strings.Contains(page, want) {
			t.Errorf("SoA page lacks %q", want)
		}
	}
	if strings.Contains(page, "iso27001:2022") || strings.Contains(page, "変更履歴 #") {
		t.Error("SoA page shows a code or a history position as its version")
	}
	fp := fpRe.FindStringSubmatch(page)
	if fp == nil {
		t.Fatal("no fingerprint")
	}
	// The same content prints the same fingerprint on another day.
	o2 := o
	o2.Date = asOf.AddDays(3)
	if again := fpRe.FindStringSubmatch(printPage(t, DocSoA, o2)); again == nil || again[1] != fp[1] {
		t.Errorf("fingerprint changed with the date: %v %v", fp, again)
	}
	// Changed since its approval: a draft, and the approval says so.
	o.StaleApprovals = map[string]bool{"soa/organization": true}
	page = printPage(t, DocSoA, o)
	for _, want := range []string{"草案：2026-06-24 承認版から変更あり", "再承認が必要です"} {
		if !strings.Contains(page, want) {
			t.Errorf("stale SoA page lacks %q", want)
		}
	}
	// A service's SoA: its name and role in the title, both standards.
	svc := printPage(t, DocSoA, PrintOptions{Subject: "svc-kintai:provider", Options: Options{Date: asOf}})
	if !strings.Contains(svc, "JIS Q 27001:2023 附属書A 及び JIS Q 27017:2016") || !strings.Contains(svc, "（プロバイダ）") {
		t.Error("service SoA lacks its standards or role")
	}
	en := printPage(t, DocSoA, PrintOptions{Options: Options{Lang: "en", Date: asOf}})
	if !strings.Contains(en, "ISO/IEC 27001:2022 Annex A") || !strings.Contains(en, "Approved version of 2026-06-24") {
		t.Error("English SoA lacks the standard's name or version")
	}
}

// The risk register prints in ten columns (the workbook keeps its
// eighteen), the heat maps coloured, the SoA's long column widest.
func TestPrintedLayout(t *testing.T) {
	page := printPage(t, DocRisks, PrintOptions{Options: Options{Date: asOf}})
	reg := page[strings.Index(page, `<table class="risks">`):]
	reg = reg[:strings.Index(reg, "</thead>")]
	if n := strings.Count(reg, "<th "); n != 10 {
		t.Errorf("risk register has %d columns, want 10", n)
	}
	for _, c := range []string{"h-low", "h-mid", "h-high", "起こりやすさ 2 × 影響度 3 = 6"} {
		if !strings.Contains(page, c) {
			t.Errorf("risks page lacks %q", c)
		}
	}
	soa := printPage(t, DocSoA, PrintOptions{Options: Options{Date: asOf}})
	cols := regexp.MustCompile(`<col style="width: ([0-9.]+)%">`).FindAllStringSubmatch(soa, -1)
	if len(cols) != 7 {
		t.Fatalf("SoA columns %d", len(cols))
	}
	w := func(i int) string { return cols[i][1] }
	// 管理策名 (1) wider than 除外の理由 (5), 実施内容・証跡 (6) the widest.
	if !(atof(w(1)) > atof(w(5)) && atof(w(6)) > atof(w(1))) {
		t.Errorf("unbalanced SoA columns: %v", cols)
	}
}

func atof(s string) float64 {
	var f float64
	for _, c := range s {
		if c == '.' {
			continue
		}
		f = f*10 + float64(c-'0')
	}
	return f
}

func TestDocFilename(t *testing.T) {
	m := sample(t)
	svc := serviceOf(m, "svc-kintai").Name
	cases := []struct{ lang, doc, subject, ext, want string }{
		{"ja", DocSoA, "svc-kintai:provider", "pdf", "株式会社サンプルクラウド_適用宣言書_" + svc + "（プロバイダ）_2026-11-01.pdf"},
		{"ja", DocRisks, "", "pdf", "株式会社サンプルクラウド_リスクアセスメント・リスク対応計画_2026-11-01.pdf"},
		{"en", KindAssets, "", "xlsx", "Sample Cloud Inc._Information asset inventory_2026-11-01.xlsx"},
	}
	for _, c := range cases {
		if got := DocFilename(m, c.lang, c.doc, c.subject, asOf, c.ext); got != c.want {
			t.Errorf("%s %s: %q, want %q", c.lang, c.doc, got, c.want)
		}
	}
	if got := ASCIIFilename("sample", DocSoA, "svc-kintai:provider", asOf, "pdf"); got != "sample_soa_svc-kintai-provider_2026-11-01.pdf" {
		t.Errorf("ascii %q", got)
	}
	m.Organization.Name = `a/b:"c"`
	if got := DocFilename(m, "ja", DocScope, "", asOf, "pdf"); strings.ContainsAny(got, `/:"`) {
		t.Errorf("unsafe name %q", got)
	}
	cd := ContentDisposition("適用宣言書.pdf", "soa.pdf")
	if cd != `attachment; filename="soa.pdf"; filename*=UTF-8''%E9%81%A9%E7%94%A8%E5%AE%A3%E8%A8%80%E6%9B%B8.pdf` {
		t.Errorf("content disposition %q", cd)
	}
}
