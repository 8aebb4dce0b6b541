package isms

import (
	"sort"

	"github.com/cloudisms/cloudisms/internal/catalog"
)

// Where an effective SoA row comes from.
const (
	FromService      = "service"      // the service SoA's own row
	FromOrganization = "organization" // inherited from the organization's SoA
	FromNone         = "none"         // no row anywhere
)

// EffectiveRow is one row of an SoA as it applies: the control, the row
// that governs it (nil when there is none) and where that row comes from.
type EffectiveRow struct {
	Control *catalog.Control
	Row     *SoARow
	From    string
}

// SoACounts are the coverage figures of one SoA.
type SoACounts struct {
	Rows           int `json:"rows"`
	Applicable     int `json:"applicable"`
	Implemented    int `json:"implemented"`
	Partial        int `json:"partial"`
	Planned        int `json:"planned"`
	NotImplemented int `json:"not_implemented"`
	Excluded       int `json:"excluded"`
	Missing        int `json:"missing"` // controls with no row, or a row that does not say
}

// SoAView is an SoA with its effective rows: Annex A of the organization's
// edition, then (for a service SoA) the 27017 items and CLD controls that
// guide its role, each after the Annex A rows in catalog order.
type SoAView struct {
	Service string
	Role    string
	SoA     *SoA // nil when the SoA does not exist yet
	Rows    []EffectiveRow
	Counts  SoACounts
}

// SoAViews computes the organization's SoA view and one per in-scope
// service and role (and per existing SoA of other services).
func SoAViews(m *ISMS) []SoAView {
	cat := catalog.Std()
	var org *SoA
	byKey := map[string]*SoA{}
	for i := range m.SoAs {
		s := &m.SoAs[i]
		if s.IsOrganization() {
			org = s
		} else {
			byKey[s.Service+"/"+s.Role] = s
		}
	}
	rowsOf := func(s *SoA) map[string]*SoARow {
		out := map[string]*SoARow{}
		if s != nil {
			for i := range s.Rows {
				out[s.Rows[i].Control] = &s.Rows[i]
			}
		}
		return out
	}
	orgRows := rowsOf(org)
	views := []SoAView{buildView("", "", org, cat.AnnexA(m.Organization.AnnexA), nil, orgRows, nil)}
	for _, svc := range m.Services {
		for _, role := range svc.Roles() {
			s := byKey[svc.ID+"/"+role]
			if s == nil && !svc.InScope {
				continue
			}
			var cloud []*catalog.Control
			for _, c := range cat.Cloud {
				if c.GuidesRole(role) {
					cloud = append(cloud, c)
				}
			}
			views = append(views, buildView(svc.ID, role, s, cat.AnnexA(m.Organization.AnnexA), cloud, orgRows, rowsOf(s)))
		}
	}
	return views
}

func buildView(service, role string, s *SoA, annex, cloud []*catalog.Control, orgRows, own map[string]*SoARow) SoAView {
	v := SoAView{Service: service, Role: role, SoA: s}
	add := func(c *catalog.Control, inherit bool) {
		er := EffectiveRow{Control: c, From: FromNone}
		if r := own[c.ID]; r != nil {
			er.Row, er.From = r, FromService
		} else if inherit && orgRows[c.ID] != nil {
			er.Row, er.From = orgRows[c.ID], FromOrganization
		}
		if service == "" && er.Row != nil {
			er.From = FromOrganization
		}
		v.Rows = append(v.Rows, er)
		v.Counts.add(er.Row)
	}
	if service == "" {
		own = orgRows
	}
	for _, c := range annex {
		add(c, true)
	}
	for _, c := range cloud {
		add(c, false)
	}
	return v
}

func (c *SoACounts) add(r *SoARow) {
	c.Rows++
	switch StateOf(r) {
	case StateMissing:
		c.Missing++
		return
	case StateExcluded:
		c.Excluded++
		return
	case ImplImplemented:
		c.Implemented++
	case ImplPartial:
		c.Partial++
	case ImplPlanned:
		c.Planned++
	default:
		c.NotImplemented++
	}
	c.Applicable++
}

// RiskView is a risk with its computed levels.
type RiskView struct {
	Risk *Risk
	Assessment
	Acceptable         bool // level at or below acceptance
	ResidualAcceptable bool
}

// RiskViews assesses every risk.
func RiskViews(m *ISMS) []RiskView {
	a := NewAssessor(m)
	out := make([]RiskView, len(m.Risks))
	for i := range m.Risks {
		out[i] = riskView(m, a, m.Risks[i])
	}
	return out
}

// riskView assesses one risk of m with m's assessor.
func riskView(m *ISMS, a *Assessor, r *Risk) RiskView {
	as := a.Assess(r)
	return RiskView{Risk: r, Assessment: as,
		Acceptable:         as.OK && as.Level <= m.Criteria.Acceptance,
		ResidualAcceptable: as.OK && as.Residual <= m.Criteria.Acceptance}
}

// HeatMap counts risks per cell. Rows and columns are the two axes of the
// method: impact × likelihood, or asset value × (threat × vulnerability).
type HeatMap struct {
	RowFactor, ColFactor string
	Rows, Cols           int     // number of levels on each axis
	Before, After        [][]int // [row-1][col-1]
	Unassessed           int     // risks whose factors are incomplete
}

// NewHeatMap fills the heat map of an ISMS's risks.
func NewHeatMap(m *ISMS, risks []RiskView) HeatMap {
	c := m.Criteria
	h := HeatMap{RowFactor: FactorImpact, ColFactor: FactorLikelihood}
	if c.Method == MethodATV {
		h.RowFactor, h.ColFactor = FactorAssetValue, FactorThreat+"×"+FactorVulnerability
		h.Rows, h.Cols = c.Max(FactorAssetValue), c.Max(FactorThreat)*c.Max(FactorVulnerability)
	} else {
		h.Rows, h.Cols = c.Max(FactorImpact), c.Max(FactorLikelihood)
	}
	grid := func() [][]int {
		g := make([][]int, h.Rows)
		for i := range g {
			g[i] = make([]int, h.Cols)
		}
		return g
	}
	h.Before, h.After = grid(), grid()
	for _, r := range risks {
		h.count(c, r, 1)
	}
	return h
}

// count counts a risk in (d = 1) or out (d = -1) of the heat map.
func (h *HeatMap) count(c RiskCriteria, r RiskView, d int) {
	cell := func(f map[string]int) (int, int) { return f[FactorImpact], f[FactorLikelihood] }
	if c.Method == MethodATV {
		cell = func(f map[string]int) (int, int) {
			return f[FactorAssetValue], f[FactorThreat] * f[FactorVulnerability]
		}
	}
	if !r.OK {
		h.Unassessed += d
		return
	}
	if y, x := cell(r.Before); y >= 1 && y <= h.Rows && x >= 1 && x <= h.Cols {
		h.Before[y-1][x-1] += d
	}
	if y, x := cell(r.After); y >= 1 && y <= h.Rows && x >= 1 && x <= h.Cols {
		h.After[y-1][x-1] += d
	}
}

// Kinds of due items.
const (
	DuePlanAction       = "plan-action"
	DueCorrectiveAction = "corrective-action"
	DueRestoreTest      = "restore-test"
	DueAudit            = "audit"
	DueReview           = "review"
	DueReviewOutput     = "review-output"
)

// DueItem is something that falls due: Overdue when its date has passed.
type DueItem struct {
	Kind    string
	Subject string // the item's path, as findings name it
	Title   string
	Owner   string
	Due     Date
	Overdue bool
}

// planDue adds the plan actions of a risk not done yet.
func planDue(r *Risk, add func(kind, subject, title, owner string, due Date)) {
	for _, p := range r.Plan {
		if p.DoneOn.IsZero() {
			add(DuePlanAction, "risks/"+r.ID, p.Action, p.Owner, p.Due)
		}
	}
}

// DueWithin lists what falls due on or before asOf+days and is not done,
// overdue items included, by date. The yearly audit of a service and the
// yearly review fall due 365 days after the last one.
func DueWithin(m *ISMS, asOf Date, days int) []DueItem {
	horizon := asOf.AddDays(days)
	var out []DueItem
	add := func(kind, subject, title, owner string, due Date) {
		if due.IsZero() || due.After(horizon) {
			return
		}
		out = append(out, DueItem{kind, subject, title, owner, due, due.Before(asOf)})
	}
	for i := range m.Risks {
		planDue(m.Risks[i], add)
	}
	for _, a := range m.Audits {
		for _, f := range a.Findings {
			if ca := f.CorrectiveAction; ca != nil && ca.DoneOn.IsZero() {
				add(DueCorrectiveAction, "audits/"+a.ID+"/findings/"+f.ID, ca.Action, ca.Owner, ca.Due)
			}
		}
	}
	for _, b := range m.Backups {
		var last Date
		for _, t := range b.Tests {
			if t.Result == "pass" && !t.Date.After(asOf) && t.Date.After(last) {
				last = t.Date
			}
		}
		due := asOf // never tested: due now
		if !last.IsZero() {
			due = last.AddDays(b.Interval())
		}
		add(DueRestoreTest, "backups/"+b.Service, b.Service, "", due)
	}
	lastAudit := map[string]Date{}
	for _, a := range m.Audits {
		if a.End.IsZero() || a.End.After(asOf) {
			continue
		}
		for _, s := range a.Services {
			if a.End.After(lastAudit[s]) {
				lastAudit[s] = a.End
			}
		}
	}
	for _, s := range m.Services {
		if !s.InScope {
			continue
		}
		due := asOf
		if d, ok := lastAudit[s.ID]; ok {
			due = d.AddDays(365)
		}
		add(DueAudit, "cloud_services/"+s.ID, s.Name, "", due)
	}
	var lastReview Date
	for _, r := range m.Reviews {
		if !r.Date.After(asOf) && r.Date.After(lastReview) {
			lastReview = r.Date
		}
		// Outputs record no completion, so only those still ahead are listed.
		for _, o := range r.Outputs {
			if !o.Due.Before(asOf) {
				add(DueReviewOutput, "reviews/"+r.ID, o.Decision, o.Owner, o.Due)
			}
		}
	}
	due := asOf
	if !lastReview.IsZero() {
		due = lastReview.AddDays(365)
	}
	add(DueReview, "organization", "", "", due)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Due != out[j].Due {
			return out[i].Due.Before(out[j].Due)
		}
		return out[i].Subject < out[j].Subject
	})
	return out
}

// ViewedRisks are the risk views of an ISMS that can be carried over
// changes: after an edit of one risk, only that risk is assessed again.
// It is never modified once made, so it may be shared; Update makes a new
// one.
type ViewedRisks struct {
	m *ISMS
	a *Assessor // m's, kept while the assets and criteria are unchanged
	// views point at the views, so that carrying them over an edit copies
	// a pointer per risk, not a view (4 MB at 50,000 risks).
	views []*RiskView
}

// NewViewedRisks assesses every risk of m.
func NewViewedRisks(m *ISMS) *ViewedRisks {
	a := NewAssessor(m)
	vs := make([]RiskView, len(m.Risks))
	ps := make([]*RiskView, len(m.Risks))
	for i := range m.Risks {
		vs[i] = riskView(m, a, m.Risks[i])
		ps[i] = &vs[i]
	}
	return &ViewedRisks{m: m, a: a, views: ps}
}

// Views are RiskViews of the ISMS. They are shared: callers must not
// modify them.
func (x *ViewedRisks) Views() []*RiskView { return x.views }

// Update returns the risk views of m, which is x's ISMS with the given
// changes made. It equals NewViewedRisks(m) when the changes are complete:
// the changed risks are assessed again and the others keep their
// assessment when neither the assets nor the criteria changed and the
// register kept its length and order; else every risk is assessed.
func (x *ViewedRisks) Update(m *ISMS, changes []ItemChange) *ViewedRisks {
	if m == x.m && len(changes) == 0 {
		return x
	}
	cs, ok := Diff(x.m, m, changes)
	if !ok || cs.Any(riskPartReads...) || cs.Kinds["risks"] && !cs.RisksByKey() || len(m.Risks) != len(x.views) {
		return NewViewedRisks(m)
	}
	var changed map[string]bool // made when first needed
	out := make([]*RiskView, len(m.Risks))
	for i, r := range m.Risks {
		old := x.views[i]
		if old.Risk == r {
			// The same risk, and the assets and criteria are the same: the
			// same assessment. A carried-over model shares every risk it did
			// not change, so this is the way of all but the changed ones,
			// at the cost of a comparison, not of a lookup by id.
			out[i] = old
			continue
		}
		if changed == nil {
			changed = make(map[string]bool, len(cs.RiskKeys))
			for _, k := range cs.RiskKeys {
				changed[k] = true
			}
		}
		switch {
		case changed[r.ID]:
			v := riskView(m, x.a, r)
			out[i] = &v
		case old.Risk.ID != r.ID:
			return NewViewedRisks(m)
		default:
			// The same assessment, pointing at m's risk: the views were made
			// of a model whose risks were not carried over.
			v := *old
			v.Risk = r
			out[i] = &v
		}
	}
	return &ViewedRisks{m: m, a: x.a, views: out}
}

// ViewedSoAs are the SoA views of an ISMS, kept over changes that touch
// nothing they read (the SoAs, the services, the organization's edition):
// after an edit of a risk the views of the earlier model are the same. It
// is never modified once made, so it may be shared.
type ViewedSoAs struct {
	m     *ISMS
	views []SoAView
}

// NewViewedSoAs makes the SoA views of m.
func NewViewedSoAs(m *ISMS) *ViewedSoAs { return &ViewedSoAs{m: m, views: SoAViews(m)} }

// Views are SoAViews of the ISMS. They are shared: callers must not
// modify them.
func (x *ViewedSoAs) Views() []SoAView { return x.views }

// Update returns the SoA views of m, which is x's ISMS with the given
// changes made: x's views when nothing they read changed (the lists they
// point into are then the same memory), else new ones.
func (x *ViewedSoAs) Update(m *ISMS, changes []ItemChange) *ViewedSoAs {
	if cs, ok := Diff(x.m, m, changes); ok && !cs.Any(soaPartReads...) {
		return &ViewedSoAs{m: m, views: x.views}
	}
	return NewViewedSoAs(m)
}
