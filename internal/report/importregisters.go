package report

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/xuri/excelize/v2"
)

// Import of the registers practitioners keep in Excel: the trainings with
// their attendance (力量・教育訓練記録) and the document list (文書一覧),
// as this package writes them and a practitioner edits them. Like the SoA
// workbook: previewed, then applied all or nothing; a problem anywhere
// names its sheet and cell and nothing is written. Rows update the item of
// their id (its other fields kept) or add one; items the workbook does not
// list are left as they are.

// Register imports.
const (
	ImportTrainings = "trainings"
	ImportDocuments = "documents"
)

// MaxRegisterRows bounds the rows of a register workbook's tables.
const MaxRegisterRows = 20_000

// RegisterChange is one item an imported workbook adds or changes.
type RegisterChange struct {
	Kind, Key, Title string
	New              bool
	Sheet            string
	Row              int
	item             bundle.Item
	refs             []bundle.Ref
}

// RegisterImport is what a register workbook changes in the ISMS as stored
// at history position Head.
type RegisterImport struct {
	Kind    string
	Head    int64
	Changes []RegisterChange
}

// headers of the tables the import reads, by message key, in column order.
var (
	trainingHeads   = []string{"report.col.id", "regui.rep.col.held_on", "regui.rep.col.training", "ui.kind", "regui.rep.col.topics"}
	attendanceHeads = []string{"regui.rep.col.held_on", "regui.rep.col.training", "report.col.id", "regui.rep.col.person_id"}
	documentHeads   = []string{"report.col.id", "ui.kind", "regui.rep.col.doc_title", "regui.rep.col.version", "regui.rep.col.clauses",
		"regui.rep.col.approved_by", "regui.rep.col.approved_on", "regui.rep.col.reviewed_on"}
)

// table is a sheet's table found by its heading row: the rows below it.
type table struct {
	sheet string
	first int // the sheet row number of rows[0]
	rows  [][]string
}

// findTable finds the first sheet whose table starts with the headings
// (in either language); ok is false when none does.
func findTable(f *excelize.File, heads []string, budget *int) (table, bool, error) {
	for _, sh := range f.GetSheetList() {
		rows, err := f.GetRows(sh)
		if err != nil {
			return table{}, false, err
		}
		for _, r := range rows {
			*budget -= len(r)
		}
		if *budget < 0 {
			return table{}, false, errTooManyCells
		}
		for i := 0; i < len(rows) && i < 20; i++ {
			if matchHeads(rows[i], heads) {
				return table{sheet: sh, first: i + 2, rows: rows[i+1:]}, true, nil
			}
		}
	}
	return table{}, false, nil
}

func matchHeads(row, heads []string) bool {
	if len(row) < len(heads) {
		return false
	}
	for i, k := range heads {
		c := strings.TrimSpace(row[i])
		if c != i18n.M(k).In(i18n.JA) && c != i18n.M(k).In(i18n.EN) {
			return false
		}
	}
	return true
}

func regCell(r []string, i int) string {
	if i < len(r) {
		return strings.TrimSpace(r[i])
	}
	return ""
}

func regCellName(col, row int) string {
	n, _ := excelize.CoordinatesToCellName(col+1, row)
	return n
}

// regSplit reads a cell listing values (、 or , between them).
func regSplit(s string) []string {
	var out []string
	for _, x := range strings.FieldsFunc(s, func(r rune) bool { return r == '、' || r == ',' || r == '\n' }) {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// regCode reads a choice written as its label (either language) or its code.
func regCode(s, prefix string, codes []string) (string, bool) {
	for _, c := range codes {
		if s == c || s == i18n.M(prefix+c).In(i18n.JA) || s == i18n.M(prefix+c).In(i18n.EN) {
			return c, true
		}
	}
	return "", false
}

// The choices of the registers' kind columns.
var (
	trainingKinds = []string{isms.TrainingAwareness, isms.TrainingCompetence}
	documentKinds = []string{"policy", "procedure", "record", "contract", "other"}
)

// regChoices says which choices a cell may hold, by their labels in the
// reader's language.
func regChoices(prefix string, codes []string) i18n.Message {
	labels := make([]i18n.Message, len(codes))
	for i, c := range codes {
		labels[i] = i18n.M(prefix + c)
	}
	return i18n.M("regui.import.bad_choice", "choices", labels)
}

// ReadRegisterWorkbook reads a trainings or documents workbook against the
// ISMS it is to change. Any problem returns ImportErrors and no changes.
// A read waiting for its turn (see MaxParses) ends when ctx does.
func ReadRegisterWorkbook(ctx context.Context, src []byte, m *isms.ISMS, kind string) ([]RegisterChange, error) {
	if kind != ImportTrainings && kind != ImportDocuments {
		return nil, fmt.Errorf("unknown register import %q", kind)
	}
	leave, err := parses.Enter(ctx)
	if err != nil {
		return nil, err
	}
	defer leave()
	if err := checkWorkbook(src); err != nil {
		return nil, err
	}
	f, err := excelize.OpenReader(bytes.NewReader(src), excelize.Options{UnzipSizeLimit: MaxUnzipped, UnzipXMLSizeLimit: maxPartMemory})
	if err != nil {
		return nil, ImportErrors{{Msg: i18n.M("report.import.not_xlsx", "detail", err.Error())}}
	}
	defer f.Close()
	budget := MaxWorkbookCells
	if kind == ImportTrainings {
		return readTrainings(f, m, &budget)
	}
	return readDocuments(f, m, &budget)
}

func tooMany(err error) error {
	if err == errTooManyCells {
		return ImportErrors{{Msg: i18n.M("report.import.too_many_cells", "max", MaxWorkbookCells)}}
	}
	return ImportErrors{{Msg: i18n.M("report.import.unreadable", "detail", err.Error())}}
}

func readTrainings(f *excelize.File, m *isms.ISMS, budget *int) ([]RegisterChange, error) {
	tt, ok, err := findTable(f, trainingHeads, budget)
	if err != nil {
		return nil, tooMany(err)
	}
	if !ok {
		return nil, ImportErrors{{Msg: i18n.M("regui.import.no_table", "table", i18n.M("regui.rep.trainings"))}}
	}
	at, hasAttendance, err := findTable(f, attendanceHeads, budget)
	if err != nil {
		return nil, tooMany(err)
	}
	if len(tt.rows)+len(at.rows) > MaxRegisterRows {
		return nil, ImportErrors{{Msg: i18n.M("regui.import.too_many_rows", "max", MaxRegisterRows)}}
	}
	var errs ImportErrors
	bad := func(sheet string, col, row int, value string, msg i18n.Message) {
		errs = append(errs, CellError{Sheet: sheet, Cell: regCellName(col, row), Value: value, Msg: msg})
	}
	people := map[string]bool{}
	for _, p := range m.People {
		people[p.ID] = true
	}
	// Attendance: training id → person ids, in the sheet's order.
	attendance := map[string][]string{}
	if hasAttendance {
		for i, r := range at.rows {
			id, person := regCell(r, 2), regCell(r, 3)
			if id == "" && person == "" {
				continue
			}
			row := at.first + i
			if !people[person] {
				bad(at.sheet, 3, row, person, i18n.M("regui.import.no_person"))
				continue
			}
			if !slices.Contains(attendance[id], person) {
				attendance[id] = append(attendance[id], person)
			}
		}
	}
	byID := map[string]int{}
	for i, t := range m.Trainings {
		byID[t.ID] = i
	}
	seen := map[string]bool{}
	var out []RegisterChange
	for i, r := range tt.rows {
		id := regCell(r, 0)
		if strings.Join(r, "") == "" {
			continue
		}
		row := tt.first + i
		if id == "" {
			bad(tt.sheet, 0, row, "", i18n.M("regui.import.no_id"))
			continue
		}
		if seen[id] {
			bad(tt.sheet, 0, row, id, i18n.M("regui.import.twice"))
			continue
		}
		seen[id] = true
		var t isms.Training
		var cur *isms.ISMS
		j, exists := byID[id]
		if exists {
			t = m.Trainings[j]
			cur = &isms.ISMS{Trainings: []isms.Training{t}}
		}
		t.ID, t.Title, t.Topics = id, regCell(r, 2), regSplit(regCell(r, 4))
		if d, err := isms.ParseDate(regCell(r, 1)); err != nil {
			bad(tt.sheet, 1, row, regCell(r, 1), i18n.M("regui.import.bad_date"))
			continue
		} else {
			t.Date = d
		}
		k, ok := regCode(regCell(r, 3), "regui.training_kind.", trainingKinds)
		if !ok {
			bad(tt.sheet, 3, row, regCell(r, 3), regChoices("regui.training_kind.", trainingKinds))
			continue
		}
		t.Kind = k
		if hasAttendance {
			t.Attendees = attendance[id]
		}
		c, err := registerChange(m, bundle.KindTrainings, &isms.ISMS{Trainings: []isms.Training{t}}, cur, id, t.Title, tt.sheet, row)
		if err != nil {
			bad(tt.sheet, 0, row, id, i18n.M("report.import.invalid_row", "detail", err.Error()))
			continue
		}
		if c != nil {
			out = append(out, *c)
		}
	}
	if hasAttendance {
		for i, r := range at.rows {
			if id := regCell(r, 2); id != "" && !seen[id] {
				bad(at.sheet, 2, at.first+i, id, i18n.M("regui.import.no_training"))
			}
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return out, nil
}

func readDocuments(f *excelize.File, m *isms.ISMS, budget *int) ([]RegisterChange, error) {
	dt, ok, err := findTable(f, documentHeads, budget)
	if err != nil {
		return nil, tooMany(err)
	}
	if !ok {
		return nil, ImportErrors{{Msg: i18n.M("regui.import.no_table", "table", i18n.M("regui.rep.documents"))}}
	}
	if len(dt.rows) > MaxRegisterRows {
		return nil, ImportErrors{{Msg: i18n.M("regui.import.too_many_rows", "max", MaxRegisterRows)}}
	}
	var errs ImportErrors
	bad := func(col, row int, value string, msg i18n.Message) {
		errs = append(errs, CellError{Sheet: dt.sheet, Cell: regCellName(col, row), Value: value, Msg: msg})
	}
	byID := map[string]int{}
	for i, d := range m.Documents {
		byID[d.ID] = i
	}
	seen := map[string]bool{}
	var out []RegisterChange
	for i, r := range dt.rows {
		if strings.Join(r, "") == "" {
			continue
		}
		row := dt.first + i
		id := regCell(r, 0)
		if id == "" {
			bad(0, row, "", i18n.M("regui.import.no_id"))
			continue
		}
		if seen[id] {
			bad(0, row, id, i18n.M("regui.import.twice"))
			continue
		}
		seen[id] = true
		var d isms.Document
		var cur *isms.ISMS
		j, exists := byID[id]
		if exists {
			d = m.Documents[j]
			cur = &isms.ISMS{Documents: []isms.Document{d}}
		}
		d.ID, d.Title, d.Version, d.Clauses = id, regCell(r, 2), regCell(r, 3), regSplit(regCell(r, 4))
		if s := regCell(r, 1); s != "" {
			k, ok := regCode(s, "field.v.document_kind.", documentKinds)
			if !ok {
				bad(1, row, s, regChoices("field.v.document_kind.", documentKinds))
				continue
			}
			d.Kind = k
		} else {
			d.Kind = ""
		}
		d.ReviewedOn = isms.Date{}
		if s := regCell(r, 7); s != "" {
			v, err := isms.ParseDate(s)
			if err != nil {
				bad(7, row, s, i18n.M("regui.import.bad_date"))
				continue
			}
			d.ReviewedOn = v
		}
		c, err := registerChange(m, "documents", &isms.ISMS{Documents: []isms.Document{d}}, cur, id, d.Title, dt.sheet, row)
		if err != nil {
			bad(0, row, id, i18n.M("report.import.invalid_row", "detail", err.Error()))
			continue
		}
		if c != nil {
			out = append(out, *c)
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return out, nil
}

// registerChange validates one item (mini holds it alone) as the API
// does and returns it as a change, or nil when it equals the stored one
// (cur holds that one alone; nil for a new item).
func registerChange(m *isms.ISMS, kind string, mini, cur *isms.ISMS, key, title string, sheet string, row int) (*RegisterChange, error) {
	for _, it := range bundle.Split(mini) {
		if it.Kind != kind {
			continue
		}
		item, refs, err := bundle.DecodeItem(kind, key, it.Data, m.Organization.AnnexA)
		if err != nil {
			return nil, err
		}
		if cur != nil {
			for _, was := range bundle.Split(cur) {
				if was.Kind == kind && bytes.Equal(was.Data, item.Data) {
					return nil, nil
				}
			}
		}
		return &RegisterChange{Kind: kind, Key: key, Title: title, New: cur == nil, Sheet: sheet, Row: row, item: item, refs: refs}, nil
	}
	return nil, fmt.Errorf("no %s item", kind)
}

// PreviewRegisters reads a register workbook against the ISMS as stored
// now; nothing is written.
func PreviewRegisters(ctx context.Context, s *store.Store, org, kind string, src []byte) (RegisterImport, error) {
	m, head, err := s.ISMSAt(ctx, org)
	if err != nil {
		return RegisterImport{}, err
	}
	ch, err := ReadRegisterWorkbook(ctx, src, m, kind)
	return RegisterImport{Kind: kind, Head: head, Changes: ch}, err
}

// ApplyRegisters applies a register workbook's changes in one transaction
// recorded as made by actor. With expectHead >= 0 (the head the preview
// was made at) the ISMS must not have changed since: otherwise
// store.ErrConflict and nothing is written.
func ApplyRegisters(ctx context.Context, s *store.Store, org, kind string, src []byte, expectHead int64, actor string) (RegisterImport, error) {
	imp, err := PreviewRegisters(ctx, s, org, kind, src)
	if err != nil {
		return imp, err
	}
	if expectHead >= 0 && imp.Head != expectHead {
		return imp, fmt.Errorf("organization %s changed since the preview (history #%d, now #%d): %w", org, expectHead, imp.Head, store.ErrConflict)
	}
	if len(imp.Changes) == 0 {
		return imp, nil
	}
	writes := make([]store.ItemWrite, len(imp.Changes))
	for i, c := range imp.Changes {
		writes[i] = store.ItemWrite{Item: c.item, Refs: c.refs}
	}
	return imp, s.PutAllAt(ctx, org, imp.Head, writes, actor)
}
