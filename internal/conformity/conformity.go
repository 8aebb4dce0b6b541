// Package conformity evaluates the conformity rules of spec/rules.md on an
// ISMS. Evaluation is a pure function of the ISMS and an as-of date: the
// same input gives the same findings in the same order (rule id, subject).
package conformity

import (
	"strings"

	"github.com/cloudisms/cloudisms/internal/catalog"
	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/isms"
)

// Severities.
const (
	Error   = "error"
	Warning = "warning"
)

// Areas group rules for people reading the findings.
const (
	AreaScope    = "scope"
	AreaRisk     = "risk"
	AreaSoA      = "soa"
	AreaProvider = "provider"
	AreaOps      = "operations"
	AreaPolicy   = "policy"
	AreaAudit    = "audit"
	AreaReview   = "review"
	AreaEdition  = "edition"
)

// Areas lists the areas in the order the standard is worked through.
var Areas = []string{AreaScope, AreaRisk, AreaSoA, AreaProvider, AreaOps, AreaPolicy, AreaAudit, AreaReview, AreaEdition}

// Finding is one thing the ISMS falls short in.
type Finding struct {
	Rule      string
	Severity  string
	Area      string
	Subject   string // the item's path, e.g. cloud_services/svc-crm
	Message   i18n.Message
	Reference string // the requirement it comes from
}

// Rule is one conformity rule.
type Rule struct {
	ID       string
	Severity string
	Area     string
	// Reference is the requirement in the numbering of the 2022 edition,
	// JIS Q 27001:2023 / ISO/IEC 27001:2022 (ReferenceFor gives the
	// reference of an ISMS's edition: see ref2013).
	Reference string
	check     func(c *ctx, emit func(subject string, msg i18n.Message))
}

// Rules returns the rules in the order of rules.md.
func Rules() []Rule { return rules }

// ref2013 holds, by rule id, the reference of a rule whose clause numbers
// differ in JIS Q 27001:2014 / ISO/IEC 27001:2013 (corrective action
// 10.1, audit 9.2, review 9.3). A rule not listed cites the same clauses
// in both editions. A file that adds rules may add its own entries in an
// init function.
var ref2013 = map[string]string{}

// ReferenceFor is the rule's reference as an ISMS of the edition cites it:
// "JIS Q 27001" is written with the year of the edition's JIS
// (JIS Q 27001:2023 for iso27001:2022, JIS Q 27001:2014 for
// iso27001:2013) and, under 2013, with that edition's clause numbers.
func (r Rule) ReferenceFor(edition string) string {
	ref, year := r.Reference, ":2023"
	if edition == catalog.ISO27001v2013 {
		year = ":2014"
		if old, ok := ref2013[r.ID]; ok {
			ref = old
		}
	}
	return strings.ReplaceAll(ref, "JIS Q 27001 ", "JIS Q 27001"+year+" ")
}

// Check evaluates every rule on m as of the given date.
func Check(m *isms.ISMS, asOf isms.Date) []Finding {
	return NewChecked(m, asOf).Findings()
}

// Counts tallies findings by severity.
func Counts(fs []Finding) map[string]int {
	n := map[string]int{Error: 0, Warning: 0}
	for _, f := range fs {
		n[f.Severity]++
	}
	return n
}

// ctx holds the indexes every rule needs, built once per check.
type ctx struct {
	m       *isms.ISMS
	asOf    isms.Date
	cat     *catalog.Catalog
	edition string
	svc     map[string]*isms.CloudService
	people  map[string]*isms.Person
	units   map[string]*isms.Unit
	sites   map[string]*isms.Site
	orgSoA  *soaIndex
	svcSoA  map[string]*soaIndex // "service/role"
	assess  *isms.Assessor
	rix     *riskIndex // built on first use: see risks
}

// soaIndex is an SoA with its rows by control.
type soaIndex struct {
	soa  *isms.SoA
	rows map[string]*isms.SoARow
}

func newCtx(m *isms.ISMS, asOf isms.Date) *ctx {
	c := &ctx{m: m, asOf: asOf, cat: catalog.Std(), edition: m.Organization.AnnexA,
		svc: map[string]*isms.CloudService{}, people: map[string]*isms.Person{},
		units: map[string]*isms.Unit{}, sites: map[string]*isms.Site{},
		svcSoA: map[string]*soaIndex{}, assess: isms.NewAssessor(m)}
	for i := range m.Services {
		c.svc[m.Services[i].ID] = &m.Services[i]
	}
	for i := range m.People {
		c.people[m.People[i].ID] = &m.People[i]
	}
	for i := range m.Units {
		c.units[m.Units[i].ID] = &m.Units[i]
	}
	for i := range m.Sites {
		c.sites[m.Sites[i].ID] = &m.Sites[i]
	}
	for i := range m.SoAs {
		s := &m.SoAs[i]
		ix := &soaIndex{soa: s, rows: make(map[string]*isms.SoARow, len(s.Rows))}
		for j := range s.Rows {
			ix.rows[s.Rows[j].Control] = &s.Rows[j]
		}
		if s.IsOrganization() {
			c.orgSoA = ix
		} else {
			c.svcSoA[s.Service+"/"+s.Role] = ix
		}
	}
	return c
}

// inScope lists the in-scope services in document order.
func (c *ctx) inScope() []*isms.CloudService {
	var out []*isms.CloudService
	for i := range c.m.Services {
		if c.m.Services[i].InScope {
			out = append(out, &c.m.Services[i])
		}
	}
	return out
}

// effective returns the effective row of a control in the SoA of a service
// and role: the service SoA's own row, else the organization's row. With
// service "" it is the organization's row. nil when no row applies.
func (c *ctx) effective(service, role, control string) *isms.SoARow {
	if service != "" {
		if ix := c.svcSoA[service+"/"+role]; ix != nil {
			if r := ix.rows[control]; r != nil {
				return r
			}
		}
	}
	if c.orgSoA != nil {
		return c.orgSoA.rows[control]
	}
	return nil
}

func (c *ctx) applicable(service, role, control string) bool {
	r := c.effective(service, role, control)
	return r != nil && r.IsApplicable()
}

// soaSubject names an SoA in finding subjects.
func soaSubject(s *isms.SoA) string {
	if s.IsOrganization() {
		return "soa/organization"
	}
	return "soa/" + s.Service + "/" + s.Role
}

// checkedSoAs are the SoAs the SoA rules look at: the organization's and
// those of in-scope services, in document order.
func (c *ctx) checkedSoAs() []*soaIndex {
	var out []*soaIndex
	for i := range c.m.SoAs {
		s := &c.m.SoAs[i]
		if s.IsOrganization() {
			out = append(out, c.orgSoA)
			continue
		}
		if sv := c.svc[s.Service]; sv != nil && sv.InScope {
			out = append(out, c.svcSoA[s.Service+"/"+s.Role])
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
