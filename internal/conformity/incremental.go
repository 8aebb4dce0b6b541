package conformity

import (
	"sort"
	"strings"
	"sync"

	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/isms"
)

// Incremental checking. Each rule declares the item kinds it reads (the
// bundle's collections, spec/bundle.md); a check result keeps its findings
// per rule, so that after a change only the rules reading a changed kind
// are evaluated again. The risk rules that judge each risk on its own
// (risk03 and the others taking a *isms.Risk) are evaluated again for the
// changed risks only, and the rules that aggregate the whole register
// (RISK-01, RISK-02, SOA-09) read an index of it that follows each change
// (riskIndex). TestDeclaredReads checks the declarations against the
// rules; the store's property test checks every result against Check.

// Change names one changed item (isms.ItemChange).
type Change = isms.ItemChange

// Kinds lists the item kinds rules may declare, as the bundle names them
// (soa_rows read as soa).
func Kinds() []string { return isms.ItemKinds() }

const (
	kRisks    = "risks"
	kCriteria = "risk_criteria"
	kAssets   = "assets"
	kSoA      = "soa"
	kServices = "cloud_services"
	kOrg      = "organization"
)

// ruleReads declares, by rule id, the kinds each rule reads. Every rule
// also depends on the Annex A edition (its reference is written in the
// edition's numbering): a change of edition checks everything again.
var ruleReads = map[string][]string{
	"SCOPE-01":   {kServices},
	"SCOPE-02":   {kServices},
	"SCOPE-03":   {kServices},
	"SCOPE-04":   {"systems", kServices},
	"SCOPE-05":   {"systems", "sites"},
	"SCOPE-06":   {"people"},
	"SCOPE-07":   {"people", "units"},
	"SCOPE-08":   {kServices, kOrg},
	"SCOPE-09":   {kServices, "systems", "sites"},
	"SCOPE-10":   {kOrg},
	"RISK-01":    {kRisks, kServices},
	"RISK-02":    {kRisks, "risk_sources", "risk_sources_not_applicable"},
	"RISK-03":    {kRisks, kCriteria, kAssets},
	"RISK-04":    {kRisks, kCriteria, kAssets},
	"RISK-05":    {kRisks},
	"RISK-06":    {kRisks, kSoA},
	"RISK-07":    {kRisks, kCriteria, kAssets},
	"RISK-08":    {"legal", kServices},
	"RISK-09":    {kRisks, kCriteria},
	"SOA-01":     {kSoA, kServices},
	"SOA-02":     {kSoA},
	"SOA-03":     {kSoA, kServices},
	"SOA-04":     {kSoA, kServices},
	"SOA-05":     {kSoA, kServices},
	"SOA-06":     {kSoA, kServices},
	"SOA-07":     {kSoA, kServices},
	"SOA-08":     {kSoA, kServices},
	"SOA-09":     {kSoA, kServices, kRisks},
	"RESP-01":    {"responsibilities", kServices},
	"VERIFY-01":  {"verifications", kServices, kSoA},
	"VERIFY-02":  {"verifications", kRisks},
	"OPS-01":     {"backups", kServices, kSoA},
	"OPS-02":     {"backups", kServices},
	"OPS-03":     {"monitoring", kServices, kSoA},
	"POL-01":     {kServices, "documents", "people"},
	"AUD-01":     {"audits", kServices},
	"AUD-02":     {"audits", "people"},
	"AUD-03":     {"audits"},
	"AUD-04":     {"audits"},
	"AUD-05":     {"audits"},
	"AUD-06":     {"audits", "units"},
	"MR-01":      {"reviews"},
	"MR-02":      {"reviews", "people"},
	"EDITION-01": {},
	"CERT-01":    {"certificates"},
	"CERT-02":    {"certificates", "external_audits"},
	"CTX-01":     {"context_issues"},
	"CTX-02":     {kOrg},
	"CTX-03":     {"interested_parties"},
	"CTX-04":     {kServices, "interested_parties"},
	"OPP-01":     {"opportunities"},
	"OBJ-01":     {"objectives"},
	"OBJ-02":     {"objectives"},
	"COMP-01":    {"competence_requirements", "people", "trainings", "audits"},
	"COMP-02":    {"people", "competence_requirements"},
	"AWARE-01":   {"people", "trainings"},
	"DOC-01":     {"documents"},
	"DOC-02":     {"documents"},
	"MEAS-01":    {"measurements"},
	"NC-01":      {"nonconformities", "external_audits"},
	"NC-02":      {"nonconformities", "external_audits"},
	"NC-03":      {"nonconformities", "external_audits"},
	"INC-01":     {"incidents", kServices},
}

// perRisk holds, by rule id, the rules evaluated risk by risk: each emits
// findings about its risk only (subjects risks/<id> and below) and reads
// the other kinds it declares.
var perRisk = map[string]func(c *ctx, r *isms.Risk, emit emitFn){
	"RISK-03": risk03, "RISK-04": risk04, "RISK-05": risk05,
	"RISK-06": risk06, "RISK-07": risk07, "RISK-09": risk09,
}

// eachRisk runs a per-risk rule over the register.
func eachRisk(f func(c *ctx, r *isms.Risk, emit emitFn)) func(c *ctx, emit emitFn) {
	return func(c *ctx, emit emitFn) {
		for i := range c.m.Risks {
			f(c, c.m.Risks[i], emit)
		}
	}
}

// Reads lists the item kinds the rule reads.
func (r Rule) Reads() []string { return ruleReads[r.ID] }

// byIDOrder lists the indexes of rules in rule id order, the order of
// Check's findings.
var byIDOrder = sync.OnceValue(func() []int {
	out := make([]int, len(rules))
	for i := range out {
		out[i] = i
	}
	sort.SliceStable(out, func(a, b int) bool { return rules[out[a]].ID < rules[out[b]].ID })
	return out
})

// riskIndex tallies what the risk register names, for the rules that
// aggregate it; counts, so that a changed risk is taken out and put back.
type riskIndex struct {
	services map[string]int    // service named by a risk
	sources  map[string]int    // risk source named by a risk
	ctlAny   map[string]int    // control named by any risk
	ctlOrg   map[string]int    // control named by a risk of no service
	ctlSvc   map[[2]string]int // {service, control}
}

func newRiskIndex(risks []*isms.Risk) *riskIndex {
	ix := &riskIndex{services: map[string]int{}, sources: map[string]int{}, ctlAny: map[string]int{},
		ctlOrg: map[string]int{}, ctlSvc: map[[2]string]int{}}
	for _, r := range risks {
		ix.add(r, 1)
	}
	return ix
}

// add counts a risk in (d = 1) or out (d = -1).
func (ix *riskIndex) add(r *isms.Risk, d int) {
	if r == nil {
		return
	}
	bump := func(m map[string]int, k string) {
		if m[k] += d; m[k] == 0 {
			delete(m, k)
		}
	}
	for _, s := range r.Services {
		bump(ix.services, s)
	}
	for _, s := range r.Sources {
		bump(ix.sources, s)
	}
	for _, ctl := range r.Controls {
		bump(ix.ctlAny, ctl)
		if len(r.Services) == 0 {
			bump(ix.ctlOrg, ctl)
		}
		for _, s := range r.Services {
			k := [2]string{s, ctl}
			if ix.ctlSvc[k] += d; ix.ctlSvc[k] == 0 {
				delete(ix.ctlSvc, k)
			}
		}
	}
}

// named reports whether a risk names the control for the SoA, as
// isms.RiskControls.Named does.
func (ix *riskIndex) named(soa *isms.SoA, control string) bool {
	if soa.IsOrganization() {
		return ix.ctlAny[control] > 0
	}
	return ix.ctlOrg[control] > 0 || ix.ctlSvc[[2]string{soa.Service, control}] > 0
}

// risks is the index of the risk register, built on first use.
func (c *ctx) risks() *riskIndex {
	if c.rix == nil {
		c.rix = newRiskIndex(c.m.Risks)
	}
	return c.rix
}

// Checked is the result of a check that can be carried over changes: the
// findings of each rule, with what is needed to evaluate them again.
// Findings and the result are never modified once made, so a result may be
// shared; Update makes a new one.
type Checked struct {
	m      *isms.ISMS
	asOf   isms.Date
	byRule [][]Finding // in rules order, each by subject
	all    []Finding
	mu     sync.Mutex // guards c.rix, which moves to the next result
	c      *ctx
	pos    isms.RiskPositions // m's risks by id, nil until needed
}

// NewChecked evaluates every rule on m as of the given date.
func NewChecked(m *isms.ISMS, asOf isms.Date) *Checked {
	c := newCtx(m, asOf)
	k := &Checked{m: m, asOf: asOf, c: c, byRule: make([][]Finding, len(rules))}
	for i, r := range rules {
		k.byRule[i] = runRule(c, r)
	}
	k.join()
	return k
}

// Findings are the findings in Check's order. They are shared: callers
// must not modify them.
func (k *Checked) Findings() []Finding { return k.all }

// ISMS is the ISMS the result belongs to.
func (k *Checked) ISMS() *isms.ISMS { return k.m }

// runRule evaluates one rule: one finding per subject, by subject.
func runRule(c *ctx, r Rule) []Finding {
	ref := r.ReferenceFor(c.edition)
	var out []Finding
	seen := map[string]bool{}
	r.check(c, func(subject string, msg i18n.Message) {
		if seen[subject] {
			return
		}
		seen[subject] = true
		out = append(out, Finding{Rule: r.ID, Severity: r.Severity, Area: r.Area, Subject: subject, Message: msg, Reference: ref})
	})
	sortBySubject(out)
	return out
}

func sortBySubject(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool { return fs[i].Subject < fs[j].Subject })
}

func (k *Checked) join() {
	n := 0
	for _, fs := range k.byRule {
		n += len(fs)
	}
	k.all = make([]Finding, 0, n)
	for _, i := range byIDOrder() {
		k.all = append(k.all, k.byRule[i]...)
	}
}

// Update returns the check of m, which is the result's ISMS with the given
// changes made, as of the same date. Only the rules that read a changed
// kind are evaluated again, the per-risk rules for the changed risks only
// (isms.Diff says what changed: a kind the changes do not name counts as
// changed when m does not share it). The result equals NewChecked(m, asOf)
// when the changes are complete.
func (k *Checked) Update(m *isms.ISMS, changes []Change) *Checked {
	if m == k.m && len(changes) == 0 {
		return k
	}
	cs, ok := isms.Diff(k.m, m, changes)
	if !ok {
		return NewChecked(m, k.asOf)
	}
	var located isms.LocatedRisks
	var pos isms.RiskPositions
	if cs.RisksByKey() {
		located, pos = cs.Locate(k.m, m, k.pos)
	}
	c := k.carryCtx(m, cs, located)
	next := &Checked{m: m, asOf: k.asOf, c: c, byRule: make([][]Finding, len(rules)), pos: pos}
	keys := map[string]bool{}
	fresh := located.New // the changed risks in m (nil: deleted)
	for _, key := range cs.RiskKeys {
		keys[key] = true
	}
	for i, r := range rules {
		touched, onlyRisks := false, true
		for _, kind := range ruleReads[r.ID] {
			if cs.Kinds[kind] {
				touched = true
				onlyRisks = onlyRisks && kind == kRisks
			}
		}
		each := perRisk[r.ID]
		switch {
		case !touched:
			next.byRule[i] = k.byRule[i]
		case each != nil && onlyRisks && cs.RisksByKey():
			next.byRule[i] = spliceRisks(k.byRule[i], c, r, each, keys, fresh)
		default:
			next.byRule[i] = runRule(c, r)
		}
	}
	next.join()
	return next
}

// carryCtx is the evaluation context of m made from the result's: the
// indexes of unchanged kinds are kept (they point into lists m shares),
// the risk index is carried over the changed risks.
func (k *Checked) carryCtx(m *isms.ISMS, cs isms.ChangeSet, l isms.LocatedRisks) *ctx {
	prev := k.c
	k.mu.Lock()
	rix := prev.rix
	prev.rix = nil // moved: a second update of this result builds its own
	k.mu.Unlock()
	if cs.Any(kServices, "people", "units", "sites", kSoA) {
		c := newCtx(m, k.asOf)
		c.rix = rix
		if cs.Kinds[kRisks] {
			c.rix = carryRiskIndex(rix, cs, l)
		}
		return c
	}
	c := &ctx{m: m, asOf: k.asOf, cat: prev.cat, edition: prev.edition, svc: prev.svc, people: prev.people,
		units: prev.units, sites: prev.sites, orgSoA: prev.orgSoA, svcSoA: prev.svcSoA, assess: prev.assess}
	if cs.Any(kCriteria, kAssets) {
		c.assess = isms.NewAssessor(m)
	}
	c.rix = rix
	if cs.Kinds[kRisks] {
		c.rix = carryRiskIndex(rix, cs, l)
	}
	return c
}

// carryRiskIndex takes the changed risks of the old register out of the
// index and those of the new one in (nil: built again when needed).
func carryRiskIndex(ix *riskIndex, cs isms.ChangeSet, l isms.LocatedRisks) *riskIndex {
	if ix == nil || !cs.RisksByKey() {
		return nil
	}
	for i := range cs.RiskKeys {
		ix.add(l.Old[i], -1)
		ix.add(l.New[i], 1)
	}
	return ix
}

// riskOfSubject is the risk id a per-risk rule's finding is about.
func riskOfSubject(subject string) string {
	rest, ok := strings.CutPrefix(subject, "risks/")
	if !ok {
		return ""
	}
	id, _, _ := strings.Cut(rest, "/")
	return id
}

// spliceRisks is a per-risk rule's findings with those of the changed
// risks evaluated again.
func spliceRisks(prev []Finding, c *ctx, r Rule, each func(*ctx, *isms.Risk, emitFn), keys map[string]bool, fresh []*isms.Risk) []Finding {
	ref := r.ReferenceFor(c.edition)
	var added []Finding
	for _, risk := range fresh {
		if risk == nil {
			continue
		}
		seen := map[string]bool{}
		each(c, risk, func(subject string, msg i18n.Message) {
			if seen[subject] {
				return
			}
			seen[subject] = true
			added = append(added, Finding{Rule: r.ID, Severity: r.Severity, Area: r.Area, Subject: subject, Message: msg, Reference: ref})
		})
	}
	sortBySubject(added)
	out := make([]Finding, 0, len(prev)+len(added))
	j := 0
	for _, f := range prev {
		if keys[riskOfSubject(f.Subject)] {
			continue
		}
		for j < len(added) && added[j].Subject < f.Subject {
			out = append(out, added[j])
			j++
		}
		out = append(out, f)
	}
	return append(out, added[j:]...)
}
