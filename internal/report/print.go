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

	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/isms"
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
var Docs = []string{DocScope, DocSoA, DocRisks, DocAudit, DocReview}

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
}

type printSection struct {
	Heading, Prose string
	Meta           [][2]string
	Tables         []printTable
}

type printTable struct {
	Class   string
	Caption string
	Head    []string
	Rows    [][]string
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
	var approval string
	landscape := false
	var err error
	switch doc {
	case DocScope:
		d, approval = b.scopeDoc()
	case DocSoA:
		d, approval, err = b.soaDoc(o.Subject)
		landscape = true
	case DocRisks:
		d, approval = b.risksDoc()
		landscape = true
	case DocAudit:
		d, err = b.auditDoc(o.Subject)
	case DocReview:
		d, approval, err = b.reviewDoc(o.Subject)
	default:
		return "", fmt.Errorf("unknown document %q (expected one of %s)", doc, strings.Join(Docs, ", "))
	}
	if err != nil {
		return "", err
	}
	d.Lang, d.Org, d.Empty = o.Lang, b.orgName(), b.t("ui.no_rows")
	d.Note = b.t("report.print.note")
	d.Meta = append([][2]string{{b.t("report.meta.org"), d.Org}, {b.t("report.meta.version"), o.Version}}, d.Meta...)
	if approval != "" {
		d.Meta = append(d.Meta, [2]string{b.t("report.meta.approval"), approval})
	}
	d.Meta = append(d.Meta, [2]string{b.t("report.meta.date"), o.Date.String()})
	d.PageCSS = template.CSS(pageCSS(d.Org, d.Title, strings.TrimSpace(o.Version+" "+approval), landscape, b.t("report.print.page")))
	if o.CSSHref == "" {
		d.InlineCSS = template.CSS(PrintCSS)
	} else {
		d.CSSHref = o.CSSHref
	}
	var buf bytes.Buffer
	if err := printTmpl.Execute(&buf, d); err != nil {
		return "", err
	}
	_, err = w.Write(buf.Bytes())
	sum := sha256.Sum256([]byte(d.PageCSS))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'", err
}

// cssString quotes text for a CSS string; < is escaped so that the text
// can never close the style element.
func cssString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\A `, "<", `\3C `, ">", `\3E `)
	return `"` + r.Replace(s) + `"`
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

func (b *builder) scopeDoc() (printDoc, string) {
	m := b.m
	o := m.Organization
	d := printDoc{Title: b.t("report.print.title.scope")}
	d.Sections = append(d.Sections, printSection{Heading: b.t("report.print.isms_scope"), Prose: o.ISMSScope},
		printSection{Heading: b.t("report.print.cloud_scope"), Prose: o.CloudScope})
	svc := printTable{Caption: b.t("report.print.services"), Head: []string{b.t("report.col.id"), b.t("ui.title"), b.t("report.print.model"),
		b.t("report.meta.role"), b.t("report.print.provider"), b.t("report.print.uses"), b.t("report.print.in_scope")}}
	for _, s := range m.Services {
		svc.Rows = append(svc.Rows, []string{s.ID, s.Name, s.Model, b.t("role." + s.Role), s.Provider, b.list(s.Uses), b.yes(s.InScope)})
	}
	units := printTable{Caption: b.t("report.print.units"), Head: []string{b.t("report.col.id"), b.t("ui.title"), b.t("report.print.in_scope")}}
	for _, u := range m.Units {
		units.Rows = append(units.Rows, []string{u.ID, u.Name, b.yes(u.InScope())})
	}
	sites := printTable{Caption: b.t("report.print.sites"), Head: []string{b.t("report.col.id"), b.t("ui.title"), b.t("ui.kind"), b.t("report.print.in_scope")}}
	for _, s := range m.Sites {
		sites.Rows = append(sites.Rows, []string{s.ID, s.Name, s.Kind, b.yes(s.InScope())})
	}
	systems := printTable{Caption: b.t("report.col.systems"), Head: []string{b.t("report.col.id"), b.t("ui.title"), b.t("report.print.location"), b.t("report.print.purpose"), b.t("report.col.services")}}
	for _, s := range m.Systems {
		systems.Rows = append(systems.Rows, []string{s.ID, s.Name, s.Location, s.Purpose, b.list(s.Supports)})
	}
	d.Sections = append(d.Sections, printSection{Heading: b.t("report.print.boundaries"), Tables: []printTable{svc, units, sites, systems}})
	var appr string
	if o.ScopeApproval != nil {
		appr = b.approval(o.ScopeApproval)
	}
	return d, appr
}

func (b *builder) yes(v bool) string {
	if v {
		return b.t("report.yes")
	}
	return b.t("report.no")
}

func (b *builder) soaDoc(key string) (printDoc, string, error) {
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
		for _, kv := range b.soaMeta(v)[1:5] {
			if kv[1] != "" {
				d.Meta = append(d.Meta, kv)
			}
		}
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
		d.Sections = []printSection{{Prose: b.t("report.print.soa_counts", "rows", c.Rows, "applicable", c.Applicable, "implemented", c.Implemented,
			"excluded", c.Excluded, "missing", c.Missing), Tables: []printTable{t}}}
		var appr *isms.Approval
		if v.SoA != nil {
			appr = v.SoA.Approval
		}
		return d, b.approval(appr), nil
	}
	return printDoc{}, "", fmt.Errorf("no SoA %q (organization, or SERVICE:provider|customer)", key)
}

func (b *builder) risksDoc() (printDoc, string) {
	d := printDoc{Title: b.title(KindRisks)}
	c := b.m.Criteria
	d.Meta = [][2]string{{b.t("report.meta.method"), b.t("report.method." + c.Method)}, {b.t("report.meta.acceptance"), fmt.Sprint(c.Acceptance)}}
	heat := b.heatSheet()
	ht := printTable{Caption: heat.Title}
	for _, col := range heat.Cols {
		ht.Head = append(ht.Head, col.Header)
	}
	heat.Rows(func(row []any) error {
		ht.Rows = append(ht.Rows, strs(row))
		return nil
	})
	rs := b.riskSheet()
	rt := printTable{Caption: b.t("report.print.register")}
	for _, col := range rs.Cols {
		rt.Head = append(rt.Head, col.Header)
	}
	rs.Rows(func(row []any) error {
		rt.Rows = append(rt.Rows, strs(row))
		return nil
	})
	d.Sections = []printSection{{Tables: []printTable{ht}}, {Tables: []printTable{rt}}}
	approved := 0
	for _, r := range b.m.Risks {
		if r.ApprovedByOwner() {
			approved++
		}
	}
	return d, b.t("report.print.risks_approved", "n", approved, "total", len(b.m.Risks))
}

func strs(row []any) []string {
	out := make([]string, len(row))
	for i, v := range row {
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
	d := printDoc{Title: b.t("report.print.title.audit")}
	d.Meta = [][2]string{{b.t("report.col.audit"), a.ID + " " + a.Title}, {b.t("report.meta.period"), a.Start.String() + " – " + a.End.String()},
		{b.t("report.meta.auditors"), b.peopleList(a.Auditors)}, {b.t("report.meta.criteria"), b.list(a.Criteria)},
		{b.t("report.col.services"), b.list(a.Services)}, {b.t("report.print.units"), b.list(a.Units)}}
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

func (b *builder) reviewDoc(id string) (printDoc, string, error) {
	var r *isms.Review
	for i := range b.m.Reviews {
		x := &b.m.Reviews[i]
		if x.ID == id || (id == "" && (r == nil || x.Date.After(r.Date))) {
			r = x
		}
	}
	if r == nil {
		return printDoc{}, "", fmt.Errorf("no management review %q", id)
	}
	d := printDoc{Title: b.t("report.print.title.review")}
	d.Meta = [][2]string{{b.t("report.print.review_id"), r.ID}, {b.t("report.print.held_on"), r.Date.String()}, {b.t("report.print.chair"), b.person(r.Chair)}}
	in := r.Inputs
	inputs := [][2]string{
		{b.t("report.print.in.a"), in.PreviousActions}, {b.t("report.print.in.b"), in.IssueChanges},
		{b.t("report.print.in.c1"), in.Nonconformities}, {b.t("report.print.in.c2"), in.MonitoringResults},
		{b.t("report.print.in.c3"), in.AuditResults}, {b.t("report.print.in.c4"), in.Objectives},
		{b.t("report.print.in.d"), in.InterestedParties}, {b.t("report.print.in.e"), in.RiskStatus},
		{b.t("report.print.in.f"), in.ImprovementOpportunities},
	}
	out := printTable{Head: []string{b.t("report.print.decision"), b.t("report.col.person_in_charge"), b.t("ui.due")}}
	for _, o := range r.Outputs {
		out.Rows = append(out.Rows, []string{o.Decision, b.person(o.Owner), o.Due.String()})
	}
	d.Sections = []printSection{{Heading: b.t("report.print.inputs"), Meta: inputs}, {Heading: b.t("report.print.outputs"), Tables: []printTable{out}}}
	return d, b.t("report.print.chaired", "who", b.person(r.Chair), "date", r.Date.String()), nil
}
