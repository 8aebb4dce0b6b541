package report

import (
	"fmt"
	"math"
	"strconv"
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
	title, label, meta, header, body int
	// heat colours a heat map cell by its level, as the web UI does:
	// within acceptance, above it, above twice it.
	heat [3]int
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
	font := "Calibri"
	if b.o.Lang == i18n.JA {
		font = jaFont
	}
	st.title = mk(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14, Family: font}})
	st.label = mk(&excelize.Style{Font: &excelize.Font{Bold: true, Family: font}, Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
	st.header = mk(&excelize.Style{Font: &excelize.Font{Bold: true, Family: font}, Border: border,
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DCE6F1"}},
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "center", Horizontal: "center"}})
	st.body = mk(&excelize.Style{Border: border, Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	st.meta = mk(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top", Horizontal: "left"}})
	for i, c := range []struct{ fill, font string }{{heatLow, "000000"}, {heatMid, "000000"}, {heatHigh, "FFFFFF"}} {
		st.heat[i] = mk(&excelize.Style{Border: border, Font: &excelize.Font{Bold: i > 0, Color: c.font, Family: font},
			Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{c.fill}},
			Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"}})
	}
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
		if err := f.SetDefaultFont(jaFont); err != nil {
			return nil, err
		}
	}
	st, err := b.newStyles(f)
	if err != nil {
		return nil, fmt.Errorf("workbook styles: %w", err)
	}
	b.st = st
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
	if err := b.stamp(f); err != nil {
		return nil, err
	}
	ok = true
	return f, nil
}

// Workbook properties that say which ISMS, at which history position, a
// workbook shows (read back by the SoA importer).
const (
	propOrg     = "cloudisms-organization"
	propHistory = "cloudisms-history-position"
)

func (b *builder) stamp(f *excelize.File) error {
	if err := f.SetCustomProps(excelize.CustomProperty{Name: propOrg, Value: b.m.Organization.ID}); err != nil {
		return err
	}
	if b.o.Head > 0 {
		return f.SetCustomProps(excelize.CustomProperty{Name: propHistory, Value: strconv.FormatInt(b.o.Head, 10)})
	}
	return nil
}

func (b *builder) writeSheet(f *excelize.File, s *sheet, st styles, progress func(int)) error {
	// The first column also holds the header block's labels.
	s.Cols[0].Width = max(s.Cols[0].Width, 13)
	hr := s.headerRow()
	last := hr + max(s.N, 1)
	lastCol, _ := excelize.ColumnNumberToName(len(s.Cols))
	quoted := "'" + strings.ReplaceAll(s.Name, "'", "''") + "'"
	// The filter first: excelize's AutoFilter rewrites the sheet
	// properties and so dropped a fit-to-page set before it (the SoA then
	// printed on 48 pages, its right-hand columns on pages of their own).
	if s.N > 0 {
		if err := f.AutoFilter(s.Name, fmt.Sprintf("A%d:%s%d", hr, lastCol, hr+s.N), nil); err != nil {
			return err
		}
	}
	if err := b.pageSetup(f, s, hr, last+len(s.Tail)+1, lastCol, quoted); err != nil {
		return err
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
	// The header block's values span the table's width (merged, wrapped),
	// so that a long service name or approval is read whole in print.
	metaWidth := 0.0
	for _, c := range s.Cols[1:] {
		metaWidth += c.Width
	}
	for i, kv := range s.Meta {
		r := metaFirstRow + i
		h := rowHeight([]any{kv[0], kv[1]}, []column{s.Cols[0], {Width: metaWidth}})
		if err := sw.SetRow(cell(1, r), []any{excelize.Cell{Value: kv[0], StyleID: st.label}, excelize.Cell{Value: kv[1], StyleID: st.meta}},
			excelize.RowOpts{Height: h}); err != nil {
			return err
		}
		if len(s.Cols) > 2 {
			if err := sw.MergeCell(cell(2, r), cell(len(s.Cols), r)); err != nil {
				return err
			}
		}
	}
	head := make([]any, len(s.Cols))
	heads := make([]any, len(s.Cols))
	for i, c := range s.Cols {
		head[i] = excelize.Cell{Value: c.Header, StyleID: st.header}
		heads[i] = c.Header
	}
	if err := sw.SetRow(cell(1, hr), head, excelize.RowOpts{Height: rowHeight(heads, s.Cols)}); err != nil {
		return err
	}
	row := hr
	err = s.Rows(func(vals []any) error {
		row++
		if (row-hr)%500 == 0 {
			progress(500)
		}
		// The row's style reaches every cell of it: no per-cell wrapper.
		// Its height is set from the wrapped text: neither Excel nor
		// LibreOffice grows a row written with none, so long text was cut.
		return sw.SetRow(cell(1, row), vals, excelize.RowOpts{StyleID: st.body, Height: rowHeight(vals, s.Cols)})
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
		if len(t) == 1 {
			t = []any{excelize.Cell{Value: t[0], StyleID: st.meta}}
		}
		if err := sw.SetRow(cell(1, row), t, excelize.RowOpts{Height: rowHeight(t[:1], []column{{Width: metaWidth + s.Cols[0].Width}})}); err != nil {
			return err
		}
		if len(s.Cols) > 1 && len(t) == 1 {
			if err := sw.MergeCell(cell(1, row), cell(len(s.Cols), row)); err != nil {
				return err
			}
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
	// Narrow margins (inches): the table gets the page's width.
	side, top, hf, centered := 0.3, 0.55, 0.25, true
	if err := f.SetPageMargins(s.Name, &excelize.PageLayoutMarginsOptions{Left: &side, Right: &side, Top: &top, Bottom: &top,
		Header: &hf, Footer: &hf, Horizontally: &centered}); err != nil {
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

// jaFont is the font of Japanese workbooks (Excel's default in Japan).
const jaFont = "游ゴシック"

// Heat map colours, those of the web UI's heat map.
const (
	heatLow  = "E0F3F8"
	heatMid  = "FDAE61"
	heatHigh = "D7191C"
)

// Row heights in points: a line of the default font (11 pt) and Excel's
// largest row.
const (
	lineHeight = 15.0
	maxHeight  = 409.0
)

// rowHeight is the height that shows every line of a row's wrapped text:
// the most lines any cell needs at its column's width. Widths are counted
// as Excel does, in digit widths; a full-width character takes two.
func rowHeight(vals []any, cols []column) float64 {
	lines := 1
	for i, v := range vals {
		if i >= len(cols) {
			break
		}
		var text string
		switch x := v.(type) {
		case string:
			text = x
		case excelize.Cell:
			text, _ = x.Value.(string)
		default:
			continue
		}
		if n := textLines(text, cols[i].Width); n > lines {
			lines = n
		}
	}
	h := float64(lines)*lineHeight + 3
	return min(h, maxHeight)
}

// textLines counts the lines text wraps to in a column width wide.
func textLines(text string, width float64) int {
	if text == "" {
		return 1
	}
	avail := max(width-1.5, 1) // the cell's padding
	n := 0
	for _, para := range strings.Split(text, "\n") {
		w := 0.0
		for _, r := range para {
			w += runeWidth(r)
		}
		n += max(1, int(math.Ceil(w/avail)))
	}
	return n
}

// runeWidth is a character's width in digit widths: East Asian wide and
// full-width characters take about two.
func runeWidth(r rune) float64 {
	switch {
	case r < 0x1100:
		return 1.05
	case r >= 0xFF61 && r <= 0xFF9F: // half-width kana
		return 1
	}
	return 1.85
}
