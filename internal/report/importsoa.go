package report

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"github.com/cloudisms/cloudisms/internal/gate"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/catalog"
	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/xuri/excelize/v2"
)

// CellError is a problem of an imported workbook: the sheet, the cell and
// the value found there, and what was expected.
type CellError struct {
	Sheet, Cell, Value string
	Msg                i18n.Message
}

// ImportErrors are all the problems of a workbook; none of its rows is applied.
type ImportErrors []CellError

func (e ImportErrors) Error() string { return e.In(i18n.EN) }

// In renders the problems, one a line, in a language.
func (e ImportErrors) In(lang string) string {
	var b strings.Builder
	for i, x := range e {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(x.In(lang))
	}
	return b.String()
}

// In renders one problem in a language.
func (x CellError) In(lang string) string {
	if x.Sheet == "" {
		return x.Msg.In(lang)
	}
	if x.Cell == "" {
		return i18n.M("report.import.at_sheet", "sheet", x.Sheet, "problem", x.Msg.In(lang)).In(lang)
	}
	return i18n.M("report.import.at", "sheet", x.Sheet, "cell", x.Cell, "value", x.Value, "problem", x.Msg.In(lang)).In(lang)
}

// SoAChange is one SoA row an imported workbook changes.
type SoAChange struct {
	SoA     string // bundle.SoAKey: organization, or service:role
	Control string
	Sheet   string
	Cell    string       // the row's control id cell
	Before  *isms.SoARow // the effective row before (nil when there is none)
	After   isms.SoARow
	// Inherited: the row came from the organization's SoA; the import
	// makes the service SoA's own row (an override), as the UI does.
	Inherited bool
	// NewSoA: the service SoA does not exist yet and is created.
	NewSoA bool
}

// SkippedEdit is a cell of an imported workbook that differs from what
// the ISMS holds but is not applied, with the reason: an import never
// drops an edit without saying so.
type SkippedEdit struct {
	SoA, Control string
	Sheet, Cell  string
	Value        string // what the workbook holds
	Current      string // what the ISMS holds (as the workbook would show it)
	Reason       i18n.Message
	// From is the stored row the ISMS's value comes from (soa/control):
	// the organization's row for a row a service SoA takes from it.
	From string
}

// SoARead is what a workbook holds for an ISMS: the rows it changes, the
// edits it does not apply, and the history position of the ISMS it was
// made from (-1 when the workbook does not say).
type SoARead struct {
	Changes []SoAChange
	Skipped []SkippedEdit
	MadeAt  int64
	// Org is the organization the workbook was made for ("" unknown).
	Org string
}

// Limits on an uploaded workbook, checked before it is parsed so that a
// small compressed file (a "zip bomb") can take neither the server's
// memory nor its time. An SoA workbook of 200 services unpacks to a few
// megabytes and holds some hundred thousand cells.
const (
	// MaxUnzipped bounds the workbook's unpacked size, all parts together.
	MaxUnzipped = 64 << 20
	// MaxWorkbookCells bounds the cells of all its sheets together.
	MaxWorkbookCells = 1_000_000
	// MaxSoACells bounds the cells of the SoA sheets read.
	MaxSoACells = 300_000
	// maxParts bounds the number of files in the package.
	maxParts = 10_000
	// maxPartMemory: a larger part is kept in a temporary file while read.
	maxPartMemory = 8 << 20
	// MaxParses workbooks are read at once, MaxParsesWaiting more wait
	// for a turn up to QueueWait, and any beyond get ErrBusy.
	MaxParses        = 2
	MaxParsesWaiting = 8
)

var parses = gate.New(MaxParses, MaxParsesWaiting, QueueWait)

// checkWorkbook looks into the package before it is parsed: it refuses
// one that unpacks to more than MaxUnzipped (archive/zip holds every part
// to its stated size) or whose sheets hold more than MaxWorkbookCells
// cells, counted while streaming, never unpacked whole.
func checkWorkbook(src []byte) error {
	zr, err := zip.NewReader(bytes.NewReader(src), int64(len(src)))
	if err != nil {
		return ImportErrors{{Msg: i18n.M("report.import.not_xlsx", "detail", err.Error())}}
	}
	if len(zr.File) > maxParts {
		return ImportErrors{{Msg: i18n.M("report.import.too_many_parts", "max", maxParts)}}
	}
	var total uint64
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if total > MaxUnzipped || f.UncompressedSize64 > MaxUnzipped {
			return ImportErrors{{Msg: i18n.M("report.import.too_large_unzipped", "max", MaxUnzipped>>20)}}
		}
	}
	cells := 0
	for _, f := range zr.File {
		name := strings.ToLower(f.Name)
		if !strings.HasPrefix(name, "xl/worksheets/") || !strings.HasSuffix(name, ".xml") {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return ImportErrors{{Msg: i18n.M("report.import.not_xlsx", "detail", err.Error())}}
		}
		n, err := countCells(rc, MaxWorkbookCells-cells)
		rc.Close()
		cells += n
		if errors.Is(err, errTooManyCells) {
			return ImportErrors{{Msg: i18n.M("report.import.too_many_cells", "max", MaxWorkbookCells)}}
		}
		if err != nil {
			return ImportErrors{{Msg: i18n.M("report.import.not_xlsx", "detail", err.Error())}}
		}
	}
	return nil
}

var errTooManyCells = errors.New("too many cells")

// countCells counts the cell elements (<c …>, with any namespace prefix)
// of a worksheet's XML, stopping with errTooManyCells past max.
func countCells(r io.Reader, max int) (int, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	n := 0
	for {
		_, err := br.ReadSlice('<')
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		name, _ := br.Peek(24)
		if i := bytes.IndexAny(name, " \t\r\n/>"); i >= 0 {
			name = name[:i]
		}
		if i := bytes.IndexByte(name, ':'); i >= 0 {
			name = name[i+1:]
		}
		if len(name) == 1 && name[0] == 'c' {
			n++
			if n > max {
				return n, errTooManyCells
			}
		}
	}
}

// ReadSoA reads an SoA workbook (one this package wrote, edited by a
// practitioner) against the ISMS it is to change. Only the applicable,
// reasons, implementation and justification columns are read; the control
// id and title identify the row. The result lists the rows that differ
// from the ISMS. Any problem anywhere returns ImportErrors and no changes.
func ReadSoA(src []byte, m *isms.ISMS) ([]SoAChange, error) {
	rd, err := ReadSoAWorkbook(context.Background(), src, m, nil)
	return rd.Changes, err
}

// ReadSoAWorkbook reads an SoA workbook as ReadSoA does and also lists
// the edited cells it does not apply (rows shown from the organization's
// SoA, columns it does not read) and when the workbook was made.
// texts are the organization's own control texts, as the workbook shows
// them. A read waiting for its turn (see MaxParses) ends when ctx does.
func ReadSoAWorkbook(ctx context.Context, src []byte, m *isms.ISMS, texts map[string]string) (SoARead, error) {
	rd := SoARead{MadeAt: -1}
	leave, err := parses.Enter(ctx)
	if err != nil {
		return rd, err
	}
	defer leave()
	if err := checkWorkbook(src); err != nil {
		return rd, err
	}
	f, err := excelize.OpenReader(bytes.NewReader(src), excelize.Options{UnzipSizeLimit: MaxUnzipped, UnzipXMLSizeLimit: maxPartMemory})
	if err != nil {
		return rd, ImportErrors{{Msg: i18n.M("report.import.not_xlsx", "detail", err.Error())}}
	}
	defer f.Close()
	if props, err := f.GetCustomProps(); err == nil {
		for _, p := range props {
			switch p.Name {
			case propOrg:
				rd.Org = fmt.Sprint(p.Value)
			case propHistory:
				if n, err := strconv.ParseInt(fmt.Sprint(p.Value), 10, 64); err == nil && n > 0 {
					rd.MadeAt = n
				}
			}
		}
	}
	views := isms.SoAViews(m)
	var errs ImportErrors
	var changes []SoAChange
	seenSoA := map[string]string{} // SoA key → sheet
	found := false
	budget := MaxSoACells
	for _, sh := range f.GetSheetList() {
		rows, err := soaSheetRows(f, sh, &budget)
		if errors.Is(err, errTooManyCells) {
			return SoARead{MadeAt: rd.MadeAt, Org: rd.Org}, ImportErrors{{Sheet: sh, Msg: i18n.M("report.import.too_many_cells", "max", MaxSoACells)}}
		}
		if err != nil {
			errs = append(errs, CellError{Sheet: sh, Msg: i18n.M("report.import.unreadable", "detail", err.Error())})
			continue
		}
		if rows == nil {
			continue // not an SoA sheet: the all-in-one workbook holds others
		}
		found = true
		r := sheetReader{sheet: sh, rows: rows, m: m, texts: texts}
		ch := r.read(views, seenSoA)
		errs = append(errs, r.errs...)
		changes = append(changes, ch...)
		rd.Skipped = append(rd.Skipped, r.skipped...)
	}
	if !found && len(errs) == 0 {
		errs = append(errs, CellError{Msg: i18n.M("report.import.no_soa")})
	}
	if len(errs) > 0 {
		return SoARead{MadeAt: rd.MadeAt, Org: rd.Org}, errs
	}
	rd.Changes = changes
	return rd, nil
}

// soaSheetRows reads a sheet's rows when it is an SoA sheet (its first
// cell is the SoA title), nil otherwise; only the first row of another
// sheet is read. Its cells count against the budget.
func soaSheetRows(f *excelize.File, sheet string, budget *int) ([][]string, error) {
	it, err := f.Rows(sheet)
	if err != nil {
		return nil, err
	}
	defer it.Close()
	var rows [][]string
	for it.Next() {
		cols, err := it.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, err
		}
		if rows == nil && (len(cols) == 0 || !matchesKey(cols[0], "report.title.soa")) {
			return nil, nil
		}
		if *budget -= len(cols) + 1; *budget < 0 {
			return nil, errTooManyCells
		}
		rows = append(rows, cols)
	}
	// Trailing empty rows are dropped, as GetRows does.
	for len(rows) > 1 && len(rows[len(rows)-1]) == 0 {
		rows = rows[:len(rows)-1]
	}
	return rows, it.Error()
}

// sheetReader reads one SoA sheet.
type sheetReader struct {
	sheet   string
	rows    [][]string
	m       *isms.ISMS
	texts   map[string]string
	errs    ImportErrors
	skipped []SkippedEdit
	w       *builder // renders cells as the writer does, to find edits
}

func (r *sheetReader) at(col, row int) string {
	if row-1 < len(r.rows) && col-1 < len(r.rows[row-1]) {
		return r.rows[row-1][col-1]
	}
	return ""
}

func (r *sheetReader) fail(col, row int, msg i18n.Message) {
	r.errs = append(r.errs, CellError{Sheet: r.sheet, Cell: cell(col, row), Value: r.at(col, row), Msg: msg})
}

// matchesKey reports whether s is a message's text in any language.
func matchesKey(s, key string, args ...any) bool {
	s = strings.TrimSpace(s)
	for _, l := range i18n.Langs {
		if s == i18n.M(key, args...).In(l) {
			return true
		}
	}
	return false
}

// codeOf finds the code whose label (key prefix + code) is s in any
// language, or s itself when it is a code; "" and false when none is.
func codeOf(s, prefix string, codes []string) (string, bool) {
	s = strings.TrimSpace(s)
	for _, c := range codes {
		if strings.EqualFold(s, c) || matchesKey(s, prefix+c) {
			return c, true
		}
	}
	return "", false
}

func (r *sheetReader) read(views []isms.SoAView, seenSoA map[string]string) []SoAChange {
	hr, service, role := 0, "", ""
	serviceRow, roleRow := 0, 0
	for i := 2; i <= len(r.rows) && hr == 0; i++ {
		label := r.at(1, i)
		switch {
		case matchesKey(label, "report.col.control_id"):
			hr = i
		case matchesKey(label, "report.meta.service"):
			service, serviceRow = strings.TrimSpace(r.at(2, i)), i
		case matchesKey(label, "report.meta.role"):
			roleRow = i
			if v := strings.TrimSpace(r.at(2, i)); v != "" {
				c, ok := codeOf(v, "role.", []string{isms.RoleProvider, isms.RoleCustomer})
				if !ok {
					r.fail(2, i, i18n.M("report.import.bad_value", "allowed", r.allowed("role.", []string{isms.RoleProvider, isms.RoleCustomer})))
					return nil
				}
				role = c
			}
		}
	}
	if hr == 0 {
		r.fail(1, 1, i18n.M("report.import.no_header", "label", i18n.M("report.col.control_id").In(i18n.JA)))
		return nil
	}
	var view *isms.SoAView
	for i := range views {
		if views[i].Service == service && views[i].Role == role {
			view = &views[i]
		}
	}
	if view == nil {
		row := serviceRow
		if (service == "" || serviceOf(r.m, service) != nil) && roleRow != 0 {
			row = roleRow
		}
		r.fail(2, max(row, 1), i18n.M("report.import.unknown_soa", "service", service, "role", role))
		return nil
	}
	key := "organization"
	if service != "" {
		key = service + ":" + role
	}
	if other, dup := seenSoA[key]; dup {
		r.fail(2, max(serviceRow, 1), i18n.M("report.import.dup_soa", "other", other))
		return nil
	}
	seenSoA[key] = r.sheet
	if !r.checkHeadings(hr) {
		return nil
	}
	return r.readRows(view, key, hr)
}

// checkHeadings makes sure the columns read are where the writer put them
// (an inserted or moved column would shift every value).
func (r *sheetReader) checkHeadings(hr int) bool {
	ok := true
	// In column order, so that the problems are listed as the sheet reads.
	for _, h := range []struct {
		col int
		key string
	}{{soaColControl, "report.col.control_id"}, {soaColTitle, "report.col.control_title"}, {soaColApplicable, "ui.applicable_q"},
		{soaColReasons, "ui.reasons"}, {soaColImplementation, "ui.implementation"}, {soaColJustification, "ui.justification"}, {soaColFrom, "report.col.from"}} {
		col, key := h.col, h.key
		if !matchesKey(r.at(col+1, hr), key) {
			r.fail(col+1, hr, i18n.M("report.import.bad_heading", "want", i18n.M(key).In(i18n.JA)+" / "+i18n.M(key).In(i18n.EN)))
			ok = false
		}
	}
	return ok
}

func (r *sheetReader) allowed(prefix string, codes []string) string {
	var out []string
	for _, c := range codes {
		out = append(out, i18n.M(prefix+c).In(i18n.JA), i18n.M(prefix+c).In(i18n.EN))
	}
	return strings.Join(out, ", ")
}

func (r *sheetReader) readRows(view *isms.SoAView, key string, hr int) []SoAChange {
	byID := map[string]isms.EffectiveRow{}
	for _, er := range view.Rows {
		byID[er.Control.ID] = er
	}
	cat := catalog.Std()
	seen := map[string]int{}
	var out []SoAChange
	r.w = newBuilder(r.m, Options{Lang: r.lang(hr), ControlTexts: r.texts})
	for i := hr + 1; i <= len(r.rows); i++ {
		if strings.TrimSpace(strings.Join(r.rows[i-1], "")) == "" {
			break // the table ends at the first empty row; a note may follow
		}
		id := strings.TrimSpace(r.at(soaColControl+1, i))
		if id == "" {
			if r.rowHasValues(i) {
				r.fail(soaColControl+1, i, i18n.M("report.import.no_control"))
			}
			continue
		}
		er, ok := byID[id]
		if !ok {
			if _, known := cat.Lookup(id); known {
				r.fail(soaColControl+1, i, i18n.M("report.import.not_in_soa"))
			} else {
				r.fail(soaColControl+1, i, i18n.M("report.import.unknown_control"))
			}
			continue
		}
		if prev, dup := seen[id]; dup {
			r.fail(soaColControl+1, i, i18n.M("report.import.dup_control", "cell", cell(soaColControl+1, prev)))
			continue
		}
		seen[id] = i
		if t := strings.TrimSpace(r.at(soaColTitle+1, i)); t != "" && t != er.Control.TitleJA && t != er.Control.TitleEN && t != r.w.controlTitle(er.Control) {
			r.fail(soaColControl+1, i, i18n.M("report.import.changed_id", "title", t))
			continue
		}
		r.unreadEdits(key, er, i)
		if view.Service != "" {
			from := strings.TrimSpace(r.at(soaColFrom+1, i))
			switch {
			case matchesKey(from, "report.from.organization"):
				// Mirrors the organization's row: edit it there, or mark
				// the row as this SoA's own. Edits here are reported.
				r.inheritedEdits(key, er, i)
				continue
			case from == "" || matchesKey(from, "report.from.service") || matchesKey(from, "report.from.none"):
			default:
				r.fail(soaColFrom+1, i, i18n.M("report.import.bad_value", "allowed", r.allowed("report.from.", []string{isms.FromService, isms.FromOrganization})))
				continue
			}
		}
		after, ok := r.rowValues(i, er)
		if !ok || sameRow(er.Row, after) {
			continue
		}
		out = append(out, SoAChange{SoA: key, Control: id, Sheet: r.sheet, Cell: cell(soaColControl+1, i), Before: er.Row, After: after,
			Inherited: view.Service != "" && er.From == isms.FromOrganization, NewSoA: view.SoA == nil})
	}
	return out
}

// lang is the language the sheet was written in, from its headings.
func (r *sheetReader) lang(hr int) string {
	if r.at(soaColControl+1, hr) == i18n.M("report.col.control_id").In(i18n.EN) {
		return i18n.EN
	}
	return i18n.JA
}

// skip records an edited cell that is not applied.
func (r *sheetReader) skip(key string, er isms.EffectiveRow, col, i int, current any, reason i18n.Message) {
	from := key
	if er.From == isms.FromOrganization {
		from = "organization"
	}
	r.skipped = append(r.skipped, SkippedEdit{SoA: key, Control: er.Control.ID, Sheet: r.sheet, Cell: cell(col+1, i),
		Value: r.at(col+1, i), Current: fmt.Sprint(current), Reason: reason, From: from + "/" + er.Control.ID})
}

// unreadEdits reports edits of the columns the importer does not read
// (管理策名 is checked as the row's identity; 区分 and the control text
// are the catalog's and the organization's own texts).
func (r *sheetReader) unreadEdits(key string, er isms.EffectiveRow, i int) {
	want := r.w.soaRow(er)
	if cellDiffers(r.at(soaColSection+1, i), want[soaColSection]) {
		r.skip(key, er, soaColSection, i, want[soaColSection], i18n.M("docs13.import.skip_section"))
	}
	if len(want) > soaCols && cellDiffers(r.at(soaCols+1, i), want[soaCols]) {
		r.skip(key, er, soaCols, i, want[soaCols], i18n.M("docs13.import.skip_text"))
	}
}

// inheritedEdits reports the cells of a row shown from the organization's
// SoA that differ from that row: they are not applied to either SoA.
func (r *sheetReader) inheritedEdits(key string, er isms.EffectiveRow, i int) {
	want := r.w.soaRow(er)
	for _, c := range []int{soaColApplicable, soaColReasons, soaColImplementation, soaColJustification, soaColNotes} {
		if cellDiffers(r.at(c+1, i), want[c]) {
			r.skip(key, er, c, i, want[c], i18n.M("docs13.import.skip_inherited"))
		}
	}
}

// cellDiffers compares a cell with what the writer put there, ignoring
// white space at the ends and the line breaks Excel may normalize.
func cellDiffers(got string, want any) bool {
	norm := func(s string) string { return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n")) }
	return norm(got) != norm(fmt.Sprint(want))
}

func (r *sheetReader) rowHasValues(i int) bool {
	for _, c := range []int{soaColApplicable, soaColReasons, soaColImplementation, soaColJustification, soaColNotes} {
		if strings.TrimSpace(r.at(c+1, i)) != "" {
			return true
		}
	}
	return false
}

// rowValues reads the five columns of a row (applicable, reasons,
// implementation, justification, notes) over the row as it is (so that
// evidence is kept).
func (r *sheetReader) rowValues(i int, er isms.EffectiveRow) (isms.SoARow, bool) {
	var row isms.SoARow
	if er.Row != nil {
		row = *er.Row
	}
	row.Control = er.Control.ID
	ok := true
	switch v := strings.TrimSpace(r.at(soaColApplicable+1, i)); {
	case v == "":
		row.Applicable = nil
	case matchesKey(v, "report.applicable.yes") || strings.EqualFold(v, "true") || v == "○":
		t := true
		row.Applicable = &t
	case matchesKey(v, "report.applicable.no") || strings.EqualFold(v, "false") || v == "×":
		f := false
		row.Applicable = &f
	default:
		r.fail(soaColApplicable+1, i, i18n.M("report.import.bad_value", "allowed", r.allowed("report.applicable.", []string{"yes", "no"})))
		ok = false
	}
	row.Reasons = nil
	for _, part := range splitList(r.at(soaColReasons+1, i)) {
		c, known := codeOf(part, "reason.", reasonCodes)
		if !known {
			r.fail(soaColReasons+1, i, i18n.M("report.import.bad_reason", "reason", part, "allowed", r.allowed("reason.", reasonCodes)))
			ok = false
			continue
		}
		row.Reasons = append(row.Reasons, c)
	}
	if v := strings.TrimSpace(r.at(soaColImplementation+1, i)); v == "" {
		row.Implementation = ""
	} else if c, known := codeOf(v, "state.", implCodes); known {
		row.Implementation = c
	} else {
		r.fail(soaColImplementation+1, i, i18n.M("report.import.bad_value", "allowed", r.allowed("state.", implCodes)))
		ok = false
	}
	row.Justification = strings.TrimSpace(r.at(soaColJustification+1, i))
	row.Notes = strings.TrimSpace(strings.ReplaceAll(r.at(soaColNotes+1, i), "\r\n", "\n"))
	return row, ok
}

// splitList splits a cell of several values (、 , ， ; or new lines).
func splitList(s string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune("、,，;；\n", r) }) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func sameRow(before *isms.SoARow, after isms.SoARow) bool {
	var b isms.SoARow
	if before != nil {
		b = *before
	}
	return fmt.Sprint(b.Applicable == nil, isms.IsTrue(b.Applicable)) == fmt.Sprint(after.Applicable == nil, isms.IsTrue(after.Applicable)) &&
		slices.Equal(b.Reasons, after.Reasons) && b.Implementation == after.Implementation && b.Justification == after.Justification &&
		strings.TrimSpace(b.Notes) == after.Notes
}

// Items turns changes into the items to write: the changed rows, and the
// header of each service SoA that does not exist yet, first. Each item is
// validated as the API validates it; a problem names the row's cell.
func Items(m *isms.ISMS, changes []SoAChange) ([]bundle.Item, [][]bundle.Ref, error) {
	var items []bundle.Item
	var refs [][]bundle.Ref
	var errs ImportErrors
	created := map[string]bool{}
	for _, c := range changes {
		service, role, _ := strings.Cut(c.SoA, ":")
		if c.SoA == "organization" {
			service, role = "", ""
		}
		mini := &isms.ISMS{SoAs: []isms.SoA{{Service: service, Role: role, Rows: []isms.SoARow{c.After}}}}
		for _, it := range bundle.Split(mini) {
			switch {
			case it.Kind == bundle.KindSoA && c.NewSoA && !created[c.SoA]:
				created[c.SoA] = true
			case it.Kind == bundle.KindSoARows:
			default:
				continue
			}
			item, rs, err := bundle.DecodeItem(it.Kind, it.Key, it.Data, m.Organization.AnnexA)
			if err != nil {
				errs = append(errs, CellError{Sheet: c.Sheet, Cell: c.Cell, Value: c.Control, Msg: i18n.M("report.import.invalid_row", "detail", err.Error())})
				continue
			}
			items, refs = append(items, item), append(refs, rs)
		}
	}
	if len(errs) > 0 {
		return nil, nil, errs
	}
	return items, refs, nil
}

// RowSummary shows the four imported fields of a row in one line.
func RowSummary(r *isms.SoARow, lang string) string {
	if r == nil {
		return i18n.M("report.row.none").In(lang)
	}
	b := &builder{o: Options{Lang: lang}}
	parts := []string{b.applicable(r.Applicable)}
	if parts[0] == "" {
		parts[0] = i18n.M("report.row.none").In(lang)
	}
	var reasons []string
	for _, x := range r.Reasons {
		reasons = append(reasons, b.t("reason."+x))
	}
	if len(reasons) > 0 {
		parts = append(parts, b.list(reasons))
	}
	if r.Implementation != "" {
		parts = append(parts, b.t("state."+r.Implementation))
	}
	if r.Justification != "" {
		q := "\"" + r.Justification + "\""
		if lang == i18n.JA {
			q = "「" + r.Justification + "」"
		}
		parts = append(parts, q)
	}
	return strings.Join(parts, " / ")
}
