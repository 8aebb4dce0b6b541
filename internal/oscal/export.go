package oscal

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cloudisms/cloudisms/internal/catalog"
	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/isms"
)

// Options say how documents are written.
type Options struct {
	Lang         string    // ja (default) or en: titles and descriptions
	OSCALVersion string    // V113 (default) or V122
	Version      string    // the document's own version (e.g. the history position)
	Now          time.Time // last-modified
}

func (o Options) norm() Options {
	if !i18n.Valid(o.Lang) {
		o.Lang = i18n.JA
	}
	if o.OSCALVersion == "" {
		o.OSCALVersion = V113
	}
	if o.Version == "" {
		o.Version = "1"
	}
	if o.Now.IsZero() {
		o.Now = time.Unix(0, 0)
	}
	return o
}

func (o Options) t(key string, args ...any) string { return i18n.M(key, args...).In(o.Lang) }

func (o Options) metadata(title string, m *isms.ISMS) Metadata {
	md := Metadata{Title: title, LastModified: o.Now.UTC().Format(time.RFC3339), Version: o.Version, OSCALVersion: o.OSCALVersion}
	if m != nil {
		party := UUID("party/" + m.Organization.ID)
		md.Parties = []Party{{UUID: party, Type: "organization", Name: orgName(m, o.Lang)}}
		// The roles users refer to are defined, and held by the organization.
		md.Roles = []Role{{ID: roleISMSManager, Title: o.t("role_name." + roleISMSManager)}}
		md.ResponsibleParties = []ResponsibleParty{{RoleID: roleISMSManager, PartyUUIDs: []string{party}}}
	}
	return md
}

// roleISMSManager is the role of the ISMS's users in a plan.
const roleISMSManager = "isms-manager"

func orgName(m *isms.ISMS, lang string) string {
	if lang == i18n.EN && m.Organization.NameEN != "" {
		return m.Organization.NameEN
	}
	return m.Organization.Name
}

// ControlID is the OSCAL id of a catalog control: OSCAL ids must start
// with a letter and may not hold a colon, so the framework is prefixed
// (iso27001-2022-5.1, iso27001-2013-A.5.1.1, iso27017-12.3.1,
// iso27017-CLD.6.3.1). The bundle id is kept as the control's label.
func ControlID(c *catalog.Control) string {
	id := strings.TrimPrefix(c.ID, "27017:")
	return strings.ReplaceAll(c.Framework, ":", "-") + "-" + id
}

// DocFramework is the framework part of a catalog file name.
func catalogHref(framework string) string {
	return "catalog-" + strings.ReplaceAll(framework, ":", "-") + ".json"
}

func title(c *catalog.Control, lang string) string {
	if lang == i18n.EN || c.TitleJA == "" {
		return c.TitleEN
	}
	return c.TitleJA
}

// CatalogOf writes an embedded framework as an OSCAL catalog: Annex A
// 2022 grouped by theme, 2013 by clause, 27017 by objective.
func CatalogOf(framework string, o Options) (CatalogDoc, error) {
	o = o.norm()
	ctls, err := catalog.Std().Controls(framework)
	if err != nil {
		return CatalogDoc{}, err
	}
	doc := CatalogDoc{Catalog{UUID: UUID("catalog/" + framework), Metadata: o.metadata(o.t("report.oscal.catalog_title."+framework), nil)}}
	doc.Catalog.Metadata.Remarks = o.t("report.oscal.catalog_remarks")
	groups := map[string]int{}
	for _, c := range ctls {
		key, gtitle := groupOf(c, o.Lang)
		i, ok := groups[key]
		if !ok {
			i = len(doc.Catalog.Groups)
			groups[key] = i
			doc.Catalog.Groups = append(doc.Catalog.Groups, Group{ID: "g-" + strings.ReplaceAll(key, ":", "-"), Title: gtitle})
		}
		ctl := Control{ID: ControlID(c), Title: title(c, o.Lang), Props: []Prop{{Name: "label", Value: c.ID}}}
		if c.TitleJA != "" && o.Lang == i18n.JA {
			ctl.Props = append(ctl.Props, Prop{Name: "title-en", NS: NS, Value: c.TitleEN})
		}
		if c.GuidanceFor != "" {
			ctl.Props = append(ctl.Props, Prop{Name: "guidance-for", NS: NS, Value: c.GuidanceFor})
		}
		if c.Base2013 != "" {
			ctl.Props = append(ctl.Props, Prop{Name: "base-control", NS: NS, Value: c.Base2013})
		}
		if c.Kind == "cld" {
			ctl.Class = "cloud-control"
		}
		doc.Catalog.Groups[i].Controls = append(doc.Catalog.Groups[i].Controls, ctl)
	}
	return doc, nil
}

func groupOf(c *catalog.Control, lang string) (string, string) {
	switch {
	case c.Theme != "":
		return "theme-" + c.Theme, i18n.M("report.oscal.theme." + c.Theme).In(lang)
	case c.Clause != "":
		return c.Clause, c.Clause + " " + c.ClauseTitle
	case c.Objective != "":
		return "objective-" + c.Objective, c.Objective + " " + c.ObjectiveTitle
	}
	return "other", "—"
}

// SSPs writes one system security plan per SoA of the ISMS.
func SSPs(m *isms.ISMS, o Options) []SSPDoc {
	o = o.norm()
	var out []SSPDoc
	for _, v := range isms.SoAViews(m) {
		out = append(out, SSPOf(m, v, o))
	}
	return out
}

// SoAName is the key of an SoA in file names: organization or service-role.
func SoAName(v isms.SoAView) string {
	if v.Service == "" {
		return "organization"
	}
	return v.Service + "-" + v.Role
}

// SSPOf writes one SoA as a system security plan: one implemented
// requirement per control with a row (excluded ones as not-applicable),
// its state, reasons and justification. A provider-role service's
// responsibilities become the plan's export (provided, responsibilities);
// a customer-role service's become inherited and satisfied entries citing
// them, with the verifications of the provider's statements.
func SSPOf(m *isms.ISMS, v isms.SoAView, o Options) SSPDoc {
	o = o.norm()
	org := m.Organization
	key := org.ID + "/" + SoAName(v)
	name, desc := orgName(m, o.Lang), org.ISMSScope
	var svc *isms.CloudService
	for i := range m.Services {
		if m.Services[i].ID == v.Service {
			svc = &m.Services[i]
		}
	}
	if svc != nil {
		name, desc = svc.Name, org.CloudScope
	}
	if strings.TrimSpace(desc) == "" {
		desc = name
	}
	titleText := o.t("report.oscal.ssp_title", "name", name)
	if v.Role != "" {
		titleText = o.t("report.oscal.ssp_title_role", "name", name, "role", o.t("role."+v.Role))
	}
	self := UUID("component/" + key)
	doc := SSPDoc{SSP{
		UUID:          UUID("ssp/" + key),
		Metadata:      o.metadata(titleText, m),
		ImportProfile: Href{Href: catalogHref(org.AnnexA), Remarks: o.t("report.oscal.profile_remarks")}, // replaced by the embedded profile below
		SystemCharacteristics: SystemCharacteristics{
			SystemIDs:             []SystemID{{IdentifierType: NS + "/ids", ID: strings.TrimSuffix(org.ID+"/"+v.Service, "/")}},
			SystemName:            name,
			Description:           desc,
			SystemInformation:     SystemInformation{InformationTypes: []InformationType{{UUID: UUID("info/" + key), Title: o.t("report.oscal.info_title"), Description: desc}}},
			Status:                Status{State: "operational"},
			AuthorizationBoundary: Description{Description: desc},
		},
		SystemImplementation: SystemImplementation{
			Users:      []User{{UUID: UUID("user/" + key), Title: o.t("report.oscal.user_title"), RoleIDs: []string{roleISMSManager}}},
			Components: []Component{{UUID: self, Type: "this-system", Title: name, Description: desc, Status: Status{State: "operational"}}},
		},
		ControlImplementation: ControlImplementation{Description: o.t("report.oscal.ci_description")},
	}}
	// Every control the plan cites is in the catalogs its profile imports:
	// a service's 27017 items and CLD controls included.
	if err := builtinImport(&doc, key, org.AnnexA, v.Service != "", o); err != nil {
		doc.SSP.ImportProfile.Remarks = err.Error()
	}
	if v.Role != "" {
		doc.SSP.SystemCharacteristics.Props = []Prop{{Name: "cloud-role", NS: NS, Value: v.Role}}
	}
	if v.SoA != nil && v.SoA.Approval != nil {
		doc.SSP.Metadata.Remarks = o.t("report.oscal.approved", "by", v.SoA.Approval.By, "date", v.SoA.Approval.Date.String())
	}
	resp := responsibilitiesOf(m, v)
	var provider string
	if svc != nil && v.Role == isms.RoleCustomer {
		provider = UUID("component/provider/" + key)
		doc.SSP.SystemImplementation.Components = append(doc.SSP.SystemImplementation.Components, Component{UUID: provider, Type: "service",
			Title: o.t("report.oscal.provider_component", "name", svc.Name, "provider", svc.Provider), Description: o.t("report.oscal.provider_component_desc"),
			Status: Status{State: "operational"}})
	}
	for _, er := range v.Rows {
		if er.Row == nil || er.Row.Applicable == nil {
			continue
		}
		doc.SSP.ControlImplementation.ImplementedRequirements = append(doc.SSP.ControlImplementation.ImplementedRequirements,
			requirement(m, v, er, key, self, provider, resp[er.Control.ID], o))
	}
	if len(doc.SSP.ControlImplementation.ImplementedRequirements) == 0 {
		// OSCAL needs at least one; an SoA with no rows yet states that.
		c := er0(v)
		doc.SSP.ControlImplementation.ImplementedRequirements = []ImplementedRequirement{{UUID: UUID("req/" + key + "/" + c.ID),
			ControlID: ControlID(c), Remarks: o.t("report.oscal.no_rows")}}
	}
	return doc
}

func er0(v isms.SoAView) *catalog.Control { return v.Rows[0].Control }

// responsibilitiesOf groups a service's responsibilities by the control
// they belong to; those without one go with CLD.6.3.1 (shared roles).
func responsibilitiesOf(m *isms.ISMS, v isms.SoAView) map[string][]indexed {
	out := map[string][]indexed{}
	if v.Service == "" {
		return out
	}
	for i, r := range m.Responsibilities {
		if r.Service != v.Service {
			continue
		}
		c := r.Control
		if c == "" {
			c = "CLD.6.3.1"
		}
		out[c] = append(out[c], indexed{i, r})
	}
	return out
}

type indexed struct {
	i int
	r isms.Responsibility
}

func implState(r *isms.SoARow) string {
	if !r.IsApplicable() {
		return "not-applicable"
	}
	switch r.Implementation {
	case isms.ImplImplemented, isms.ImplPartial, isms.ImplPlanned:
		return r.Implementation
	}
	return "not-implemented"
}

func requirement(m *isms.ISMS, v isms.SoAView, er isms.EffectiveRow, key, self, provider string, resp []indexed, o Options) ImplementedRequirement {
	r := er.Row
	req := ImplementedRequirement{UUID: UUID("req/" + key + "/" + er.Control.ID), ControlID: ControlID(er.Control),
		// The bundle's id in cloudisms' namespace: NIST's constraints allow
		// no "label" prop on an implemented requirement.
		Props: []Prop{{Name: "label", NS: NS, Value: er.Control.ID}, {Name: "row-from", NS: NS, Value: er.From}}}
	for _, x := range r.Reasons {
		req.Props = append(req.Props, Prop{Name: "reason", NS: NS, Value: x})
	}
	var remarks []string
	if r.IsApplicable() {
		var rs []string
		for _, x := range r.Reasons {
			rs = append(rs, o.t("reason."+x))
		}
		if len(rs) > 0 {
			remarks = append(remarks, o.t("report.oscal.reasons", "reasons", strings.Join(rs, ", ")))
		}
	} else {
		remarks = append(remarks, o.t("report.oscal.justification", "text", r.Justification))
	}
	req.Remarks = strings.Join(remarks, "\n")
	desc := r.Notes
	if desc == "" {
		desc = o.t("state." + stateKey(r))
	}
	bc := ByComponent{ComponentUUID: self, UUID: UUID("by/" + key + "/" + er.Control.ID), Description: desc,
		ImplementationStatus: &Status{State: implState(r)}}
	if !r.IsApplicable() {
		bc.ImplementationStatus.Remarks = r.Justification
	}
	comps := []ByComponent{bc}
	switch {
	case v.Role == isms.RoleProvider && len(resp) > 0:
		ex := &Export{Description: o.t("report.oscal.export_desc")}
		for _, x := range resp {
			pu := UUID(fmt.Sprintf("provided/%s/%d", m.Organization.ID, x.i))
			if x.r.Provider != "" {
				ex.Provided = append(ex.Provided, Provided{UUID: pu, Description: areaText(x.r, x.r.Provider)})
			} else {
				pu = ""
			}
			if x.r.Customer != "" {
				ex.Responsibilities = append(ex.Responsibilities, Responsibility{UUID: UUID(fmt.Sprintf("responsibility/%s/%d", m.Organization.ID, x.i)),
					ProvidedUUID: pu, Description: areaText(x.r, x.r.Customer)})
			}
		}
		comps[0].Export = ex
	case v.Role == isms.RoleCustomer && len(resp) > 0:
		pc := ByComponent{ComponentUUID: provider, UUID: UUID("by-provider/" + key + "/" + er.Control.ID), Description: o.t("report.oscal.inherited_desc")}
		for _, x := range resp {
			if x.r.Provider != "" {
				in := Inherited{UUID: UUID(fmt.Sprintf("inherited/%s/%d", m.Organization.ID, x.i)),
					ProvidedUUID: UUID(fmt.Sprintf("provided/%s/%d", m.Organization.ID, x.i)), Description: areaText(x.r, x.r.Provider)}
				for _, vf := range m.Verifications {
					if vf.Service == v.Service && vf.Control == er.Control.ID {
						in.Props = append(in.Props, Prop{Name: "verification", NS: NS, Value: vf.ID + ":" + vf.Result})
						in.Description += "\n" + o.t("report.oscal.verification", "id", vf.ID, "result", o.t("report.oscal.result."+vf.Result), "statement", vf.ProviderStatement)
					}
				}
				pc.Inherited = append(pc.Inherited, in)
			}
			if x.r.Customer != "" {
				comps[0].Satisfied = append(comps[0].Satisfied, Satisfied{UUID: UUID(fmt.Sprintf("satisfied/%s/%d", m.Organization.ID, x.i)),
					ResponsibilityUUID: UUID(fmt.Sprintf("responsibility/%s/%d", m.Organization.ID, x.i)), Description: areaText(x.r, x.r.Customer)})
			}
		}
		if len(pc.Inherited) > 0 {
			comps = append(comps, pc)
		}
	}
	req.ByComponents = comps
	return req
}

func areaText(r isms.Responsibility, text string) string {
	if r.Area == "" {
		return text
	}
	return r.Area + ": " + text
}

// stateKey is the message key suffix of a row's state. A row that does not
// say whether it applies is "not-applicable" in the plan (implState), so
// its text says excluded to match.
func stateKey(r *isms.SoARow) string {
	if r.Applicable == nil {
		return isms.StateExcluded
	}
	return isms.StateOf(r)
}

func dateTime(d isms.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String() + "T00:00:00Z"
}

// AssessmentResults writes the internal audits as OSCAL assessment
// results: one result per audit, one finding per audit finding, targeted
// at its control (not satisfied for a nonconformity).
func AssessmentResultsOf(m *isms.ISMS, o Options) (ARDoc, error) {
	o = o.norm()
	if len(m.Audits) == 0 {
		return ARDoc{}, errors.New(o.t("report.oscal.no_audits"))
	}
	cat := catalog.Std()
	doc := ARDoc{AssessmentResults{UUID: UUID("ar/" + m.Organization.ID), Metadata: o.metadata(o.t("report.oscal.ar_title", "org", orgName(m, o.Lang)), m),
		ImportAP: Href{Href: "#", Remarks: o.t("report.oscal.ap_remarks")}}}
	for _, a := range m.Audits {
		res := Result{UUID: UUID("result/" + m.Organization.ID + "/" + a.ID), Title: a.ID + " " + a.Title,
			Description: o.t("report.oscal.audit_desc", "services", strings.Join(a.Services, ", "), "criteria", strings.Join(a.Criteria, ", ")),
			Start:       dateTime(a.Start), End: dateTime(a.End),
			ReviewedControls: ReviewedControls{ControlSelections: []ControlSelection{{IncludeAll: &struct{}{}}}}}
		if res.Start == "" {
			res.Start = o.Now.UTC().Format(time.RFC3339)
		}
		for _, f := range a.Findings {
			target := "organization"
			if c, ok := cat.Lookup(f.Control); ok {
				target = ControlID(c)
			}
			state := "satisfied"
			if f.Kind == isms.FindingMajor || f.Kind == isms.FindingMinor {
				state = "not-satisfied"
			}
			fd := Finding{UUID: UUID("finding/" + m.Organization.ID + "/" + a.ID + "/" + f.ID), Title: f.ID + " " + o.t("finding."+f.Kind),
				Description: nonEmpty(f.Description, f.ID), Props: []Prop{{Name: "finding-kind", NS: NS, Value: f.Kind}},
				Target: FindingTarget{Type: "objective-id", TargetID: target, Status: Status{State: state}}}
			if ca := f.CorrectiveAction; ca != nil {
				fd.Remarks = o.t("report.oscal.ca_remarks", "action", ca.Action, "due", ca.Due.String(), "done", ca.DoneOn.String())
			}
			res.Findings = append(res.Findings, fd)
		}
		doc.AR.Results = append(doc.AR.Results, res)
	}
	return doc, nil
}

func nonEmpty(s, alt string) string {
	if strings.TrimSpace(s) == "" {
		return alt
	}
	return s
}

// POAMOf writes the open corrective actions (not done, or done without a
// confirmed effect) as a plan of action and milestones, followed by the
// risk treatment plan actions not yet done.
func POAMOf(m *isms.ISMS, o Options) (POAMDoc, error) {
	o = o.norm()
	doc := POAMDoc{POAM{UUID: UUID("poam/" + m.Organization.ID), Metadata: o.metadata(o.t("report.oscal.poam_title", "org", orgName(m, o.Lang)), m),
		SystemID: &SystemID{IdentifierType: NS + "/ids", ID: m.Organization.ID}}}
	for _, a := range m.Audits {
		for _, f := range a.Findings {
			ca := f.CorrectiveAction
			if ca == nil || (!ca.DoneOn.IsZero() && isms.IsTrue(ca.Effective)) {
				continue
			}
			it := POAMItem{UUID: UUID("poam-item/" + m.Organization.ID + "/" + a.ID + "/" + f.ID), Title: a.ID + " " + f.ID + " " + nonEmpty(f.Control, ""),
				Description: nonEmpty(ca.Action, f.Description),
				Props:       []Prop{{Name: "source", NS: NS, Value: "corrective-action"}, {Name: "owner", NS: NS, Value: nonEmpty(ca.Owner, "-")}},
				Remarks:     o.t("report.oscal.poam_remarks", "cause", ca.Cause, "due", ca.Due.String(), "done", ca.DoneOn.String())}
			if !ca.Due.IsZero() {
				it.Props = append(it.Props, Prop{Name: "due", NS: NS, Value: ca.Due.String()})
			}
			doc.POAM.POAMItems = append(doc.POAM.POAMItems, it)
		}
	}
	for _, r := range m.Risks {
		for i, p := range r.Plan {
			if !p.DoneOn.IsZero() {
				continue
			}
			it := POAMItem{UUID: UUID(fmt.Sprintf("poam-plan/%s/%s/%d", m.Organization.ID, r.ID, i)), Title: r.ID + " " + r.Title,
				Description: nonEmpty(p.Action, r.Title),
				Props:       []Prop{{Name: "source", NS: NS, Value: "risk-treatment-plan"}, {Name: "owner", NS: NS, Value: nonEmpty(p.Owner, "-")}}}
			if !p.Due.IsZero() {
				it.Props = append(it.Props, Prop{Name: "due", NS: NS, Value: p.Due.String()})
			}
			doc.POAM.POAMItems = append(doc.POAM.POAMItems, it)
		}
	}
	if len(doc.POAM.POAMItems) == 0 {
		return doc, errors.New(o.t("report.oscal.no_open_actions"))
	}
	return doc, nil
}
