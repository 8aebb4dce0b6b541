// Package dashboard is an organization's first page: the findings by
// area, each linked to where it is fixed, SoA coverage, the heat maps,
// what falls due and which approvals went stale.
package dashboard

import (
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/cloudisms/cloudisms/internal/authz"
	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/conformity"
	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/names"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/web/draw"
	"github.com/cloudisms/cloudisms/internal/web/items"
	"github.com/cloudisms/cloudisms/internal/web/site"
)

//go:embed templates/*.html
var templateFS embed.FS

// handlers are the dashboard over the site.
type handlers struct{ *site.App }

func init() {
	site.AddTemplates(templateFS)
	site.AddNav(site.NavItem{Order: 10, Section: "dashboard", Path: "", Label: "ui.dashboard"})
	site.AddRoutes(func(app *site.App, m *http.ServeMux) {
		a := &handlers{app}
		m.HandleFunc("GET /orgs/{org}/{$}", a.InOrg("dashboard", a.dashboard))
	})
}

// findingView is a finding with its link and text in the page's language,
// or a group of findings of one rule about the parts of one thing.
type findingView struct {
	conformity.Finding
	Text string
	Link string
	// A group: the parts its findings are about (the rows of one SoA),
	// and for SOA-03 the SoA whose missing rows can be added at once.
	Parts   []string
	FillSoA string
}

type areaView struct {
	Area     string
	Errors   int
	Warnings int
	Findings []findingView
}

// dashboardDue is how many due items the dashboard lists (the soonest):
// a large ISMS has thousands, which belong in the registers, not on the
// overview page.
const dashboardDue = 50

func (a *handlers) dashboard(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) {
	ctx := r.Context()
	asOf := isms.DateOf(a.Now())
	// The check and the summary are computed once per change of the ISMS
	// (store.Derived), not on every page view.
	model, head, err := a.Store.ISMSAt(ctx, p.Org)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	findings, err := a.Store.FindingsFor(ctx, p.Org, head, model, asOf)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	nm := a.NamesAt(p.Org, head, model, p.Lang)
	sum, err := a.Store.SummaryFor(ctx, p.Org, head, model, asOf)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	// What the ISMS alone decides (the findings in words, the drawings,
	// the registers' blocks) is made once per change, date and language;
	// a request adds what depends on the reader: their tasks, the stale
	// approvals, whether they may fill SoA rows.
	v := a.View(p.Org, head, p.Lang, "dashboard "+asOf.String(), func() any {
		return a.viewOf(p, model, nm, findings, sum, asOf)
	}).(*dashboardView)
	approvals, err := a.Store.ApprovalsIndex(ctx, p.Org)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	stale, staleMore, staleRisks, err := a.staleLines(p, nm, approvals.Stale())
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	mine, err := a.myTasks(r, p, m, asOf)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	// The last 12 months, when they are known; a first view starts their
	// computation and never waits for it.
	// Once drawn, the chart is kept until the next change; until the
	// points are ready it is asked for again on every view.
	trendChart := a.ViewIf(p.Org, head, p.Lang, "dashboard trend "+asOf.String(), func() (any, bool) {
		points, ready, terr := a.Store.TrendsReady(ctx, p.Org, asOf, 12)
		if terr != nil || !ready {
			err = terr
			return nil, false
		}
		return draw.TrendFindings(points, p.T, "dash-trend"), true
	})
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	p.Names = nm
	p.Title = p.T("ui.dashboard")
	canFill := authz.Can(m.Role, authz.Write, authz.Subject{Kind: bundle.KindSoARows})
	// The findings, drawings, registers and due list are rendered once
	// per change, date, language and fill permission; the reader's tasks
	// and the stale approvals around them on every request.
	due := make([]dueLine, len(v.Due))
	for i, d := range v.Due {
		due[i] = dueLine{DueSummary: *d, OwnerName: nm.Person(d.Owner), Name: nm.Subject(d.Subject),
			Link: site.SubjectLink(p.Org, strings.Split(d.Subject, "/"))}
	}
	dueRows, err := site.Lines(a.App, p, "dashboard", "due-line", site.MaxListLines, due)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	objectiveRows, err := site.Lines(a.App, p, "dashboard", "objective-line", site.MaxListLines, v.Registers.Objectives)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	overdueRows, err := site.Lines(a.App, p, "dashboard", "overdue-line", site.MaxListLines, v.Registers.Overdue)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	p.Data = map[string]any{
		"ObjectiveRows": objectiveRows, "OverdueRows": overdueRows,
		"Areas": v.Areas, "Errors": v.Errors, "Warnings": v.Warnings,
		"Coverage": v.Coverage, "HeatBefore": v.HeatBefore, "HeatAfter": v.HeatAfter, "Due": v.Due, "DueRows": dueRows, "DueMore": v.DueMore,
		"CanFill": canFill, "Trend": trendChart, "Registers": v.Registers,
	}
	body, err := a.Part(head, p, "dashboard", "dashboard-body", fmt.Sprintf("%s fill=%t", asOf, canFill), trendChart != nil)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	p.Data = map[string]any{
		"AsOf": asOf.String(), "OrgName": model.Organization.Name, "Tasks": mine, "Body": body,
		"Stale": stale, "StaleMore": staleMore, "StaleRisks": staleRisks,
	}
	a.Render(w, http.StatusOK, "dashboard", p)
}

// dueLine is a line of the due table: the item, named and linked to its
// page, and its owner's name.
type dueLine struct {
	isms.DueSummary
	Name, Link, OwnerName string
}

// dashboardStale is how many stale approvals the dashboard lists; after an
// import or a round of edits there can be hundreds, which the registers'
// filters show better than one long list.
const dashboardStale = 20

// staleLine is a line of the stale approvals: what was approved, by whom
// and when, in the page's words.
type staleLine struct {
	Kind, Key, Name, PersonName, ApprovedAt string
}

// staleLines renders the first stale approvals, and tells how many more
// there are and whether any is a risk's (for the link to the register's
// filter).
func (a *handlers) staleLines(p *site.Page, nm *names.Names, stale []store.Approval) (template.HTML, int, bool, error) {
	risks := false
	for _, ap := range stale {
		risks = risks || ap.Kind == bundle.KindRisks
	}
	shown := stale[:min(len(stale), dashboardStale)]
	lines := make([]staleLine, len(shown))
	for i, ap := range shown {
		lines[i] = staleLine{Kind: ap.Kind, Key: ap.Key, Name: nm.Ref(ap.Kind, ap.Key), PersonName: nm.Person(ap.Person), ApprovedAt: ap.ApprovedAt}
	}
	h, err := site.Lines(a.App, p, "dashboard", "stale-line", site.MaxListLines, lines)
	return h, len(stale) - len(shown), risks, err
}

// dashboardView is the part of the dashboard that the ISMS, the date and
// the language decide, kept between requests (site.App.View): it must hold
// nothing of the reader and is not modified once made.
type dashboardView struct {
	Areas                 []areaView
	Errors, Warnings      int
	Coverage              template.HTML
	HeatBefore, HeatAfter template.HTML
	Due                   []*isms.DueSummary
	DueMore               int
	Registers             registersBlock
}

func (a *handlers) viewOf(p *site.Page, model *isms.ISMS, nm *names.Names, findings []conformity.Finding, sum isms.Summary, asOf isms.Date) *dashboardView {
	var areas []areaView
	for _, area := range conformity.Areas {
		av := areaView{Area: area}
		for _, f := range findings {
			if f.Area != area {
				continue
			}
			if f.Severity == conformity.Error {
				av.Errors++
			} else {
				av.Warnings++
			}
			av.Findings = append(av.Findings, findingView{Finding: f, Text: site.FindingText(f, p.Lang, nm), Link: site.FindingLink(p.Org, f)})
		}
		av.Findings = groupFindings(av.Findings, p, nm)
		if len(av.Findings) > 0 {
			areas = append(areas, av)
		}
	}
	counts := conformity.Counts(findings)
	return &dashboardView{
		Areas: areas, Errors: counts[conformity.Error], Warnings: counts[conformity.Warning],
		Coverage:   a.coverage(p, nm, sum.SoA),
		HeatBefore: draw.HeatMap(sum.HeatMap, false, model.Criteria.Acceptance, p.T),
		HeatAfter:  draw.HeatMap(sum.HeatMap, true, model.Criteria.Acceptance, p.T),
		Due:        sum.Due[:min(len(sum.Due), dashboardDue)], DueMore: max(len(sum.Due)-dashboardDue, 0),
		Registers: registerBlocks(p, model, nm, asOf),
	}
}

// coverage is the SoA coverage chart, drawn again only when a bar's
// service, name or counts changed (site.Memo): an edit of a risk leaves
// it as it was, and drawing it for 400 SoAs cost a millisecond.
func (a *handlers) coverage(p *site.Page, nm *names.Names, soas []isms.SoASummary) template.HTML {
	key := make([]byte, 0, 64*len(soas))
	for _, s := range soas {
		c := s.Counts
		// Each text with its length first, so that no two lists of
		// bars make the same key.
		for _, t := range [...]string{s.Service, s.Role, nm.Service(s.Service)} {
			key = strconv.AppendInt(key, int64(len(t)), 10)
			key = append(key, ':')
			key = append(key, t...)
		}
		for _, n := range [...]int{c.Rows, c.Implemented, c.Partial, c.Planned, c.NotImplemented, c.Excluded, c.Missing} {
			key = strconv.AppendInt(key, int64(n), 10)
			key = append(key, ' ')
		}
	}
	return site.Memo(a.App, p, "dashboard coverage", string(key), func() template.HTML {
		return draw.Coverage(soas, p.T, nm.ServiceRole)
	})
}

// dashboardTasks is how many of the member's tasks the first block lists:
// the most pressing; the tasks page has them all.
const dashboardTasks = 5

// taskLine is one task in the dashboard's first block.
type taskLine struct {
	Kind, Text, Link, Due string
	Overdue               bool
}

// taskBlock is the member's own work at a glance.
type taskBlock struct {
	Overdue, Waiting, Soon int
	Top                    []taskLine
	NoPerson               bool
}

// myTasks sums up the member's tasks: how many are overdue, waiting on
// them, or due within isms.SoonDays, and the first few of those. They are
// counted from the kept task list's tallies (Store.Agenda): the ISMS
// office receives most of 100,000 tasks at 50,000 risks.
func (a *handlers) myTasks(r *http.Request, p *site.Page, m store.Membership, asOf isms.Date) (taskBlock, error) {
	who := isms.Assignee{Person: m.Person, Office: authz.KeepsTheISMS(m.Role)}
	tally, first, err := a.Store.Agenda(r.Context(), p.Org, asOf, who, dashboardTasks)
	if err != nil {
		return taskBlock{}, err
	}
	b := taskBlock{NoPerson: m.Person == "", Overdue: tally.Overdue, Waiting: tally.Waiting, Soon: tally.Soon}
	for _, t := range first {
		l := taskLine{Kind: p.T("tasks.kind." + t.Kind), Text: t.Title, Link: items.TaskLink(p.Org, t), Overdue: t.Overdue}
		if l.Text == "" {
			l.Text = l.Kind
		}
		if !t.Due.IsZero() {
			l.Due = t.Due.String()
		}
		b.Top = append(b.Top, l)
	}
	return b, nil
}

// groupAt is how many findings of one rule about the parts of one thing
// make a group: a new service SoA lacks dozens of rows, and one finding
// listing them says more than dozens that differ by a control number.
const groupAt = 5

// groupFindings folds the findings of one rule whose subjects share a
// parent (soa/svc-kintai/provider/…) into one, in the place of the first;
// the check itself (its JSON and CLI output) keeps every finding.
func groupFindings(fs []findingView, p *site.Page, nm *names.Names) []findingView {
	type key struct{ rule, parent string }
	parentOf := func(subject string) string {
		if i := strings.LastIndexByte(subject, '/'); i > 0 {
			return subject[:i]
		}
		return ""
	}
	count := map[key]int{}
	for _, f := range fs {
		if pa := parentOf(f.Subject); pa != "" {
			count[key{f.Rule, pa}]++
		}
	}
	var out []findingView
	at := map[key]int{}
	for _, f := range fs {
		k := key{f.Rule, parentOf(f.Subject)}
		if k.parent == "" || count[k] < groupAt {
			out = append(out, f)
			continue
		}
		part := f.Subject[len(k.parent)+1:]
		if i, ok := at[k]; ok {
			out[i].Parts = append(out[i].Parts, part)
			continue
		}
		g := f
		g.Subject = k.parent
		g.Parts = []string{part}
		g.Link = site.SubjectLink(p.Org, strings.Split(k.parent, "/"))
		if f.Rule == "SOA-03" {
			if parts := strings.Split(k.parent, "/"); len(parts) == 3 {
				g.FillSoA = parts[1] + ":" + parts[2]
				g.Link = "/orgs/" + p.Org + "/soa?soa=" + g.FillSoA + "&state=missing"
			}
		}
		at[k] = len(out)
		out = append(out, g)
	}
	for _, i := range at {
		g := &out[i]
		g.Text = p.T("web.group.text", "n", len(g.Parts), "first", g.Text, "parts", strings.Join(g.Parts, i18n.List(p.Lang)))
		if g.FillSoA != "" {
			g.Text = p.T("web.group.SOA-03", "n", len(g.Parts), "soa", nm.SoA(g.FillSoA), "parts", strings.Join(g.Parts, i18n.List(p.Lang)))
		}
	}
	return out
}
