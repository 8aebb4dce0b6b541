package report

import (
	"fmt"
	"strings"

	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/xuri/excelize/v2"
)

// column is one column of a table sheet.
type column struct {
	Header string
	Width  float64
	// Choices, when set, offers a drop-down list in the column's cells.
	Choices []string
}

// sheet is one worksheet: a title, a header block of label/value pairs,
// then a table with one header row. Rows are produced by a function so
// that large tables are streamed, never held whole.
type sheet struct {
	Name  string
	Title string
	Meta  [][2]string
	Cols  []column
	N     int // number of table rows Rows will emit
	Rows  func(emit func(row []any) error) error
	// Tail is written after the table (e.g. a legend); small.
	Tail [][]any
}

// Layout positions, the same on every sheet so that a reader (and the SoA
// importer) finds the header block and the table without guessing.
const (
	titleRow     = 1
	metaFirstRow = 2
)

// headerRow is the row of the table's column headings.
func (s *sheet) headerRow() int { return metaFirstRow + len(s.Meta) + 1 }

// styles are the cell styles of a workbook.
type styles struct {
	title, label, header, body int
}

func (b *builder) newStyles(f *excelize.File) (styles, error) {
	var st styles
	var err error
	border := []excelize.Border{
		{Type: "left", Color: "999999", Style: 1}, {Type: "right", Color: "999999", Style: 1},
		{Type: "top", Color: "999999", Style: 1}, {Type: "bottom", Color: "999999", Style: 1},
	}
	mk := func(s *excelize.Style) int {
		if err != nil {
			return 0
		}
		var id int
		id, err = f.NewStyle(s)
		return id
	}
	st.title = mk(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}})
	st.label = mk(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{Vertical: "top"}})
	st.header = mk(&excelize.Style{Font: &excelize.Font{Bold: true}, Border: border,
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DCE6F1"}},
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "center", Horizontal: "center"}})
	st.body = mk(&excelize.Style{Border: border, Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	return st, err
}

// uniqueName makes a valid, unused sheet name (at most 31 characters, none
// of the characters Excel forbids).
func uniqueName(used map[string]bool, name string) string {
	name = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`:\/?*[]`, r) {
			return '-'
		}
		return r
	}, name)
	base := []rune(name)
	if len(base) > 31 {
		base = base[:31]
	}
	out := string(base)
	for i := 2; used[strings.ToLower(out)]; i++ {
		suffix := fmt.Sprintf("~%d", i)
		r := base
		if len(r)+len(suffix) > 31 {
			r = r[:31-len(suffix)]
		}
		out = string(r) + suffix
	}
	used[strings.ToLower(out)] = true
	return out
}

// write lays out the sheets in a new workbook. Page setup, filters and
// print areas are set before each sheet is streamed, since the stream
// writer carries them into the sheet it writes.
func (b *builder) write(sheets []*sheet) (*excelize.File, error) {
	f := excelize.NewFile()
	ok := false
	defer func() {
		if !ok {
			f.Close()
		}
	}()
	if b.o.Lang == i18n.JA {
		if err := f.SetDefaultFont("游ゴシック"); err != nil {
			return nil, err
		}
	}
	st, err := b.newStyles(f)
	if err != nil {
		return nil, fmt.Errorf("workbook styles: %w", err)
	}
	total := 0
	for _, s := range sheets {
		total += s.N
	}
	done := 0
	progress := func(n int) {
		done += n
		if b.o.Progress != nil {
			b.o.Progress(done, total)
		}
	}
	progress(0)
	used := map[string]bool{}
	for i, s := range sheets {
		s.Name = uniqueName(used, s.Name)
		if i == 0 {
			if err := f.SetSheetName("Sheet1", s.Name); err != nil {
				return nil, err
			}
		} else if _, err := f.NewSheet(s.Name); err != nil {
			return nil, err
		}
		if err := b.writeSheet(f, s, st, progress); err != nil {
			return nil, fmt.Errorf("sheet %s: %w", s.Name, err)
		}
	}
	ok = true
	return f, nil
}

func (b *builder) writeSheet(f *excelize.File, s *sheet, st styles, progress func(int)) error {
	hr := s.headerRow()
	last := hr + max(s.N, 1)
	lastCol, _ := excelize.ColumnNumberToName(len(s.Cols))
	quoted := "'" + strings.ReplaceAll(s.Name, "'", "''") + "'"
	if err := b.pageSetup(f, s, hr, last+len(s.Tail)+1, lastCol, quoted); err != nil {
		return err
	}
	if s.N > 0 {
		if err := f.AutoFilter(s.Name, fmt.Sprintf("A%d:%s%d", hr, lastCol, hr+s.N), nil); err != nil {
			return err
		}
	}
	for i, c := range s.Cols {
		if len(c.Choices) == 0 || s.N == 0 {
			continue
		}
		col, _ := excelize.ColumnNumberToName(i + 1)
		dv := excelize.NewDataValidation(true)
		dv.Sqref = fmt.Sprintf("%s%d:%s%d", col, hr+1, col, hr+s.N)
		if err := dv.SetDropList(c.Choices); err != nil {
			return err
		}
		if err := f.AddDataValidation(s.Name, dv); err != nil {
			return err
		}
	}
	sw, err := f.NewStreamWriter(s.Name)
	if err != nil {
		return err
	}
	for i, c := range s.Cols {
		if err := sw.SetColWidth(i+1, i+1, c.Width); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: hr, XSplit: 1, TopLeftCell: fmt.Sprintf("B%d", hr+1), ActivePane: "bottomRight"}); err != nil {
		return err
	}
	if err := sw.SetRow(cell(1, titleRow), []any{excelize.Cell{Value: s.Title, StyleID: st.title}}); err != nil {
		return err
	}
	for i, kv := range s.Meta {
		if err := sw.SetRow(cell(1, metaFirstRow+i), []any{excelize.Cell{Value: kv[0], StyleID: st.label}, kv[1]}); err != nil {
			return err
		}
	}
	head := make([]any, len(s.Cols))
	for i, c := range s.Cols {
		head[i] = excelize.Cell{Value: c.Header, StyleID: st.header}
	}
	if err := sw.SetRow(cell(1, hr), head); err != nil {
		return err
	}
	row := hr
	body := excelize.RowOpts{StyleID: st.body}
	err = s.Rows(func(vals []any) error {
		row++
		if (row-hr)%500 == 0 {
			progress(500)
		}
		// The row's style reaches every cell of it: no per-cell wrapper.
		return sw.SetRow(cell(1, row), vals, body)
	})
	if err != nil {
		return err
	}
	if row-hr != s.N {
		return fmt.Errorf("wrote %d rows, expected %d", row-hr, s.N)
	}
	progress(s.N % 500)
	row++
	for _, t := range s.Tail {
		row++
		if err := sw.SetRow(cell(1, row), t); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// pageSetup prints a sheet on A4 landscape, one page wide, the heading row
// repeated on every page, with the document and page numbers in the margins.
func (b *builder) pageSetup(f *excelize.File, s *sheet, hr, last int, lastCol, quoted string) error {
	size, orient, one, zero, fit := 9, "landscape", 1, 0, true
	if err := f.SetPageLayout(s.Name, &excelize.PageLayoutOptions{Size: &size, Orientation: &orient, FitToWidth: &one, FitToHeight: &zero}); err != nil {
		return err
	}
	if err := f.SetSheetProps(s.Name, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
		return err
	}
	header := "&L" + hfEscape(b.orgName()) + "&C" + hfEscape(s.Title) + "&R" + hfEscape(b.o.Version)
	footer := "&L" + hfEscape(b.o.Date.String()) + "&R&P / &N"
	if err := f.SetHeaderFooter(s.Name, &excelize.HeaderFooterOptions{OddHeader: header, OddFooter: footer}); err != nil {
		return err
	}
	if err := f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Area", Scope: s.Name,
		RefersTo: fmt.Sprintf("%s!$A$1:$%s$%d", quoted, lastCol, last)}); err != nil {
		return err
	}
	return f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", Scope: s.Name,
		RefersTo: fmt.Sprintf("%s!$%d:$%d", quoted, hr, hr)})
}

// hfEscape keeps an ampersand in header text literal and the text short
// (Excel allows 255 characters for a whole header).
func hfEscape(s string) string {
	if r := []rune(s); len(r) > 60 {
		s = string(r[:60]) + "…"
	}
	return strings.ReplaceAll(s, "&", "&&")
}

func cell(col, row int) string {
	c, _ := excelize.CoordinatesToCellName(col, row)
	return c
}
