package report

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/cloudisms/cloudisms/examples"
	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/catalog"
	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/xuri/excelize/v2"
)

var asOf = isms.MustDate("2026-11-01")

func sample(t testing.TB) *isms.ISMS {
	t.Helper()
	m, err := bundle.Decode("sample-saas.yaml", examples.SaaS)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// reopen writes a workbook and reads it back, as a user's Excel would.
func reopen(t testing.TB, m *isms.ISMS, kind string, o Options) *excelize.File {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, m, kind, o); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func get(t testing.TB, f *excelize.File, sheet, ref string) string {
	t.Helper()
	v, err := f.GetCellValue(sheet, ref)
	if err != nil {
		t.Fatalf("%s!%s: %v", sheet, ref, err)
	}
	return v
}

func tr(lang, key string, args ...any) string { return i18n.M(key, args...).In(lang) }

// findRow finds the table row whose first cell is id (0 when absent).
func findRow(t testing.TB, f *excelize.File, sheet, id string) int {
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		if len(r) > 0 && r[0] == id {
			return i + 1
		}
	}
	return 0
}

func TestSoAWorkbookCellByCell(t *testing.T) {
	m := sample(t)
	for _, lang := range []string{i18n.JA, i18n.EN} {
		t.Run(lang, func(t *testing.T) {
			f := reopen(t, m, KindSoA, Options{Lang: lang, Version: "v42", Date: asOf})
			views := isms.SoAViews(m)
			names := f.GetSheetList()
			if len(names) != len(views) {
				t.Fatalf("sheets %v, want one per SoA (%d)", names, len(views))
			}
			for i, v := range views {
				sh := names[i]
				if got := get(t, f, sh, "A1"); got != tr(lang, "report.title.soa") {
					t.Errorf("%s!A1 = %q", sh, got)
				}
				meta := map[string]string{}
				for r := 2; r <= 9; r++ {
					meta[get(t, f, sh, cell(1, r))] = get(t, f, sh, cell(2, r))
				}
				if meta[tr(lang, "report.meta.service")] != v.Service || meta[tr(lang, "report.meta.annex_a")] != tr(lang, "docs13.std.iso27001-2022") ||
					meta[tr(lang, "report.meta.version")] != "v42" || meta[tr(lang, "report.meta.date")] != "2026-11-01" {
					t.Errorf("%s header block %v", sh, meta)
				}
				if v.Role != "" && meta[tr(lang, "report.meta.role")] != tr(lang, "role."+v.Role) {
					t.Errorf("%s role %q", sh, meta[tr(lang, "report.meta.role")])
				}
				if v.SoA != nil && v.SoA.Approval != nil && !strings.Contains(meta[tr(lang, "report.meta.approval")], v.SoA.Approval.Date.String()) {
					t.Errorf("%s approval %q", sh, meta[tr(lang, "report.meta.approval")])
				}
				hr := 11
				if got := get(t, f, sh, "A11"); got != tr(lang, "report.col.control_id") {
					t.Fatalf("%s!A11 = %q, want the column heading", sh, got)
				}
				rows := orderedRows(v, m.Organization.AnnexA)
				for j, er := range rows {
					r := hr + 1 + j
					want := []string{er.Control.ID, er.Control.TitleJA}
					if _, unconfirmed := catalog.JATitle(er.Control, nil); unconfirmed {
						want[1] += tr(lang, "catalog.unconfirmed_mark") // the catalog's unconfirmed title is marked
					}
					if lang == i18n.EN {
						want[1] = er.Control.TitleEN
					}
					app, reasons, impl, just, notes := "", "", "", "", ""
					if er.Row != nil {
						if er.Row.Applicable != nil {
							app = tr(lang, "report.applicable.no")
							if *er.Row.Applicable {
								app = tr(lang, "report.applicable.yes")
							}
						}
						var rs []string
						for _, x := range er.Row.Reasons {
							rs = append(rs, tr(lang, "reason."+x))
						}
						sep := ", "
						if lang == i18n.JA {
							sep = "、"
						}
						reasons = strings.Join(rs, sep)
						if er.Row.Implementation != "" {
							impl = tr(lang, "state."+er.Row.Implementation)
						}
						just, notes = er.Row.Justification, er.Row.Notes
					}
					want = append(want, app, reasons, impl, just, notes, tr(lang, "report.from."+er.From))
					got := []string{get(t, f, sh, cell(1, r)), get(t, f, sh, cell(2, r)), get(t, f, sh, cell(4, r)), get(t, f, sh, cell(5, r)),
						get(t, f, sh, cell(6, r)), get(t, f, sh, cell(7, r)), get(t, f, sh, cell(8, r)), get(t, f, sh, cell(9, r))}
					if fmt.Sprint(got) != fmt.Sprint(want) {
						t.Fatalf("%s row %d:\n got %q\nwant %q", sh, r, got, want)
					}
				}
				if get(t, f, sh, cell(1, hr+len(rows)+1)) != "" {
					t.Errorf("%s: a row after the table", sh)
				}
				checkLayout(t, f, sh, hr, len(rows))
			}
		})
	}
}

// checkLayout: frozen heading, filter over the table, A4 landscape, one
// page wide, print area and repeated heading.
func checkLayout(t *testing.T, f *excelize.File, sh string, hr, n int) {
	t.Helper()
	p, err := f.GetPanes(sh)
	if err != nil || !p.Freeze || p.YSplit != hr {
		t.Errorf("%s panes %+v %v", sh, p, err)
	}
	pl, err := f.GetPageLayout(sh)
	if err != nil || pl.Size == nil || *pl.Size != 9 || pl.Orientation == nil || *pl.Orientation != "landscape" || pl.FitToWidth == nil || *pl.FitToWidth != 1 {
		t.Errorf("%s page layout %+v %v", sh, pl, err)
	}
	var area, titles, filter bool
	for _, dn := range f.GetDefinedName() {
		if dn.Scope != sh {
			continue
		}
		switch dn.Name {
		case "_xlnm.Print_Area":
			area = strings.HasPrefix(dn.RefersTo, "'"+sh+"'!$A$1:$")
		case "_xlnm.Print_Titles":
			titles = dn.RefersTo == fmt.Sprintf("'%s'!$%d:$%d", sh, hr, hr)
		case "_xlnm._FilterDatabase":
			filter = strings.HasSuffix(dn.RefersTo, fmt.Sprintf("$%d", hr+n))
		}
	}
	if props, err := f.GetSheetProps(sh); err != nil || props.FitToPage == nil || !*props.FitToPage {
		t.Errorf("%s: fit to page is not set (%+v, %v)", sh, props, err)
	}
	if !area || !titles || (n > 0 && !filter) {
		t.Errorf("%s: print area %v, print titles %v, filter %v; names %+v", sh, area, titles, filter, f.GetDefinedName())
	}
}

func TestSoAOfOneService(t *testing.T) {
	m := sample(t)
	f := reopen(t, m, KindSoA, Options{Service: "svc-kintai", Date: asOf})
	names := f.GetSheetList()
	if len(names) != 1 || get(t, f, names[0], "B3") != "svc-kintai" {
		t.Fatalf("sheets %v", names)
	}
	// The 27017 guidance on 12.3.1 follows its base control (8.13 in 2022).
	base, item := findRow(t, f, names[0], "8.13"), findRow(t, f, names[0], "27017:12.3.1")
	if base == 0 || item != base+1 {
		t.Errorf("8.13 at row %d, 27017:12.3.1 at row %d", base, item)
	}
	if cld := findRow(t, f, names[0], "CLD.6.3.1"); cld == 0 || get(t, f, names[0], cell(3, cld)) != tr("ja", "report.section.cld") {
		t.Errorf("CLD.6.3.1 at row %d", cld)
	}
	if _, err := Workbook(m, KindSoA, Options{Service: "nope"}); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("unknown service: %v", err)
	}
	if _, err := Workbook(m, "pivot", Options{}); err == nil {
		t.Error("unknown kind accepted")
	}
}

// serviceNames is what a register shows for service ids: their names, as
// the reader knows them, never the ids.
func serviceNames(m *isms.ISMS, ids []string, sep string) string {
	var out []string
	for _, id := range ids {
		for _, s := range m.Services {
			if s.ID == id {
				out = append(out, s.Name)
			}
		}
	}
	return strings.Join(out, sep)
}

// The registers show names (services, people), not ids.
func TestAssetAndRiskWorkbooks(t *testing.T) {
	m := sample(t)
	f := reopen(t, m, KindAssets, Options{Date: asOf})
	sh := tr("ja", "report.sheet.assets")
	hr := 2 + 3 + 1
	if get(t, f, sh, cell(1, hr)) != tr("ja", "report.col.id") {
		t.Fatalf("asset heading %q", get(t, f, sh, cell(1, hr)))
	}
	for i, a := range m.Assets {
		r := hr + 1 + i
		want := []string{a.ID, a.Name, tr("ja", "field.v.asset_kind."+a.Kind), serviceNames(m, a.Services, "、"), fmt.Sprint(intCell(a.Confidentiality)), fmt.Sprint(a.Value())}
		got := []string{get(t, f, sh, cell(1, r)), get(t, f, sh, cell(2, r)), get(t, f, sh, cell(3, r)), get(t, f, sh, cell(5, r)), get(t, f, sh, cell(7, r)), get(t, f, sh, cell(10, r))}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("asset row %d: got %q want %q", r, got, want)
		}
	}
	checkLayout(t, f, sh, hr, len(m.Assets))

	f = reopen(t, m, KindRisks, Options{Lang: "en", Date: asOf})
	if got := f.GetSheetList(); fmt.Sprint(got) != "[Risks Heat map]" {
		t.Fatalf("sheets %v", got)
	}
	hr = 2 + 5 + 1
	views := isms.RiskViews(m)
	nf := len(m.Criteria.Factors())
	for i, v := range views {
		r := hr + 1 + i
		if get(t, f, "Risks", cell(1, r)) != v.Risk.ID || get(t, f, "Risks", cell(6+nf, r)) != fmt.Sprint(v.Level) ||
			get(t, f, "Risks", cell(10+2*nf, r)) != fmt.Sprint(v.Residual) {
			t.Errorf("risk row %d: %q level %q residual %q, want %s %d %d", r, get(t, f, "Risks", cell(1, r)),
				get(t, f, "Risks", cell(6+nf, r)), get(t, f, "Risks", cell(10+2*nf, r)), v.Risk.ID, v.Level, v.Residual)
		}
		if want := serviceNames(m, v.Risk.Services, ", "); get(t, f, "Risks", cell(4, r)) != want {
			t.Errorf("risk %s services %q, want the services' names %q", v.Risk.ID, get(t, f, "Risks", cell(4, r)), want)
		}
		if want := tr("en", "treatment."+v.Risk.Treatment); get(t, f, "Risks", cell(8+nf, r)) != want {
			t.Errorf("risk %s treatment %q", v.Risk.ID, get(t, f, "Risks", cell(8+nf, r)))
		}
	}
	// The heat map table counts every assessed risk once before and once after.
	h := isms.NewHeatMap(m, views)
	rows, _ := f.GetRows("Heat map")
	before, after := 0, 0
	hhr := 2 + 5 + 1
	for i := hhr; i < hhr+2*h.Rows; i++ {
		for _, c := range rows[i][2:] {
			var n int
			fmt.Sscan(c, &n)
			if i < hhr+h.Rows {
				before += n
			} else {
				after += n
			}
		}
	}
	if before != len(views)-h.Unassessed || after != before {
		t.Errorf("heat map counts before %d after %d, want %d", before, after, len(views)-h.Unassessed)
	}
}

func TestChecklistAndCorrectiveActions(t *testing.T) {
	m := sample(t)
	f := reopen(t, m, KindAuditChecklist, Options{Date: asOf})
	a := m.Audits[0]
	sh := tr("ja", "report.sheet.checklist", "id", a.ID)
	want := 0
	for _, v := range isms.SoAViews(m) {
		if contains(a.Services, v.Service) {
			for _, er := range v.Rows {
				if er.Row != nil && er.Row.IsApplicable() {
					want++
				}
			}
		}
	}
	hr := 2 + 3 + 4 + 1
	rows, _ := f.GetRows(sh)
	if len(rows) != hr+want || want == 0 {
		t.Fatalf("%s has %d rows, want %d questions after row %d", sh, len(rows), want, hr)
	}
	first := rows[hr]
	if first[0] != "1" || !strings.Contains(first[4], first[2]) {
		t.Errorf("first question %q", first)
	}
	checkLayout(t, f, sh, hr, want)

	f = reopen(t, m, KindCorrectiveActions, Options{Date: asOf})
	sh = tr("ja", "report.sheet.corrective")
	rows, _ = f.GetRows(sh)
	n := 0
	for _, au := range m.Audits {
		for _, fi := range au.Findings {
			if fi.CorrectiveAction != nil || fi.Kind == "major" || fi.Kind == "minor" {
				r := rows[6+n]
				if r[1] != fi.ID || (fi.CorrectiveAction != nil && r[6] != fi.CorrectiveAction.Action) {
					t.Errorf("corrective row %d: %q", 7+n, r)
				}
				n++
			}
		}
	}
	if n == 0 || len(rows) != 6+n {
		t.Errorf("%d rows for %d corrective actions", len(rows), n)
	}
}

func TestAllInOneAndProgress(t *testing.T) {
	m := sample(t)
	var calls [][2]int
	f := reopen(t, m, KindAll, Options{Date: asOf, Progress: func(d, n int) { calls = append(calls, [2]int{d, n}) }})
	names := f.GetSheetList()
	for _, want := range []string{"適用宣言書", "情報資産台帳", "リスクアセスメント", "ヒートマップ", "是正処置一覧"} {
		if !contains(names, want) {
			t.Errorf("all-in-one lacks %s: %v", want, names)
		}
	}
	if len(calls) < 2 {
		t.Fatalf("progress calls %v", calls)
	}
	last := calls[len(calls)-1]
	if last[0] != last[1] || last[1] == 0 {
		t.Errorf("last progress %v", last)
	}
	for i := 1; i < len(calls); i++ {
		if calls[i][0] < calls[i-1][0] {
			t.Errorf("progress went back: %v", calls)
		}
	}
}

func TestSheetNames(t *testing.T) {
	used := map[string]bool{}
	long := strings.Repeat("あ", 40)
	a, b := uniqueName(used, long), uniqueName(used, long)
	if len([]rune(a)) != 31 || len([]rune(b)) != 31 || a == b {
		t.Errorf("%q %q", a, b)
	}
	if got := uniqueName(used, "a/b:c"); got != "a-b-c" {
		t.Errorf("%q", got)
	}
}

// printTools finds LibreOffice and pdftotext, or skips with a message
// (CI installs both and fails when this test skips).
func printTools(t *testing.T) (lo, pdftotext string) {
	t.Helper()
	lo, err := exec.LookPath("libreoffice")
	if err != nil {
		lo, err = exec.LookPath("soffice")
	}
	if err != nil {
		t.Skip("libreoffice is not installed: workbook print test skipped (apt-get install -y libreoffice-calc-nogui)")
	}
	pdftotext, err = exec.LookPath("pdftotext")
	if err != nil {
		t.Skip("pdftotext is not installed: workbook print test skipped (apt-get install -y poppler-utils)")
	}
	return lo, pdftotext
}

// pdfPages reads a PDF's text page by page.
func pdfPages(t *testing.T, pdftotext, file string) []string {
	t.Helper()
	out, err := exec.Command(pdftotext, "-enc", "UTF-8", file, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext %s: %v", file, err)
	}
	pages := strings.Split(string(out), "\f")
	if n := len(pages); n > 0 && strings.TrimSpace(pages[n-1]) == "" {
		pages = pages[:n-1]
	}
	return pages
}

var controlIDLine = regexp.MustCompile(`(?m)^(A\.)?\d+\.\d+(\.\d+)?$|^CLD\.\d+\.\d+\.\d+$|^27017:`)

// Every workbook prints as LibreOffice prints it: A4 landscape, one page
// wide (the page counts were 48 for the SoA and 42 for the checklist
// before the fit-to-page survived the filter), with the table's heading,
// and so its first column, on every page.
func TestWorkbooksPrint(t *testing.T) {
	lo, pdftotext := printTools(t)
	m := sample(t)
	dir := t.TempDir()
	// The most pages each workbook may take (sample organization; both
	// languages; with every text shown whole).
	most := map[string]int{KindSoA: 24, KindAssets: 1, KindRisks: 4, KindAuditChecklist: 22, KindCorrectiveActions: 1, KindAll: 70,
		// The registers' reports: a page per sheet at least (some samples hold none of a register).
		KindParties: 3, KindObjectives: 5, KindCompetence: 6, KindDocuments: 2, KindNonconformities: 3, KindIncidents: 2, KindCertification: 4}
	var files []string
	for _, kind := range Kinds {
		for _, lang := range []string{"ja", "en"} {
			name := filepath.Join(dir, kind+"-"+lang+".xlsx")
			var buf bytes.Buffer
			if err := Write(&buf, m, kind, Options{Lang: lang, Date: asOf, Version: "1"}); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(name, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			files = append(files, name)
		}
	}
	out := filepath.Join(dir, "pdf")
	args := append([]string{"-env:UserInstallation=file://" + filepath.Join(dir, "profile"), "--headless", "--convert-to", "pdf", "--outdir", out}, files...)
	msg, err := exec.Command(lo, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("libreoffice: %v\n%s", err, msg)
	}
	for _, kind := range Kinds {
		for _, lang := range []string{"ja", "en"} {
			name := kind + "-" + lang
			pages := pdfPages(t, pdftotext, filepath.Join(out, name+".pdf"))
			t.Logf("%s: %d pages", name, len(pages))
			if len(pages) == 0 || len(pages) > most[kind] {
				t.Errorf("%s prints on %d pages, want 1..%d", name, len(pages), most[kind])
			}
			// The headings each sheet repeats: the first column's.
			var firsts []string
			f := reopen(t, m, kind, Options{Lang: lang, Date: asOf, Version: "1"})
			for _, sh := range f.GetSheetList() {
				rows, _ := f.GetRows(sh)
				for _, r := range rows {
					if len(r) > 3 { // the table's heading row: the first wide row
						firsts = append(firsts, squash(r[0]))
						break
					}
				}
			}
			control := squash(tr(lang, "report.col.control_id"))
			for i, p := range pages {
				flat := squash(p)
				found := false
				for _, h := range firsts {
					found = found || strings.Contains(flat, h)
				}
				if !found {
					t.Errorf("%s page %d has no table heading (%q):\n%.400s", name, i+1, firsts, p)
				}
				if kind == KindSoA && (!strings.Contains(flat, control) || !controlIDLine.MatchString(p)) {
					t.Errorf("%s page %d lacks the control number column:\n%.400s", name, i+1, p)
				}
			}
		}
	}
}

// squash drops white space, which a PDF's wrapped cells put anywhere.
func squash(s string) string {
	return strings.Join(strings.Fields(s), "")
}

// The heat map sheet is coloured as the web UI colours it.
func TestHeatMapColoured(t *testing.T) {
	m := sample(t)
	f := reopen(t, m, KindRisks, Options{Date: asOf})
	sh := tr("ja", "report.sheet.heat")
	rows, _ := f.GetRows(sh)
	hr := 0
	for i, r := range rows {
		if len(r) > 2 && r[0] == tr("ja", "report.col.stage") {
			hr = i + 1
		}
	}
	if hr == 0 {
		t.Fatal("no heat map heading")
	}
	fills := map[string]int{}
	for r := hr + 1; r <= hr+2*4; r++ {
		for c := 3; c <= 5; c++ {
			id, err := f.GetCellStyle(sh, cell(c, r))
			if err != nil {
				t.Fatal(err)
			}
			st, err := f.GetStyle(id)
			if err != nil || len(st.Fill.Color) == 0 {
				t.Fatalf("%s: no fill (%v)", cell(c, r), err)
			}
			fills[strings.ToUpper(st.Fill.Color[0])]++
		}
	}
	for _, c := range []string{heatLow, heatMid, heatHigh} {
		if fills[c] == 0 {
			t.Errorf("no cell coloured %s: %v", c, fills)
		}
	}
}

func TestOwnControlTextInReports(t *testing.T) {
	m := sample(t)
	texts := map[string]string{"5.1": "組織が購入した規格の本文（5.1）"}
	f := reopen(t, m, KindSoA, Options{ControlTexts: texts})
	sh := f.GetSheetList()[0]
	r := findRow(t, f, sh, "5.1")
	if get(t, f, sh, cell(soaCols+1, 11)) != tr("ja", "report.col.control_text") || get(t, f, sh, cell(soaCols+1, r)) != texts["5.1"] {
		t.Errorf("control text column: %q %q", get(t, f, sh, cell(soaCols+1, 11)), get(t, f, sh, cell(soaCols+1, r)))
	}
	// The importer reads such a workbook as any other.
	var buf bytes.Buffer
	Write(&buf, m, KindSoA, Options{ControlTexts: texts})
	if ch, err := ReadSoA(buf.Bytes(), m); err != nil || len(ch) != 0 {
		t.Errorf("import of a workbook with texts: %v %v", ch, err)
	}
	var page bytes.Buffer
	if _, err := PrintHTML(&page, m, DocSoA, PrintOptions{Options: Options{ControlTexts: texts}}); err != nil || !strings.Contains(page.String(), texts["5.1"]) {
		t.Errorf("printed SoA lacks the text: %v", err)
	}
}

// The builder's messages read as i18n renders them.
func TestMessagesAsI18nRendersThem(t *testing.T) {
	for _, lang := range []string{"ja", "en"} {
		b := newBuilder(sample(t), Options{Lang: lang})
		for _, c := range []struct {
			key  string
			args []any
		}{
			{"report.plan_line", []any{"action", "{owner} を含む", "owner", "p-1", "due", "2026-01-01"}},
			{"ui.approved_by", []any{"who", "佐藤", "at", "2026-06-24"}},
			{"report.sheet.soa_service", []any{"service", "svc-a", "role", "P"}},
			{"report.col.id", nil},
		} {
			if got, want := b.t(c.key, c.args...), i18n.M(c.key, c.args...).In(lang); got != want {
				t.Errorf("%s %s: %q, want %q", lang, c.key, got, want)
			}
		}
	}
}
