package report

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/xuri/excelize/v2"
)

func registersStore(t *testing.T) (*store.Store, *isms.ISMS, int64) {
	t.Helper()
	// The store keeps only evidence uploaded to it: none here.
	rm := registersModel(t)
	rm.Certificates[0].Evidence, rm.ExternalAudits[0].Evidence, rm.ExternalAudits[0].Findings[0].Evidence = nil, nil, nil
	rm.ExternalAudits[0].Findings[0].CorrectiveAction.Evidence, rm.Measurements[0].Results[0].Evidence, rm.Nonconformities[0].CorrectiveAction.Evidence = nil, nil, nil
	rm.Trainings[0].Evidence = nil
	return storeOf(t, rm)
}

// nextRow is the first empty row below a sheet's table.
func nextRow(t *testing.T, x *excelize.File, sheet string) int {
	rows, err := x.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	return len(rows) + 1
}

func at(col, row int) string { n, _ := excelize.CoordinatesToCellName(col, row); return n }

// The trainings and their attendance, edited in the workbook cloudisms
// wrote, are previewed, then applied in one change.
func TestTrainingsImportRoundTrip(t *testing.T) {
	ctx := context.Background()
	s, m, head := registersStore(t)
	src := workbookBytes(t, m, KindCompetence, Options{Lang: "ja", Date: isms.MustDate("2026-11-01")})
	if pre, err := PreviewRegisters(ctx, s, "acme", ImportTrainings, src); err != nil || len(pre.Changes) != 0 {
		t.Fatalf("an unchanged workbook changes %+v (%v)", pre.Changes, err)
	}
	const trainings, attendance = "教育訓練の実施記録", "出席記録"
	src = edit(t, src, func(x *excelize.File) {
		r := rowOf(t, x, trainings, "tr-1")
		set(t, x, trainings, at(3, r), "クラウドセキュリティ研修（改訂）")
		r = nextRow(t, x, trainings)
		for i, v := range []string{"tr-2", "2026-10-01", "情報セキュリティ意識向上研修", "Awareness", "isms-basics、phishing"} {
			set(t, x, trainings, at(i+1, r), v)
		}
		r = nextRow(t, x, attendance)
		for i, pair := range [][2]string{{"tr-2", "p1"}, {"tr-2", "p2"}, {"tr-1", "p2"}} {
			set(t, x, attendance, at(3, r+i), pair[0])
			set(t, x, attendance, at(4, r+i), pair[1])
		}
	})
	pre, err := PreviewRegisters(ctx, s, "acme", ImportTrainings, src)
	if err != nil {
		t.Fatal(err)
	}
	if len(pre.Changes) != 2 || pre.Changes[0].Key != "tr-1" || pre.Changes[0].New || pre.Changes[1].Key != "tr-2" || !pre.Changes[1].New {
		t.Fatalf("preview %+v", pre.Changes)
	}
	if _, h, _ := s.ISMSAt(ctx, "acme"); h != head {
		t.Fatal("the preview wrote")
	}
	if _, err := ApplyRegisters(ctx, s, "acme", ImportTrainings, src, head, "alice"); err != nil {
		t.Fatal(err)
	}
	after, h, _ := s.ISMSAt(ctx, "acme")
	if h != head+2 {
		t.Errorf("head %d after %d: not one change per item", h, head)
	}
	byID := map[string]isms.Training{}
	for _, tr := range after.Trainings {
		byID[tr.ID] = tr
	}
	if tr := byID["tr-1"]; tr.Title != "クラウドセキュリティ研修（改訂）" || !slices.Equal(tr.Attendees, []string{"p1", "p2"}) {
		t.Errorf("tr-1 %+v", tr)
	}
	if tr := byID["tr-2"]; tr.Kind != isms.TrainingAwareness || tr.Date != isms.MustDate("2026-10-01") || !slices.Equal(tr.Topics, []string{"isms-basics", "phishing"}) || !slices.Equal(tr.Attendees, []string{"p1", "p2"}) {
		t.Errorf("tr-2 %+v", tr)
	}
	// Applying a preview of an ISMS that changed since is refused.
	if _, err := ApplyRegisters(ctx, s, "acme", ImportTrainings, src, head, "alice"); !errors.Is(err, store.ErrConflict) {
		t.Errorf("stale apply: %v", err)
	}
}

// A workbook with problems writes nothing and names every problem's cell.
func TestRegistersImportRejects(t *testing.T) {
	ctx := context.Background()
	s, m, head := registersStore(t)
	src := workbookBytes(t, m, KindCompetence, Options{Lang: "ja"})
	const trainings, attendance = "教育訓練の実施記録", "出席記録"
	src = edit(t, src, func(x *excelize.File) {
		r := rowOf(t, x, trainings, "tr-1")
		set(t, x, trainings, at(2, r), "2026/13/01")
		set(t, x, trainings, at(4, r+1), "研修")
		set(t, x, trainings, at(1, r+1), "tr-9")
		set(t, x, trainings, at(2, r+1), "2026-01-01")
		r = nextRow(t, x, attendance)
		set(t, x, attendance, at(3, r), "tr-1")
		set(t, x, attendance, at(4, r), "p9")
	})
	_, err := ApplyRegisters(ctx, s, "acme", ImportTrainings, src, head, "alice")
	var ie ImportErrors
	if !errors.As(err, &ie) || len(ie) != 3 {
		t.Fatalf("errors %v", err)
	}
	text := ie.In("ja")
	for _, want := range []string{"2026/13/01", "YYYY-MM-DD", "p9", "人の ID", "研修", "認識"} {
		if !strings.Contains(text, want) {
			t.Errorf("the problems do not say %q:\n%s", want, text)
		}
	}
	// The choices are named in the reader's language.
	if en := ie.In("en"); !strings.Contains(en, "Awareness, Competence") {
		t.Errorf("the problems do not name the choices in English:\n%s", en)
	}
	if _, h, _ := s.ISMSAt(ctx, "acme"); h != head {
		t.Error("a rejected workbook wrote")
	}
	// Not a workbook; a workbook without the table.
	if _, err := PreviewRegisters(ctx, s, "acme", ImportTrainings, []byte("PK not a zip")); !errors.As(err, &ie) {
		t.Errorf("not a workbook: %v", err)
	}
	if _, err := PreviewRegisters(ctx, s, "acme", ImportTrainings, workbookBytes(t, m, KindAssets, Options{})); !errors.As(err, &ie) || !strings.Contains(ie.In("ja"), "見出し行") {
		t.Errorf("no table: %v", err)
	}
}

// The document list: a new review date and version are applied, the
// approval and the rest kept.
func TestDocumentsImport(t *testing.T) {
	ctx := context.Background()
	s, m, head := registersStore(t)
	src := workbookBytes(t, m, KindDocuments, Options{Lang: "en"})
	const sheet = "Documents"
	src = edit(t, src, func(x *excelize.File) {
		r := rowOf(t, x, sheet, "doc-pol")
		set(t, x, sheet, at(4, r), "2.1")
		set(t, x, sheet, at(8, r), "2026-10-15")
		r = nextRow(t, x, sheet)
		for i, v := range []string{"doc-audit", "procedure", "内部監査規程", "1.0", "9.2"} {
			set(t, x, sheet, at(i+1, r), v)
		}
	})
	res, err := ApplyRegisters(ctx, s, "acme", ImportDocuments, src, head, "alice")
	if err != nil || len(res.Changes) != 2 {
		t.Fatalf("%v %+v", err, res.Changes)
	}
	after, _, _ := s.ISMSAt(ctx, "acme")
	for _, d := range after.Documents {
		switch d.ID {
		case "doc-pol":
			if d.Version != "2.1" || d.ReviewedOn != isms.MustDate("2026-10-15") || d.Approval == nil || d.ReviewInterval() != 365 {
				t.Errorf("doc-pol %+v", d)
			}
		case "doc-audit":
			if d.Kind != "procedure" || !slices.Equal(d.Clauses, []string{"9.2"}) || d.Approval != nil {
				t.Errorf("doc-audit %+v", d)
			}
		}
	}
}

// The reader never panics on any bytes and never returns changes with
// problems.
func FuzzReadRegisterWorkbook(f *testing.F) {
	m := registersModel(f)
	f.Add(workbookBytes(f, m, KindCompetence, Options{Lang: "ja"}))
	f.Add(workbookBytes(f, m, KindDocuments, Options{Lang: "en"}))
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, src []byte) {
		for _, kind := range []string{ImportTrainings, ImportDocuments} {
			ch, err := ReadRegisterWorkbook(context.Background(), src, m, kind)
			if err != nil && ch != nil {
				t.Fatalf("%s: changes with an error", kind)
			}
		}
	})
}
