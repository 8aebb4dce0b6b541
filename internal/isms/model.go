// Package isms is the model of an organization's ISMS for cloud security
// certification: one type per concept of the bundle format (spec/bundle.md),
// and the views computed from it. It does no I/O; "today" is always passed in.
package isms

// Format is the only bundle format this version reads and writes.
const Format = "cloudisms/v1"

// ISMS is one organization's whole ISMS, as a bundle holds it.
type ISMS struct {
	Format       string
	Organization Organization
	Units        []Unit
	People       []Person
	Sites        []Site
	Systems      []System
	Suppliers    []Supplier
	Services     []CloudService
	Documents    []Document
	Assets       []Asset
	Criteria     RiskCriteria
	// RiskSources are the organization's own additions to the library.
	RiskSources          []RiskSource
	SourcesNotApplicable []SourceNotApplicable
	// Risks are pointers so a model carried over an edit shares its unchanged
	// risks with the one before (cloning the slice copies pointers, not
	// 50,000 structs); a *Risk reachable from a built model is never written.
	Risks            []*Risk
	SoAs             []SoA
	Responsibilities []Responsibility
	Verifications    []Verification
	Legal            []LegalEntry
	Backups          []Backup
	Monitoring       []Monitoring
	Audits           []Audit
	Reviews          []Review
	// Version 2 registers (registers.go).
	Certificates           []Certificate
	ExternalAudits         []ExternalAudit
	ContextIssues          []ContextIssue
	InterestedParties      []InterestedParty
	Opportunities          []Opportunity
	Objectives             []Objective
	CompetenceRequirements []CompetenceRequirement
	Trainings              []Training
	Communications         []Communication
	Changes                []Change
	Measurements           []Measurement
	Nonconformities        []Nonconformity
	Incidents              []Incident
}

// Approval records who approved a thing and when.
type Approval struct {
	By   string
	Date Date
}

// Evidence names a file the store keeps, by content hash.
type Evidence struct {
	Name   string
	SHA256 string
}

type Organization struct {
	ID            string
	Name          string
	NameEN        string
	AnnexA        string // iso27001:2022 or iso27001:2013
	ISMSScope     string
	CloudScope    string
	ScopeApproval *Approval
	// ClimateChangeRelevant answers whether climate change is a relevant
	// issue (ISO/IEC 27001:2022/Amd 1:2024); nil: not answered.
	ClimateChangeRelevant *bool
	ClimateChangeNote     string
}

type Unit struct {
	ID          string
	Name        string
	InISMSScope *bool // default true
}

// InScope reports the unit's effective scope flag (absent means in scope).
func (u Unit) InScope() bool { return u.InISMSScope == nil || *u.InISMSScope }

// Cloud duties a person may have in running in-scope cloud services.
const (
	DutyOperation        = "operation"
	DutyIncidentResponse = "incident-response"
	DutyContinuity       = "continuity"
	DutyChangeManagement = "change-management"
	DutyCustomerSupport  = "customer-support"
)

type Person struct {
	ID                     string
	Name                   string
	Unit                   string
	ISMSPersonnel          *bool
	CloudSecurityPersonnel *bool
	CloudDuties            []string
	TopManagement          *bool
}

type Supplier struct {
	ID   string
	Name string
	Kind string // cloud-provider, datacenter, contractor, partner
}

type Site struct {
	ID                string
	Name              string
	Kind              string // office, datacenter, cloud, remote
	InISMSScope       *bool  // default true
	DatacenterService string // full-managed, colocation
	OnsiteWork        *bool
	Supplier          string
}

// InScope reports the site's effective scope flag (absent means in scope).
func (s Site) InScope() bool { return s.InISMSScope == nil || *s.InISMSScope }

type System struct {
	ID               string
	Name             string
	Location         string // cloud, on-premises
	Site             string
	Purpose          string
	Supports         []string
	InServiceCatalog *bool
	InScope          *bool
}

// Roles the organization can take for a cloud service.
const (
	RoleProvider = "provider"
	RoleCustomer = "customer"
	RoleBoth     = "both"
)

// ProviderSelf marks a service the organization itself makes available.
const ProviderSelf = "self"

type CloudService struct {
	ID              string
	Name            string
	Model           string // iaas, paas, saas, other
	Role            string // provider, customer, both
	Provider        string // "self" or a supplier id
	PartnerActivity string
	Uses            []string
	InScope         bool
	DataLocations   []string
	SLA             string
	Disclosure      *ServiceDisclosure // what a provider tells its customers
}

// IsProvider is true for the provider and both roles.
func (c CloudService) IsProvider() bool { return c.Role == RoleProvider || c.Role == RoleBoth }

// IsCustomer is true for the customer and both roles.
func (c CloudService) IsCustomer() bool { return c.Role == RoleCustomer || c.Role == RoleBoth }

// Roles lists the SoA roles the service needs, provider first.
func (c CloudService) Roles() []string {
	var r []string
	if c.IsProvider() {
		r = append(r, RoleProvider)
	}
	if c.IsCustomer() {
		r = append(r, RoleCustomer)
	}
	return r
}

type Document struct {
	ID          string
	Kind        string // policy, procedure, record, contract, other
	Title       string
	Version     string
	Approval    *Approval
	CloudTopics []string
	Evidence    []Evidence
	// Clauses are the JIS Q 27001 clause numbers the document fulfils.
	Clauses            []string
	ReviewedOn         Date
	ReviewIntervalDays *int
}

type Asset struct {
	ID              string
	Name            string
	Kind            string
	Owner           string
	Services        []string
	Systems         []string
	Confidentiality *int
	Integrity       *int
	Availability    *int
}

// Value is the largest of the asset's C, I and A figures (0 when none is given).
func (a Asset) Value() int {
	v := 0
	for _, p := range []*int{a.Confidentiality, a.Integrity, a.Availability} {
		if p != nil && *p > v {
			v = *p
		}
	}
	return v
}

// Risk assessment methods.
const (
	MethodLikelihoodImpact = "likelihood-impact"
	MethodATV              = "asset-threat-vulnerability"
)

// Scale factor names.
const (
	FactorLikelihood    = "likelihood"
	FactorImpact        = "impact"
	FactorThreat        = "threat"
	FactorVulnerability = "vulnerability"
	FactorAssetValue    = "asset_value"
)

type ScaleLevel struct {
	Level int
	Label string
}

type RiskCriteria struct {
	Method string
	// Scales maps a factor name to its levels, in the bundle's order.
	Scales     map[string][]ScaleLevel
	Acceptance int
	// ReassessmentIntervalDays is the planned interval of risk
	// reassessment (nil: DefaultReassessmentInterval).
	ReassessmentIntervalDays *int
}

// DefaultReassessmentInterval applies when the criteria give none.
const DefaultReassessmentInterval = 365

// daysOr is an interval in days as given, or def when it is not given.
func daysOr(days *int, def int) int {
	if days == nil {
		return def
	}
	return *days
}

// ReassessmentInterval is the planned interval of risk reassessment in days.
func (c RiskCriteria) ReassessmentInterval() int {
	return daysOr(c.ReassessmentIntervalDays, DefaultReassessmentInterval)
}

// Factors lists the factors the method multiplies, in the order a level is
// explained (value × threat × vulnerability; likelihood × impact).
func (c RiskCriteria) Factors() []string {
	if c.Method == MethodATV {
		return []string{FactorAssetValue, FactorThreat, FactorVulnerability}
	}
	return []string{FactorLikelihood, FactorImpact}
}

// Max is the highest level of a factor's scale (0 when the scale is absent).
func (c RiskCriteria) Max(factor string) int {
	m := 0
	for _, l := range c.Scales[factor] {
		m = max(m, l.Level)
	}
	return m
}

// RiskSource is an organization's own addition to the risk source library.
type RiskSource struct {
	ID       string
	Title    string
	TitleEN  string
	Required *bool
}

type SourceNotApplicable struct {
	Source string
	Reason string
}

// Factor is a risk factor that is a level (an integer) or, where the method
// does not use it as a level, free text.
type Factor struct {
	Set   bool
	IsInt bool
	Int   int
	Text  string
}

// Level returns the factor as a level, and whether it is one.
func (f Factor) Level() (int, bool) { return f.Int, f.Set && f.IsInt }

// Residual holds the factors after treatment; absent ones keep their
// pre-treatment value.
type Residual struct {
	Likelihood    Factor
	Impact        Factor
	Threat        Factor
	Vulnerability Factor
	AssetValue    Factor
}

type PlanAction struct {
	Action string
	Owner  string
	Due    Date
	DoneOn Date
}

type RiskApproval struct {
	By               string
	Date             Date
	ResidualAccepted *bool
}

// Risk treatments.
const (
	TreatModify = "modify"
	TreatShare  = "share"
	TreatAvoid  = "avoid"
	TreatRetain = "retain"
)

type Risk struct {
	ID            string
	Title         string
	Sources       []string
	Services      []string
	Assets        []string
	Threat        Factor
	Vulnerability Factor
	Likelihood    Factor
	Impact        Factor
	Owner         string
	Treatment     string
	Controls      []string
	Residual      *Residual
	Plan          []PlanAction
	Approval      *RiskApproval
	AssessedOn    Date       // when the risk was last assessed (zero: not given)
	Evidence      []Evidence // of the assessment or the treatment
}

// AssessmentDate is when the risk was last assessed: its AssessedOn when
// given, else the date of its approval (zero when neither is there).
func (r *Risk) AssessmentDate() Date {
	if !r.AssessedOn.IsZero() {
		return r.AssessedOn
	}
	if r.Approval != nil {
		return r.Approval.Date
	}
	return Date{}
}

// ApprovedByOwner reports whether the risk's owner approved its treatment
// plan (an approval by anyone else does not count).
func (r *Risk) ApprovedByOwner() bool {
	return r.Approval != nil && r.Owner != "" && r.Approval.By == r.Owner
}

// ResidualAcceptedByOwner reports whether the owner also accepted the
// residual risk.
func (r *Risk) ResidualAcceptedByOwner() bool {
	return r.ApprovedByOwner() && IsTrue(r.Approval.ResidualAccepted)
}

// SoA is a Statement of Applicability: the organization's (Service empty)
// or one per cloud service and role.
type SoA struct {
	Service  string
	Role     string
	Approval *Approval
	Rows     []SoARow
}

// IsOrganization reports whether this is the organization's ISMS SoA.
func (s SoA) IsOrganization() bool { return s.Service == "" }

// SoA row implementation states.
const (
	ImplImplemented    = "implemented"
	ImplPartial        = "partial"
	ImplPlanned        = "planned"
	ImplNotImplemented = "not-implemented"
)

type SoARow struct {
	Control        string
	Applicable     *bool
	Reasons        []string
	Implementation string
	Justification  string
	Notes          string
	Evidence       []Evidence
}

// IsApplicable is true only when the row says applicable: true.
func (r SoARow) IsApplicable() bool { return r.Applicable != nil && *r.Applicable }

// The states of an SoA row besides its implementation states.
const (
	StateMissing  = "missing"  // no row, or a row that does not say whether it applies
	StateExcluded = "excluded" // applicable: false
)

// StateOf is the state an SoA row is shown and counted in: missing,
// excluded, or its implementation state (not-implemented when an
// applicable row does not say). r may be nil (no row).
func StateOf(r *SoARow) string {
	switch {
	case r == nil || r.Applicable == nil:
		return StateMissing
	case !*r.Applicable:
		return StateExcluded
	case r.Implementation == "":
		return ImplNotImplemented
	}
	return r.Implementation
}

type Responsibility struct {
	Service      string
	Control      string
	Area         string
	Provider     string
	Customer     string
	DocumentedIn string
}

// Verification results.
const (
	ResultMeets = "meets"
	ResultGap   = "gap"
)

type Verification struct {
	ID                string
	Service           string
	Control           string
	ProviderStatement string
	Result            string
	Gap               string
	Risk              string
	Approval          *Approval
	Evidence          []Evidence
	Date              Date // when it was verified (zero: not given)
	// IntervalDays is verification_interval_days (nil:
	// DefaultVerificationInterval).
	IntervalDays *int
}

// DefaultVerificationInterval applies when a verification gives none.
const DefaultVerificationInterval = 365

// Interval is the verification's interval in days.
func (v *Verification) Interval() int {
	return daysOr(v.IntervalDays, DefaultVerificationInterval)
}

// VerifiedOn is when the verification was made: its Date when given, else
// the date of its approval (zero when neither is there).
func (v *Verification) VerifiedOn() Date {
	if !v.Date.IsZero() {
		return v.Date
	}
	if v.Approval != nil {
		return v.Approval.Date
	}
	return Date{}
}

type LegalEntry struct {
	ID                   string
	Name                 string
	Jurisdictions        []string
	Services             []string
	EvidenceFromProvider *bool
	Notes                string
}

// DefaultRestoreTestInterval applies when a backups entry gives none.
const DefaultRestoreTestInterval = 365

type Backup struct {
	Service                 string
	Policy                  string
	RestoreTestIntervalDays *int
	Tests                   []RestoreTest
}

// Interval is the restore test interval in days, defaulted.
func (b Backup) Interval() int {
	return daysOr(b.RestoreTestIntervalDays, DefaultRestoreTestInterval)
}

type RestoreTest struct {
	Date     Date
	Result   string // pass, fail
	By       string
	Notes    string
	Evidence []Evidence
}

type Monitoring struct {
	Service string
	Items   []MonitoringItem
}

type MonitoringItem struct {
	What      string
	Method    string
	Threshold string
	Owner     string
	Evidence  []Evidence // records that the monitoring ran (reports, alert logs)
}

// Finding kinds of an internal audit.
const (
	FindingMajor        = "major"
	FindingMinor        = "minor"
	FindingObservation  = "observation"
	FindingGoodPractice = "good-practice"
)

type Audit struct {
	ID       string
	Title    string
	Start    Date
	End      Date
	Services []string
	Units    []string
	Auditors []string
	Criteria []string
	Findings []AuditFinding
}

type AuditFinding struct {
	ID               string
	Kind             string
	Control          string
	Description      string
	CorrectiveAction *CorrectiveAction
	Evidence         []Evidence
}

type CorrectiveAction struct {
	Cause      string
	Action     string
	Owner      string
	Due        Date
	DoneOn     Date
	Effective  *bool
	VerifiedBy string
	Evidence   []Evidence
}

// ReviewInputs are the inputs JIS Q 27001 9.3 names: 2013 a to f,
// 2022 a to g (letters of 2013 / 2022).
type ReviewInputs struct {
	PreviousActions          string // a / a
	IssueChanges             string // b / b
	InterestedPartyNeeds     string // - / c (2022 only)
	Nonconformities          string // c / d 1
	MonitoringResults        string // c / d 2
	AuditResults             string // c / d 3
	Objectives               string // c / d 4
	InterestedParties        string // d / e
	RiskStatus               string // e / f
	ImprovementOpportunities string // f / g
}

type Review struct {
	ID       string
	Date     Date
	Chair    string
	Inputs   ReviewInputs
	Outputs  []ReviewOutput
	Evidence []Evidence // the minutes and the material presented
}

type ReviewOutput struct {
	Decision string
	Owner    string
	Due      Date
}

// IsTrue reads an optional flag that defaults to false.
func IsTrue(b *bool) bool { return b != nil && *b }
