package bundle

import (
	"bytes"
	"strconv"

	"github.com/cloudisms/cloudisms/internal/isms"
)

// Encode writes the canonical YAML of an ISMS: keys in the order of
// bundle.md, lists in the order given, empty and absent fields left out,
// lists of ids in flow style. Encoding a decoded document and decoding it
// again gives the same model, and encoding is idempotent.
func Encode(m *isms.ISMS) ([]byte, error) {
	var b bytes.Buffer
	b.Grow(4096 + 400*(len(m.Risks)+len(m.Assets)))
	emit(&b, top(m))
	return b.Bytes(), nil
}

// obj builds a mapping node; pairs with a nil value are skipped.
type obj struct{ n *enode }

func newObj() obj { return obj{&enode{kind: mapNode}} }

func (o obj) put(key string, v *enode) obj {
	if v != nil {
		o.n.kids = append(o.n.kids, &enode{kind: scalarNode, value: key}, v)
	}
	return o
}

func (o obj) node() *enode {
	if len(o.n.kids) == 0 {
		return nil
	}
	return o.n
}

func str(s string) *enode {
	if s == "" {
		return nil
	}
	return &enode{kind: scalarNode, text: true, value: s}
}

func num(v int) *enode {
	return &enode{kind: scalarNode, value: strconv.Itoa(v), json: jsonNumber}
}

func optNum(p *int) *enode {
	if p == nil {
		return nil
	}
	return num(*p)
}

func flag(v bool) *enode {
	return &enode{kind: scalarNode, value: strconv.FormatBool(v), json: jsonBool}
}

func optFlag(p *bool) *enode {
	if p == nil {
		return nil
	}
	return flag(*p)
}

func date(d isms.Date) *enode {
	if d.IsZero() {
		return nil
	}
	return &enode{kind: scalarNode, value: d.String()}
}

func factor(f isms.Factor) *enode {
	switch {
	case !f.Set:
		return nil
	case f.IsInt:
		return num(f.Int)
	}
	// Text that reads as a number stays text: the emitter quotes it.
	return &enode{kind: scalarNode, text: true, value: f.Text}
}

func strs(ss []string) *enode {
	if len(ss) == 0 {
		return nil
	}
	n := &enode{kind: seqNode, flow: true, kids: make([]*enode, len(ss))}
	for i, s := range ss {
		n.kids[i] = &enode{kind: scalarNode, text: true, value: s}
	}
	return n
}

func seq[T any](items []T, each func(T) *enode) *enode {
	if len(items) == 0 {
		return nil
	}
	n := &enode{kind: seqNode, kids: make([]*enode, 0, len(items))}
	for _, it := range items {
		v := each(it)
		if v == nil {
			v = &enode{kind: mapNode}
		}
		n.kids = append(n.kids, v)
	}
	return n
}

func approval(a *isms.Approval) *enode {
	if a == nil {
		return nil
	}
	return newObj().put("by", str(a.By)).put("date", date(a.Date)).node()
}

func evidence(es []isms.Evidence) *enode {
	return seq(es, func(e isms.Evidence) *enode {
		return newObj().put("name", str(e.Name)).put("sha256", str(e.SHA256)).node()
	})
}

func top(m *isms.ISMS) *enode {
	org := organization(m.Organization)
	format := m.Format
	if format == "" {
		format = isms.Format
	}
	return putRegisters(newObj().
		put("format", str(format)).
		put("organization", org).
		put("units", seq(m.Units, unit)).
		put("people", seq(m.People, person)).
		put("sites", seq(m.Sites, site)).
		put("systems", seq(m.Systems, system)).
		put("suppliers", seq(m.Suppliers, supplier)).
		put("cloud_services", servicesNode(m.Services)).
		put("documents", seq(m.Documents, document)).
		put("assets", seq(m.Assets, asset)).
		put("risk_criteria", criteria(m.Criteria)).
		put("risk_sources", seq(m.RiskSources, riskSource)).
		put("risk_sources_not_applicable", seq(m.SourcesNotApplicable, notApplicable)).
		put("risks", seq(m.Risks, risk)).
		put("soa", seq(m.SoAs, soa)).
		put("responsibilities", seq(m.Responsibilities, responsibility)).
		put("verifications", seq(m.Verifications, verification)).
		put("legal", seq(m.Legal, legal)).
		put("backups", seq(m.Backups, backup)).
		put("monitoring", seq(m.Monitoring, monitoring)).
		put("audits", seq(m.Audits, audit)).
		put("reviews", seq(m.Reviews, review)), m).
		node()
}

// servicesNode keeps cloud_services present even when empty: it is required.
func servicesNode(ss []isms.CloudService) *enode {
	if len(ss) == 0 {
		return &enode{kind: seqNode, flow: true}
	}
	return seq(ss, service)
}

func notApplicable(s isms.SourceNotApplicable) *enode {
	return newObj().put("source", str(s.Source)).put("reason", str(s.Reason)).node()
}

func organization(o isms.Organization) *enode {
	org := newObj().put("id", str(o.ID)).put("name", str(o.Name)).put("name_en", str(o.NameEN)).
		put("annex_a", str(o.AnnexA)).put("isms_scope", str(o.ISMSScope)).put("cloud_scope", str(o.CloudScope)).
		put("scope_approval", approval(o.ScopeApproval)).
		put("climate_change_relevant", optFlag(o.ClimateChangeRelevant)).put("climate_change_note", str(o.ClimateChangeNote)).node()
	if org == nil {
		org = &enode{kind: mapNode}
	}
	return org
}

func unit(u isms.Unit) *enode {
	return newObj().put("id", str(u.ID)).put("name", str(u.Name)).put("in_isms_scope", optFlag(u.InISMSScope)).node()
}

func person(p isms.Person) *enode {
	return newObj().put("id", str(p.ID)).put("name", str(p.Name)).put("unit", str(p.Unit)).
		put("isms_personnel", optFlag(p.ISMSPersonnel)).
		put("cloud_security_personnel", optFlag(p.CloudSecurityPersonnel)).
		put("cloud_duties", strs(p.CloudDuties)).
		put("top_management", optFlag(p.TopManagement)).node()
}

func supplier(s isms.Supplier) *enode {
	return newObj().put("id", str(s.ID)).put("name", str(s.Name)).put("kind", str(s.Kind)).node()
}

func site(s isms.Site) *enode {
	return newObj().put("id", str(s.ID)).put("name", str(s.Name)).put("kind", str(s.Kind)).
		put("in_isms_scope", optFlag(s.InISMSScope)).put("datacenter_service", str(s.DatacenterService)).
		put("onsite_work", optFlag(s.OnsiteWork)).put("supplier", str(s.Supplier)).node()
}

func system(s isms.System) *enode {
	return newObj().put("id", str(s.ID)).put("name", str(s.Name)).put("location", str(s.Location)).
		put("site", str(s.Site)).put("purpose", str(s.Purpose)).put("supports", strs(s.Supports)).
		put("in_service_catalog", optFlag(s.InServiceCatalog)).put("in_scope", optFlag(s.InScope)).node()
}

func service(s isms.CloudService) *enode {
	return newObj().put("id", str(s.ID)).put("name", str(s.Name)).put("model", str(s.Model)).
		put("role", str(s.Role)).put("provider", str(s.Provider)).put("partner_activity", str(s.PartnerActivity)).
		put("uses", strs(s.Uses)).put("in_scope", flag(s.InScope)).put("data_locations", strs(s.DataLocations)).
		put("sla", str(s.SLA)).put("disclosure", serviceDisclosure(s.Disclosure)).node()
}

func document(d isms.Document) *enode {
	return newObj().put("id", str(d.ID)).put("kind", str(d.Kind)).put("title", str(d.Title)).
		put("version", str(d.Version)).put("approval", approval(d.Approval)).
		put("cloud_topics", strs(d.CloudTopics)).put("evidence", evidence(d.Evidence)).
		put("clauses", strs(d.Clauses)).put("reviewed_on", date(d.ReviewedOn)).
		put("review_interval_days", optNum(d.ReviewIntervalDays)).node()
}

func asset(a isms.Asset) *enode {
	return newObj().put("id", str(a.ID)).put("name", str(a.Name)).put("kind", str(a.Kind)).
		put("owner", str(a.Owner)).put("services", strs(a.Services)).put("systems", strs(a.Systems)).
		put("confidentiality", optNum(a.Confidentiality)).put("integrity", optNum(a.Integrity)).
		put("availability", optNum(a.Availability)).node()
}

func criteria(c isms.RiskCriteria) *enode {
	scales := newObj()
	for _, f := range scaleFactors {
		levels, ok := c.Scales[f]
		if !ok {
			continue
		}
		n := seq(levels, func(l isms.ScaleLevel) *enode {
			return newObj().put("level", num(l.Level)).put("label", str(l.Label)).node()
		})
		if n == nil {
			n = &enode{kind: seqNode, flow: true}
		}
		scales.put(f, n)
	}
	sn := scales.node()
	if sn == nil {
		sn = &enode{kind: mapNode}
	}
	return newObj().put("method", str(c.Method)).put("scales", sn).put("acceptance", num(c.Acceptance)).
		put("reassessment_interval_days", optNum(c.ReassessmentIntervalDays)).node()
}

func riskSource(s isms.RiskSource) *enode {
	return newObj().put("id", str(s.ID)).put("title", str(s.Title)).put("title_en", str(s.TitleEN)).
		put("required", optFlag(s.Required)).node()
}

func risk(r *isms.Risk) *enode {
	o := newObj().put("id", str(r.ID)).put("title", str(r.Title)).put("sources", strs(r.Sources)).
		put("services", strs(r.Services)).put("assets", strs(r.Assets)).
		put("threat", factor(r.Threat)).put("vulnerability", factor(r.Vulnerability)).
		put("likelihood", factor(r.Likelihood)).put("impact", factor(r.Impact)).
		put("owner", str(r.Owner)).put("treatment", str(r.Treatment)).put("controls", strs(r.Controls))
	if res := r.Residual; res != nil {
		rn := newObj().put("likelihood", factor(res.Likelihood)).put("impact", factor(res.Impact)).
			put("threat", factor(res.Threat)).put("vulnerability", factor(res.Vulnerability)).
			put("asset_value", factor(res.AssetValue)).node()
		if rn == nil {
			rn = &enode{kind: mapNode}
		}
		o.put("residual", rn)
	}
	o.put("plan", planActions(r.Plan))
	if a := r.Approval; a != nil {
		o.put("approval", newObj().put("by", str(a.By)).put("date", date(a.Date)).
			put("residual_accepted", optFlag(a.ResidualAccepted)).node())
	}
	return o.put("assessed_on", date(r.AssessedOn)).put("evidence", evidence(r.Evidence)).node()
}

func soa(s isms.SoA) *enode {
	return soaHeader(s).put("rows", seq(s.Rows, soaRow)).node()
}

// soaHeader is an SoA without its rows (the store keeps rows apart).
func soaHeader(s isms.SoA) obj {
	return newObj().put("service", str(s.Service)).put("role", str(s.Role)).put("approval", approval(s.Approval))
}

func soaRow(r isms.SoARow) *enode {
	return newObj().put("control", str(r.Control)).put("applicable", optFlag(r.Applicable)).
		put("reasons", strs(r.Reasons)).put("implementation", str(r.Implementation)).
		put("justification", str(r.Justification)).put("notes", str(r.Notes)).
		put("evidence", evidence(r.Evidence)).node()
}

func responsibility(r isms.Responsibility) *enode {
	return newObj().put("service", str(r.Service)).put("control", str(r.Control)).put("area", str(r.Area)).
		put("provider", str(r.Provider)).put("customer", str(r.Customer)).put("documented_in", str(r.DocumentedIn)).node()
}

func verification(v isms.Verification) *enode {
	return newObj().put("id", str(v.ID)).put("service", str(v.Service)).put("control", str(v.Control)).
		put("provider_statement", str(v.ProviderStatement)).put("result", str(v.Result)).put("gap", str(v.Gap)).
		put("risk", str(v.Risk)).put("approval", approval(v.Approval)).put("evidence", evidence(v.Evidence)).
		put("date", date(v.Date)).put("verification_interval_days", optNum(v.IntervalDays)).node()
}

func legal(l isms.LegalEntry) *enode {
	return newObj().put("id", str(l.ID)).put("name", str(l.Name)).put("jurisdictions", strs(l.Jurisdictions)).
		put("services", strs(l.Services)).put("evidence_from_provider", optFlag(l.EvidenceFromProvider)).
		put("notes", str(l.Notes)).node()
}

func backup(b isms.Backup) *enode {
	return newObj().put("service", str(b.Service)).put("policy", str(b.Policy)).
		put("restore_test_interval_days", optNum(b.RestoreTestIntervalDays)).
		put("tests", seq(b.Tests, func(t isms.RestoreTest) *enode {
			return newObj().put("date", date(t.Date)).put("result", str(t.Result)).put("by", str(t.By)).
				put("notes", str(t.Notes)).put("evidence", evidence(t.Evidence)).node()
		})).node()
}

func monitoring(m isms.Monitoring) *enode {
	return newObj().put("service", str(m.Service)).put("items", seq(m.Items, func(i isms.MonitoringItem) *enode {
		return newObj().put("what", str(i.What)).put("method", str(i.Method)).put("threshold", str(i.Threshold)).
			put("owner", str(i.Owner)).put("evidence", evidence(i.Evidence)).node()
	})).node()
}

func audit(a isms.Audit) *enode {
	return newObj().put("id", str(a.ID)).put("title", str(a.Title)).put("start", date(a.Start)).put("end", date(a.End)).
		put("services", strs(a.Services)).put("units", strs(a.Units)).put("auditors", strs(a.Auditors)).
		put("criteria", strs(a.Criteria)).put("findings", seq(a.Findings, finding)).node()
}

func finding(f isms.AuditFinding) *enode {
	o := newObj().put("id", str(f.ID)).put("kind", str(f.Kind)).put("control", str(f.Control)).
		put("description", str(f.Description))
	o.put("corrective_action", correctiveAction(f.CorrectiveAction))
	return o.put("evidence", evidence(f.Evidence)).node()
}

func review(r isms.Review) *enode {
	in := newObj()
	for _, k := range isms.ReviewInputKeys {
		in.put(k, str(*r.Inputs.Field(k)))
	}
	return newObj().put("id", str(r.ID)).put("date", date(r.Date)).put("chair", str(r.Chair)).
		put("inputs", in.node()).
		put("outputs", seq(r.Outputs, func(o isms.ReviewOutput) *enode {
			return newObj().put("decision", str(o.Decision)).put("owner", str(o.Owner)).put("due", date(o.Due)).node()
		})).put("evidence", evidence(r.Evidence)).node()
}
