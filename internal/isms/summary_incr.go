package isms

import (
	"slices"
	"sort"
)

// Summarized is a summary that can be carried over changes: after an edit
// of one risk, its risk list, heat map and due list are updated for that
// risk instead of assessing the whole register again. It is never
// modified once made, so it may be shared; Update makes a new one.
type Summarized struct {
	m    *ISMS
	asOf Date
	s    Summary
	a    *Assessor     // m's
	pos  RiskPositions // m's risks by id, nil until needed
}

// NewSummarized computes the summary of m as of a date.
func NewSummarized(m *ISMS, asOf Date) *Summarized {
	return &Summarized{m: m, asOf: asOf, s: NewSummary(m, asOf), a: NewAssessor(m)}
}

// Summary is the summary. It is shared: callers must not modify it.
func (x *Summarized) Summary() Summary { return x.s }

// The parts of the summary read these kinds: the SoA views read the SoAs,
// the services and the organization (its edition); the risks and the heat
// map the risks, the assets and the criteria; the due list the risks
// (plan actions), audits, backups, services and reviews.
var (
	soaPartReads  = []string{"soa", "cloud_services", "organization"}
	riskPartReads = []string{"assets", "risk_criteria"}
	duePartReads  = []string{"audits", "backups", "cloud_services", "reviews"}
)

// Update returns the summary of m, which is the summary's ISMS with the
// given changes made (Diff says what changed), as of the same date. It
// equals NewSummary(m, asOf) when the changes are complete.
func (x *Summarized) Update(m *ISMS, changes []ItemChange) *Summarized {
	if m == x.m && len(changes) == 0 {
		return x
	}
	cs, ok := Diff(x.m, m, changes)
	if !ok {
		return NewSummarized(m, x.asOf)
	}
	next := &Summarized{m: m, asOf: x.asOf, s: x.s, a: x.a}
	if cs.Any(riskPartReads...) {
		next.a = NewAssessor(m)
	}
	if cs.Any(soaPartReads...) {
		next.s.SoA = soaSummaries(m)
	}
	byKey := cs.RisksByKey()
	var located LocatedRisks
	if byKey {
		located, next.pos = cs.Locate(x.m, m, x.pos)
	}
	switch {
	case cs.Any(riskPartReads...) || cs.Kinds["risks"] && !byKey:
		next.s.Risks, next.s.HeatMap = riskSummaries(m, RiskViews(m))
	case byKey:
		if !next.carryRisks(x, cs.RiskKeys, located) {
			next.s.Risks, next.s.HeatMap = riskSummaries(m, RiskViews(m))
		}
	}
	switch {
	case cs.Any(duePartReads...) || cs.Kinds["risks"] && !byKey:
		next.s.Due = dueSummaries(DueWithin(m, x.asOf, DueHorizon))
	case byKey:
		next.s.Due = next.carryDue(x.s.Due, cs.RiskKeys, located)
	}
	return next
}

// carryRisks updates the risk list and the heat map of prev for the
// changed risks (the assets and criteria being the same). It reports false
// when the register's order does not match prev's: the caller then
// assesses every risk.
func (x *Summarized) carryRisks(prev *Summarized, keys []string, l LocatedRisks) bool {
	old := prev.s.Risks
	var out []*RiskSummary
	if x.pos != nil && len(old) == len(x.m.Risks) {
		// Every changed risk kept its place (Locate kept the positions).
		out = slices.Clone(old)
		for i, at := range l.NewAt {
			out[at] = newRiskSummary(riskView(x.m, x.a, l.New[i]))
		}
	} else if out = x.walkRisks(old, keys); out == nil {
		return false
	}
	h := HeatMapSummary{RowFactor: prev.s.HeatMap.RowFactor, ColFactor: prev.s.HeatMap.ColFactor,
		Unassessed: prev.s.HeatMap.Unassessed}
	hm := HeatMap{Rows: len(prev.s.HeatMap.Before), Before: cloneGrid(prev.s.HeatMap.Before), After: cloneGrid(prev.s.HeatMap.After), Unassessed: h.Unassessed}
	if hm.Rows > 0 {
		hm.Cols = len(prev.s.HeatMap.Before[0])
	}
	for i := range keys {
		if r := l.Old[i]; r != nil {
			hm.count(prev.m.Criteria, riskView(prev.m, prev.a, r), -1)
		}
		if r := l.New[i]; r != nil {
			hm.count(x.m.Criteria, riskView(x.m, x.a, r), 1)
		}
	}
	h.Before, h.After, h.Unassessed = hm.Before, hm.After, hm.Unassessed
	x.s.Risks, x.s.HeatMap = out, h
	return true
}

// walkRisks is the risk list of x's register made from old, the list of
// the register before the changes, assessing the changed risks only; nil
// when the unchanged risks are not in old's order.
func (x *Summarized) walkRisks(old []*RiskSummary, keys []string) []*RiskSummary {
	changed := make(map[string]bool, len(keys))
	for _, k := range keys {
		changed[k] = true
	}
	out := make([]*RiskSummary, 0, len(x.m.Risks))
	j := 0
	// The unchanged risks keep their place relative to each other.
	for i := range x.m.Risks {
		r := x.m.Risks[i]
		if changed[r.ID] {
			out = append(out, newRiskSummary(riskView(x.m, x.a, r)))
			continue
		}
		for j < len(old) && changed[old[j].ID] {
			j++
		}
		if j == len(old) || old[j].ID != r.ID {
			return nil
		}
		out = append(out, old[j])
		j++
	}
	for j < len(old) && changed[old[j].ID] {
		j++
	}
	if j != len(old) {
		return nil
	}
	return out
}

func cloneGrid(g [][]int) [][]int {
	out := make([][]int, len(g))
	for i := range g {
		out[i] = slices.Clone(g[i])
	}
	return out
}

// carryDue is prev's due list with the plan actions of the changed risks
// listed again, in DueWithin's order (by date, then subject; the actions
// of one risk in plan order). The old actions are found by their date and
// subject in the sorted list rather than by looking at every item: only
// the plan actions of a risk have its subject, so those of one risk due on
// one day are one run of the list.
func (x *Summarized) carryDue(prev []*DueSummary, keys []string, l LocatedRisks) []*DueSummary {
	horizon := x.asOf.AddDays(DueHorizon)
	var old, added []*DueSummary
	into := func(list *[]*DueSummary) func(kind, subject, title, owner string, due Date) {
		return func(kind, subject, title, owner string, due Date) {
			if due.IsZero() || due.After(horizon) {
				return
			}
			d := dueSummary(DueItem{kind, subject, title, owner, due, due.Before(x.asOf)})
			*list = append(*list, &d)
		}
	}
	for i := range keys {
		if r := l.Old[i]; r != nil {
			planDue(r, into(&old))
		}
		if r := l.New[i]; r != nil {
			planDue(r, into(&added))
		}
	}
	byDue := func(ds []*DueSummary) {
		sort.SliceStable(ds, func(i, j int) bool { return dueLess(ds[i], ds[j]) })
	}
	byDue(old)
	byDue(added)
	cut, ok := findRuns(prev, old, dueLess)
	if !ok {
		// prev is not what the old risks list: never expected, but a wrong
		// list is worse than a slow one.
		return dueSummaries(DueWithin(x.m, x.asOf, DueHorizon))
	}
	if len(cut) == 0 && len(added) == 0 {
		return prev
	}
	// None ties with a kept item: its risk's are cut.
	if out := patchSorted(prev, cut, added, dueLess); out != nil {
		return out
	}
	return []*DueSummary{} // as dueSummaries lists none
}

// dueLess is the due list's order: by date (as written, YYYY-MM-DD sorts
// as dates), then subject.
func dueLess(a, b *DueSummary) bool {
	if a.Due != b.Due {
		return a.Due < b.Due
	}
	return a.Subject < b.Subject
}
