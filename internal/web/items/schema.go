package items

import (
	"github.com/cloudisms/cloudisms/internal/isms"
)

// The item forms are described once per kind here, from spec/bundle.md:
// each field's name in the bundle, its input type and, for choices, the
// values. Forms, validation messages beside fields, list columns and the
// history's readable diff are all built from these descriptions; the
// bundle decoder stays the judge of what is valid.

// Field types of the item forms.
const (
	fText     = "text"     // one line
	fTextarea = "textarea" // several lines
	fSelect   = "select"   // one of Values
	fEnums    = "enums"    // any of Values (checkboxes)
	fRef      = "ref"      // the id of an item of Ref (a select of existing items)
	fRefs     = "refs"     // ids of items of Ref (checkboxes)
	fBool     = "bool"     // unset, yes or no
	fDate     = "date"     // YYYY-MM-DD
	fInt      = "int"      // an integer
	fFactor   = "factor"   // a risk factor: a level, or text where the method allows
	fStrings  = "strings"  // a list of text, one per line
	fGroup    = "group"    // a nested object
	fGroups   = "groups"   // a list of nested objects (rows that can be added and removed)
	fEvidence = "evidence" // files attached by upload: shown, kept, not typed
	fApproval = "approval" // recorded by the approver's own action: shown, never edited here
)

// fieldDef describes one field of an item kind.
type fieldDef struct {
	Name     string
	Type     string
	Values   []string   // fSelect, fEnums
	ValueKey string     // message key prefix of the values ("" → "field.v.NAME.")
	Ref      string     // fRef, fRefs: a kind, or "provider" (self or a supplier), "source" (library or own risk sources)
	Fields   []fieldDef // fGroup, fGroups
	Required bool
	Label    string // message key ("" → "field.NAME")
	Fixed    bool   // shown but kept as stored once the item exists (changed by import only)
}

// keptAsStored reports whether a save keeps the stored value of the
// field whatever the form sends.
func (f fieldDef) keptAsStored() bool { return f.Type == fApproval || f.Fixed }

// short reports whether the field's values are a word or two (a choice,
// a name, a number, a date) rather than running text.
func (f fieldDef) short() bool {
	switch f.Type {
	case fSelect, fRef, fBool, fInt, fDate, fApproval:
		return true
	}
	return false
}

// LabelKey is the message key of the field's label.
func (f fieldDef) LabelKey() string {
	if f.Label != "" {
		return f.Label
	}
	return "field." + f.Name
}

// valueKey is the message key of one of the field's fixed values.
func (f fieldDef) valueKey(v string) string {
	if f.ValueKey != "" {
		return f.ValueKey + v
	}
	return "field.v." + f.Name + "." + v
}

// kindDef describes an item kind's form.
type kindDef struct {
	Kind    string
	Section string // the navigation section its pages belong to
	Keyed   bool   // has an id of its own (otherwise the store names it)
	Single  bool   // one item keyed by the kind's name: edited, never listed, created or deleted
	Fields  []fieldDef
	Columns []string // the fields its list shows
	// ListPath, when set, is the kind's own register under /orgs/{org}/
	// (risks): the generic list leads there, and so does the form's
	// "back to the list".
	ListPath string
}

var (
	idField      = fieldDef{Name: "id", Type: fText, Required: true}
	nameField    = fieldDef{Name: "name", Type: fText}
	evidenceDef  = fieldDef{Name: "evidence", Type: fEvidence}
	approvalDef  = fieldDef{Name: "approval", Type: fApproval}
	personRef    = func(name string) fieldDef { return fieldDef{Name: name, Type: fRef, Ref: "people"} }
	serviceRef   = fieldDef{Name: "service", Type: fRef, Ref: "cloud_services", Required: true}
	servicesRefs = fieldDef{Name: "services", Type: fRefs, Ref: "cloud_services"}
	boolField    = func(name string) fieldDef { return fieldDef{Name: name, Type: fBool} }
	controlField = fieldDef{Name: "control", Type: fText}
)

// kindDefs are the kinds with a generic form, in bundle order.
var kindDefs = []kindDef{
	// The organization's scope statements: SCOPE-08 is fixed in the cloud
	// scope text. The edition is fixed: changing it re-bases every SoA row,
	// which an import of the whole ISMS does.
	{Kind: "organization", Section: "scope", Single: true, Fields: []fieldDef{
		{Name: "id", Type: fText, Required: true, Fixed: true, Label: "fix.field.org_id"},
		{Name: "name", Type: fText, Required: true, Label: "fix.field.org_name"},
		{Name: "name_en", Type: fText, Label: "fix.field.org_name_en"},
		{Name: "annex_a", Type: fText, Required: true, Fixed: true, Label: "fix.field.annex_a"},
		{Name: "isms_scope", Type: fTextarea, Required: true, Label: "fix.field.isms_scope"},
		{Name: "cloud_scope", Type: fTextarea, Required: true, Label: "fix.field.cloud_scope"},
		{Name: "scope_approval", Type: fApproval, Label: "fix.field.scope_approval"},
		boolField("climate_change_relevant"),
		{Name: "climate_change_note", Type: fTextarea}}},
	{Kind: "units", Columns: []string{"name", "in_isms_scope"}, Section: "scope", Keyed: true, Fields: []fieldDef{idField, nameField, boolField("in_isms_scope")}},
	{Kind: "people", Columns: []string{"name", "unit", "isms_personnel", "cloud_security_personnel", "top_management"}, Section: "scope", Keyed: true, Fields: []fieldDef{idField, nameField,
		{Name: "unit", Type: fRef, Ref: "units"},
		boolField("isms_personnel"), boolField("cloud_security_personnel"),
		{Name: "cloud_duties", Type: fEnums, Values: []string{isms.DutyOperation, isms.DutyIncidentResponse, isms.DutyContinuity, isms.DutyChangeManagement, isms.DutyCustomerSupport}},
		boolField("top_management")}},
	{Kind: "sites", Columns: []string{"name", "kind", "in_isms_scope"}, Section: "scope", Keyed: true, Fields: []fieldDef{idField, nameField,
		{Name: "kind", Type: fSelect, Values: []string{"office", "datacenter", "cloud", "remote"}, ValueKey: "field.v.site_kind."},
		boolField("in_isms_scope"),
		{Name: "datacenter_service", Type: fSelect, Values: []string{"full-managed", "colocation"}},
		boolField("onsite_work"),
		{Name: "supplier", Type: fRef, Ref: "suppliers"}}},
	{Kind: "systems", Columns: []string{"name", "location", "purpose", "in_scope"}, Section: "scope", Keyed: true, Fields: []fieldDef{idField, nameField,
		{Name: "location", Type: fSelect, Values: []string{"cloud", "on-premises"}},
		{Name: "site", Type: fRef, Ref: "sites"},
		{Name: "purpose", Type: fSelect, Values: []string{"application", "database", "backup", "monitoring", "management", "network", "other"}},
		{Name: "supports", Type: fRefs, Ref: "cloud_services"},
		boolField("in_service_catalog"), boolField("in_scope")}},
	{Kind: "suppliers", Columns: []string{"name", "kind"}, Section: "scope", Keyed: true, Fields: []fieldDef{idField, nameField,
		{Name: "kind", Type: fSelect, Values: []string{"cloud-provider", "datacenter", "contractor", "partner"}, ValueKey: "field.v.supplier_kind."}}},
	{Kind: "cloud_services", Columns: []string{"name", "model", "role", "provider", "in_scope"}, Section: "scope", Keyed: true, Fields: []fieldDef{idField,
		{Name: "name", Type: fText, Required: true},
		{Name: "model", Type: fSelect, Values: []string{"iaas", "paas", "saas", "other"}, Required: true},
		{Name: "role", Type: fSelect, Values: []string{isms.RoleProvider, isms.RoleCustomer, isms.RoleBoth}, ValueKey: "role.", Required: true},
		{Name: "provider", Type: fRef, Ref: "provider", Required: true},
		{Name: "partner_activity", Type: fSelect, Values: []string{"reseller", "broker", "consultant", "integrator"}},
		{Name: "uses", Type: fRefs, Ref: "cloud_services"},
		{Name: "in_scope", Type: fBool, Required: true},
		{Name: "data_locations", Type: fStrings},
		{Name: "sla", Type: fTextarea},
		disclosureDef}},
	{Kind: "documents", Columns: []string{"kind", "title", "version", "approval"}, Section: "documents", Keyed: true, Fields: []fieldDef{idField,
		{Name: "kind", Type: fSelect, Values: []string{"policy", "procedure", "record", "contract", "other"}, ValueKey: "field.v.document_kind."},
		{Name: "title", Type: fText},
		{Name: "version", Type: fText},
		approvalDef,
		{Name: "cloud_topics", Type: fEnums, Values: []string{"virtualization", "multi-tenancy", "privileged-access", "data-location", "assets-in-cloud", "provider-relationship", "customer-relationship"}},
		evidenceDef,
		{Name: "clauses", Type: fStrings},
		{Name: "reviewed_on", Type: fDate},
		{Name: "review_interval_days", Type: fInt}}},
	{Kind: "assets", Columns: []string{"name", "kind", "owner", "confidentiality", "integrity", "availability"}, Section: "assets", Keyed: true, Fields: []fieldDef{idField, nameField,
		{Name: "kind", Type: fSelect, Values: []string{"information", "software", "hardware", "service", "people", "facility"}, ValueKey: "field.v.asset_kind."},
		{Name: "owner", Type: fRef, Ref: "people", Label: "field.asset_owner"},
		servicesRefs,
		{Name: "systems", Type: fRefs, Ref: "systems"},
		{Name: "confidentiality", Type: fInt}, {Name: "integrity", Type: fInt}, {Name: "availability", Type: fInt}}},
	{Kind: "risk_sources", Columns: []string{"title", "required"}, Section: "risks", Keyed: true, Fields: []fieldDef{idField,
		{Name: "title", Type: fText, Required: true},
		{Name: "title_en", Type: fText},
		boolField("required")}},
	{Kind: "risk_sources_not_applicable", Columns: []string{"source", "reason"}, Section: "risks", Fields: []fieldDef{
		{Name: "source", Type: fRef, Ref: "source", Required: true},
		{Name: "reason", Type: fTextarea}}},
	{Kind: "risks", Columns: []string{"title", "owner", "treatment", "approval"}, Section: "risks", Keyed: true, ListPath: "risks", Fields: []fieldDef{idField,
		{Name: "title", Type: fText, Required: true},
		{Name: "sources", Type: fRefs, Ref: "source"},
		servicesRefs,
		{Name: "assets", Type: fRefs, Ref: "assets"},
		{Name: "threat", Type: fFactor}, {Name: "vulnerability", Type: fFactor},
		{Name: "likelihood", Type: fInt}, {Name: "impact", Type: fInt},
		{Name: "owner", Type: fRef, Ref: "people", Label: "ui.owner"},
		{Name: "treatment", Type: fSelect, Values: []string{isms.TreatModify, isms.TreatShare, isms.TreatAvoid, isms.TreatRetain}, ValueKey: "treatment.", Required: true},
		{Name: "controls", Type: fStrings},
		{Name: "residual", Type: fGroup, Fields: []fieldDef{
			{Name: "likelihood", Type: fInt}, {Name: "impact", Type: fInt},
			{Name: "threat", Type: fFactor}, {Name: "vulnerability", Type: fFactor},
			{Name: "asset_value", Type: fInt}}},
		{Name: "plan", Type: fGroups, Fields: []fieldDef{
			{Name: "action", Type: fTextarea, Required: true},
			personRef("owner"),
			{Name: "due", Type: fDate}, {Name: "done_on", Type: fDate}}},
		{Name: "assessed_on", Type: fDate},
		approvalDef, evidenceDef}},
	{Kind: "responsibilities", Columns: []string{"service", "control", "area"}, Section: "provider", Fields: []fieldDef{serviceRef, controlField,
		{Name: "area", Type: fText},
		{Name: "provider", Type: fTextarea, Label: "field.provider_part"},
		{Name: "customer", Type: fTextarea, Label: "field.customer_part"},
		{Name: "documented_in", Type: fText}}},
	{Kind: "verifications", Columns: []string{"service", "control", "result"}, Section: "provider", Keyed: true, Fields: []fieldDef{idField, serviceRef, controlField,
		{Name: "provider_statement", Type: fTextarea},
		{Name: "result", Type: fSelect, Values: []string{isms.ResultMeets, isms.ResultGap}},
		{Name: "gap", Type: fTextarea},
		{Name: "risk", Type: fRef, Ref: "risks"},
		{Name: "date", Type: fDate, Label: "field.verified_on"},
		{Name: "verification_interval_days", Type: fInt},
		approvalDef, evidenceDef}},
	{Kind: "legal", Columns: []string{"name", "jurisdictions", "services", "evidence_from_provider"}, Section: "legal", Keyed: true, Fields: []fieldDef{idField, nameField,
		{Name: "jurisdictions", Type: fStrings},
		servicesRefs,
		boolField("evidence_from_provider"),
		{Name: "notes", Type: fTextarea, Label: "field.legal_notes"}}},
	{Kind: "backups", Columns: []string{"service", "restore_test_interval_days", "tests"}, Section: "backups", Fields: []fieldDef{serviceRef,
		{Name: "policy", Type: fTextarea},
		{Name: "restore_test_interval_days", Type: fInt},
		{Name: "tests", Type: fGroups, Fields: []fieldDef{
			{Name: "date", Type: fDate, Required: true},
			{Name: "result", Type: fSelect, Values: []string{"pass", "fail"}, Required: true, ValueKey: "field.v.test_result."},
			personRef("by"),
			{Name: "notes", Type: fTextarea, Label: "field.legal_notes"},
			evidenceDef}}}},
	{Kind: "monitoring", Columns: []string{"service", "items"}, Section: "monitoring", Fields: []fieldDef{serviceRef,
		{Name: "items", Type: fGroups, Fields: []fieldDef{
			{Name: "what", Type: fText, Required: true},
			{Name: "method", Type: fText},
			{Name: "threshold", Type: fText},
			personRef("owner"),
			evidenceDef}}}},
	{Kind: "audits", Columns: []string{"title", "start", "end", "findings"}, Section: "audits", Keyed: true, Fields: []fieldDef{idField,
		{Name: "title", Type: fText},
		{Name: "start", Type: fDate}, {Name: "end", Type: fDate},
		servicesRefs,
		{Name: "units", Type: fRefs, Ref: "units"},
		{Name: "auditors", Type: fRefs, Ref: "people"},
		{Name: "criteria", Type: fStrings},
		{Name: "findings", Type: fGroups, Fields: []fieldDef{idField,
			{Name: "kind", Type: fSelect, Values: []string{isms.FindingMajor, isms.FindingMinor, isms.FindingObservation, isms.FindingGoodPractice}, ValueKey: "finding."},
			controlField,
			{Name: "description", Type: fTextarea},
			evidenceDef,
			{Name: "corrective_action", Type: fGroup, Fields: []fieldDef{
				{Name: "cause", Type: fTextarea},
				{Name: "action", Type: fTextarea},
				personRef("owner"),
				{Name: "due", Type: fDate}, {Name: "done_on", Type: fDate},
				boolField("effective"),
				personRef("verified_by"),
				evidenceDef}}}}}},
	{Kind: "reviews", Columns: []string{"date", "chair", "outputs"}, Section: "reviews", Keyed: true, Fields: []fieldDef{idField,
		{Name: "date", Type: fDate},
		personRef("chair"),
		{Name: "inputs", Type: fGroup, Fields: reviewInputFields()},
		{Name: "outputs", Type: fGroups, Fields: []fieldDef{
			{Name: "decision", Type: fTextarea, Required: true},
			personRef("owner"),
			{Name: "due", Type: fDate}}},
		evidenceDef}},
}

// historyDefs describe the kinds that have a page of their own rather
// than a generic form, for the change history that every item keeps: their
// fields, and the page the history leads back to.
var historyDefs = []kindDef{
	{Kind: "risk_criteria", Section: "criteria", Single: true, ListPath: "criteria", Fields: []fieldDef{
		{Name: "method", Type: fSelect, Values: []string{isms.MethodLikelihoodImpact, isms.MethodATV}, ValueKey: "views.method.", Label: "views.criteria.method"},
		{Name: "scales", Type: fGroup, Label: "web.history.scales", Fields: scaleFields()},
		{Name: "acceptance", Type: fInt, Label: "views.criteria.acceptance"},
		{Name: "reassessment_interval_days", Type: fInt, Label: "views.criteria.reassessment"}}},
}

func scaleFields() []fieldDef {
	var out []fieldDef
	for _, f := range []string{isms.FactorLikelihood, isms.FactorImpact, isms.FactorAssetValue, isms.FactorThreat, isms.FactorVulnerability} {
		out = append(out, fieldDef{Name: f, Type: fGroups, Label: "views.factor." + f, Fields: []fieldDef{
			{Name: "level", Type: fInt, Label: "web.history.level"}, {Name: "label", Type: fText, Label: "web.history.label"}}})
	}
	return out
}

// historyKindOf finds a kind whose history can be shown: a generic form's,
// or one of historyDefs.
func historyKindOf(kind string) (*kindDef, bool) {
	if d, ok := kindOf(kind); ok {
		return d, true
	}
	for i := range historyDefs {
		if historyDefs[i].Kind == kind {
			return &historyDefs[i], true
		}
	}
	return nil, false
}

func reviewInputFields() []fieldDef {
	out := make([]fieldDef, len(isms.ReviewInputKeys))
	for i, k := range isms.ReviewInputKeys {
		out[i] = fieldDef{Name: k, Type: fTextarea}
	}
	return out
}

// kindOf finds a kind with a generic form.
func kindOf(kind string) (*kindDef, bool) {
	for i := range kindDefs {
		if kindDefs[i].Kind == kind {
			return &kindDefs[i], true
		}
	}
	return nil, false
}

// disclosureDef is cloud_services[].disclosure: what a provider tells the
// service's customers (JIS Q 27017 6.1.1, CLD.6.3.1).
var disclosureDef = fieldDef{Name: "disclosure", Type: fGroup, Label: "docs13.field.disclosure", Fields: []fieldDef{
	{Name: "jurisdictions", Type: fStrings},
	{Name: "change_notification", Type: fTextarea, Label: "docs13.field.change_notification"},
	{Name: "incident_reporting", Type: fTextarea, Label: "docs13.field.incident_reporting"},
	{Name: "backup", Type: fTextarea, Label: "docs13.field.backup"},
	{Name: "monitoring", Type: fTextarea, Label: "docs13.field.monitoring"},
	{Name: "exit", Type: fTextarea, Label: "docs13.field.exit"},
	{Name: "sla_figures", Type: fGroups, Label: "docs13.field.sla_figures", Fields: []fieldDef{
		{Name: "metric", Type: fText, Required: true, Label: "docs13.field.metric"},
		{Name: "target", Type: fText, Required: true, Label: "docs13.field.target"}}}}}
