package report

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/xuri/excelize/v2"
)

func workbookBytes(t testing.TB, m *isms.ISMS, kind string, o Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, m, kind, o); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// edit opens a workbook, applies changes to cells and returns the bytes.
func edit(t testing.TB, src []byte, f func(x *excelize.File)) []byte {
	t.Helper()
	x, err := excelize.OpenReader(bytes.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	f(x)
	var out bytes.Buffer
	if _, err := x.WriteTo(&out); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func set(t testing.TB, x *excelize.File, sheet, ref, v string) {
	t.Helper()
	if err := x.SetCellValue(sheet, ref, v); err != nil {
		t.Fatal(err)
	}
}

// rowOf finds the row of a control on a sheet.
func rowOf(t testing.TB, x *excelize.File, sheet, control string) int {
	r := findRow(t, x, sheet, control)
	if r == 0 {
		t.Fatalf("%s: no row for %s", sheet, control)
	}
	return r
}

func TestReadSoAUnchangedWorkbookChangesNothing(t *testing.T) {
	m := sample(t)
	for _, kind := range []string{KindSoA, KindAll} {
		for _, lang := range []string{"ja", "en"} {
			ch, err := ReadSoA(workbookBytes(t, m, kind, Options{Lang: lang, Date: asOf}), m)
			if err != nil || len(ch) != 0 {
				t.Errorf("%s %s: %d changes, %v", kind, lang, len(ch), err)
			}
		}
	}
}

func TestSoAImportRoundTrip(t *testing.T) {
	ctx := context.Background()
	s, m, head := storeOf(t, sample(t))
	src := workbookBytes(t, m, KindSoA, Options{Lang: "ja", Date: asOf})
	const org, svc = "適用宣言書", "適用宣言書 svc-kintai プロバイダ"
	src = edit(t, src, func(x *excelize.File) {
		r := rowOf(t, x, org, "5.1")
		set(t, x, org, cell(4, r), "不採用")
		set(t, x, org, cell(7, r), "方針は親会社の方針を適用する")
		r = rowOf(t, x, org, "5.2")
		set(t, x, org, cell(5, r), "risk, legal , 契約") // labels and codes, either language
		set(t, x, org, cell(6, r), "planned")
		r = rowOf(t, x, svc, "8.13") // inherited from the organization's SoA: made the service's own
		set(t, x, svc, cell(6, r), "一部実施")
		set(t, x, svc, cell(9, r), "この適用宣言書")
		r = rowOf(t, x, svc, "8.14") // inherited and still marked so: mirrors the organization's row, not read
		set(t, x, svc, cell(6, r), "計画中")
		r = rowOf(t, x, svc, "CLD.6.3.1")
		set(t, x, svc, cell(6, r), "計画中")
		set(t, x, svc, cell(8, r), "notes are read")
	})
	pre, err := PreviewSoA(ctx, s, "acme", src)
	if err != nil {
		t.Fatal(err)
	}
	if pre.Head != head || len(pre.Changes) != 4 {
		t.Fatalf("preview at %d: %+v", pre.Head, pre.Changes)
	}
	byCtl := map[string]SoAChange{}
	for _, c := range pre.Changes {
		byCtl[c.SoA+"/"+c.Control] = c
	}
	if c := byCtl["organization/5.1"]; c.After.Applicable == nil || *c.After.Applicable || c.After.Justification != "方針は親会社の方針を適用する" || c.Cell == "" || c.Sheet != org {
		t.Errorf("5.1 change %+v", c)
	}
	if c := byCtl["organization/5.2"]; strings.Join(c.After.Reasons, ",") != "risk,legal,contract" || c.After.Implementation != "planned" {
		t.Errorf("5.2 change %+v", c)
	}
	if c := byCtl["svc-kintai:provider/8.13"]; !c.Inherited || c.After.Implementation != "partial" || c.After.Notes != c.Before.Notes {
		t.Errorf("8.13 override %+v", c)
	}
	if c := byCtl["svc-kintai:provider/CLD.6.3.1"]; c.After.Notes != "notes are read" || c.After.Implementation != "planned" {
		t.Errorf("CLD.6.3.1 change %+v", c)
	}
	if _, h, _ := s.ISMSAt(ctx, "acme"); h != head {
		t.Fatal("the preview wrote")
	}
	// The inherited row's edit is not applied, and says so.
	if len(pre.Skipped) != 1 || pre.Skipped[0].Control != "8.14" || pre.Skipped[0].SoA != "svc-kintai:provider" ||
		pre.Skipped[0].Value != "計画中" || pre.Skipped[0].Reason.Key != "docs13.import.skip_inherited" {
		t.Errorf("skipped %+v", pre.Skipped)
	}
	res, err := ApplySoA(ctx, s, "acme", src, head, false, "user:alice@example.com")
	if err != nil || len(res.Changes) != 4 {
		t.Fatalf("apply: %v %+v", err, res)
	}
	hist, _ := s.History(ctx, "acme", store.HistoryFilter{After: head})
	if len(hist) != 4 {
		t.Fatalf("%d history records", len(hist))
	}
	for _, h := range hist {
		if h.Actor != "user:alice@example.com" || h.Kind != bundle.KindSoARows {
			t.Errorf("history %+v", h)
		}
	}
	m2, _, _ := s.ISMSAt(ctx, "acme")
	for _, v := range isms.SoAViews(m2) {
		for _, er := range v.Rows {
			if v.Service == "svc-kintai" && er.Control.ID == "8.13" && (er.From != isms.FromService || er.Row.Implementation != "partial") {
				t.Errorf("8.13 of svc-kintai: %+v %+v", er.From, er.Row)
			}
			if v.Service == "" && er.Control.ID == "5.1" && er.Row.IsApplicable() {
				t.Error("5.1 still applicable")
			}
		}
	}
	// The workbook made now reads back with no change: a round trip.
	if ch, err := ReadSoA(workbookBytes(t, m2, KindSoA, Options{Lang: "en"}), m2); err != nil || len(ch) != 0 {
		t.Errorf("re-export: %d changes %v", len(ch), err)
	}
	// Applying the same file again against the preview's head is refused.
	if _, err := ApplySoA(ctx, s, "acme", src, head, false, "bob"); !errors.Is(err, store.ErrConflict) {
		t.Errorf("stale apply: %v", err)
	}
}

func TestSoAImportRejects(t *testing.T) {
	m := sample(t)
	base := workbookBytes(t, m, KindSoA, Options{Lang: "ja", Date: asOf})
	const org = "適用宣言書"
	cases := []struct {
		name  string
		edit  func(x *excelize.File)
		cell  string // expected cell; "" for "first data row + offset" computed in edit
		value string
		key   string
	}{
		{"changed control id", func(x *excelize.File) { set(t, x, org, cell(1, rowOf(t, x, org, "5.2")), "5.3") }, "", "5.3", "changed"},
		{"unknown control", func(x *excelize.File) { set(t, x, org, cell(1, rowOf(t, x, org, "5.2")), "A.99.9") }, "", "A.99.9", "unknown control"},
		{"control of another SoA", func(x *excelize.File) { set(t, x, org, cell(1, rowOf(t, x, org, "5.2")), "CLD.6.3.1") }, "", "CLD.6.3.1", "not a row of this SoA"},
		{"bad applicable", func(x *excelize.File) { set(t, x, org, cell(4, rowOf(t, x, org, "5.2")), "たぶん") }, "", "たぶん", "not allowed"},
		{"bad reason", func(x *excelize.File) { set(t, x, org, cell(5, rowOf(t, x, org, "5.2")), "リスク対応、気分") }, "", "リスク対応、気分", "気分"},
		{"bad implementation", func(x *excelize.File) { set(t, x, org, cell(6, rowOf(t, x, org, "5.2")), "done") }, "", "done", "not allowed"},
		{"moved column", func(x *excelize.File) { x.InsertCols(org, "D", 1) }, "D11", "", "heading"},
		{"unknown service", func(x *excelize.File) { set(t, x, org, "B3", "svc-x") }, "B3", "svc-x", "no SoA"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var want string
			src := edit(t, base, func(x *excelize.File) {
				if c.cell == "" {
					want = cell(1, rowOf(t, x, org, "5.2"))
					switch c.name {
					case "bad applicable":
						want = cell(4, rowOf(t, x, org, "5.2"))
					case "bad reason":
						want = cell(5, rowOf(t, x, org, "5.2"))
					case "bad implementation":
						want = cell(6, rowOf(t, x, org, "5.2"))
					}
				} else {
					want = c.cell
				}
				// A good change elsewhere must not be applied either.
				set(t, x, org, cell(6, rowOf(t, x, org, "5.1")), "計画中")
				c.edit(x)
			})
			ch, err := ReadSoA(src, m)
			var errs ImportErrors
			if !errors.As(err, &errs) || ch != nil {
				t.Fatalf("accepted: %v %v", ch, err)
			}
			e := errs[0]
			if e.Sheet != org || e.Cell != want || e.Value != c.value || !strings.Contains(e.In("en"), c.key) {
				t.Errorf("got %+v (%s), want %s %q %q", e, e.In("en"), want, c.value, c.key)
			}
			if !strings.Contains(e.In("ja"), "シート「"+org+"」のセル "+want) {
				t.Errorf("ja message %q", e.In("ja"))
			}
		})
	}
	if _, err := ReadSoA([]byte("not a zip"), m); err == nil || !strings.Contains(err.Error(), "Excel") {
		t.Errorf("garbage: %v", err)
	}
	assets := workbookBytes(t, m, KindAssets, Options{})
	if _, err := ReadSoA(assets, m); err == nil || !strings.Contains(err.Error(), "no SoA sheet") {
		t.Errorf("asset workbook: %v", err)
	}
}

// Any bytes give changes or errors, never a panic; accepted changes name
// real rows of the SoA they change.
func FuzzReadSoA(f *testing.F) {
	m := sample(f)
	valid := workbookBytes(f, m, KindSoA, Options{Service: "svc-kintai"})
	f.Add(valid)
	f.Add(edit(f, valid, func(x *excelize.File) {
		sh := x.GetSheetList()[0]
		x.SetCellValue(sh, "D12", "不採用")
		x.SetCellValue(sh, "E13", "risk、,、")
		x.SetCellValue(sh, "A14", "")
	}))
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, src []byte) {
		ch, err := ReadSoA(src, m)
		if err != nil {
			var errs ImportErrors
			if !errors.As(err, &errs) || len(errs) == 0 || ch != nil {
				t.Fatalf("error is not ImportErrors: %v", err)
			}
			return
		}
		if _, _, err := Items(m, ch); err != nil {
			return // a row the API would refuse: reported, not applied
		}
		for _, c := range ch {
			if c.After.Control != c.Control || c.Control == "" {
				t.Fatalf("change %+v", c)
			}
		}
	})
}

// Cell values typed by a practitioner: any text in the columns read and
// in the control id gives changes or cell errors, never a panic, and
// accepted values are the bundle's codes.
func FuzzSoAImportCells(f *testing.F) {
	m := sample(f)
	valid := workbookBytes(f, m, KindSoA, Options{Service: "svc-kintai"})
	f.Add("27017:12.3.1", "不採用", "risk、legal", "partial", "理由")
	f.Add("A.5.1.1", "○", ",,", "計画中", "")
	f.Add("", "×", "best-practice", "", "x")
	f.Fuzz(func(t *testing.T, id, app, reasons, impl, just string) {
		src := edit(t, valid, func(x *excelize.File) {
			sh := x.GetSheetList()[0]
			r := rowOf(t, x, sh, "27017:12.3.1")
			for i, v := range []string{id, "", "", app, reasons, impl, just} {
				if i == 1 || i == 2 {
					continue
				}
				if err := x.SetCellStr(sh, cell(i+1, r), v); err != nil {
					t.Skip(err)
				}
			}
		})
		ch, err := ReadSoA(src, m)
		if err != nil {
			var errs ImportErrors
			if !errors.As(err, &errs) || len(errs) == 0 {
				t.Fatalf("error is not ImportErrors: %v", err)
			}
			for _, e := range errs {
				if e.Sheet == "" || e.Cell == "" || e.In("ja") == "" {
					t.Fatalf("error without its place: %+v", e)
				}
			}
			return
		}
		for _, c := range ch {
			for _, r := range c.After.Reasons {
				if !slices.Contains(reasonCodes, r) {
					t.Fatalf("reason %q accepted", r)
				}
			}
			if c.After.Implementation != "" && !slices.Contains(implCodes, c.After.Implementation) {
				t.Fatalf("implementation %q accepted", c.After.Implementation)
			}
		}
	})
}

// A service in scope without an SoA yet gets one from the workbook.
func TestSoAImportCreatesServiceSoA(t *testing.T) {
	ctx := context.Background()
	m := sample(t)
	var keep []isms.SoA
	for _, x := range m.SoAs {
		if x.Service != "svc-iaas" {
			keep = append(keep, x)
		}
	}
	m.SoAs = keep
	s, stored, head := storeOf(t, m)
	src := workbookBytes(t, stored, KindSoA, Options{Service: "svc-iaas"})
	src = edit(t, src, func(x *excelize.File) {
		sh := x.GetSheetList()[0]
		r := rowOf(t, x, sh, "CLD.12.1.5")
		set(t, x, sh, cell(4, r), "採用")
		set(t, x, sh, cell(5, r), "リスク対応")
		set(t, x, sh, cell(6, r), "実施済")
	})
	res, err := ApplySoA(ctx, s, "acme", src, head, false, "alice")
	if err != nil || len(res.Changes) != 1 || !res.Changes[0].NewSoA {
		t.Fatalf("%v %+v", err, res)
	}
	after, _, _ := s.ISMSAt(ctx, "acme")
	for _, x := range after.SoAs {
		if x.Service == "svc-iaas" && len(x.Rows) == 1 && x.Rows[0].Control == "CLD.12.1.5" && x.Rows[0].Implementation == "implemented" {
			return
		}
	}
	t.Errorf("no SoA for svc-iaas with the imported row: %+v", after.SoAs)
}

// An import never drops an edit silently: a workbook made before later
// changes to the rows it would change is refused unless confirmed, the
// columns it does not read are reported, and the approval of a changed
// SoA shows as stale afterwards.
func TestSoAImportTellsTheTruth(t *testing.T) {
	ctx := context.Background()
	s, m, head := storeOf(t, sample(t))
	old := workbookBytes(t, m, KindSoA, Options{Lang: "ja", Date: asOf, Head: head})
	const org = "適用宣言書"
	old = edit(t, old, func(x *excelize.File) {
		r := rowOf(t, x, org, "5.3")
		set(t, x, org, cell(6, r), "計画中")
		set(t, x, org, cell(3, r), "区分を書き換えた") // a column that is not read
		r = rowOf(t, x, org, "5.4")
		set(t, x, org, cell(8, r), "実施内容を書き換えた")
	})
	// Meanwhile someone changes 5.3 in the application.
	if _, err := ApplySoA(ctx, s, "acme", edit(t, workbookBytes(t, m, KindSoA, Options{Lang: "ja", Head: head}), func(x *excelize.File) {
		set(t, x, org, cell(7, rowOf(t, x, org, "5.3")), "画面で入れた変更")
	}), -1, false, "bob"); err != nil {
		t.Fatal(err)
	}
	pre, err := PreviewSoA(ctx, s, "acme", old)
	if err != nil {
		t.Fatal(err)
	}
	if pre.MadeAt != head || len(pre.Stale) != 1 || pre.Stale[0].Control != "5.3" || len(pre.Changes) != 2 {
		t.Fatalf("preview: made at %d (head %d), stale %+v, changes %d", pre.MadeAt, head, pre.Stale, len(pre.Changes))
	}
	// The section edit, and the service SoAs' copies of 5.3 that differ
	// because 5.3 changed since (said so, not taken for edits).
	if len(pre.Skipped) != 3 || pre.Skipped[0].Cell != cell(3, rowOf(t, mustOpen(t, old), org, "5.3")) || pre.Skipped[0].Reason.Key != "docs13.import.skip_section" ||
		pre.Skipped[1].Reason.Key != "docs13.import.skip_changed_since" {
		t.Errorf("skipped %+v", pre.Skipped)
	}
	_, now, _ := s.ISMSAt(ctx, "acme")
	if _, err := ApplySoA(ctx, s, "acme", old, now, false, "alice"); !errors.Is(err, ErrStaleWorkbook) || !strings.Contains(err.Error(), "organization 5.3") {
		t.Fatalf("an older workbook was applied: %v", err)
	}
	if _, h, _ := s.ISMSAt(ctx, "acme"); h != now {
		t.Fatal("a refused import wrote")
	}
	res, err := ApplySoA(ctx, s, "acme", old, now, true, "alice")
	if err != nil || len(res.Changes) != 2 {
		t.Fatalf("confirmed apply: %v %+v", err, res)
	}
	m2, _, _ := s.ISMSAt(ctx, "acme")
	for _, r := range m2.SoAs[0].Rows {
		if r.Control == "5.4" && r.Notes != "実施内容を書き換えた" {
			t.Errorf("5.4 notes %q", r.Notes)
		}
	}
	// The organization's SoA carried an approval from its bundle: it is stale now.
	stale, err := s.StaleApprovals(ctx, "acme")
	if err != nil || !stale["soa/organization"] {
		t.Errorf("approval of the changed SoA not stale: %v %v", stale, err)
	}
	var page bytes.Buffer
	if _, err := PrintHTML(&page, m2, DocSoA, PrintOptions{Options: Options{StaleApprovals: stale}}); err != nil || !strings.Contains(page.String(), "再承認が必要です") {
		t.Errorf("the printed SoA does not show the stale approval: %v", err)
	}
	// A workbook of another organization is refused.
	other := *m2
	other.Organization.ID = "someone-else"
	if _, err := ApplySoA(ctx, s, "acme", workbookBytes(t, &other, KindSoA, Options{}), -1, true, "alice"); !errors.Is(err, ErrOtherOrganization) {
		t.Errorf("another organization's workbook: %v", err)
	}
}

func mustOpen(t testing.TB, src []byte) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// storeOf is a store (SQLite, in a temporary directory) holding m as
// organization acme, with the ISMS as stored and its history head.
func storeOf(t *testing.T, m *isms.ISMS) (*store.Store, *isms.ISMS, int64) {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.Import(ctx, "acme", m, "setup"); err != nil {
		t.Fatal(err)
	}
	stored, head, err := s.ISMSAt(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	return s, stored, head
}
