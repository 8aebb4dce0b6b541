package report

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"strings"
	"unicode"

	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/catalog"
	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/xuri/excelize/v2"
)

// Printed documents.
const (
	DocScope  = "scope"
	DocSoA    = "soa"
	DocRisks  = "risks"
	DocAudit  = "audit"
	DocReview = "review"
)

// Docs lists the printed documents.
var Docs = append([]string{DocScope, DocSoA, DocRisks, DocAudit, DocReview}, RegisterReports...)

//go:embed print/doc.html print/print.css
var printFS embed.FS

var printTmpl = template.Must(template.ParseFS(printFS, "print/doc.html"))

// PrintCSS is the print style sheet (served by the web UI as a file).
var PrintCSS = func() []byte {
	b, err := printFS.ReadFile("print/print.css")
	if err != nil {
		panic(err)
	}
	return b
}()

// PrintOptions say which document and how.
type PrintOptions struct {
	Options
	// Subject picks the SoA (organization or service:role), the audit id
	// or the review id; "" picks the organization's SoA, or the latest
	// audit or review.
	Subject string
	// CSSHref links the print style sheet; empty embeds it (for files
	// printed to PDF outside the server).
	CSSHref string
}

// printDoc is what the template shows.
type printDoc struct {
	Lang, Title, Org, Note, Empty string
	Meta                          [][2]string
	Sections                      []printSection
	CSSHref                       string
	InlineCSS, PageCSS            template.CSS
	// CSP is the policy of a self-contained page (the one printed to
	// PDF): it may load nothing, so that no text in it can make the
	// printing browser fetch a URL.
	CSP string

	// approval is the document's own approval (nil: none); stale marks
	// one whose content changed since; approvalNote replaces the
	// approval line where a document has no single approval (the risk
	// register counts its owners' approvals).
	approval     *isms.Approval
	stale        bool
	importedBy   string // who imported the approval, when it came with a bundle
	approvalNote string
	// dated is the date of a record that is not approved as such (an
	// audit report: the audit's last day); it names the version.
	dated isms.Date
}

type printSection struct {
	Heading, Prose string
	Class          string // "heat-pair" sets its tables side by side
	Meta           [][2]string
	Tables         []printTable
}

type printTable struct {
	Class   string
	Caption string
	Head    []string
	Rows    [][]string
	// Classes, when set, holds a class for each cell of Rows (heat map
	// colours).
	Classes [][]string
	// Widths are the columns' shares of the table's width in percent,
	// set from their content (see balance).
	Widths []float64
}

// PrintHTML writes a document as a self-contained page laid out for A4,
// with the organization, document, version and approval at the top of
// every printed page and page numbers at the bottom. It returns the
// SHA-256 source of its page style (for a Content-Security-Policy).
func PrintHTML(w io.Writer, m *isms.ISMS, doc string, o PrintOptions) (string, error) {
	if !i18n.Valid(o.Lang) {
		o.Lang = i18n.JA
	}
	b := newBuilder(m, o.Options)
	var d printDoc
	landscape := false
	var err error
	switch doc {
	case DocScope:
		d = b.scopeDoc()
	case DocSoA:
		d, err = b.soaDoc(o.Subject)
		landscape = true
	case DocRisks:
		d = b.risksDoc()
		landscape = true
	case DocAudit:
		d, err = b.auditDoc(o.Subject)
	case DocReview:
		d, err = b.reviewDoc(o.Subject)
	case KindParties, KindObjectives, KindCompetence, KindDocuments, KindNonconformities, KindIncidents, KindCertification:
		d = b.registerDoc(doc)
		landscape = true
	default:
		return "", fmt.Errorf("unknown document %q (expected one of %s)", doc, strings.Join(Docs, ", "))
	}
	if err != nil {
		return "", err
	}
	d.Lang, d.Org, d.Empty = o.Lang, b.orgName(), b.t("ui.no_rows")
	d.Note = b.t("report.print.note")
	// The version: the approved one, or a draft, with the fingerprint of
	// what is printed (the change history position stays in the web UI).
	version := b.docVersion(d.approval, d.stale, d.fingerprint())
	if d.approval == nil && !d.dated.IsZero() {
		version = b.t("docs13.version.dated", "date", d.dated.String(), "fp", d.fingerprint()[:8])
	}
	approval := d.approvalNote
	if approval == "" && (d.approval != nil || doc == DocSoA || doc == DocScope) {
		approval = b.approvalLine(d.approval, d.stale, d.importedBy)
	}
	d.Meta = append([][2]string{{b.t("report.meta.org"), d.Org}, {b.t("report.meta.version"), version}}, d.Meta...)
	if approval != "" {
		d.Meta = append(d.Meta, [2]string{b.t("report.meta.approval"), approval})
	}
	d.Meta = append(d.Meta, [2]string{b.t("report.meta.date"), o.Date.String()})
	// The page's width in half-width characters of the tables' 9 pt type.
	avail := 118.0
	if landscape {
		avail = 172
	}
	for i := range d.Sections {
		for j := range d.Sections[i].Tables {
			d.Sections[i].Tables[j].balance(avail)
		}
	}
	d.PageCSS = template.CSS(pageCSS(d.Org, d.Title, version, landscape, b.t("report.print.page")))
	if o.CSSHref == "" {
		d.InlineCSS = template.CSS(PrintCSS)
		d.CSP = "default-src 'none'; style-src " + cssHash(string(d.InlineCSS)) + " " + cssHash(string(d.PageCSS)) + "; img-src data:; font-src data:; base-uri 'none'; form-action 'none'"
	} else {
		d.CSSHref = o.CSSHref
	}
	var buf bytes.Buffer
	if err := printTmpl.Execute(&buf, d); err != nil {
		return "", err
	}
	_, err = w.Write(buf.Bytes())
	return cssHash(string(d.PageCSS)), err
}

// cssHash is a style's CSP hash source.
func cssHash(css string) string {
	sum := sha256.Sum256([]byte(css))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// cssString quotes text for a CSS string. Following the CSS syntax spec,
// only a quote, a backslash and the line breaks (LF, CR, FF) can end or
// break a string, but everything outside a small safe set is escaped as
// a code point (\HEX plus the space that ends the escape): quotes,
// backslashes, every control character, < and > (which could close the
// style element) and all other ASCII punctuation. Other characters, the
// Japanese text included, stay as they are; invalid UTF-8 becomes U+FFFD
// and NUL, which CSS would read as U+FFFD, is written as such.
func cssString(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		switch {
		case r == 0:
			b.WriteString(`\FFFD `)
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == ' ', r == '-', r == '_', r == '.', r == ',', r == ':', r == '(', r == ')', r == '/':
			b.WriteRune(r)
		case r < 0x80 || !unicode.IsPrint(r):
			fmt.Fprintf(&b, `\%X `, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func pageCSS(org, title, version string, landscape bool, pageWord string) string {
	size := "A4"
	if landscape {
		size = "A4 landscape"
	}
	return fmt.Sprintf(`@page { size: %s; margin: 18mm 12mm 16mm;
  @top-left { content: %s; font-size: 8pt; color: #444; }
  @top-center { content: %s; font-size: 8pt; color: #444; }
  @top-right { content: %s; font-size: 8pt; color: #444; }
  @bottom-center { content: %s counter(page) " / " counter(pages); font-size: 8pt; }
}`, size, cssString(org), cssString(title), cssString(version), cssString(pageWord))
}

func (b *builder) scopeDoc() printDoc {
	m := b.m
	o := m.Organization
	d := printDoc{Title: b.t("report.print.title.scope")}
	d.Sections = append(d.Sections, printSection{Heading: b.t("report.print.isms_scope"), Prose: o.ISMSScope},
		printSection{Heading: b.t("report.print.cloud_scope"), Prose: o.CloudScope})
	svc := printTable{Caption: b.t("report.print.services"), Head: []string{b.t("report.col.id"), b.t("ui.title"), b.t("report.print.model"),
		b.t("report.meta.role"), b.t("report.print.provider"), b.t("report.print.uses"), b.t("report.print.in_scope")}}
	for _, s := range m.Services {
		svc.Rows = append(svc.Rows, []string{s.ID, s.Name, b.enum("docs13.model.", s.Model), b.t("role." + s.Role), b.supplier(s.Provider), b.refs("cloud_services", s.Uses), b.yes(s.InScope)})
	}
	units := printTable{Caption: b.t("report.print.units"), Head: []string{b.t("report.col.id"), b.t("ui.title"), b.t("report.print.in_scope")}}
	for _, u := range m.Units {
		units.Rows = append(units.Rows, []string{u.ID, u.Name, b.yes(u.InScope())})
	}
	sites := printTable{Caption: b.t("report.print.sites"), Head: []string{b.t("report.col.id"), b.t("ui.title"), b.t("ui.kind"), b.t("report.print.in_scope")}}
	for _, s := range m.Sites {
		sites.Rows = append(sites.Rows, []string{s.ID, s.Name, b.enum("field.v.site_kind.", s.Kind), b.yes(s.InScope())})
	}
	systems := printTable{Caption: b.t("report.col.systems"), Head: []string{b.t("report.col.id"), b.t("ui.title"), b.t("report.print.location"), b.t("report.print.purpose"), b.t("report.col.services")}}
	for _, s := range m.Systems {
		systems.Rows = append(systems.Rows, []string{s.ID, s.Name, b.enum("field.v.location.", s.Location), b.enum("field.v.purpose.", s.Purpose), b.refs("cloud_services", s.Supports)})
	}
	d.Sections = append(d.Sections, printSection{Heading: b.t("report.print.boundaries"), Tables: []printTable{svc, units, sites, systems}})
	d.approval, d.stale = o.ScopeApproval, b.isStale(bundle.KindOrganization, bundle.KindOrganization)
	d.importedBy = b.o.ImportedApprovals[bundle.KindOrganization+"/"+bundle.KindOrganization]
	return d
}

// supplier names a service's provider: the organization itself or a
// supplier of its register.
func (b *builder) supplier(id string) string {
	if id == "self" {
		return b.orgName()
	}
	for _, s := range b.m.Suppliers {
		if s.ID == id && s.Name != "" {
			return s.Name
		}
	}
	return id
}

func (b *builder) yes(v bool) string {
	if v {
		return b.t("report.yes")
	}
	return b.t("report.no")
}

func (b *builder) soaDoc(key string) (printDoc, error) {
	if key == "" {
		key = "organization"
	}
	for _, v := range isms.SoAViews(b.m) {
		k := "organization"
		if v.Service != "" {
			k = v.Service + ":" + v.Role
		}
		if k != key {
			continue
		}
		d := printDoc{Title: b.t("report.title.soa")}
		if s := serviceOf(b.m, v.Service); s != nil {
			d.Title += " — " + b.t("docs13.file.service", "service", s.Name, "role", b.t("role."+v.Role))
			d.Meta = append(d.Meta, [2]string{b.t("report.meta.service_name"), s.Name + " (" + s.ID + ")"},
				[2]string{b.t("report.meta.role"), b.t("role." + v.Role)})
		}
		d.Meta = append(d.Meta, [2]string{b.t("docs13.meta.standards"), b.soaStandards(v)})
		cols := b.soaColumns()
		t := printTable{Class: "soa"}
		for _, c := range []int{soaColControl, soaColTitle, soaColApplicable, soaColReasons, soaColImplementation, soaColJustification, soaColNotes} {
			t.Head = append(t.Head, cols[c].Header)
		}
		for _, er := range orderedRows(v, b.m.Organization.AnnexA) {
			r := b.soaRow(er)
			title := fmt.Sprint(r[soaColTitle])
			if text := b.o.ControlTexts[er.Control.ID]; text != "" {
				title += "\n\n" + text
			}
			t.Rows = append(t.Rows, []string{fmt.Sprint(r[soaColControl]), title, fmt.Sprint(r[soaColApplicable]),
				fmt.Sprint(r[soaColReasons]), fmt.Sprint(r[soaColImplementation]), fmt.Sprint(r[soaColJustification]), fmt.Sprint(r[soaColNotes])})
		}
		c := v.Counts
		prose := b.t("report.print.soa_counts", "rows", c.Rows, "applicable", c.Applicable, "implemented", c.Implemented,
			"excluded", c.Excluded, "missing", c.Missing)
		if note := b.unconfirmedNote(v.Rows); note != "" {
			prose += "\n" + note
		}
		d.Sections = []printSection{{Prose: prose, Tables: []printTable{t}}}
		if v.SoA != nil {
			d.approval, d.stale = v.SoA.Approval, b.isStale(bundle.KindSoA, k)
			d.importedBy = b.o.ImportedApprovals[bundle.KindSoA+"/"+k]
		}
		return d, nil
	}
	return printDoc{}, fmt.Errorf("no SoA %q (organization, or SERVICE:provider|customer)", key)
}

func (b *builder) risksDoc() printDoc {
	d := printDoc{Title: b.title(KindRisks)}
	c := b.m.Criteria
	d.Meta = [][2]string{{b.t("report.meta.method"), b.t("report.method." + c.Method)}, {b.t("report.meta.acceptance"), fmt.Sprint(c.Acceptance)}}
	h := isms.NewHeatMap(b.m, isms.RiskViews(b.m))
	heat := printSection{Class: "heat-pair", Heading: b.t("ui.heat"), Prose: b.t("docs13.heat.legend", "acceptance", c.Acceptance, "twice", 2*c.Acceptance)}
	for _, stage := range []struct {
		label string
		grid  [][]int
	}{{b.t("ui.heat_before"), h.Before}, {b.t("ui.heat_after"), h.After}} {
		t := printTable{Class: "heat", Caption: stage.label,
			Head: []string{b.t("report.col.axes", "rows", b.t("factor."+h.RowFactor), "cols", b.t("factor."+h.ColFactor))}}
		for col := 1; col <= h.Cols; col++ {
			t.Head = append(t.Head, fmt.Sprint(col))
		}
		for r := h.Rows; r >= 1; r-- {
			row, cls := []string{fmt.Sprint(r)}, []string{"axis"}
			for col := 1; col <= h.Cols; col++ {
				row = append(row, fmt.Sprint(stage.grid[r-1][col-1]))
				cls = append(cls, [...]string{"h-low", "h-mid", "h-high"}[heatClass(r*col, c.Acceptance)])
			}
			t.Rows, t.Classes = append(t.Rows, row), append(t.Classes, cls)
		}
		heat.Tables = append(heat.Tables, t)
	}
	if h.Unassessed > 0 {
		heat.Prose += "\n" + b.t("ui.unassessed") + ": " + fmt.Sprint(h.Unassessed)
	}
	d.Sections = []printSection{heat, {Heading: b.t("report.print.register"), Tables: []printTable{b.riskRegisterTable()}}}
	approved := 0
	for _, r := range b.m.Risks {
		if r.ApprovedByOwner() {
			approved++
		}
	}
	d.approvalNote = b.t("report.print.risks_approved", "n", approved, "total", len(b.m.Risks))
	return d
}

// riskRegisterTable is the risk register as a reader takes it in on
// paper: ten columns, each assessment (factors, level, verdict) in one
// cell, where the workbook has a column per factor for filtering.
func (b *builder) riskRegisterTable() printTable {
	factors := b.m.Criteria.Factors()
	t := printTable{Class: "risks", Head: []string{b.t("report.col.id"), b.t("report.col.risk"), b.t("docs13.col.targets"),
		b.t("docs13.col.before"), b.t("ui.treatment"), b.t("report.col.controls"), b.t("docs13.col.after"),
		b.t("ui.owner"), b.t("report.col.plan"), b.t("ui.approval")}}
	for _, v := range isms.RiskViews(b.m) {
		r := v.Risk
		row := b.riskRow(v, factors) // the workbook's cells, reused
		targets := []string{}
		if len(r.Services) > 0 {
			targets = append(targets, b.t("report.col.services")+": "+b.refs("cloud_services", r.Services))
		}
		if len(r.Assets) > 0 {
			targets = append(targets, b.t("report.col.assets")+": "+b.refs("assets", r.Assets))
		}
		if len(r.Sources) > 0 {
			targets = append(targets, b.t("report.col.sources")+": "+b.list(r.Sources))
		}
		before, after := b.t("ui.unassessed"), b.t("ui.unassessed")
		if v.OK {
			before = b.assessment(factors, v.Before, v.Level, v.Acceptable)
			after = b.assessment(factors, v.After, v.Residual, v.ResidualAcceptable)
		}
		n := len(factors)
		t.Rows = append(t.Rows, []string{r.ID, r.Title, strings.Join(targets, "\n"), before, fmt.Sprint(row[5+n+2]),
			b.list(r.Controls), after, b.person(r.Owner), fmt.Sprint(row[len(row)-2]), fmt.Sprint(row[len(row)-1])})
	}
	return t
}

// assessment shows one assessment in a cell: 起こりやすさ 2 × 影響度 3 = 6（受容基準超）.
func (b *builder) assessment(factors []string, levels map[string]int, level int, ok bool) string {
	parts := make([]string, len(factors))
	for i, f := range factors {
		parts[i] = b.t("factor."+f) + " " + fmt.Sprint(levels[f])
	}
	return strings.Join(parts, " × ") + " = " + fmt.Sprint(level) + "\n" + b.acceptable(ok)
}

// enum shows a bundle code by its label (prefix + code), or the code
// when the catalog has no label for it.
func (b *builder) enum(prefix, code string) string {
	if code == "" {
		return ""
	}
	if s := b.t(prefix + code); s != prefix+code {
		return s
	}
	return code
}

// soaStandards names the standards an SoA answers: the organization's
// Annex A, and ISO/IEC 27017 for a service's SoA.
func (b *builder) soaStandards(v isms.SoAView) string {
	out := b.standard(b.m.Organization.AnnexA)
	if v.Service != "" {
		out += b.t("docs13.std.and") + b.standard(catalog.ISO27017)
	}
	return out
}

func strs(row []any) []string {
	out := make([]string, len(row))
	for i, v := range row {
		if c, ok := v.(excelize.Cell); ok {
			v = c.Value
		}
		out[i] = fmt.Sprint(v)
	}
	return out
}

func (b *builder) auditDoc(id string) (printDoc, error) {
	var a *isms.Audit
	for i := range b.m.Audits {
		x := &b.m.Audits[i]
		if x.ID == id || (id == "" && (a == nil || x.End.After(a.End))) {
			a = x
		}
	}
	if a == nil {
		return printDoc{}, fmt.Errorf("no internal audit %q", id)
	}
	d := printDoc{Title: b.t("report.print.title.audit"), dated: a.End}
	criteria := make([]string, len(a.Criteria))
	for i, c := range a.Criteria {
		criteria[i] = b.standard(c)
	}
	d.Meta = [][2]string{{b.t("report.col.audit"), a.ID + " " + a.Title}, {b.t("report.meta.period"), a.Start.String() + " – " + a.End.String()},
		{b.t("report.meta.auditors"), b.peopleList(a.Auditors)}, {b.t("report.meta.criteria"), b.list(criteria)},
		{b.t("report.col.services"), b.refs("cloud_services", a.Services)}, {b.t("report.print.units"), b.refs("units", a.Units)}}
	t := printTable{Head: []string{b.t("report.col.finding"), b.t("ui.kind"), b.t("ui.control"), b.t("report.col.description"),
		b.t("report.col.cause"), b.t("report.col.action"), b.t("report.col.person_in_charge"), b.t("ui.due"), b.t("report.col.done_on"), b.t("report.col.effective")}}
	counts := map[string]int{}
	for _, f := range a.Findings {
		counts[f.Kind]++
		row := []string{f.ID, b.t("finding." + f.Kind), f.Control, f.Description, "", "", "", "", "", ""}
		if ca := f.CorrectiveAction; ca != nil {
			copy(row[4:], []string{ca.Cause, ca.Action, b.person(ca.Owner), ca.Due.String(), ca.DoneOn.String(), yesNo(b, ca.Effective)})
		}
		t.Rows = append(t.Rows, row)
	}
	d.Sections = []printSection{{Heading: b.t("report.print.findings"), Prose: b.t("report.print.finding_counts", "major", counts[isms.FindingMajor],
		"minor", counts[isms.FindingMinor], "observation", counts[isms.FindingObservation], "good", counts[isms.FindingGoodPractice]), Tables: []printTable{t}}}
	return d, nil
}

func (b *builder) reviewDoc(id string) (printDoc, error) {
	var r *isms.Review
	for i := range b.m.Reviews {
		x := &b.m.Reviews[i]
		if x.ID == id || (id == "" && (r == nil || x.Date.After(r.Date))) {
			r = x
		}
	}
	if r == nil {
		return printDoc{}, fmt.Errorf("no management review %q", id)
	}
	d := printDoc{Title: b.t("report.print.title.review")}
	d.Meta = [][2]string{{b.t("report.print.review_id"), r.ID}, {b.t("report.print.held_on"), r.Date.String()}, {b.t("report.print.chair"), b.person(r.Chair)}}
	// The inputs of the ISMS's edition, lettered as that edition letters
	// them (2013: 9.3 a–f; 2022: 9.3.2 a–g).
	edition := b.m.Organization.AnnexA
	var inputs [][2]string
	for _, k := range isms.ReviewInputKeysFor(edition) {
		inputs = append(inputs, [2]string{isms.ReviewInputLabel(edition, k).In(b.o.Lang), *r.Inputs.Field(k)})
	}
	out := printTable{Head: []string{b.t("report.print.decision"), b.t("report.col.person_in_charge"), b.t("ui.due")}}
	for _, o := range r.Outputs {
		out.Rows = append(out.Rows, []string{o.Decision, b.person(o.Owner), o.Due.String()})
	}
	d.Sections = []printSection{{Heading: b.t("report.print.inputs"), Meta: inputs}, {Heading: b.t("report.print.outputs"), Tables: []printTable{out}}}
	// The minutes are the chair's record of the review: its version is
	// the review's date, as chaired.
	d.approvalNote = b.t("report.print.chaired", "who", b.person(r.Chair), "date", r.Date.String())
	d.approval = &isms.Approval{By: r.Chair, Date: r.Date}
	return d, nil
}
