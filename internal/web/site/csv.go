package site

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/cloudisms/cloudisms/internal/isms"
)

// Every list page can be downloaded as CSV, as filtered, for people who keep
// their own spreadsheets: the page's own URL with format=csv. The file is
// what the page shows (its column headings, names rather than ids, values in
// the reader's language), all matching rows rather than one page of them.

// FormatParam and FormatCSV ask a list page for its CSV.
const (
	FormatParam = "format"
	FormatCSV   = "csv"
)

// WantsCSV reports whether the request asks for the page as CSV.
func WantsCSV(r *http.Request) bool { return r.URL.Query().Get(FormatParam) == FormatCSV }

// CSVLink is the current page's URL asking for its CSV, with the filters it
// carries (and without a page number: the CSV has every row).
func CSVLink(r *http.Request) string {
	q := r.URL.Query()
	q.Del("page")
	q.Set(FormatParam, FormatCSV)
	return r.URL.Path + "?" + q.Encode()
}

// MaxCSVRows bounds one download; a list larger than this is cut and says so
// in its last line, so that no request builds an unbounded file.
const MaxCSVRows = 200000

// WriteCSV sends a table as a CSV file named name (without extension; the
// organization and today's date are added). It is UTF-8 with a byte order
// mark, so that Excel opens Japanese text as such, with CRLF line ends
// (RFC 4180). Cells that a spreadsheet would run as a formula (starting
// with = + - @ or a control character) are prefixed with an apostrophe:
// text from the ISMS must never run in the reader's spreadsheet.
func WriteCSV(w http.ResponseWriter, p *Page, now time.Time, name string, heads []string, rows [][]string) {
	file := strings.Join([]string{p.Org, name, now.In(isms.JST).Format("20060102")}, "-") + ".csv"
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+asciiName(file)+`"; filename*=UTF-8''`+url.PathEscape(file))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
	w.Write([]byte("\ufeff"))
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	cw.Write(inert(heads))
	for i, row := range rows {
		if i == MaxCSVRows {
			cw.Write([]string{p.T("csv.cut", "n", MaxCSVRows)})
			break
		}
		cw.Write(inert(row))
	}
	cw.Flush()
}

// inert makes each cell safe to open in a spreadsheet.
func inert(row []string) []string {
	out := make([]string, len(row))
	for i, c := range row {
		if c != "" && (strings.ContainsRune("=+-@\t\r", rune(c[0]))) && !isNumber(c) {
			c = "'" + c
		}
		out[i] = c
	}
	return out
}

// isNumber keeps negative numbers as numbers (-1.5 is not a formula).
func isNumber(s string) bool {
	s = strings.TrimPrefix(s, "-")
	if s == "" {
		return false
	}
	dot := false
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
		case r == '.' && !dot:
			dot = true
		default:
			return false
		}
	}
	return true
}

// asciiName is a file name for clients that do not read filename*.
func asciiName(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			b.WriteByte('_')
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
