package soa

import (
	"html"
	"html/template"
	"net/url"
	"strings"
)

// rowsHTML renders the SoA table's body. The SoA page is one of the most
// requested pages and has a line for each of over a hundred controls; the
// template engine's reflection over each line's fields made up most of
// the page's server time, so the lines are written here, every text
// through the HTML escaper.
// A row's control links to the row's page where the SoA exists (canOpen).
func rowsHTML(rows []soaRow, lang string, l soaLabels, rowLink string, canOpen, canEdit bool, empty string) template.HTML {
	if len(rows) == 0 {
		return template.HTML(`<tr><td colspan="5" class="empty">` + html.EscapeString(empty) + `</td></tr>`)
	}
	var b strings.Builder
	b.Grow(len(rows) * 600)
	esc := func(s string) { b.WriteString(html.EscapeString(s)) }
	para := func(class, label, text string) {
		b.WriteString(`<p`)
		if class != "" {
			b.WriteString(` class="` + class + `"`)
		}
		b.WriteString(`>`)
		if label != "" {
			esc(label)
			b.WriteString(": ")
		}
		esc(text)
		b.WriteString(`</p>`)
	}
	for _, r := range rows {
		b.WriteString(`<tr id="row-`)
		esc(r.Control)
		b.WriteString(`"`)
		if r.Cloud {
			b.WriteString(` class="cloud"`)
		}
		b.WriteString(` data-state="`)
		esc(r.State)
		b.WriteString(`"><th scope="row">`)
		if canOpen {
			b.WriteString(`<a href="`)
			esc(rowLink + url.QueryEscape(r.Control))
			b.WriteString(`"><code>`)
			esc(r.Control)
			b.WriteString(`</code></a>`)
		} else {
			b.WriteString(`<code>`)
			esc(r.Control)
			b.WriteString(`</code>`)
		}
		if r.Base != "" {
			b.WriteString(`<br><small>`)
			esc(r.BaseLabel)
			b.WriteString(`</small>`)
		}
		b.WriteString(`</th><td>`)
		if lang == "en" {
			esc(r.TitleEN)
		} else {
			esc(r.TitleJA)
			if r.TitleUnconfirmed {
				b.WriteString(`<sup class="unconfirmed" title="`)
				esc(l.UnconfirmedNote)
				b.WriteString(`">`)
				esc(l.UnconfirmedMark)
				b.WriteString(`</sup>`)
			}
		}
		if r.OwnText != "" {
			b.WriteString(`<details class="own-text"><summary>`)
			esc(l.OwnText)
			b.WriteString(`</summary><p>`)
			esc(r.OwnText)
			b.WriteString(`</p></details>`)
		}
		b.WriteString(`</td><td><span class="chip st-`)
		esc(r.State)
		b.WriteString(`">`)
		esc(r.StateLabel)
		b.WriteString(`</span></td><td>`)
		esc(r.FromLabel)
		b.WriteString(`</td><td>`)
		if len(r.Reasons) > 0 {
			para("reasons", l.Reasons, r.ReasonsText)
		}
		if r.JustificationExcerpt != "" {
			para("", l.Justification, r.JustificationExcerpt)
		}
		if r.NotesExcerpt != "" {
			para("notes", "", r.NotesExcerpt)
		}
		for _, f := range r.Findings {
			para("chip err finding-note", "", f)
		}
		if canEdit {
			b.WriteString(`<a class="row-edit" href="`)
			esc(rowLink + url.QueryEscape(r.Control))
			b.WriteString(`">`)
			esc(l.Edit)
			b.WriteString(`</a>`)
		}
		b.WriteString("</td></tr>\n")
	}
	return template.HTML(b.String())
}
