package bundle

import (
	"bytes"
	"strconv"

	"go.yaml.in/yaml/v3"

	"github.com/cloudisms/cloudisms/internal/isms"
)

// Encode writes the canonical YAML of an ISMS: keys in the order of
// bundle.md, lists in the order given, empty and absent fields left out,
// lists of ids in flow style. Encoding a decoded document and decoding it
// again gives the same model, and encoding is idempotent.
func Encode(m *isms.ISMS) ([]byte, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(top(m)); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// obj builds a mapping node; pairs with a nil value are skipped.
type obj struct{ n *yaml.Node }

func newObj() obj { return obj{&yaml.Node{Kind: yaml.MappingNode}} }

func (o obj) put(key string, v *yaml.Node) obj {
	if v != nil {
		o.n.Content = append(o.n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, v)
	}
	return o
}

func (o obj) node() *yaml.Node {
	if len(o.n.Content) == 0 {
		return nil
	}
	return o.n
}

func str(s string) *yaml.Node {
	if s == "" {
		return nil
	}
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
	if len(s) > 0 && bytes.ContainsRune([]byte(s), '\n') {
		n.Style = yaml.LiteralStyle
	}
	return n
}

func num(v int) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(v)}
}

func optNum(p *int) *yaml.Node {
	if p == nil {
		return nil
	}
	return num(*p)
}

func flag(v bool) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(v)}
}

func optFlag(p *bool) *yaml.Node {
	if p == nil {
		return nil
	}
	return flag(*p)
}

func date(d isms.Date) *yaml.Node {
	if d.IsZero() {
		return nil
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!timestamp", Value: d.String()}
}

func factor(f isms.Factor) *yaml.Node {
	switch {
	case !f.Set:
		return nil
	case f.IsInt:
		return num(f.Int)
	}
	// Text that reads as a number stays text: quote it.
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: f.Text}
}

func strs(ss []string) *yaml.Node {
	if len(ss) == 0 {
		return nil
	}
	n := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
	for _, s := range ss {
		n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s})
	}
	return n
}

func seq[T any](items []T, each func(T) *yaml.Node) *yaml.Node {
	if len(items) == 0 {
		return nil
	}
	n := &yaml.Node{Kind: yaml.SequenceNode, Content: make([]*yaml.Node, 0, len(items))}
	for _, it := range items {
		v := each(it)
		if v == nil {
			v = &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle}
		}
		n.Content = append(n.Content, v)
	}
	return n
}

func approval(a *isms.Approval) *yaml.Node {
	if a == nil {
		return nil
	}
	return newObj().put("by", str(a.By)).put("date", date(a.Date)).node()
}

func evidence(es []isms.Evidence) *yaml.Node {
	return seq(es, func(e isms.Evidence) *yaml.Node {
		return newObj().put("name", str(e.Name)).put("sha256", str(e.SHA256)).node()
	})
}

func top(m *isms.ISMS) *yaml.Node {
	o := m.Organization
	org := newObj().put("id", str(o.ID)).put("name", str(o.Name)).put("name_en", str(o.NameEN)).
		put("annex_a", str(o.AnnexA)).put("isms_scope", str(o.ISMSScope)).put("cloud_scope", str(o.CloudScope)).
		put("scope_approval", approval(o.ScopeApproval)).node()
	if org == nil {
		org = &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle}
	}
	format := m.Format
	if format == "" {
		format = isms.Format
	}
	return newObj().
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
		put("risk_sources_not_applicable", seq(m.SourcesNotApplicable, func(s isms.SourceNotApplicable) *yaml.Node {
			return newObj().put("source", str(s.Source)).put("reason", str(s.Reason)).node()
		})).
		put("risks", seq(m.Risks, risk)).
		put("soa", seq(m.SoAs, soa)).
		put("responsibilities", seq(m.Responsibilities, responsibility)).
		put("verifications", seq(m.Verifications, verification)).
		put("legal", seq(m.Legal, legal)).
		put("backups", seq(m.Backups, backup)).
		put("monitoring", seq(m.Monitoring, monitoring)).
		put("audits", seq(m.Audits, audit)).
		put("reviews", seq(m.Reviews, review)).
		node()
}

// servicesNode keeps cloud_services present even when empty: it is required.
func servicesNode(ss []isms.CloudService) *yaml.Node {
	if len(ss) == 0 {
		return &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
	}
	return seq(ss, service)
}

func unit(u isms.Unit) *yaml.Node {
	return newObj().put("id", str(u.ID)).put("name", str(u.Name)).put("in_isms_scope", optFlag(u.InISMSScope)).node()
}

func person(p isms.Person) *yaml.Node {
	return newObj().put("id", str(p.ID)).put("name", str(p.Name)).put("unit", str(p.Unit)).
		put("isms_personnel", optFlag(p.ISMSPersonnel)).
		put("cloud_security_personnel", optFlag(p.CloudSecurityPersonnel)).
		put("cloud_duties", strs(p.CloudDuties)).
		put("top_management", optFlag(p.TopManagement)).node()
}

func supplier(s isms.Supplier) *yaml.Node {
	return newObj().put("id", str(s.ID)).put("name", str(s.Name)).put("kind", str(s.Kind)).node()
}

func site(s isms.Site) *yaml.Node {
	return newObj().put("id", str(s.ID)).put("name", str(s.Name)).put("kind", str(s.Kind)).
		put("in_isms_scope", optFlag(s.InISMSScope)).put("datacenter_service", str(s.DatacenterService)).
		put("onsite_work", optFlag(s.OnsiteWork)).put("supplier", str(s.Supplier)).node()
}

func system(s isms.System) *yaml.Node {
	return newObj().put("id", str(s.ID)).put("name", str(s.Name)).put("location", str(s.Location)).
		put("site", str(s.Site)).put("purpose", str(s.Purpose)).put("supports", strs(s.Supports)).
		put("in_service_catalog", optFlag(s.InServiceCatalog)).put("in_scope", optFlag(s.InScope)).node()
}

func service(s isms.CloudService) *yaml.Node {
	return newObj().put("id", str(s.ID)).put("name", str(s.Name)).put("model", str(s.Model)).
		put("role", str(s.Role)).put("provider", str(s.Provider)).put("partner_activity", str(s.PartnerActivity)).
		put("uses", strs(s.Uses)).put("in_scope", flag(s.InScope)).put("data_locations", strs(s.DataLocations)).
		put("sla", str(s.SLA)).node()
}

func document(d isms.Document) *yaml.Node {
	return newObj().put("id", str(d.ID)).put("kind", str(d.Kind)).put("title", str(d.Title)).
		put("version", str(d.Version)).put("approval", approval(d.Approval)).
		put("cloud_topics", strs(d.CloudTopics)).put("evidence", evidence(d.Evidence)).node()
}

func asset(a isms.Asset) *yaml.Node {
	return newObj().put("id", str(a.ID)).put("name", str(a.Name)).put("kind", str(a.Kind)).
		put("owner", str(a.Owner)).put("services", strs(a.Services)).put("systems", strs(a.Systems)).
		put("confidentiality", optNum(a.Confidentiality)).put("integrity", optNum(a.Integrity)).
		put("availability", optNum(a.Availability)).node()
}

func criteria(c isms.RiskCriteria) *yaml.Node {
	scales := newObj()
	for _, f := range scaleFactors {
		levels, ok := c.Scales[f]
		if !ok {
			continue
		}
		n := seq(levels, func(l isms.ScaleLevel) *yaml.Node {
			return newObj().put("level", num(l.Level)).put("label", str(l.Label)).node()
		})
		if n == nil {
			n = &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
		}
		scales.put(f, n)
	}
	sn := scales.node()
	if sn == nil {
		sn = &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle}
	}
	return newObj().put("method", str(c.Method)).put("scales", sn).put("acceptance", num(c.Acceptance)).node()
}

func riskSource(s isms.RiskSource) *yaml.Node {
	return newObj().put("id", str(s.ID)).put("title", str(s.Title)).put("title_en", str(s.TitleEN)).
		put("required", optFlag(s.Required)).node()
}

func risk(r isms.Risk) *yaml.Node {
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
			rn = &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle}
		}
		o.put("residual", rn)
	}
	o.put("plan", seq(r.Plan, func(a isms.PlanAction) *yaml.Node {
		return newObj().put("action", str(a.Action)).put("owner", str(a.Owner)).put("due", date(a.Due)).
			put("done_on", date(a.DoneOn)).node()
	}))
	if a := r.Approval; a != nil {
		o.put("approval", newObj().put("by", str(a.By)).put("date", date(a.Date)).
			put("residual_accepted", optFlag(a.ResidualAccepted)).node())
	}
	return o.node()
}

func soa(s isms.SoA) *yaml.Node {
	rows := seq(s.Rows, func(r isms.SoARow) *yaml.Node {
		return newObj().put("control", str(r.Control)).put("applicable", optFlag(r.Applicable)).
			put("reasons", strs(r.Reasons)).put("implementation", str(r.Implementation)).
			put("justification", str(r.Justification)).put("notes", str(r.Notes)).
			put("evidence", evidence(r.Evidence)).node()
	})
	return newObj().put("service", str(s.Service)).put("role", str(s.Role)).put("approval", approval(s.Approval)).
		put("rows", rows).node()
}

func responsibility(r isms.Responsibility) *yaml.Node {
	return newObj().put("service", str(r.Service)).put("control", str(r.Control)).put("area", str(r.Area)).
		put("provider", str(r.Provider)).put("customer", str(r.Customer)).put("documented_in", str(r.DocumentedIn)).node()
}

func verification(v isms.Verification) *yaml.Node {
	return newObj().put("id", str(v.ID)).put("service", str(v.Service)).put("control", str(v.Control)).
		put("provider_statement", str(v.ProviderStatement)).put("result", str(v.Result)).put("gap", str(v.Gap)).
		put("risk", str(v.Risk)).put("approval", approval(v.Approval)).put("evidence", evidence(v.Evidence)).node()
}

func legal(l isms.LegalEntry) *yaml.Node {
	return newObj().put("id", str(l.ID)).put("name", str(l.Name)).put("jurisdictions", strs(l.Jurisdictions)).
		put("services", strs(l.Services)).put("evidence_from_provider", optFlag(l.EvidenceFromProvider)).
		put("notes", str(l.Notes)).node()
}

func backup(b isms.Backup) *yaml.Node {
	return newObj().put("service", str(b.Service)).put("policy", str(b.Policy)).
		put("restore_test_interval_days", optNum(b.RestoreTestIntervalDays)).
		put("tests", seq(b.Tests, func(t isms.RestoreTest) *yaml.Node {
			return newObj().put("date", date(t.Date)).put("result", str(t.Result)).put("by", str(t.By)).
				put("notes", str(t.Notes)).put("evidence", evidence(t.Evidence)).node()
		})).node()
}

func monitoring(m isms.Monitoring) *yaml.Node {
	return newObj().put("service", str(m.Service)).put("items", seq(m.Items, func(i isms.MonitoringItem) *yaml.Node {
		return newObj().put("what", str(i.What)).put("method", str(i.Method)).put("threshold", str(i.Threshold)).
			put("owner", str(i.Owner)).node()
	})).node()
}

func audit(a isms.Audit) *yaml.Node {
	return newObj().put("id", str(a.ID)).put("title", str(a.Title)).put("start", date(a.Start)).put("end", date(a.End)).
		put("services", strs(a.Services)).put("units", strs(a.Units)).put("auditors", strs(a.Auditors)).
		put("criteria", strs(a.Criteria)).put("findings", seq(a.Findings, finding)).node()
}

func finding(f isms.AuditFinding) *yaml.Node {
	o := newObj().put("id", str(f.ID)).put("kind", str(f.Kind)).put("control", str(f.Control)).
		put("description", str(f.Description))
	if c := f.CorrectiveAction; c != nil {
		cn := newObj().put("cause", str(c.Cause)).put("action", str(c.Action)).put("owner", str(c.Owner)).
			put("due", date(c.Due)).put("done_on", date(c.DoneOn)).put("effective", optFlag(c.Effective)).
			put("verified_by", str(c.VerifiedBy)).put("evidence", evidence(c.Evidence)).node()
		if cn == nil {
			cn = &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle}
		}
		o.put("corrective_action", cn)
	}
	return o.put("evidence", evidence(f.Evidence)).node()
}

func review(r isms.Review) *yaml.Node {
	in := newObj()
	for _, k := range isms.ReviewInputKeys {
		in.put(k, str(*r.Inputs.Field(k)))
	}
	return newObj().put("id", str(r.ID)).put("date", date(r.Date)).put("chair", str(r.Chair)).
		put("inputs", in.node()).
		put("outputs", seq(r.Outputs, func(o isms.ReviewOutput) *yaml.Node {
			return newObj().put("decision", str(o.Decision)).put("owner", str(o.Owner)).put("due", date(o.Due)).node()
		})).node()
}
