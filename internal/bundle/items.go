package bundle

import (
	"github.com/cloudisms/cloudisms/internal/catalog"
	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/isms"
)

// Enumerations of bundle.md, exactly as listed.
var (
	editions         = []string{catalog.ISO27001v2022, catalog.ISO27001v2013}
	dutyValues       = []string{isms.DutyOperation, isms.DutyIncidentResponse, isms.DutyContinuity, isms.DutyChangeManagement, isms.DutyCustomerSupport}
	supplierKinds    = []string{"cloud-provider", "datacenter", "contractor", "partner"}
	siteKinds        = []string{"office", "datacenter", "cloud", "remote"}
	dcServices       = []string{"full-managed", "colocation"}
	locations        = []string{"cloud", "on-premises"}
	purposes         = []string{"application", "database", "backup", "monitoring", "management", "network", "other"}
	models           = []string{"iaas", "paas", "saas", "other"}
	roles            = []string{isms.RoleProvider, isms.RoleCustomer, isms.RoleBoth}
	soaRoles         = []string{isms.RoleProvider, isms.RoleCustomer}
	partnerActs      = []string{"reseller", "broker", "consultant", "integrator"}
	docKinds         = []string{"policy", "procedure", "record", "contract", "other"}
	CloudTopics      = []string{"virtualization", "multi-tenancy", "privileged-access", "data-location", "assets-in-cloud", "provider-relationship", "customer-relationship"}
	assetKinds       = []string{"information", "software", "hardware", "service", "people", "facility"}
	methods          = []string{isms.MethodLikelihoodImpact, isms.MethodATV}
	scaleFactors     = []string{isms.FactorLikelihood, isms.FactorImpact, isms.FactorThreat, isms.FactorVulnerability, isms.FactorAssetValue}
	treatments       = []string{isms.TreatModify, isms.TreatShare, isms.TreatAvoid, isms.TreatRetain}
	reasonValues     = []string{"risk", "legal", "contract", "business", "best-practice"}
	implValues       = []string{isms.ImplImplemented, isms.ImplPartial, isms.ImplPlanned, isms.ImplNotImplemented}
	verifyResults    = []string{isms.ResultMeets, isms.ResultGap}
	testResults      = []string{"pass", "fail"}
	findingKinds     = []string{isms.FindingMajor, isms.FindingMinor, isms.FindingObservation, isms.FindingGoodPractice}
	sourceListFields = "risk_sources"
)

func (d *decoder) top(root *node) *isms.ISMS {
	m := &isms.ISMS{}
	d.object(root, "", append([]field{
		{"format", true, func(v *node, p string) {
			m.Format = d.str(v, p)
			if v.kind == scalarNode && m.Format != isms.Format {
				d.fail(v, p, i18n.M("bundle.format", "value", m.Format, "want", isms.Format))
			}
		}},
		{"organization", true, func(v *node, p string) { d.organization(v, p, &m.Organization) }},
		{"units", false, func(v *node, p string) {
			d.list(v, p, func(it *node, ip string) { m.Units = append(m.Units, d.unit(it, ip)) })
		}},
		{"people", false, func(v *node, p string) {
			d.list(v, p, func(it *node, ip string) { m.People = append(m.People, d.person(it, ip)) })
		}},
		{"sites", false, func(v *node, p string) {
			d.list(v, p, func(it *node, ip string) { m.Sites = append(m.Sites, d.site(it, ip)) })
		}},
		{"systems", false, func(v *node, p string) {
			d.list(v, p, func(it *node, ip string) { m.Systems = append(m.Systems, d.system(it, ip)) })
		}},
		{"suppliers", false, func(v *node, p string) {
			d.list(v, p, func(it *node, ip string) { m.Suppliers = append(m.Suppliers, d.supplier(it, ip)) })
		}},
		{"cloud_services", true, func(v *node, p string) {
			d.list(v, p, func(it *node, ip string) { m.Services = append(m.Services, d.service(it, ip)) })
		}},
		{"documents", false, func(v *node, p string) {
			d.list(v, p, func(it *node, ip string) { m.Documents = append(m.Documents, d.document(it, ip)) })
		}},
		{"assets", false, func(v *node, p string) {
			d.list(v, p, func(it *node, ip string) { m.Assets = append(m.Assets, d.asset(it, ip)) })
		}},
		{"risk_criteria", true, func(v *node, p string) { d.criteria(v, p, &m.Criteria) }},
		{"risk_sources", false, func(v *node, p string) {
			d.list(v, p, func(it *node, ip string) { m.RiskSources = append(m.RiskSources, d.riskSource(it, ip)) })
		}},
		{"risk_sources_not_applicable", false, func(v *node, p string) {
			d.list(v, p, func(it *node, ip string) {
				var s isms.SourceNotApplicable
				d.object(it, ip, []field{
					{"source", true, func(v *node, p string) { s.Source = d.refTo(v, p, "source") }},
					{"reason", false, func(v *node, p string) { s.Reason = d.str(v, p) }},
				})
				m.SourcesNotApplicable = append(m.SourcesNotApplicable, s)
			})
		}},
		{"risks", false, func(v *node, p string) {
			d.list(v, p, func(it *node, ip string) { r := d.risk(it, ip); m.Risks = append(m.Risks, &r) })
		}},
		{"soa", false, func(v *node, p string) {
			d.list(v, p, func(it *node, ip string) { m.SoAs = append(m.SoAs, d.soa(it, ip)) })
		}},
		{"responsibilities", false, func(v *node, p string) {
			d.list(v, p, func(it *node, ip string) { m.Responsibilities = append(m.Responsibilities, d.responsibility(it, ip)) })
		}},
		{"verifications", false, func(v *node, p string) {
			d.list(v, p, func(it *node, ip string) { m.Verifications = append(m.Verifications, d.verification(it, ip)) })
		}},
		{"legal", false, func(v *node, p string) {
			d.list(v, p, func(it *node, ip string) { m.Legal = append(m.Legal, d.legal(it, ip)) })
		}},
		{"backups", false, func(v *node, p string) {
			d.list(v, p, func(it *node, ip string) { m.Backups = append(m.Backups, d.backup(it, ip)) })
		}},
		{"monitoring", false, func(v *node, p string) {
			d.list(v, p, func(it *node, ip string) { m.Monitoring = append(m.Monitoring, d.monitoring(it, ip)) })
		}},
		{"audits", false, func(v *node, p string) {
			d.list(v, p, func(it *node, ip string) { m.Audits = append(m.Audits, d.audit(it, ip)) })
		}},
		{"reviews", false, func(v *node, p string) {
			d.list(v, p, func(it *node, ip string) { m.Reviews = append(m.Reviews, d.review(it, ip)) })
		}},
	}, d.registerFields(m)...))
	return m
}

func (d *decoder) organization(n *node, path string, o *isms.Organization) {
	d.object(n, path, []field{
		{"id", true, func(v *node, p string) { o.ID = d.id(v, p, "organization") }},
		{"name", true, func(v *node, p string) { o.Name = d.str(v, p) }},
		{"name_en", false, func(v *node, p string) { o.NameEN = d.str(v, p) }},
		{"annex_a", true, func(v *node, p string) { o.AnnexA = d.enum(v, p, editions...) }},
		{"isms_scope", true, func(v *node, p string) { o.ISMSScope = d.str(v, p) }},
		{"cloud_scope", true, func(v *node, p string) { o.CloudScope = d.str(v, p) }},
		{"scope_approval", false, func(v *node, p string) { o.ScopeApproval = d.approval(v, p) }},
		{"climate_change_relevant", false, func(v *node, p string) { o.ClimateChangeRelevant = d.boolean(v, p) }},
		{"climate_change_note", false, func(v *node, p string) { o.ClimateChangeNote = d.str(v, p) }},
	})
}

func (d *decoder) unit(n *node, path string) (u isms.Unit) {
	d.object(n, path, []field{
		{"id", true, func(v *node, p string) { u.ID = d.id(v, p, "units") }},
		{"name", false, func(v *node, p string) { u.Name = d.str(v, p) }},
		{"in_isms_scope", false, func(v *node, p string) { u.InISMSScope = d.boolean(v, p) }},
	})
	return u
}

func (d *decoder) person(n *node, path string) (x isms.Person) {
	d.object(n, path, []field{
		{"id", true, func(v *node, p string) { x.ID = d.id(v, p, "people") }},
		{"name", false, func(v *node, p string) { x.Name = d.str(v, p) }},
		{"unit", false, func(v *node, p string) { x.Unit = d.refTo(v, p, "units") }},
		{"isms_personnel", false, func(v *node, p string) { x.ISMSPersonnel = d.boolean(v, p) }},
		{"cloud_security_personnel", false, func(v *node, p string) { x.CloudSecurityPersonnel = d.boolean(v, p) }},
		{"cloud_duties", false, func(v *node, p string) { x.CloudDuties = d.strs(v, p, d.enums(dutyValues...)) }},
		{"top_management", false, func(v *node, p string) { x.TopManagement = d.boolean(v, p) }},
	})
	return x
}

func (d *decoder) supplier(n *node, path string) (s isms.Supplier) {
	d.object(n, path, []field{
		{"id", true, func(v *node, p string) { s.ID = d.id(v, p, "suppliers") }},
		{"name", false, func(v *node, p string) { s.Name = d.str(v, p) }},
		{"kind", false, func(v *node, p string) { s.Kind = d.enum(v, p, supplierKinds...) }},
	})
	return s
}

func (d *decoder) site(n *node, path string) (s isms.Site) {
	d.object(n, path, []field{
		{"id", true, func(v *node, p string) { s.ID = d.id(v, p, "sites") }},
		{"name", false, func(v *node, p string) { s.Name = d.str(v, p) }},
		{"kind", false, func(v *node, p string) { s.Kind = d.enum(v, p, siteKinds...) }},
		{"in_isms_scope", false, func(v *node, p string) { s.InISMSScope = d.boolean(v, p) }},
		{"datacenter_service", false, func(v *node, p string) { s.DatacenterService = d.enum(v, p, dcServices...) }},
		{"onsite_work", false, func(v *node, p string) { s.OnsiteWork = d.boolean(v, p) }},
		{"supplier", false, func(v *node, p string) { s.Supplier = d.refTo(v, p, "suppliers") }},
	})
	return s
}

func (d *decoder) system(n *node, path string) (s isms.System) {
	d.object(n, path, []field{
		{"id", true, func(v *node, p string) { s.ID = d.id(v, p, "systems") }},
		{"name", false, func(v *node, p string) { s.Name = d.str(v, p) }},
		{"location", false, func(v *node, p string) { s.Location = d.enum(v, p, locations...) }},
		{"site", false, func(v *node, p string) { s.Site = d.refTo(v, p, "sites") }},
		{"purpose", false, func(v *node, p string) { s.Purpose = d.enum(v, p, purposes...) }},
		{"supports", false, func(v *node, p string) { s.Supports = d.strs(v, p, d.refs_("cloud_services")) }},
		{"in_service_catalog", false, func(v *node, p string) { s.InServiceCatalog = d.boolean(v, p) }},
		{"in_scope", false, func(v *node, p string) { s.InScope = d.boolean(v, p) }},
	})
	return s
}

func (d *decoder) service(n *node, path string) (s isms.CloudService) {
	d.object(n, path, []field{
		{"id", true, func(v *node, p string) { s.ID = d.id(v, p, "cloud_services") }},
		{"name", true, func(v *node, p string) { s.Name = d.str(v, p) }},
		{"model", true, func(v *node, p string) { s.Model = d.enum(v, p, models...) }},
		{"role", true, func(v *node, p string) { s.Role = d.enum(v, p, roles...) }},
		{"provider", true, func(v *node, p string) { s.Provider = d.refTo(v, p, "provider") }},
		{"partner_activity", false, func(v *node, p string) { s.PartnerActivity = d.enum(v, p, partnerActs...) }},
		{"uses", false, func(v *node, p string) { s.Uses = d.strs(v, p, d.refs_("cloud_services")) }},
		{"in_scope", true, func(v *node, p string) {
			if b := d.boolean(v, p); b != nil {
				s.InScope = *b
			}
		}},
		{"data_locations", false, func(v *node, p string) { s.DataLocations = d.strs(v, p, d.text) }},
		{"sla", false, func(v *node, p string) { s.SLA = d.str(v, p) }},
		{"disclosure", false, func(v *node, p string) { s.Disclosure = d.serviceDisclosure(v, p) }},
	})
	return s
}

func (d *decoder) document(n *node, path string) (x isms.Document) {
	d.object(n, path, []field{
		{"id", true, func(v *node, p string) { x.ID = d.id(v, p, "documents") }},
		{"kind", false, func(v *node, p string) { x.Kind = d.enum(v, p, docKinds...) }},
		{"title", false, func(v *node, p string) { x.Title = d.str(v, p) }},
		{"version", false, func(v *node, p string) { x.Version = d.str(v, p) }},
		{"approval", false, func(v *node, p string) { x.Approval = d.approval(v, p) }},
		{"cloud_topics", false, func(v *node, p string) { x.CloudTopics = d.strs(v, p, d.enums(CloudTopics...)) }},
		{"evidence", false, func(v *node, p string) { x.Evidence = d.evidence(v, p) }},
		{"clauses", false, func(v *node, p string) { x.Clauses = d.strs(v, p, d.clause) }},
		{"reviewed_on", false, func(v *node, p string) { x.ReviewedOn = d.date(v, p) }},
		{"review_interval_days", false, func(v *node, p string) { x.ReviewIntervalDays = d.positive(v, p) }},
	})
	return x
}

func (d *decoder) asset(n *node, path string) (a isms.Asset) {
	d.object(n, path, []field{
		{"id", true, func(v *node, p string) { a.ID = d.id(v, p, "assets") }},
		{"name", false, func(v *node, p string) { a.Name = d.str(v, p) }},
		{"kind", false, func(v *node, p string) { a.Kind = d.enum(v, p, assetKinds...) }},
		{"owner", false, func(v *node, p string) { a.Owner = d.refTo(v, p, "people") }},
		{"services", false, func(v *node, p string) { a.Services = d.strs(v, p, d.refs_("cloud_services")) }},
		{"systems", false, func(v *node, p string) { a.Systems = d.strs(v, p, d.refs_("systems")) }},
		{"confidentiality", false, func(v *node, p string) { a.Confidentiality = d.integer(v, p) }},
		{"integrity", false, func(v *node, p string) { a.Integrity = d.integer(v, p) }},
		{"availability", false, func(v *node, p string) { a.Availability = d.integer(v, p) }},
	})
	return a
}

func (d *decoder) criteria(n *node, path string, c *isms.RiskCriteria) {
	var scalesNode *node
	d.object(n, path, []field{
		{"method", true, func(v *node, p string) { c.Method = d.enum(v, p, methods...) }},
		{"scales", true, func(v *node, p string) {
			scalesNode = v
			c.Scales = map[string][]isms.ScaleLevel{}
			fs := make([]field, len(scaleFactors))
			for i, f := range scaleFactors {
				fs[i] = field{f, false, func(v *node, p string) { c.Scales[f] = d.scale(v, p) }}
			}
			d.object(v, p, fs)
		}},
		{"acceptance", true, func(v *node, p string) {
			if a := d.integer(v, p); a != nil {
				c.Acceptance = *a
			}
		}},
		{"reassessment_interval_days", false, func(v *node, p string) { c.ReassessmentIntervalDays = d.positive(v, p) }},
	})
	if scalesNode == nil || c.Method == "" {
		return
	}
	// The method decides which scales must be there.
	for _, f := range c.Factors() {
		if _, ok := c.Scales[f]; !ok {
			d.fail(scalesNode, join(join(path, "scales"), f), i18n.M("bundle.scale_missing", "factor", f, "method", c.Method))
		}
	}
}

// scale reads {level, label} entries that must run 1, 2, 3, ... in order.
func (d *decoder) scale(n *node, path string) []isms.ScaleLevel {
	var out []isms.ScaleLevel
	d.list(n, path, func(it *node, ip string) {
		var l isms.ScaleLevel
		d.object(it, ip, []field{
			{"level", true, func(v *node, p string) {
				if x := d.integer(v, p); x != nil {
					l.Level = *x
					if want := len(out) + 1; l.Level != want {
						d.fail(v, p, i18n.M("bundle.scale_order", "value", l.Level, "want", want))
					}
				}
			}},
			{"label", false, func(v *node, p string) { l.Label = d.str(v, p) }},
		})
		out = append(out, l)
	})
	if n.kind == seqNode && len(n.kids) == 0 {
		d.fail(n, path, i18n.M("bundle.scale_empty"))
	}
	return out
}

func (d *decoder) riskSource(n *node, path string) (s isms.RiskSource) {
	d.object(n, path, []field{
		{"id", true, func(v *node, p string) {
			s.ID = d.id(v, p, sourceListFields)
			if _, lib := d.cat.Source(s.ID); lib {
				d.fail(v, p, i18n.M("bundle.source_in_library", "id", s.ID))
			}
		}},
		{"title", true, func(v *node, p string) { s.Title = d.str(v, p) }},
		{"title_en", false, func(v *node, p string) { s.TitleEN = d.str(v, p) }},
		{"required", false, func(v *node, p string) { s.Required = d.boolean(v, p) }},
	})
	return s
}

// factor reads a risk factor that is a level (integer) or, with textOK, text.
func (d *decoder) factor(n *node, path string, textOK bool) isms.Factor {
	if n.kind == scalarNode && n.tag == "int" {
		if v := d.integer(n, path); v != nil {
			return isms.Factor{Set: true, IsInt: true, Int: *v}
		}
		return isms.Factor{}
	}
	if !textOK {
		d.wrongType(n, path, "int")
		return isms.Factor{}
	}
	if n.kind != scalarNode {
		d.wrongType(n, path, "int_or_text")
		return isms.Factor{}
	}
	return isms.Factor{Set: true, Text: n.value}
}

func (d *decoder) risk(n *node, path string) (r isms.Risk) {
	d.object(n, path, []field{
		{"id", true, func(v *node, p string) { r.ID = d.id(v, p, "risks") }},
		{"title", true, func(v *node, p string) { r.Title = d.str(v, p) }},
		{"sources", false, func(v *node, p string) { r.Sources = d.strs(v, p, d.refs_("source")) }},
		{"services", false, func(v *node, p string) { r.Services = d.strs(v, p, d.refs_("cloud_services")) }},
		{"assets", false, func(v *node, p string) { r.Assets = d.strs(v, p, d.refs_("assets")) }},
		{"threat", false, func(v *node, p string) { r.Threat = d.factor(v, p, true) }},
		{"vulnerability", false, func(v *node, p string) { r.Vulnerability = d.factor(v, p, true) }},
		{"likelihood", false, func(v *node, p string) { r.Likelihood = d.factor(v, p, false) }},
		{"impact", false, func(v *node, p string) { r.Impact = d.factor(v, p, false) }},
		{"owner", false, func(v *node, p string) { r.Owner = d.refTo(v, p, "people") }},
		{"treatment", true, func(v *node, p string) { r.Treatment = d.enum(v, p, treatments...) }},
		{"controls", false, func(v *node, p string) { r.Controls = d.strs(v, p, d.refs_("control")) }},
		{"residual", false, func(v *node, p string) {
			res := &isms.Residual{}
			d.object(v, p, []field{
				{"likelihood", false, func(v *node, p string) { res.Likelihood = d.factor(v, p, false) }},
				{"impact", false, func(v *node, p string) { res.Impact = d.factor(v, p, false) }},
				{"threat", false, func(v *node, p string) { res.Threat = d.factor(v, p, true) }},
				{"vulnerability", false, func(v *node, p string) { res.Vulnerability = d.factor(v, p, true) }},
				{"asset_value", false, func(v *node, p string) { res.AssetValue = d.factor(v, p, false) }},
			})
			r.Residual = res
		}},
		{"plan", false, func(v *node, p string) { r.Plan = d.planActions(v, p) }},
		{"approval", false, func(v *node, p string) {
			a := &isms.RiskApproval{}
			d.object(v, p, []field{
				{"by", true, func(v *node, p string) { a.By = d.refTo(v, p, "people") }},
				{"date", true, func(v *node, p string) { a.Date = d.date(v, p) }},
				{"residual_accepted", false, func(v *node, p string) { a.ResidualAccepted = d.boolean(v, p) }},
			})
			r.Approval = a
		}},
		{"assessed_on", false, func(v *node, p string) { r.AssessedOn = d.date(v, p) }},
		{"evidence", false, func(v *node, p string) { r.Evidence = d.evidence(v, p) }},
	})
	return r
}

func (d *decoder) soa(n *node, path string) (s isms.SoA) {
	var roleNode *node
	d.object(n, path, []field{
		{"service", false, func(v *node, p string) { s.Service = d.refTo(v, p, "cloud_services") }},
		{"role", false, func(v *node, p string) { roleNode = v; s.Role = d.enum(v, p, soaRoles...) }},
		{"approval", false, func(v *node, p string) { s.Approval = d.approval(v, p) }},
		{"rows", false, func(v *node, p string) {
			seen := map[string]int{}
			d.list(v, p, func(it *node, ip string) {
				row := d.soaRow(it, ip)
				if first, dup := seen[row.Control]; dup && row.Control != "" {
					d.fail(it, join(ip, "control"), i18n.M("bundle.duplicate_row", "control", row.Control, "line", first))
				}
				seen[row.Control] = int(it.line)
				s.Rows = append(s.Rows, row)
			})
		}},
	})
	switch {
	case s.Service != "" && roleNode == nil:
		d.fail(n, join(path, "role"), i18n.M("bundle.soa_role_required"))
	case s.Service == "" && roleNode != nil:
		d.fail(roleNode, join(path, "role"), i18n.M("bundle.soa_role_without_service"))
	}
	key := "organization"
	if s.Service != "" {
		key = s.Service + "/" + s.Role
	}
	if d.seen["soa"] == nil {
		d.seen["soa"] = map[string]int{}
	}
	if first, dup := d.seen["soa"][key]; dup {
		d.fail(n, path, i18n.M("bundle.duplicate_soa", "soa", key, "line", first))
	}
	d.seen["soa"][key] = int(n.line)
	return s
}

func (d *decoder) soaRow(n *node, path string) (r isms.SoARow) {
	d.object(n, path, []field{
		{"control", true, func(v *node, p string) { r.Control = d.refTo(v, p, "control") }},
		{"applicable", false, func(v *node, p string) { r.Applicable = d.boolean(v, p) }},
		{"reasons", false, func(v *node, p string) { r.Reasons = d.strs(v, p, d.enums(reasonValues...)) }},
		{"implementation", false, func(v *node, p string) { r.Implementation = d.enum(v, p, implValues...) }},
		{"justification", false, func(v *node, p string) { r.Justification = d.str(v, p) }},
		{"notes", false, func(v *node, p string) { r.Notes = d.str(v, p) }},
		{"evidence", false, func(v *node, p string) { r.Evidence = d.evidence(v, p) }},
	})
	return r
}

func (d *decoder) responsibility(n *node, path string) (r isms.Responsibility) {
	d.object(n, path, []field{
		{"service", true, func(v *node, p string) { r.Service = d.refTo(v, p, "cloud_services") }},
		{"control", false, func(v *node, p string) { r.Control = d.refTo(v, p, "control") }},
		{"area", false, func(v *node, p string) { r.Area = d.str(v, p) }},
		{"provider", false, func(v *node, p string) { r.Provider = d.str(v, p) }},
		{"customer", false, func(v *node, p string) { r.Customer = d.str(v, p) }},
		{"documented_in", false, func(v *node, p string) { r.DocumentedIn = d.str(v, p) }},
	})
	return r
}

func (d *decoder) verification(n *node, path string) (x isms.Verification) {
	d.object(n, path, []field{
		{"id", true, func(v *node, p string) { x.ID = d.id(v, p, "verifications") }},
		{"service", true, func(v *node, p string) { x.Service = d.refTo(v, p, "cloud_services") }},
		{"control", false, func(v *node, p string) { x.Control = d.refTo(v, p, "control") }},
		{"provider_statement", false, func(v *node, p string) { x.ProviderStatement = d.str(v, p) }},
		{"result", false, func(v *node, p string) { x.Result = d.enum(v, p, verifyResults...) }},
		{"gap", false, func(v *node, p string) { x.Gap = d.str(v, p) }},
		{"risk", false, func(v *node, p string) { x.Risk = d.refTo(v, p, "risks") }},
		{"approval", false, func(v *node, p string) { x.Approval = d.approval(v, p) }},
		{"evidence", false, func(v *node, p string) { x.Evidence = d.evidence(v, p) }},
		{"date", false, func(v *node, p string) { x.Date = d.date(v, p) }},
		{"verification_interval_days", false, func(v *node, p string) { x.IntervalDays = d.positive(v, p) }},
	})
	return x
}

func (d *decoder) legal(n *node, path string) (x isms.LegalEntry) {
	d.object(n, path, []field{
		{"id", true, func(v *node, p string) { x.ID = d.id(v, p, "legal") }},
		{"name", false, func(v *node, p string) { x.Name = d.str(v, p) }},
		{"jurisdictions", false, func(v *node, p string) { x.Jurisdictions = d.strs(v, p, d.text) }},
		{"services", false, func(v *node, p string) { x.Services = d.strs(v, p, d.refs_("cloud_services")) }},
		{"evidence_from_provider", false, func(v *node, p string) { x.EvidenceFromProvider = d.boolean(v, p) }},
		{"notes", false, func(v *node, p string) { x.Notes = d.str(v, p) }},
	})
	return x
}

func (d *decoder) backup(n *node, path string) (b isms.Backup) {
	d.object(n, path, []field{
		{"service", true, func(v *node, p string) { b.Service = d.refTo(v, p, "cloud_services") }},
		{"policy", false, func(v *node, p string) { b.Policy = d.str(v, p) }},
		{"restore_test_interval_days", false, func(v *node, p string) { b.RestoreTestIntervalDays = d.positive(v, p) }},
		{"tests", false, func(v *node, p string) {
			d.list(v, p, func(it *node, ip string) {
				var t isms.RestoreTest
				d.object(it, ip, []field{
					{"date", true, func(v *node, p string) { t.Date = d.date(v, p) }},
					{"result", true, func(v *node, p string) { t.Result = d.enum(v, p, testResults...) }},
					{"by", false, func(v *node, p string) { t.By = d.refTo(v, p, "people") }},
					{"notes", false, func(v *node, p string) { t.Notes = d.str(v, p) }},
					{"evidence", false, func(v *node, p string) { t.Evidence = d.evidence(v, p) }},
				})
				b.Tests = append(b.Tests, t)
			})
		}},
	})
	return b
}

func (d *decoder) monitoring(n *node, path string) (m isms.Monitoring) {
	d.object(n, path, []field{
		{"service", true, func(v *node, p string) { m.Service = d.refTo(v, p, "cloud_services") }},
		{"items", false, func(v *node, p string) {
			d.list(v, p, func(it *node, ip string) {
				var x isms.MonitoringItem
				d.object(it, ip, []field{
					{"what", true, func(v *node, p string) { x.What = d.str(v, p) }},
					{"method", false, func(v *node, p string) { x.Method = d.str(v, p) }},
					{"threshold", false, func(v *node, p string) { x.Threshold = d.str(v, p) }},
					{"owner", false, func(v *node, p string) { x.Owner = d.refTo(v, p, "people") }},
					{"evidence", false, func(v *node, p string) { x.Evidence = d.evidence(v, p) }},
				})
				m.Items = append(m.Items, x)
			})
		}},
	})
	return m
}

func (d *decoder) audit(n *node, path string) (a isms.Audit) {
	d.object(n, path, []field{
		{"id", true, func(v *node, p string) { a.ID = d.id(v, p, "audits") }},
		{"title", false, func(v *node, p string) { a.Title = d.str(v, p) }},
		{"start", false, func(v *node, p string) { a.Start = d.date(v, p) }},
		{"end", false, func(v *node, p string) { a.End = d.date(v, p) }},
		{"services", false, func(v *node, p string) { a.Services = d.strs(v, p, d.refs_("cloud_services")) }},
		{"units", false, func(v *node, p string) { a.Units = d.strs(v, p, d.refs_("units")) }},
		{"auditors", false, func(v *node, p string) { a.Auditors = d.strs(v, p, d.refs_("people")) }},
		{"criteria", false, func(v *node, p string) { a.Criteria = d.strs(v, p, d.text) }},
		{"findings", false, func(v *node, p string) {
			list := "audits/" + a.ID + "/findings"
			d.list(v, p, func(it *node, ip string) { a.Findings = append(a.Findings, d.finding(it, ip, list)) })
		}},
	})
	if !a.Start.IsZero() && !a.End.IsZero() && a.End.Before(a.Start) {
		d.fail(n, join(path, "end"), i18n.M("bundle.end_before_start", "start", a.Start, "end", a.End))
	}
	return a
}

func (d *decoder) finding(n *node, path, list string) (f isms.AuditFinding) {
	d.object(n, path, []field{
		{"id", true, func(v *node, p string) { f.ID = d.id(v, p, list) }},
		{"kind", false, func(v *node, p string) { f.Kind = d.enum(v, p, findingKinds...) }},
		{"control", false, func(v *node, p string) { f.Control = d.refTo(v, p, "control") }},
		{"description", false, func(v *node, p string) { f.Description = d.str(v, p) }},
		{"corrective_action", false, func(v *node, p string) { f.CorrectiveAction = d.correctiveAction(v, p) }},
		{"evidence", false, func(v *node, p string) { f.Evidence = d.evidence(v, p) }},
	})
	return f
}

func (d *decoder) review(n *node, path string) (r isms.Review) {
	d.object(n, path, []field{
		{"id", true, func(v *node, p string) { r.ID = d.id(v, p, "reviews") }},
		{"date", false, func(v *node, p string) { r.Date = d.date(v, p) }},
		{"chair", false, func(v *node, p string) { r.Chair = d.refTo(v, p, "people") }},
		{"inputs", false, func(v *node, p string) {
			fs := make([]field, 0, len(isms.ReviewInputKeys))
			for _, k := range isms.ReviewInputKeys {
				fs = append(fs, field{k, false, func(v *node, p string) { *r.Inputs.Field(k) = d.str(v, p) }})
			}
			d.object(v, p, fs)
		}},
		{"outputs", false, func(v *node, p string) {
			d.list(v, p, func(it *node, ip string) {
				var o isms.ReviewOutput
				d.object(it, ip, []field{
					{"decision", true, func(v *node, p string) { o.Decision = d.str(v, p) }},
					{"owner", false, func(v *node, p string) { o.Owner = d.refTo(v, p, "people") }},
					{"due", false, func(v *node, p string) { o.Due = d.date(v, p) }},
				})
				r.Outputs = append(r.Outputs, o)
			})
		}},
		{"evidence", false, func(v *node, p string) { r.Evidence = d.evidence(v, p) }},
	})
	return r
}
