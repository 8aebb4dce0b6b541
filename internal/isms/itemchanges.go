package isms

import (
	"reflect"
	"sort"
)

// ItemChange names one changed item of an ISMS: its kind (a bundle item kind:
// organization, risks, soa_rows, ...) and key. A creation and a deletion
// are changes too. Derived views carried over changes (the conformity
// check, the summary) are told what changed with a list of them.
type ItemChange struct {
	Kind, Key string
}

// kindFields maps each item kind to the field of ISMS that holds it;
// soa_rows are part of SoAs (kind soa).
var kindFields = map[string]string{
	"organization": "Organization", "units": "Units", "people": "People", "sites": "Sites",
	"systems": "Systems", "suppliers": "Suppliers", "cloud_services": "Services", "documents": "Documents",
	"assets": "Assets", "risk_criteria": "Criteria", "risk_sources": "RiskSources",
	"risk_sources_not_applicable": "SourcesNotApplicable", "risks": "Risks", "soa": "SoAs",
	"responsibilities": "Responsibilities", "verifications": "Verifications", "legal": "Legal",
	"backups": "Backups", "monitoring": "Monitoring", "audits": "Audits", "reviews": "Reviews",
	"certificates": "Certificates", "external_audits": "ExternalAudits", "context_issues": "ContextIssues",
	"interested_parties": "InterestedParties", "opportunities": "Opportunities", "objectives": "Objectives",
	"competence_requirements": "CompetenceRequirements", "trainings": "Trainings",
	"communications": "Communications", "changes": "Changes", "measurements": "Measurements",
	"nonconformities": "Nonconformities", "incidents": "Incidents",
}

// ItemKinds lists the kinds ChangeSet knows, sorted (soa_rows are read as soa).
func ItemKinds() []string {
	out := make([]string, 0, len(kindFields))
	for k := range kindFields {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// KindField is the name of the field of ISMS that holds a kind ("" for an
// unknown kind).
func KindField(kind string) string { return kindFields[kind] }

// MaxRiskKeys is the most changed risks a ChangeSet names one by one;
// beyond, the whole register counts as changed.
const MaxRiskKeys = 256

// ChangeSet is what changed between two models of one ISMS: the kinds,
// and for the risks which ones (unless WholeRisks).
type ChangeSet struct {
	Kinds      map[string]bool
	RiskKeys   []string // sorted, without repeats
	WholeRisks bool
}

// RisksByKey reports whether the risk register changed only in the risks
// RiskKeys names.
func (cs ChangeSet) RisksByKey() bool { return cs.Kinds["risks"] && !cs.WholeRisks }

// Diff is the change set from prev to next, which is prev with the given
// changes made. A kind the changes do not name whose value in next is not
// the same as in prev (a list not sharing prev's memory, as a model loaded
// afresh rather than carried over does not) counts as changed in whole.
// ok is false for a change of unknown kind or of Annex A edition: then
// everything must be computed again.
func Diff(prev, next *ISMS, changes []ItemChange) (cs ChangeSet, ok bool) {
	if prev.Organization.AnnexA != next.Organization.AnnexA {
		return cs, false
	}
	cs.Kinds = map[string]bool{}
	keys := map[string]bool{}
	for _, ch := range changes {
		kind := ch.Kind
		if kind == "soa_rows" {
			kind = "soa"
		}
		if _, known := kindFields[kind]; !known {
			return cs, false
		}
		cs.Kinds[kind] = true
		if kind == "risks" {
			keys[ch.Key] = true
		}
	}
	cs.WholeRisks = len(keys) > MaxRiskKeys
	pv, nv := reflect.ValueOf(prev).Elem(), reflect.ValueOf(next).Elem()
	for kind, field := range kindFields {
		if cs.Kinds[kind] {
			continue
		}
		if !sameValue(pv.FieldByName(field), nv.FieldByName(field)) {
			cs.Kinds[kind] = true
			cs.WholeRisks = cs.WholeRisks || kind == "risks"
		}
	}
	if !cs.WholeRisks {
		for k := range keys {
			cs.RiskKeys = append(cs.RiskKeys, k)
		}
		sort.Strings(cs.RiskKeys)
	}
	return cs, true
}

// Any reports whether one of the kinds changed.
func (cs ChangeSet) Any(kinds ...string) bool {
	for _, k := range kinds {
		if cs.Kinds[k] {
			return true
		}
	}
	return false
}

// sameValue reports whether two values of a field of ISMS are the same:
// lists the same elements (the same memory, as a carried-over model shares
// its unchanged lists), other values equal.
func sameValue(a, b reflect.Value) bool {
	if a.Kind() == reflect.Slice {
		return a.Len() == b.Len() && (a.Len() == 0 || a.Pointer() == b.Pointer())
	}
	return reflect.DeepEqual(a.Interface(), b.Interface())
}

// FindRisk is the risk with an id (the last one, as an index by id would
// keep), nil when there is none.
func FindRisk(risks []*Risk, id string) *Risk {
	for i := len(risks) - 1; i >= 0; i-- {
		if risks[i].ID == id {
			return risks[i]
		}
	}
	return nil
}

// RiskPositions maps risk ids to their positions in a register. A lookup
// checks the position it finds, so a map made for another register costs
// a scan, never a wrong answer.
type RiskPositions map[string]int

// NewRiskPositions maps the risks of a register.
func NewRiskPositions(risks []*Risk) RiskPositions {
	p := make(RiskPositions, len(risks))
	for i := range risks {
		p[risks[i].ID] = i
	}
	return p
}

// locate finds a risk by id as FindRisk does: through the map, else at
// the end of the register (where a new risk goes), else by a scan. held
// reports whether the map found it.
func (p RiskPositions) locate(risks []*Risk, id string) (r *Risk, at int, held bool) {
	if i, ok := p[id]; ok && i < len(risks) && risks[i].ID == id {
		return risks[i], i, true
	}
	for i := len(risks) - 1; i >= 0; i-- {
		if risks[i].ID == id {
			return risks[i], i, false
		}
	}
	return nil, -1, false
}

// LocatedRisks are the changed risks (RiskKeys) in the register before and
// after the changes: nil and -1 where there is none.
type LocatedRisks struct {
	Old, New     []*Risk
	OldAt, NewAt []int
}

// Locate finds the changed risks in prev and next with pos, the positions
// of prev's register (nil: made here). It returns the positions to keep
// for next's register: pos when every risk kept its place, else nil.
func (cs ChangeSet) Locate(prev, next *ISMS, pos RiskPositions) (LocatedRisks, RiskPositions) {
	if pos == nil {
		pos = NewRiskPositions(prev.Risks)
	}
	var l LocatedRisks
	keep := len(prev.Risks) == len(next.Risks)
	for _, k := range cs.RiskKeys {
		o, oi, _ := pos.locate(prev.Risks, k)
		n, ni, held := pos.locate(next.Risks, k)
		keep = keep && held
		l.Old, l.OldAt = append(l.Old, o), append(l.OldAt, oi)
		l.New, l.NewAt = append(l.New, n), append(l.NewAt, ni)
	}
	if !keep {
		pos = nil
	}
	return l, pos
}
