package risk

import (
	"cmp"
	"context"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/cloudisms/cloudisms/internal/authz"
	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/names"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/web/draw"
	"github.com/cloudisms/cloudisms/internal/web/items"
	"github.com/cloudisms/cloudisms/internal/web/site"
)

// The risk register: every risk of the organization with its levels and
// approval, searched and filtered by what people ask ("my risks above
// acceptance", "the risks of this service with an overdue plan"), sorted
// by any column and read a page at a time. The filters live in the URL so
// that a view can be bookmarked and shared.

// riskFilter is the register's query: search text, filters and order.
type riskFilter struct {
	Q, Service, Asset, Owner, Level, Treatment, Approval string
	Overdue                                              bool
	Sort                                                 string // a column, "-" first for descending
}

// riskSorts are the columns the register sorts by.
var riskSorts = []string{"id", "title", "owner", "level", "residual", "treatment", "approval"}

// Filter values of level and approval.
const (
	levelOver       = "over"       // level above acceptance
	levelWithin     = "within"     // level at or below acceptance
	levelUnassessed = "unassessed" // factors missing or out of scale
	apprApproved    = "approved"
	apprPending     = "pending" // not approved by the owner
	apprStale       = "stale"   // approved, changed since
)

func filterOf(q url.Values) riskFilter {
	f := riskFilter{Q: strings.TrimSpace(q.Get("q")), Service: q.Get("service"), Asset: q.Get("asset"), Owner: q.Get("owner"),
		Level: q.Get("level"), Treatment: q.Get("treatment"), Approval: q.Get("approval"), Overdue: q.Get("overdue") == "1", Sort: q.Get("sort")}
	if !slices.Contains(riskSorts, strings.TrimPrefix(f.Sort, "-")) {
		f.Sort = ""
	}
	return f
}

// values is the filter as URL query parameters (page not included).
func (f riskFilter) values() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"q": f.Q, "service": f.Service, "asset": f.Asset, "owner": f.Owner, "level": f.Level,
		"treatment": f.Treatment, "approval": f.Approval, "sort": f.Sort} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if f.Overdue {
		v.Set("overdue", "1")
	}
	return v
}

// plain reports whether the query shows the whole register in its order.
func (f riskFilter) plain() bool { return !f.any() && f.Sort == "" }

// any reports whether a filter narrows the register.
func (f riskFilter) any() bool {
	g := f
	g.Sort = ""
	return len(g.values()) > 0
}

// riskRow is one risk of the register as the page shows it.
type riskRow struct {
	isms.RiskView
	OwnerName  string
	Overdue    bool // a plan action past its due date and not done
	CanApprove bool
	Approved   bool
	Stale      bool
	ImportedBy string // who imported the approval, when it came with a bundle
	Again      bool   // approving again: the approval is stale or of unknown freshness
	State      string // approved, pending, stale
}

// matches reports whether a risk passes the filter on a date.
func (f riskFilter) matches(rv isms.RiskView, state string, overdue bool) bool {
	r := rv.Risk
	switch {
	case f.Service != "" && !slices.Contains(r.Services, f.Service),
		f.Asset != "" && !slices.Contains(r.Assets, f.Asset),
		f.Owner != "" && r.Owner != f.Owner,
		f.Treatment != "" && r.Treatment != f.Treatment,
		f.Approval != "" && state != f.Approval,
		f.Overdue && !overdue:
		return false
	}
	switch f.Level {
	case levelOver:
		if !rv.OK || rv.Acceptable {
			return false
		}
	case levelWithin:
		if !rv.OK || !rv.Acceptable {
			return false
		}
	case levelUnassessed:
		if rv.OK {
			return false
		}
	}
	if f.Q != "" {
		q := strings.ToLower(f.Q)
		if !strings.Contains(strings.ToLower(r.ID), q) && !strings.Contains(strings.ToLower(r.Title), q) {
			return false
		}
	}
	return true
}

// planOverdue reports whether a plan action is past due and not done.
func planOverdue(r *isms.Risk, asOf isms.Date) bool {
	for _, a := range r.Plan {
		if isms.PastDue(a.Due, a.DoneOn, asOf) {
			return true
		}
	}
	return false
}

// sortRows orders the rows by a column; ties keep the register's order.
func sortRows(rows []riskRow, sort string) {
	if sort == "" {
		return
	}
	desc := strings.HasPrefix(sort, "-")
	col := strings.TrimPrefix(sort, "-")
	level := func(ok bool, n int) int {
		if !ok {
			return -1 // unassessed first when ascending
		}
		return n
	}
	slices.SortStableFunc(rows, func(a, b riskRow) int {
		var c int
		switch col {
		case "id":
			c = cmp.Compare(a.Risk.ID, b.Risk.ID)
		case "title":
			c = cmp.Compare(a.Risk.Title, b.Risk.Title)
		case "owner":
			c = cmp.Compare(a.OwnerName, b.OwnerName)
		case "level":
			c = cmp.Compare(level(a.OK, a.Level), level(b.OK, b.Level))
		case "residual":
			c = cmp.Compare(level(a.OK, a.Residual), level(b.OK, b.Residual))
		case "treatment":
			c = cmp.Compare(a.Risk.Treatment, b.Risk.Treatment)
		case "approval":
			c = cmp.Compare(a.State, b.State)
		}
		if desc {
			return -c
		}
		return c
	})
}

// choice is one option of a filter's select.
type choice = site.Choice

// column is a sortable column head: its link sorts by it, or reverses the
// order when it is the current one.
type column struct {
	Label, URL, Sort string // Sort: "ascending", "descending" or ""
}

// register is the register's rows that match a query, sorted, with the
// approvals' freshness: what the page, its CSV and bulk work share.
type register struct {
	model *isms.ISMS
	head  int64     // the history head of model (Store.ISMSAt)
	asOf  isms.Date // the date the rows' overdue plans are of
	nm    *names.Names
	f     riskFilter
	rows  []riskRow // shared with other requests when unfiltered: read only
	// views, when read lazily (registerOf): the rows are made a page at
	// a time.
	views []*isms.RiskView
	total int
	// approvals know which risks' approvals were recorded here (not
	// imported) and which changed since.
	approvals *store.ApprovalIndex
}

// recorded reports whether a risk's approval was recorded here, not
// imported.
func (reg *register) recorded(id string) bool {
	ap, ok := reg.approvals.Of("risks", id)
	return ok && !ap.Imported
}

// allRows are the register's rows, unfiltered, in the register's order.
func (a *handlers) allRows(ctx context.Context, p *site.Page, reg *register) ([]riskRow, error) {
	views, err := a.Store.RiskViewsFor(ctx, p.Org, reg.head, reg.model)
	if err != nil {
		return nil, err
	}
	// Kept by the model's head plus the count of approval writes (both only
	// grow, so the sum names one state of both), when the approvals were
	// read at that head too (an edit in between: made for this request
	// alone). One entry per organization, language and date: a new state
	// replaces the last.
	head, rev := reg.approvals.At()
	v := a.ViewIf(p.Org, reg.head+rev, p.Lang, "risk register "+reg.asOf.String(), func() (any, bool) {
		rows := make([]riskRow, len(views))
		for i, rv := range views {
			rows[i] = reg.row(rv)
		}
		return rows, head == reg.head
	})
	return v.([]riskRow), nil
}

// row is one risk's row with its approval state.
func (reg *register) row(rv *isms.RiskView) riskRow {
	row := riskRow{RiskView: *rv, Approved: rv.Risk.ApprovedByOwner()}
	if ap, ok := reg.approvals.Of("risks", rv.Risk.ID); ok {
		row.Stale = ap.Stale
		if ap.Imported {
			row.ImportedBy = ap.ApprovedBy
		}
	}
	switch {
	case row.Approved && row.Stale:
		row.State = apprStale
	case row.Approved:
		row.State = apprApproved
	default:
		row.State = apprPending
	}
	row.Overdue = planOverdue(rv.Risk, reg.asOf)
	row.OwnerName = reg.nm.Person(rv.Risk.Owner)
	return row
}

// page is the rows from..to of the register, the caller's own. An
// unfiltered register read lazily makes only these rows.
func (reg *register) page(from, to int) []riskRow {
	if reg.views == nil {
		return slices.Clone(reg.rows[from:to])
	}
	out := make([]riskRow, 0, to-from)
	for _, rv := range reg.views[from:to] {
		out = append(out, reg.row(rv))
	}
	return out
}

// count is how many rows match.
func (reg *register) count() int {
	if reg.views != nil {
		return len(reg.views)
	}
	return len(reg.rows)
}

// registerOf reads the register's rows that match a query. lazy: a
// request that shows one page of an unfiltered register makes that page's
// rows alone (reg.page), not the 50,000 others after every edit.
func (a *handlers) registerOf(r *http.Request, p *site.Page, q url.Values, lazy bool) (*register, error) {
	ctx := r.Context()
	model, head, err := a.Store.ISMSAt(ctx, p.Org)
	if err != nil {
		return nil, err
	}
	approvals, err := a.Store.ApprovalsIndex(ctx, p.Org)
	if err != nil {
		return nil, err
	}
	asOf := isms.DateOf(a.Now())
	reg := &register{model: model, head: head, asOf: asOf, nm: a.NamesAt(p.Org, head, model, p.Lang), f: filterOf(q), approvals: approvals}
	if lazy && reg.f.plain() {
		if reg.views, err = a.Store.RiskViewsFor(ctx, p.Org, head, model); err != nil {
			return nil, err
		}
		reg.total = len(reg.views)
		return reg, nil
	}
	// Every row with its approval state is made once per change of the
	// ISMS or of its approvals, date and language; a request only filters
	// them and renders one page.
	all, err := a.allRows(ctx, p, reg)
	if err != nil {
		return nil, err
	}
	reg.total = len(all)
	if reg.f.plain() {
		reg.rows = all // shared: read only
		return reg, nil
	}
	for _, row := range all {
		if reg.f.matches(row.RiskView, row.State, row.Overdue) {
			reg.rows = append(reg.rows, row)
		}
	}
	sortRows(reg.rows, reg.f.Sort)
	return reg, nil
}

func (a *handlers) risksPage(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) {
	ctx := r.Context()
	reg, err := a.registerOf(r, p, r.URL.Query(), !site.WantsCSV(r))
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	model, nm, f, rows := reg.model, reg.nm, reg.f, reg.rows
	asOf := reg.asOf
	if site.WantsCSV(r) {
		heads, cells := riskCSV(p, nm, rows)
		site.WriteCSV(w, p, a.Now(), "risks", heads, cells)
		return
	}
	pg := site.Paginate(r, reg.count(), riskPageSize)
	rows = reg.page(pg.From, pg.To) // the page's own: marked below
	for i := range rows {
		// Approving is offered to the owner where there is something to
		// approve: a plan never approved, one changed since, or one whose
		// approval came with an import, which cannot tell.
		row := &rows[i]
		row.Again = row.Approved && (row.Stale || !reg.recorded(row.Risk.ID))
		row.CanApprove = authz.ApproveRisk(m.Role, m.Person, row.Risk.Owner) && (!row.Approved || row.Again)
	}
	html, err := a.rowsHTML(p, rows)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	sum, err := a.Store.SummaryFor(ctx, p.Org, reg.head, model, asOf)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	// The heat maps and the filters' long option lists (every asset) are
	// the same for every reader of the ISMS in a language: drawn once.
	heat := a.View(p.Org, reg.head, p.Lang, "risk heat "+asOf.String(), func() any {
		return [2]template.HTML{draw.HeatMap(sum.HeatMap, false, model.Criteria.Acceptance, p.T), draw.HeatMap(sum.HeatMap, true, model.Criteria.Acceptance, p.T)}
	}).([2]template.HTML)
	opts, err := a.filterOptions(p, reg)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	canCreate := authz.Can(m.Role, authz.Write, authz.Subject{Kind: "risks"}) ||
		m.Person != "" && authz.Can(m.Role, authz.Write, authz.Subject{Kind: "risks", IsOwner: true})
	if d := r.URL.Query().Get("deleted"); d != "" {
		p.Flash = p.T("items.deleted", "key", d)
	}
	if n, act := r.URL.Query().Get("bulk"), r.URL.Query().Get("bulk_action"); n != "" && (act == bulkOwner || act == bulkApprove) {
		p.Flash = p.T("rbulk.done."+act, "n", n)
	}
	p.Title = p.T("ui.risks")
	p.Data = map[string]any{"Rows": html, "Acceptance": model.Criteria.Acceptance, "Method": model.Criteria.Method,
		"HeatBefore": heat[0], "HeatAfter": heat[1],
		"F": f, "Filtered": f.any(), "Total": reg.total, "Matching": pg.Total,
		"ServiceOptions": opts.services.With(f.Service), "AssetOptions": opts.assets.With(f.Asset), "AssetInput": opts.assets.Len() == 0 && len(model.Assets) > 0, "OwnerOptions": opts.owners.With(f.Owner),
		"Levels":     fixedChoices(p, "risk.filter.level.", []string{levelOver, levelWithin, levelUnassessed}, f.Level),
		"Treatments": fixedChoices(p, "treatment.", []string{isms.TreatModify, isms.TreatShare, isms.TreatAvoid, isms.TreatRetain}, f.Treatment),
		"Approvals":  fixedChoices(p, "risk.filter.approval.", []string{apprPending, apprStale, apprApproved}, f.Approval),
		"Columns":    columns(p, r.URL.Path, f), "CanCreate": canCreate, "NewURL": items.NewURL(p.Org, "risks", newRiskPrefill(f, m)),
		"Saved": r.URL.Query().Get("approved"), "Pager": pg.View(r, p), "BulkURL": "/orgs/" + url.PathEscape(p.Org) + "/risks/bulk?" + f.values().Encode(), "CanBulk": mayReassign(m) || m.Person != ""}
	p.CSV = site.CSVLink(r)
	a.Render(w, http.StatusOK, "risks", p)
}

// rowCtx is what the template "risk-row" is given: the row, and as $ the
// organization and the language its links and words need, which on the
// page were the page's.
type rowCtx struct {
	riskRow
	Org, Lang string
}

// T is site.Page.T for the row's language.
func (c rowCtx) T(key string, args ...any) string { return i18n.M(key, args...).In(c.Lang) }

// rowKey is everything a row's HTML shows (with the organization and the
// language, which select the cache of site.LinesBy): a row whose key is
// kept renders the same, whatever the history head.
type rowKey struct {
	id, title, owner, ownerName, treatment, importedBy string
	level, residual                                    int
	ok, acceptable, residualAcceptable, overdue        bool
	approved, stale, canApprove, again                 bool
}

func keyOf(row riskRow) rowKey {
	return rowKey{id: row.Risk.ID, title: row.Risk.Title, owner: row.Risk.Owner, ownerName: row.OwnerName, treatment: row.Risk.Treatment,
		importedBy: row.ImportedBy, level: row.Level, residual: row.Residual, ok: row.OK, acceptable: row.Acceptable,
		residualAcceptable: row.ResidualAcceptable, overdue: row.Overdue, approved: row.Approved, stale: row.Stale,
		canApprove: row.CanApprove, again: row.Again}
}

// rowsHTML renders one page of rows, each kept by its content
// (site.LinesBy): after an edit only the edited risk's row is rendered
// again, not the page.
func (a *handlers) rowsHTML(p *site.Page, rows []riskRow) (template.HTML, error) {
	return site.LinesBy(a.App, p, "risks", "risk-row", site.MaxRegisterLines, rows, keyOf, func(row riskRow) any {
		return rowCtx{riskRow: row, Org: p.Org, Lang: p.Lang}
	})
}

// riskOptions are the options of the register's filters by service, asset
// and owner: one per item, hundreds for a large ISMS.
type riskOptions struct{ services, assets, owners site.Options }

// maxAssetOptions is the most assets the asset filter offers as a list;
// past it (tens of thousands in a large inventory) the filter takes an
// asset id typed in, and the page stays small.
const maxAssetOptions = 300

// filterOptions renders the filters' options once per change of the ISMS
// and language, with the template the page had them in ("risk-option").
func (a *handlers) filterOptions(p *site.Page, reg *register) (*riskOptions, error) {
	var err error
	// A failed rendering is not kept (ViewIf): the next request tries again.
	v := a.ViewIf(p.Org, reg.head, p.Lang, "risk options", func() (any, bool) {
		// Each option's HTML is kept by its content (site.ChoiceOptions).
		render := func(cs []choice) site.Options {
			if err != nil {
				return site.Options{}
			}
			var o site.Options
			o, err = site.ChoiceOptions(a.App, p, "risks", "risk-option", site.MaxRegisterLines, cs)
			return o
		}
		o := &riskOptions{services: render(serviceChoices(reg.model, reg.nm, "")), owners: render(ownerChoices(reg.model, ""))}
		if len(reg.model.Assets) <= maxAssetOptions {
			o.assets = render(assetChoices(reg.model, ""))
		}
		return o, err == nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*riskOptions), nil
}

// newRiskPrefill carries the register's service, asset and owner filters
// into the new risk's form: "a new risk here" means one that shows here.
func newRiskPrefill(f riskFilter, m store.Membership) url.Values {
	v := url.Values{}
	if f.Service != "" {
		v.Set("services", f.Service)
	}
	if f.Asset != "" {
		v.Set("assets", f.Asset)
	}
	if f.Owner != "" {
		v.Set("owner", f.Owner)
	} else if m.Person != "" && !authz.Can(m.Role, authz.Write, authz.Subject{Kind: "risks"}) {
		v.Set("owner", m.Person) // a risk owner creates their own risks
	}
	return v
}

func columns(p *site.Page, path string, f riskFilter) []column {
	out := make([]column, len(riskSorts))
	for i, c := range riskSorts {
		g := f
		col := column{Label: p.T("risk.col." + c)}
		switch f.Sort {
		case c:
			col.Sort, g.Sort = "ascending", "-"+c
		case "-" + c:
			col.Sort, g.Sort = "descending", c
		default:
			g.Sort = c
		}
		col.URL = path + "?" + g.values().Encode()
		out[i] = col
	}
	return out
}

func serviceChoices(m *isms.ISMS, nm *names.Names, sel string) []choice {
	out := make([]choice, 0, len(m.Services))
	for _, s := range m.Services {
		out = append(out, choice{Value: s.ID, Label: nm.Service(s.ID), Selected: s.ID == sel})
	}
	return out
}

func assetChoices(m *isms.ISMS, sel string) []choice {
	out := make([]choice, 0, len(m.Assets))
	for _, s := range m.Assets {
		label := s.Name
		if label == "" {
			label = s.ID
		}
		out = append(out, choice{Value: s.ID, Label: label, Selected: s.ID == sel})
	}
	return out
}

func ownerChoices(m *isms.ISMS, sel string) []choice {
	out := make([]choice, 0, len(m.People))
	for _, pp := range m.People {
		label := pp.Name
		if label == "" {
			label = pp.ID
		}
		out = append(out, choice{Value: pp.ID, Label: label, Selected: pp.ID == sel})
	}
	return out
}

func fixedChoices(p *site.Page, prefix string, values []string, sel string) []choice {
	out := make([]choice, len(values))
	for i, v := range values {
		out[i] = choice{Value: v, Label: p.T(prefix + v), Selected: v == sel}
	}
	return out
}

// riskCSV is the register as filtered and sorted, with the columns a
// spreadsheet user asks for beyond the page's: services, assets, whether a
// level is above acceptance, and an overdue plan.
func riskCSV(p *site.Page, nm *names.Names, rows []riskRow) ([]string, [][]string) {
	heads := []string{p.T("risk.col.id"), p.T("risk.col.title"), p.T("risk.col.owner"), p.T("risk.col.service"), p.T("risk.col.asset"),
		p.T("risk.col.level"), p.T("risk.csv.above"), p.T("risk.col.residual"), p.T("risk.csv.residual_above"),
		p.T("risk.col.treatment"), p.T("risk.overdue_chip"), p.T("risk.col.approval")}
	yes := func(b bool) string {
		if b {
			return p.T("risk.csv.yes")
		}
		return ""
	}
	out := make([][]string, 0, len(rows))
	for _, row := range rows {
		r := row.Risk
		level, above, residual, resAbove := p.T("ui.unassessed"), "", "", ""
		if row.OK {
			level, above = strconv.Itoa(row.Level), yes(!row.Acceptable)
			residual, resAbove = strconv.Itoa(row.Residual), yes(!row.ResidualAcceptable)
		}
		treatment := ""
		if r.Treatment != "" {
			treatment = p.T("treatment." + r.Treatment)
		}
		out = append(out, []string{r.ID, r.Title, row.OwnerName, nm.Refs("cloud_services", r.Services), nm.Refs("assets", r.Assets),
			level, above, residual, resAbove, treatment, yes(row.Overdue), p.T("risk.filter.approval." + row.State)})
	}
	return heads, out
}
