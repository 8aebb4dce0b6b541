package cli

import (
	"io"
	"strings"
	"unicode"
)

// width is the number of terminal columns text takes: East Asian wide and
// full-width characters take two.
func width(s string) int {
	w := 0
	for _, r := range s {
		switch {
		case r < 0x1100:
			w++
		case unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r) ||
			(r >= 0xFF01 && r <= 0xFF60) || (r >= 0x3000 && r <= 0x303F) || (r >= 0xFFE0 && r <= 0xFFE6) || (r >= 0xAC00 && r <= 0xD7A3):
			w += 2
		default:
			w++
		}
	}
	return w
}

// writeTable writes rows with columns padded to the widest cell, in
// display width. With counts, columns after the first are right-aligned.
func writeTable(w io.Writer, rows [][]string, counts bool) {
	var widths []int
	for _, r := range rows {
		for i, c := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], width(c))
		}
	}
	for _, r := range rows {
		var b strings.Builder
		for i, c := range r {
			pad := strings.Repeat(" ", widths[i]-width(c))
			switch {
			case i == 0:
				b.WriteString(c + pad)
			case counts:
				b.WriteString("  " + pad + c)
			default:
				b.WriteString("  " + c + pad)
			}
		}
		io.WriteString(w, strings.TrimRight(b.String(), " ")+"\n")
	}
}
