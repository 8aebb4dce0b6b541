package report

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/isms"
)

// standard names a framework as a reader of the document knows it: the
// JIS edition in Japanese documents (JIS Q 27001:2023 附属書A), the ISO
// edition in English ones. An unknown id is shown as it is.
func (b *builder) standard(id string) string {
	key := "docs13.std." + strings.NewReplacer(":", "-").Replace(id)
	if s := b.t(key); s != key {
		return s
	}
	return id
}

// docVersion names the state of a printed document: the approved version
// (approval date) when its approval is current, a draft otherwise, with
// the fingerprint of what is printed so that two printouts can be told
// apart (or shown to be the same).
func (b *builder) docVersion(a *isms.Approval, stale bool, fingerprint string) string {
	fp := fingerprint
	if len(fp) > 8 {
		fp = fp[:8]
	}
	switch {
	case a == nil:
		return b.t("docs13.version.draft", "fp", fp)
	case stale:
		return b.t("docs13.version.changed", "date", a.Date.String(), "fp", fp)
	}
	return b.t("docs13.version.approved", "date", a.Date.String(), "fp", fp)
}

// approvalLine shows an approval, marked when it came with an imported
// bundle (importedBy: who imported it) and when the approved content has
// changed since.
func (b *builder) approvalLine(a *isms.Approval, stale bool, importedBy string) string {
	s := b.approval(a)
	if a != nil && importedBy != "" {
		s += b.t("approval.imported_print", "who", importedBy)
	}
	if a != nil && stale {
		s += b.t("docs13.approval.stale")
	}
	return s
}

// isStale reports whether the recorded approval of an item no longer
// matches its content (Options.StaleApprovals, from the store).
func (b *builder) isStale(kind, key string) bool {
	return b.o.StaleApprovals[kind+"/"+key]
}

// fingerprint is the SHA-256 of a document's printed content (its
// sections and tables, not the date it was made).
func (d *printDoc) fingerprint() string {
	h := sha256.New()
	w := func(s string) { h.Write([]byte(s)); h.Write([]byte{0}) }
	w(d.Title)
	for _, kv := range d.Meta {
		w(kv[0])
		w(kv[1])
	}
	for _, s := range d.Sections {
		w(s.Heading)
		w(s.Prose)
		for _, kv := range s.Meta {
			w(kv[0])
			w(kv[1])
		}
		for _, t := range s.Tables {
			w(t.Caption)
			for _, r := range append([][]string{t.Head}, t.Rows...) {
				for _, c := range r {
					w(c)
				}
				w("\n")
			}
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// DocFilename is a download name for a printed document or workbook that
// names the organization, the document and, for one service's SoA, the
// service and role: 株式会社サンプルクラウド_適用宣言書_勤怠クラウド（プロバイダ）_2026-11-01.pdf.
// Characters file systems refuse are replaced.
func DocFilename(m *isms.ISMS, lang, doc, subject string, date isms.Date, ext string) string {
	if !i18n.Valid(lang) {
		lang = i18n.JA
	}
	b := newBuilder(m, Options{Lang: lang})
	title := b.t("report.title." + doc)
	if t := b.t("report.print.title." + doc); t != "report.print.title."+doc {
		title = t
	}
	parts := []string{b.orgName(), title}
	if svc, role, ok := strings.Cut(subject, ":"); ok {
		name := svc
		if s := serviceOf(m, svc); s != nil && s.Name != "" {
			name = s.Name
		}
		parts = append(parts, b.t("docs13.file.service", "service", name, "role", b.t("role."+role)))
	} else if subject != "" && subject != "organization" {
		if s := serviceOf(m, subject); s != nil && s.Name != "" {
			subject = s.Name
		}
		parts = append(parts, subject)
	}
	if !date.IsZero() {
		parts = append(parts, date.String())
	}
	return safeFileName(strings.Join(parts, "_")) + "." + ext
}

// safeFileName keeps a name usable on Windows, macOS and Linux.
func safeFileName(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || strings.ContainsRune(`<>:"/\|?*`, r) {
			return '-'
		}
		return r
	}, s)
	if r := []rune(s); len(r) > 120 {
		s = string(r[:120])
	}
	return strings.TrimSpace(s)
}

// ASCIIFilename is the fallback name for clients that take no UTF-8 file
// name: ids only (sample-cloud_soa_svc-kintai-provider_2026-11-01.pdf).
func ASCIIFilename(org, doc, subject string, date isms.Date, ext string) string {
	parts := []string{org, doc}
	if subject != "" && subject != "organization" {
		parts = append(parts, strings.ReplaceAll(subject, ":", "-"))
	}
	if !date.IsZero() {
		parts = append(parts, date.String())
	}
	s := strings.Map(func(r rune) rune {
		if r > 0x7e || r < 0x20 || strings.ContainsRune(`<>:"/\|?*; `, r) {
			return '-'
		}
		return r
	}, strings.Join(parts, "_"))
	return s + "." + ext
}

// ContentDisposition is an attachment header naming the file in UTF-8
// (RFC 6266, RFC 5987) with an ASCII fallback.
func ContentDisposition(utf8Name, asciiName string) string {
	var enc strings.Builder
	for _, c := range []byte(utf8Name) {
		if c < 0x80 && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-._~", c) >= 0) {
			enc.WriteByte(c)
		} else {
			enc.WriteString("%" + strings.ToUpper(hex.EncodeToString([]byte{c})))
		}
	}
	return `attachment; filename="` + asciiName + `"; filename*=UTF-8''` + enc.String()
}

// balance sets a table's column widths from its content, so that a column
// of long text (実施内容・証跡) gets the room and a mostly empty one (除外の理由)
// does not. Each column needs its longest short word (an id, a date, 採用)
// and heading word; what is left of the page's width (avail, in
// half-width characters) goes to the columns by how much more their mean
// cell would take.
func (t *printTable) balance(avail float64) {
	n := len(t.Head)
	if n == 0 || t.Class == "heat" {
		return
	}
	const pad = 2.5 // a cell's padding, in half-width characters
	need, want := make([]float64, n), make([]float64, n)
	for i := range n {
		total, word := 0.0, 0.0
		for _, r := range t.Rows {
			if i >= len(r) {
				continue
			}
			total += min(textWidth(r[i]), 240)
			for _, w := range strings.FieldsFunc(r[i], isBreak) {
				c := textWidth(w)
				if hasWide(w) {
					c = min(c, 8) // Japanese text may break past a short term
				}
				word = max(word, min(c, 16))
			}
		}
		head := 0.0
		for _, w := range strings.FieldsFunc(t.Head[i], isBreak) {
			c := textWidth(w)
			if hasWide(w) {
				c = min(c, 8)
			}
			head = max(head, min(c*1.15, 13)) // bold
		}
		mean := 0.0
		if len(t.Rows) > 0 {
			mean = total / float64(len(t.Rows))
		}
		need[i] = max(word, head, 4) + pad
		want[i] = max(min(mean, 80)+pad, need[i])
	}
	sumNeed, sumWant := 0.0, 0.0
	for i := range n {
		sumNeed += need[i]
		sumWant += want[i]
	}
	widths := make([]float64, n)
	switch {
	case sumWant <= avail || sumWant == sumNeed:
		copy(widths, want)
	case sumNeed >= avail:
		copy(widths, need)
	default:
		rest := avail - sumNeed
		for i := range n {
			widths[i] = need[i] + rest*(want[i]-need[i])/(sumWant-sumNeed)
		}
	}
	sum := 0.0
	for _, w := range widths {
		sum += w
	}
	t.Widths = make([]float64, n)
	for i, w := range widths {
		t.Widths[i] = float64(int(w/sum*1000)) / 10
	}
}

// isBreak tells where a line may break between words of a cell.
func isBreak(c rune) bool {
	return c == ' ' || c == '\n' || c == '、' || c == '，' || c == ',' || c == '・' || c == '（' || c == '(' || c == '\u3000'
}

// textWidth is a text's width in half-width characters.
func textWidth(s string) float64 {
	w := 0.0
	for _, r := range s {
		if r < 0x1100 || (r >= 0xFF61 && r <= 0xFF9F) {
			w++
		} else {
			w += 2
		}
	}
	return w
}

func hasWide(s string) bool {
	for _, r := range s {
		if r >= 0x1100 && !(r >= 0xFF61 && r <= 0xFF9F) {
			return true
		}
	}
	return false
}
