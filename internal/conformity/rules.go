package conformity

import (
	"slices"
	"strings"

	"github.com/cloudisms/cloudisms/internal/catalog"
	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/isms"
)

type emitFn = func(subject string, msg i18n.Message)

// Where rules.md leaves a choice open, the choice made is written beside the
// rule; docs/rules.md explains the same for users.
var rules = []Rule{
	{"SCOPE-01", Error, AreaScope, "JIP-ISMS517 4.1", scope01},
	{"SCOPE-02", Error, AreaScope, "JIP-ISMS517 4.1; JIS Q 27017 3.2 (CSP)", scope02},
	{"SCOPE-03", Error, AreaScope, "JIP-ISMS517 4.1; JIS Q 27001 4.3", scope03},
	{"SCOPE-04", Error, AreaScope, "JIP-ISMS517 4.1; JIS Q 27001 4.3", scope04},
	{"SCOPE-05", Error, AreaScope, "JIP-ISMS517 4.1; JIS Q 27001 4.3", scope05},
	{"SCOPE-06", Error, AreaScope, "JIP-ISMS517 4.1", scope06},
	{"SCOPE-07", Error, AreaScope, "JIP-ISMS517 4.1", scope07},
	{"SCOPE-08", Error, AreaScope, "JIP-ISMS517 4.1; JIS Q 27001 4.3", scope08},
	{"SCOPE-09", Error, AreaScope, "JIP-ISMS517 4.1; JIS Q 27001 4.3; JIS Q 27017 15.1.3", scope09},
	{"SCOPE-10", Warning, AreaScope, "JIP-ISMS517 4.1; JIS Q 27001 4.3, 7.5", scope10},
	{"RISK-01", Error, AreaRisk, "JIS Q 27001 6.1.2; JIP-ISMS517 4.2.1", risk01},
	{"RISK-02", Warning, AreaRisk, "JIS Q 27001 6.1.2; JIP-ISMS517 4.2.1", risk02},
	{"RISK-03", Error, AreaRisk, "JIS Q 27001 6.1.2 c)–d)", eachRisk(risk03)},
	{"RISK-04", Error, AreaRisk, "JIS Q 27001 6.1.3 f)", eachRisk(risk04)},
	{"RISK-05", Error, AreaRisk, "JIS Q 27001 6.1.3 b)", eachRisk(risk05)},
	{"RISK-06", Error, AreaRisk, "JIS Q 27001 6.1.3 c)–d)", eachRisk(risk06)},
	{"RISK-07", Error, AreaRisk, "JIS Q 27001 6.1.3 f)", eachRisk(risk07)},
	{"RISK-08", Warning, AreaRisk, "JIS Q 27017 18.1.1; JIS Q 27001 4.2", risk08},
	{"RISK-09", Error, AreaRisk, "JIS Q 27001 8.2", eachRisk(risk09)},
	{"SOA-01", Error, AreaSoA, "JIS Q 27001 6.1.3 d); JIP-ISMS517 4.2.2", soa01},
	{"SOA-02", Error, AreaSoA, "JIS Q 27001 6.1.3 d)", soa02},
	{"SOA-03", Error, AreaSoA, "JIP-ISMS517 4.2.2", soa03},
	{"SOA-04", Error, AreaSoA, "JIS Q 27001 6.1.3 d)", soa04},
	{"SOA-05", Error, AreaSoA, "JIS Q 27017 (complements JIS Q 27002); JIP-ISMS517 4.2.2", soa05},
	{"SOA-06", Warning, AreaSoA, "JIP-ISMS517 4.2.2", soa06},
	{"SOA-07", Warning, AreaSoA, "JIS Q 27001 6.1.3 d), 7.5", soa07},
	{"SOA-08", Error, AreaSoA, "JIS Q 27001 6.1.3 d); JIS Q 27017 (complements JIS Q 27002); JIP-ISMS517 4.2.2", soa08},
	{"SOA-09", Warning, AreaSoA, "JIS Q 27001 6.1.3 c)–d)", soa09},
	{"RESP-01", Error, AreaProvider, "JIS Q 27017 6.1.1, CLD.6.3.1", resp01},
	{"VERIFY-01", Error, AreaProvider, "JIS Q 27017 9.2.4, 12.3.1, 18.1.1, CLD.12.4.5", verify01},
	{"VERIFY-02", Error, AreaProvider, "JIS Q 27001 6.1.2; JIS Q 27017 15.1.1", verify02},
	{"OPS-01", Error, AreaOps, "JIS Q 27017 12.3.1", ops01},
	{"OPS-02", Error, AreaOps, "JIS Q 27017 12.3.1", ops02},
	{"OPS-03", Error, AreaOps, "JIS Q 27017 CLD.12.4.5", ops03},
	{"POL-01", Error, AreaPolicy, "JIS Q 27017 5.1.1; JIS Q 27001 5.1, 5.2", pol01},
	{"AUD-01", Error, AreaAudit, "JIS Q 27001 9.2.1, 9.2.2 b); JIP-ISMS517 4.1", aud01},
	{"AUD-02", Error, AreaAudit, "JIS Q 27001 9.2.2 c)", aud02},
	{"AUD-03", Error, AreaAudit, "JIS Q 27001 10.2", aud03},
	{"AUD-04", Warning, AreaAudit, "JIS Q 27001 10.2", aud04},
	{"AUD-05", Warning, AreaAudit, "JIS Q 27001 10.2 d)", aud05},
	{"AUD-06", Warning, AreaAudit, "JIS Q 27001 9.2.1, 9.2.2 a)", aud06},
	{"MR-01", Error, AreaReview, "JIS Q 27001 9.3.1", mr01},
	{"MR-02", Error, AreaReview, "JIS Q 27001 9.3.1, 9.3.2, 9.3.3", mr02},
	{"EDITION-01", Error, AreaEdition, "IAF MD 26 (transition to ISO/IEC 27001:2022); JIP-ISMS517 3", edition01},
}

func init() {
	for id, ref := range map[string]string{
		"AUD-01": "JIS Q 27001 9.2 a), d); JIP-ISMS517 4.1",
		"AUD-02": "JIS Q 27001 9.2 e)",
		"AUD-03": "JIS Q 27001 10.1",
		"AUD-04": "JIS Q 27001 10.1",
		"AUD-05": "JIS Q 27001 10.1 d)",
		"AUD-06": "JIS Q 27001 9.2 a), c)",
		"MR-01":  "JIS Q 27001 9.3",
		"MR-02":  "JIS Q 27001 9.3",
	} {
		ref2013[id] = ref
	}
}

const orgSubject = "organization"

// --- Scope ---------------------------------------------------------------

func scope01(c *ctx, emit emitFn) {
	if len(c.inScope()) == 0 {
		emit(orgSubject, i18n.M("rule.SCOPE-01"))
	}
}

// SCOPE-02 looks at every service, in scope or not.
func scope02(c *ctx, emit emitFn) {
	for _, s := range c.m.Services {
		if s.IsProvider() && s.Provider != isms.ProviderSelf {
			emit("cloud_services/"+s.ID, i18n.M("rule.SCOPE-02", "service", s.ID, "role", s.Role, "provider", s.Provider))
		}
	}
}

func scope03(c *ctx, emit emitFn) {
	for _, s := range c.inScope() {
		if !s.IsProvider() {
			continue
		}
		for _, u := range s.Uses {
			used := c.svc[u]
			if used != nil && used.InScope && used.IsCustomer() {
				continue
			}
			emit("cloud_services/"+s.ID+"/uses/"+u, i18n.M("rule.SCOPE-03", "service", s.ID, "used", u))
		}
	}
}

// SCOPE-04: the first supported service that calls for the system names
// the finding; a service the system provides for comes before one it
// manages (one finding per system).
func scope04(c *ctx, emit emitFn) {
	for _, sys := range c.m.Systems {
		if isms.IsTrue(sys.InScope) {
			continue
		}
		managed := ""
		for _, id := range sys.Supports {
			s := c.svc[id]
			if s == nil || !s.InScope {
				continue
			}
			if s.IsProvider() {
				emit("systems/"+sys.ID, i18n.M("rule.SCOPE-04", "system", sys.ID, "service", id))
				managed = ""
				break
			}
			if sys.Purpose == "management" && managed == "" {
				managed = id
			}
		}
		if managed != "" {
			emit("systems/"+sys.ID, i18n.M("rule.SCOPE-04.management", "system", sys.ID, "service", managed))
		}
	}
}

func scope05(c *ctx, emit emitFn) {
	for _, sys := range c.m.Systems {
		if !isms.IsTrue(sys.InScope) || sys.Site == "" {
			continue
		}
		site := c.sites[sys.Site]
		if site == nil || site.InScope() || site.Kind == "cloud" {
			continue
		}
		if site.Kind == "datacenter" && site.DatacenterService == "full-managed" &&
			site.OnsiteWork != nil && !*site.OnsiteWork && site.Supplier != "" {
			continue
		}
		emit("systems/"+sys.ID, i18n.M("rule.SCOPE-05", "system", sys.ID, "site", site.ID))
	}
}

// SCOPE-06 names the duties that call for cloud security personnel (every
// duty but customer-support).
func scope06(c *ctx, emit emitFn) {
	for _, p := range c.m.People {
		if isms.IsTrue(p.CloudSecurityPersonnel) {
			continue
		}
		var duties []string
		for _, d := range p.CloudDuties {
			if d != isms.DutyCustomerSupport && !contains(duties, d) {
				duties = append(duties, d)
			}
		}
		if len(duties) > 0 {
			emit("people/"+p.ID, i18n.M("rule.SCOPE-06", "person", p.ID, "duties", duties))
		}
	}
}

// SCOPE-07: a person without a unit is not "in a unit outside the scope".
func scope07(c *ctx, emit emitFn) {
	for _, p := range c.m.People {
		if !isms.IsTrue(p.CloudSecurityPersonnel) {
			continue
		}
		notISMS := !isms.IsTrue(p.ISMSPersonnel)
		u := c.units[p.Unit]
		outUnit := u != nil && !u.InScope()
		switch {
		case notISMS && outUnit:
			emit("people/"+p.ID, i18n.M("rule.SCOPE-07.both", "person", p.ID, "unit", p.Unit))
		case notISMS:
			emit("people/"+p.ID, i18n.M("rule.SCOPE-07.personnel", "person", p.ID))
		case outUnit:
			emit("people/"+p.ID, i18n.M("rule.SCOPE-07.unit", "person", p.ID, "unit", p.Unit))
		}
	}
}

// SCOPE-08 compares the name exactly as written (a substring of cloud_scope).
func scope08(c *ctx, emit emitFn) {
	for _, s := range c.inScope() {
		if s.Name != "" && !strings.Contains(c.m.Organization.CloudScope, s.Name) {
			emit("cloud_services/"+s.ID, i18n.M("rule.SCOPE-08", "service", s.ID, "name", s.Name))
		}
	}
}

// SCOPE-09 reads the ICT supply chain from the infrastructure: the
// supplier of the cloud site an in-scope system of the service stands at
// must be the provider of an in-scope customer-role service.
func scope09(c *ctx, emit emitFn) {
	usedFrom := map[string]bool{} // providers of in-scope customer-role services
	for _, s := range c.inScope() {
		if s.IsCustomer() {
			usedFrom[s.Provider] = true
		}
	}
	for _, sys := range c.m.Systems {
		if !isms.IsTrue(sys.InScope) {
			continue
		}
		site := c.sites[sys.Site]
		if site == nil || site.Kind != "cloud" || site.Supplier == "" || usedFrom[site.Supplier] {
			continue
		}
		for _, id := range sys.Supports {
			if s := c.svc[id]; s != nil && s.InScope && s.IsProvider() {
				emit("cloud_services/"+id+"/suppliers/"+site.Supplier,
					i18n.M("rule.SCOPE-09", "service", id, "supplier", site.Supplier, "system", sys.ID, "site", site.ID))
			}
		}
	}
}

func scope10(c *ctx, emit emitFn) {
	if c.m.Organization.ScopeApproval == nil {
		emit(orgSubject, i18n.M("rule.SCOPE-10"))
	}
}

// --- Risk ------------------------------------------------------------------

func risk01(c *ctx, emit emitFn) {
	named := c.risks().services
	for _, s := range c.inScope() {
		if named[s.ID] == 0 {
			emit("cloud_services/"+s.ID, i18n.M("rule.RISK-01", "service", s.ID))
		}
	}
}

// RISK-02 covers the library's required sources and the organization's own
// sources marked required.
func risk02(c *ctx, emit emitFn) {
	named := map[string]bool{}
	for s := range c.risks().sources {
		named[s] = true
	}
	for _, na := range c.m.SourcesNotApplicable {
		if !isms.IsBlank(na.Reason) {
			named[na.Source] = true
		}
	}
	var required []string
	for _, s := range c.cat.Sources {
		if s.Required {
			required = append(required, s.ID)
		}
	}
	for _, s := range c.m.RiskSources {
		if isms.IsTrue(s.Required) {
			required = append(required, s.ID)
		}
	}
	for _, id := range required {
		if !named[id] {
			emit("risk_sources/"+id, i18n.M("rule.RISK-02", "source", id))
		}
	}
}

// The risk rules that judge each risk on its own are written per risk
// (eachRisk runs them over the register), so that an edit of one risk
// re-evaluates that risk only (Checked.Update).

func risk03(c *ctx, r *isms.Risk, emit emitFn) {
	a := c.assess.Assess(r)
	var problems []string
	if r.Owner == "" {
		problems = append(problems, "owner")
	}
	problems = append(problems, a.Problems...)
	if len(problems) > 0 {
		emit("risks/"+r.ID, i18n.M("rule.RISK-03", "risk", r.ID, "fields", problems, "method", c.m.Criteria.Method))
	}
}

// risk04Fires reports whether RISK-04 fires on a risk (RISK-07 stays quiet
// on such a risk: one fact, one finding).
func (c *ctx) risk04Fires(r *isms.Risk) (isms.Assessment, bool) {
	a := c.assess.Assess(r)
	return a, a.OK && a.Level > c.m.Criteria.Acceptance && r.Treatment == isms.TreatRetain && !r.ResidualAcceptedByOwner()
}

func risk04(c *ctx, r *isms.Risk, emit emitFn) {
	if a, fires := c.risk04Fires(r); fires {
		emit("risks/"+r.ID, i18n.M("rule.RISK-04", "risk", r.ID, "level", a.Level, "acceptance", c.m.Criteria.Acceptance))
	}
}

func risk05(_ *ctx, r *isms.Risk, emit emitFn) {
	if r.Treatment == isms.TreatModify && len(r.Controls) == 0 {
		emit("risks/"+r.ID, i18n.M("rule.RISK-05", "risk", r.ID))
	}
}

// RISK-06 checks each control a risk names against the SoAs of the services
// the risk names (any service; every SoA it has), or the organization's SoA
// for a risk that names none. A named service with no SoA at all gives no
// finding (SOA-01 reports the missing SoA, v2). Choice: a 27017 item or
// CLD control is not looked for in an SoA whose role it gives no guidance
// for, since such an SoA has no row for it by design.
func risk06(c *ctx, r *isms.Risk, emit emitFn) {
	for _, ctl := range r.Controls {
		item, _ := c.cat.Lookup(ctl)
		check := func(service, role, subject string) {
			if service != "" && item != nil && item.Is27017() && !item.GuidesRole(role) {
				return
			}
			if !c.applicable(service, role, ctl) {
				emit("risks/"+r.ID+"/controls/"+ctl+"/"+subject,
					i18n.M("rule.RISK-06", "risk", r.ID, "control", ctl, "soa", subject))
			}
		}
		if len(r.Services) == 0 {
			check("", "", "soa/organization")
			continue
		}
		for _, sid := range r.Services {
			for _, role := range []string{isms.RoleProvider, isms.RoleCustomer} {
				if c.svcSoA[sid+"/"+role] != nil {
					check(sid, role, "soa/"+sid+"/"+role)
				}
			}
		}
	}
}

// RISK-07 is quiet on a risk RISK-04 reports (v2).
func risk07(c *ctx, r *isms.Risk, emit emitFn) {
	if _, fires := c.risk04Fires(r); fires {
		return
	}
	if !r.ApprovedByOwner() {
		emit("risks/"+r.ID, i18n.M("rule.RISK-07.approval", "risk", r.ID, "owner", r.Owner))
		return
	}
	a := c.assess.Assess(r)
	if a.OK && a.Residual > c.m.Criteria.Acceptance && !isms.IsTrue(r.Approval.ResidualAccepted) {
		emit("risks/"+r.ID, i18n.M("rule.RISK-07.residual", "risk", r.ID, "residual", a.Residual, "acceptance", c.m.Criteria.Acceptance))
	}
}

// RISK-08 (v2): each data location of an in-scope service must be among
// the jurisdictions of a legal entry naming that service; codes compare
// exactly.
func risk08(c *ctx, emit emitFn) {
	covered := map[string]bool{} // service + "/" + code
	for _, l := range c.m.Legal {
		for _, s := range l.Services {
			for _, j := range l.Jurisdictions {
				covered[s+"/"+j] = true
			}
		}
	}
	for _, s := range c.inScope() {
		for _, code := range s.DataLocations {
			if !covered[s.ID+"/"+code] {
				emit("cloud_services/"+s.ID+"/data_locations/"+code, i18n.M("rule.RISK-08", "service", s.ID, "location", code))
			}
		}
	}
}

// RISK-09: a risk's assessment date is its assessed_on, else the date of
// its approval; it must lie within the planned reassessment interval.
func risk09(c *ctx, r *isms.Risk, emit emitFn) {
	days := c.m.Criteria.ReassessmentInterval()
	d := r.AssessmentDate()
	switch {
	case d.IsZero():
		emit("risks/"+r.ID, i18n.M("rule.RISK-09.never", "risk", r.ID))
	case !d.Within(c.asOf, days):
		emit("risks/"+r.ID, i18n.M("rule.RISK-09", "risk", r.ID, "date", d, "days", days))
	}
}

// --- SoA ---------------------------------------------------------------------
// The SoA rules look at the organization's SoA and the SoAs of in-scope
// services: an out-of-scope service's SoA is outside the certification.

func soa01(c *ctx, emit emitFn) {
	if c.orgSoA == nil {
		emit("soa/organization", i18n.M("rule.SOA-01.organization"))
	}
	for _, s := range c.inScope() {
		for _, role := range s.Roles() {
			if c.svcSoA[s.ID+"/"+role] == nil {
				emit("soa/"+s.ID+"/"+role, i18n.M("rule.SOA-01.service", "service", s.ID, "role", role))
			}
		}
	}
}

func soa02(c *ctx, emit emitFn) {
	if c.orgSoA == nil {
		return
	}
	for _, ctl := range c.cat.AnnexA(c.edition) {
		if c.orgSoA.rows[ctl.ID] == nil {
			emit("soa/organization/"+ctl.ID, i18n.M("rule.SOA-02", "control", ctl.ID, "edition", c.edition))
		}
	}
}

func soa03(c *ctx, emit emitFn) {
	for _, ix := range c.checkedSoAs() {
		if ix.soa.IsOrganization() {
			continue
		}
		for _, item := range c.cat.Cloud {
			if item.GuidesRole(ix.soa.Role) && ix.rows[item.ID] == nil {
				emit(soaSubject(ix.soa)+"/"+item.ID, i18n.M("rule.SOA-03", "soa", soaSubject(ix.soa), "control", item.ID, "role", ix.soa.Role))
			}
		}
	}
}

// SOA-04 also fires for a row that does not say whether it is applicable.
func soa04(c *ctx, emit emitFn) {
	for _, ix := range c.checkedSoAs() {
		for _, r := range ix.soa.Rows {
			subj := soaSubject(ix.soa) + "/" + r.Control
			switch {
			case r.Applicable == nil:
				emit(subj, i18n.M("rule.SOA-04.unstated", "control", r.Control))
			case !*r.Applicable && isms.IsBlank(r.Justification):
				emit(subj, i18n.M("rule.SOA-04.justification", "control", r.Control))
			case *r.Applicable && (len(r.Reasons) == 0 || r.Implementation == ""):
				var missing []string
				if len(r.Reasons) == 0 {
					missing = append(missing, "reasons")
				}
				if r.Implementation == "" {
					missing = append(missing, "implementation")
				}
				emit(subj, i18n.M("rule.SOA-04.applicable", "control", r.Control, "fields", missing))
			}
		}
	}
}

func soa05(c *ctx, emit emitFn) {
	for _, ix := range c.checkedSoAs() {
		for _, r := range ix.soa.Rows {
			item, ok := c.cat.Lookup(r.Control)
			if !ok || item.Kind != "guidance" || !r.IsApplicable() {
				continue
			}
			bases := c.cat.Bases(item, c.edition)
			if slices.ContainsFunc(bases, func(b string) bool { return c.applicable(ix.soa.Service, ix.soa.Role, b) }) {
				continue
			}
			emit(soaSubject(ix.soa)+"/"+r.Control, i18n.M("rule.SOA-05", "control", r.Control, "bases", bases))
		}
	}
}

func soa06(c *ctx, emit emitFn) {
	for _, ix := range c.checkedSoAs() {
		for _, r := range ix.soa.Rows {
			item, ok := c.cat.Lookup(r.Control)
			if ok && item.Is27017() && r.Applicable != nil && !*r.Applicable {
				emit(soaSubject(ix.soa)+"/"+r.Control, i18n.M("rule.SOA-06", "control", r.Control))
			}
		}
	}
}

func soa07(c *ctx, emit emitFn) {
	for _, ix := range c.checkedSoAs() {
		if ix.soa.Approval == nil {
			emit(soaSubject(ix.soa), i18n.M("rule.SOA-07", "soa", soaSubject(ix.soa)))
		}
	}
}

// SOA-08: a service SoA's own Annex A row may not adopt what the
// organization's SoA excludes. Choice: "not applicable" is an organization
// row with applicable: false; a row that does not say is SOA-04's.
func soa08(c *ctx, emit emitFn) {
	if c.orgSoA == nil {
		return
	}
	for _, ix := range c.checkedSoAs() {
		if ix.soa.IsOrganization() {
			continue
		}
		for _, r := range ix.soa.Rows {
			if !r.IsApplicable() {
				continue
			}
			if item, ok := c.cat.Lookup(r.Control); !ok || item.Is27017() {
				continue
			}
			org := c.orgSoA.rows[r.Control]
			if org == nil || org.Applicable == nil || *org.Applicable {
				continue
			}
			emit(soaSubject(ix.soa)+"/"+r.Control, i18n.M("rule.SOA-08", "soa", soaSubject(ix.soa), "control", r.Control))
		}
	}
}

// SOA-09: "risk" as a reason needs a risk that names the control: for the
// organization's SoA any risk, for a service SoA a risk naming the service
// or naming none.
func soa09(c *ctx, emit emitFn) {
	named := c.risks()
	for _, ix := range c.checkedSoAs() {
		for _, r := range ix.soa.Rows {
			if !r.IsApplicable() || !contains(r.Reasons, "risk") || named.named(ix.soa, r.Control) {
				continue
			}
			emit(soaSubject(ix.soa)+"/"+r.Control, i18n.M("rule.SOA-09", "soa", soaSubject(ix.soa), "control", r.Control))
		}
	}
}

// --- Provider and customer ------------------------------------------------

func resp01(c *ctx, emit emitFn) {
	has := map[string]bool{}
	for _, r := range c.m.Responsibilities {
		has[r.Service] = true
	}
	for _, s := range c.inScope() {
		if !has[s.ID] {
			emit("cloud_services/"+s.ID, i18n.M("rule.RESP-01", "service", s.ID))
		}
	}
}

// verifiedControls are the customer SoA items that need a verification.
var verifiedControls = []string{"27017:9.2.4", "27017:12.3.1", "27017:18.1.1", "CLD.12.4.5"}

// VERIFY-01 (v2) counts current verifications only: made (its date, else
// its approval date) within its own interval.
func verify01(c *ctx, emit emitFn) {
	has := map[string]bool{}
	for i := range c.m.Verifications {
		v := &c.m.Verifications[i]
		if d := v.VerifiedOn(); !d.IsZero() && d.Within(c.asOf, v.Interval()) {
			has[v.Service+"/"+v.Control] = true
		}
	}
	for _, s := range c.inScope() {
		if !s.IsCustomer() {
			continue
		}
		ix := c.svcSoA[s.ID+"/"+isms.RoleCustomer]
		if ix == nil {
			continue
		}
		for _, ctl := range verifiedControls {
			if r := ix.rows[ctl]; r != nil && r.IsApplicable() && !has[s.ID+"/"+ctl] {
				emit("cloud_services/"+s.ID+"/verifications/"+ctl, i18n.M("rule.VERIFY-01", "service", s.ID, "control", ctl))
			}
		}
	}
}

// VERIFY-02 (v2): the risk a gap names must be about the verification's
// service.
func verify02(c *ctx, emit emitFn) {
	// Only the risks gaps name are looked up: one pass, no index of the
	// whole register.
	risks := map[string]*isms.Risk{}
	for _, v := range c.m.Verifications {
		if v.Result == isms.ResultGap && v.Risk != "" {
			risks[v.Risk] = nil
		}
	}
	if len(risks) > 0 {
		for i := range c.m.Risks {
			if _, ok := risks[c.m.Risks[i].ID]; ok {
				risks[c.m.Risks[i].ID] = c.m.Risks[i]
			}
		}
	}
	for _, v := range c.m.Verifications {
		if v.Result != isms.ResultGap {
			continue
		}
		if v.Risk == "" {
			emit("verifications/"+v.ID, i18n.M("rule.VERIFY-02", "verification", v.ID, "service", v.Service))
			continue
		}
		if r := risks[v.Risk]; r == nil || !contains(r.Services, v.Service) {
			emit("verifications/"+v.ID, i18n.M("rule.VERIFY-02.unrelated", "verification", v.ID, "service", v.Service, "risk", v.Risk))
		}
	}
}

// --- Operations ----------------------------------------------------------

// backupControls are the Annex A backup control of the edition and the
// 27017 item.
func (c *ctx) backupControls() []string {
	if c.edition == catalog.ISO27001v2013 {
		return []string{"A.12.3.1", "27017:12.3.1"}
	}
	return []string{"8.13", "27017:12.3.1"}
}

// applicableInOwnSoAs: applicable in the effective rows of one of the
// SoAs the service's roles call for (present or not: a missing service SoA
// leaves the organization's rows effective).
func (c *ctx) applicableInOwnSoAs(s *isms.CloudService, controls ...string) bool {
	for _, role := range s.Roles() {
		for _, ctl := range controls {
			if c.applicable(s.ID, role, ctl) {
				return true
			}
		}
	}
	return false
}

func ops01(c *ctx, emit emitFn) {
	has := map[string]bool{}
	for _, b := range c.m.Backups {
		has[b.Service] = true
	}
	for _, s := range c.inScope() {
		if !has[s.ID] && c.applicableInOwnSoAs(s, c.backupControls()...) {
			emit("cloud_services/"+s.ID, i18n.M("rule.OPS-01", "service", s.ID))
		}
	}
}

// OPS-02 looks at the backups entries of in-scope services.
func ops02(c *ctx, emit emitFn) {
	for _, b := range c.m.Backups {
		if s := c.svc[b.Service]; s == nil || !s.InScope {
			continue
		}
		ok := slices.ContainsFunc(b.Tests, func(t isms.RestoreTest) bool {
			return t.Result == "pass" && t.Date.Within(c.asOf, b.Interval())
		})
		if !ok {
			emit("backups/"+b.Service, i18n.M("rule.OPS-02", "service", b.Service, "days", b.Interval()))
		}
	}
}

func ops03(c *ctx, emit emitFn) {
	has := map[string]bool{}
	for _, m := range c.m.Monitoring {
		if len(m.Items) > 0 {
			has[m.Service] = true
		}
	}
	for _, s := range c.inScope() {
		if !has[s.ID] && c.applicableInOwnSoAs(s, "CLD.12.4.5") {
			emit("cloud_services/"+s.ID, i18n.M("rule.OPS-03", "service", s.ID))
		}
	}
}

// --- Policy -----------------------------------------------------------------

var (
	providerTopics = []string{"virtualization", "multi-tenancy", "privileged-access"}
	customerTopics = []string{"assets-in-cloud", "privileged-access", "data-location"}
)

func pol01(c *ctx, emit emitFn) {
	var need []string
	add := func(ts []string) {
		for _, t := range ts {
			if !contains(need, t) {
				need = append(need, t)
			}
		}
	}
	for _, s := range c.inScope() {
		if s.IsProvider() {
			add(providerTopics)
		}
		if s.IsCustomer() {
			add(customerTopics)
		}
	}
	covered := map[string]bool{}
	for _, d := range c.m.Documents {
		if d.Kind == "policy" && d.Approval != nil && c.topManagement(d.Approval.By) {
			for _, t := range d.CloudTopics {
				covered[t] = true
			}
		}
	}
	var missing []string
	for _, t := range need {
		if !covered[t] {
			missing = append(missing, t)
		}
	}
	if len(missing) > 0 {
		emit(orgSubject, i18n.M("rule.POL-01", "topics", missing))
	}
}

// --- Internal audit --------------------------------------------------------

// topManagement reports whether a person id is a person with top
// management.
func (c *ctx) topManagement(id string) bool {
	p := c.people[id]
	return p != nil && isms.IsTrue(p.TopManagement)
}

// cloudCriteria are the audit criteria that audit a cloud service against
// the cloud requirements (AUD-01, v2).
var cloudCriteria = []string{"iso27017:2015", "jip-isms517"}

func aud01(c *ctx, emit emitFn) {
	covered := map[string]bool{}
	for _, a := range c.m.Audits {
		if a.End.Within(c.asOf, 365) && slices.ContainsFunc(a.Criteria, func(cr string) bool { return contains(cloudCriteria, cr) }) {
			for _, s := range a.Services {
				covered[s] = true
			}
		}
	}
	for _, s := range c.inScope() {
		if !covered[s.ID] {
			emit("cloud_services/"+s.ID, i18n.M("rule.AUD-01", "service", s.ID))
		}
	}
}

func aud02(c *ctx, emit emitFn) {
	for _, a := range c.m.Audits {
		for _, pid := range a.Auditors {
			p := c.people[pid]
			if p != nil && p.Unit != "" && contains(a.Units, p.Unit) {
				emit("audits/"+a.ID+"/auditors/"+pid, i18n.M("rule.AUD-02", "audit", a.ID, "person", pid, "unit", p.Unit))
			}
		}
	}
}

func eachFinding(c *ctx, f func(a *isms.Audit, x *isms.AuditFinding, subject string)) {
	for i := range c.m.Audits {
		a := &c.m.Audits[i]
		for j := range a.Findings {
			f(a, &a.Findings[j], "audits/"+a.ID+"/findings/"+a.Findings[j].ID)
		}
	}
}

func aud03(c *ctx, emit emitFn) {
	eachFinding(c, func(a *isms.Audit, x *isms.AuditFinding, subj string) {
		if (x.Kind == isms.FindingMajor || x.Kind == isms.FindingMinor) && x.CorrectiveAction == nil {
			emit(subj, i18n.M("rule.AUD-03", "finding", x.ID, "audit", a.ID, "kind", i18n.M("finding."+x.Kind)))
		}
	})
}

func aud04(c *ctx, emit emitFn) {
	eachFinding(c, func(a *isms.Audit, x *isms.AuditFinding, subj string) {
		if ca := x.CorrectiveAction; ca.Overdue(c.asOf) {
			emit(subj, i18n.M("rule.AUD-04", "finding", x.ID, "audit", a.ID, "due", ca.Due))
		}
	})
}

func aud05(c *ctx, emit emitFn) {
	eachFinding(c, func(a *isms.Audit, x *isms.AuditFinding, subj string) {
		ca := x.CorrectiveAction
		if ca != nil && !ca.DoneOn.IsZero() && !ca.Verified() {
			emit(subj, i18n.M("rule.AUD-05", "finding", x.ID, "audit", a.ID))
		}
	})
}

// AUD-06: every unit inside the ISMS scope is covered by an audit within
// 365 days.
func aud06(c *ctx, emit emitFn) {
	covered := map[string]bool{}
	for _, a := range c.m.Audits {
		if a.End.Within(c.asOf, 365) {
			for _, u := range a.Units {
				covered[u] = true
			}
		}
	}
	for _, u := range c.m.Units {
		if u.InScope() && !covered[u.ID] {
			emit("units/"+u.ID, i18n.M("rule.AUD-06", "unit", u.ID))
		}
	}
}

// --- Management review ------------------------------------------------------

// latestReview is the review with the latest date on or before the as-of
// date (a later one has not been held yet); the later entry wins a tie.
func (c *ctx) latestReview() *isms.Review {
	var best *isms.Review
	for i := range c.m.Reviews {
		r := &c.m.Reviews[i]
		if r.Date.IsZero() || r.Date.After(c.asOf) {
			continue
		}
		if best == nil || !r.Date.Before(best.Date) {
			best = r
		}
	}
	return best
}

func mr01(c *ctx, emit emitFn) {
	if r := c.latestReview(); r == nil || !r.Date.Within(c.asOf, 365) {
		emit(orgSubject, i18n.M("rule.MR-01"))
	}
}

func mr02(c *ctx, emit emitFn) {
	r := c.latestReview()
	if r == nil {
		return
	}
	var parts []i18n.Message
	if missing := r.Inputs.Missing(c.edition); len(missing) > 0 {
		key := "rule.MR-02.inputs"
		if c.edition == catalog.ISO27001v2013 {
			key = "rule.MR-02.inputs2013"
		}
		parts = append(parts, i18n.M(key, "inputs", missing))
	}
	if len(r.Outputs) == 0 {
		parts = append(parts, i18n.M("rule.MR-02.outputs"))
	}
	if p := c.people[r.Chair]; p == nil || !isms.IsTrue(p.TopManagement) {
		parts = append(parts, i18n.M("rule.MR-02.chair", "chair", r.Chair))
	}
	if len(parts) > 0 {
		emit("reviews/"+r.ID, i18n.M("rule.MR-02", "review", r.ID, "problems", parts))
	}
}

// --- Edition -----------------------------------------------------------------

// transitionEnd is the last day of the transition to ISO/IEC 27001:2022
// (IAF MD 26): certificates to the 2013 edition ended with it.
var transitionEnd = isms.MustDate("2025-10-31")

func edition01(c *ctx, emit emitFn) {
	if c.edition == catalog.ISO27001v2013 && c.asOf.After(transitionEnd) {
		emit(orgSubject, i18n.M("rule.EDITION-01", "end", transitionEnd))
	}
}
