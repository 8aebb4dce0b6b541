package conformity_test

import (
	"fmt"
	"os"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/catalog"
	"github.com/cloudisms/cloudisms/internal/conformity"
	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/isms"
)

// The tests here are written against spec/rules.md: every rule fires on a
// small mutation of one of the two samples (which check clean), and stays
// quiet on the boundary cases the spec draws.

const (
	saas   = "../../examples/sample-saas.yaml" // iso27001:2022, likelihood-impact
	y2013  = "../../examples/sample-2013.yaml" // iso27001:2013, asset-threat-vulnerability
	asOfSD = "2026-11-01"
)

// specRules are the rules of rules.md, in its order, with their severities.
var specRules = []struct{ id, severity string }{
	{"SCOPE-01", "error"}, {"SCOPE-02", "error"}, {"SCOPE-03", "error"}, {"SCOPE-04", "error"},
	{"SCOPE-05", "error"}, {"SCOPE-06", "error"}, {"SCOPE-07", "error"}, {"SCOPE-08", "error"},
	{"SCOPE-09", "error"}, {"SCOPE-10", "warning"},
	{"RISK-01", "error"}, {"RISK-02", "warning"}, {"RISK-03", "error"}, {"RISK-04", "error"},
	{"RISK-05", "error"}, {"RISK-06", "error"}, {"RISK-07", "error"}, {"RISK-08", "warning"},
	{"RISK-09", "error"},
	{"SOA-01", "error"}, {"SOA-02", "error"}, {"SOA-03", "error"}, {"SOA-04", "error"},
	{"SOA-05", "error"}, {"SOA-06", "warning"}, {"SOA-07", "warning"}, {"SOA-08", "error"}, {"SOA-09", "warning"},
	{"RESP-01", "error"}, {"VERIFY-01", "error"}, {"VERIFY-02", "error"},
	{"OPS-01", "error"}, {"OPS-02", "error"}, {"OPS-03", "error"},
	{"POL-01", "error"},
	{"AUD-01", "error"}, {"AUD-02", "error"}, {"AUD-03", "error"}, {"AUD-04", "warning"}, {"AUD-05", "warning"},
	{"AUD-06", "warning"},
	{"MR-01", "error"}, {"MR-02", "error"},
	{"EDITION-01", "error"},
}

func init() {
	for _, r := range registerSpecRules {
		specRules = append(specRules, r)
	}
}

func specSeverity(id string) string {
	for _, r := range specRules {
		if r.id == id {
			return r.severity
		}
	}
	return ""
}

// --- loading ---------------------------------------------------------------

var (
	srcMu    sync.Mutex
	srcCache = map[string][]byte{}
)

// load decodes a sample afresh (the bytes are read once).
func load(t *testing.T, path string) *isms.ISMS {
	t.Helper()
	srcMu.Lock()
	src, ok := srcCache[path]
	if !ok {
		var err error
		src, err = os.ReadFile(path)
		if err != nil {
			srcMu.Unlock()
			t.Fatalf("read %s: %v", path, err)
		}
		srcCache[path] = src
	}
	srcMu.Unlock()
	m, err := bundle.Decode(path, src)
	if err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	return m
}

// --- model helpers (they panic on an id the sample lacks: a broken test) ---

func bp(b bool) *bool { return &b }
func ip(n int) *int   { return &n }

func lvl(n int) isms.Factor    { return isms.Factor{Set: true, IsInt: true, Int: n} }
func txt(s string) isms.Factor { return isms.Factor{Set: true, Text: s} }
func date(s string) isms.Date  { return isms.MustDate(s) }
func pick[T any](s []T, f func(T) bool) *T {
	for i := range s {
		if f(s[i]) {
			return &s[i]
		}
	}
	panic(fmt.Sprintf("test fixture: no %T matches", s))
}

func svc(m *isms.ISMS, id string) *isms.CloudService {
	return pick(m.Services, func(x isms.CloudService) bool { return x.ID == id })
}
func person(m *isms.ISMS, id string) *isms.Person {
	return pick(m.People, func(x isms.Person) bool { return x.ID == id })
}
func site(m *isms.ISMS, id string) *isms.Site {
	return pick(m.Sites, func(x isms.Site) bool { return x.ID == id })
}
func system(m *isms.ISMS, id string) *isms.System {
	return pick(m.Systems, func(x isms.System) bool { return x.ID == id })
}
func risk(m *isms.ISMS, id string) *isms.Risk {
	return *pick(m.Risks, func(x *isms.Risk) bool { return x.ID == id })
}
func asset(m *isms.ISMS, id string) *isms.Asset {
	return pick(m.Assets, func(x isms.Asset) bool { return x.ID == id })
}
func doc(m *isms.ISMS, id string) *isms.Document {
	return pick(m.Documents, func(x isms.Document) bool { return x.ID == id })
}
func backup(m *isms.ISMS, service string) *isms.Backup {
	return pick(m.Backups, func(x isms.Backup) bool { return x.Service == service })
}
func verification(m *isms.ISMS, id string) *isms.Verification {
	return pick(m.Verifications, func(x isms.Verification) bool { return x.ID == id })
}
func audit(m *isms.ISMS, id string) *isms.Audit {
	return pick(m.Audits, func(x isms.Audit) bool { return x.ID == id })
}
func auditFinding(m *isms.ISMS, aid, fid string) *isms.AuditFinding {
	a := audit(m, aid)
	return pick(a.Findings, func(x isms.AuditFinding) bool { return x.ID == fid })
}
func review(m *isms.ISMS, id string) *isms.Review {
	return pick(m.Reviews, func(x isms.Review) bool { return x.ID == id })
}

// soa finds an SoA; service "" is the organization's.
func soa(m *isms.ISMS, service, role string) *isms.SoA {
	return pick(m.SoAs, func(x isms.SoA) bool {
		return x.Service == service && (service == "" || x.Role == role)
	})
}
func row(m *isms.ISMS, service, role, ctl string) *isms.SoARow {
	s := soa(m, service, role)
	return pick(s.Rows, func(x isms.SoARow) bool { return x.Control == ctl })
}
func removeRow(m *isms.ISMS, service, role, ctl string) {
	s := soa(m, service, role)
	n := len(s.Rows)
	s.Rows = slices.DeleteFunc(s.Rows, func(x isms.SoARow) bool { return x.Control == ctl })
	if len(s.Rows) != n-1 {
		panic("test fixture: no row " + ctl)
	}
}
func removeSoA(m *isms.ISMS, service, role string) {
	soa(m, service, role) // must exist
	m.SoAs = slices.DeleteFunc(m.SoAs, func(x isms.SoA) bool {
		return x.Service == service && (service == "" || x.Role == role)
	})
}

// exclude makes a row not applicable, with a justification.
func exclude(m *isms.ISMS, service, role, ctl string) {
	r := row(m, service, role, ctl)
	r.Applicable, r.Reasons, r.Implementation = bp(false), nil, ""
	r.Justification = "対象外 / not relevant"
}
func applicableRow(ctl string) isms.SoARow {
	return isms.SoARow{Control: ctl, Applicable: bp(true), Reasons: []string{"business"}, Implementation: isms.ImplImplemented}
}
func excludedRow(ctl string) isms.SoARow {
	return isms.SoARow{Control: ctl, Applicable: bp(false), Justification: "対象外 / not relevant"}
}
func removeControl(m *isms.ISMS, rid, ctl string) {
	r := risk(m, rid)
	r.Controls = slices.DeleteFunc(r.Controls, func(c string) bool { return c == ctl })
}
func removeSource(m *isms.ISMS, src string) {
	for i := range m.Risks {
		m.Risks[i].Sources = slices.DeleteFunc(m.Risks[i].Sources, func(s string) bool { return s == src })
	}
}

// replaceRiskService rewrites every risk's services list, dropping duplicates.
func replaceRiskService(m *isms.ISMS, from, to string) {
	for i := range m.Risks {
		var out []string
		for _, s := range m.Risks[i].Services {
			if s == from {
				s = to
			}
			if !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
		m.Risks[i].Services = out
	}
}

// copySoA adds an SoA for service/role with a deep copy of another's rows.
func copySoA(m *isms.ISMS, fromSvc, fromRole, toSvc, toRole string) {
	from := soa(m, fromSvc, fromRole)
	rows := make([]isms.SoARow, len(from.Rows))
	for i, r := range from.Rows {
		r.Reasons = slices.Clone(r.Reasons)
		rows[i] = r
	}
	ap := *from.Approval
	m.SoAs = append(m.SoAs, isms.SoA{Service: toSvc, Role: toRole, Approval: &ap, Rows: rows})
}

// --- the table -------------------------------------------------------------

type ruleCase struct {
	name   string
	rule   string
	sample string
	asOf   string // default asOfSD
	mutate func(m *isms.ISMS)
	// want are the exact subjects the rule must report (any order); nil: quiet.
	want []string
	// also are the other rule ids that must fire (and no others).
	also []string
	// check, when set, looks further at the findings of the rule.
	check func(t *testing.T, fs []conformity.Finding)
}

func ruleCases() []ruleCase { return append(baseRuleCases(), registerRuleCases()...) }

func baseRuleCases() []ruleCase {
	return []ruleCase{
		// ---- SCOPE-01
		{name: "no service in scope", rule: "SCOPE-01", sample: saas,
			mutate: func(m *isms.ISMS) {
				for i := range m.Services {
					m.Services[i].InScope = false
				}
			},
			want: []string{"organization"}},
		{name: "2013 no service in scope", rule: "SCOPE-01", sample: y2013,
			mutate: func(m *isms.ISMS) {
				svc(m, "svc-drive").InScope = false
				svc(m, "svc-groupware").InScope = false
			},
			want: []string{"organization"}},
		{name: "one customer service in scope is enough", rule: "SCOPE-01", sample: y2013,
			mutate: func(m *isms.ISMS) {
				svc(m, "svc-groupware").InScope = false
				replaceRiskService(m, "svc-groupware", "svc-drive")
			},
			// ver-07's gap on svc-groupware now names a risk about svc-drive only
			also: []string{"VERIFY-02"}},

		// ---- SCOPE-02 (any service, in scope or not)
		{name: "out-of-scope service claims both role with a supplier as provider", rule: "SCOPE-02", sample: saas,
			mutate: func(m *isms.ISMS) { svc(m, "svc-workchat").Role = isms.RoleBoth },
			want:   []string{"cloud_services/svc-workchat"}},
		{name: "2013 out-of-scope reseller claims provider role", rule: "SCOPE-02", sample: y2013,
			mutate: func(m *isms.ISMS) { svc(m, "svc-accounting").Role = isms.RoleProvider },
			want:   []string{"cloud_services/svc-accounting"}},
		{name: "provider role with provider self", rule: "SCOPE-02", sample: saas,
			mutate: func(m *isms.ISMS) {
				w := svc(m, "svc-workchat")
				w.Role, w.Provider = isms.RoleProvider, isms.ProviderSelf
			}},
		{name: "customer role with a supplier as provider", rule: "SCOPE-02", sample: saas,
			mutate: func(m *isms.ISMS) { svc(m, "svc-workchat").Role = isms.RoleCustomer }},

		// ---- SCOPE-03
		{name: "used IaaS out of scope", rule: "SCOPE-03", sample: saas,
			mutate: func(m *isms.ISMS) { svc(m, "svc-iaas").InScope = false },
			want:   []string{"cloud_services/svc-kintai/uses/svc-iaas"},
			also:   []string{"SCOPE-09"}}, // svc-kintai's systems still stand on that supplier's cloud
		{name: "uses an out-of-scope service and an unregistered one", rule: "SCOPE-03", sample: saas,
			mutate: func(m *isms.ISMS) {
				k := svc(m, "svc-kintai")
				k.Uses = append(k.Uses, "svc-workchat", "svc-unknown")
			},
			want: []string{"cloud_services/svc-kintai/uses/svc-unknown", "cloud_services/svc-kintai/uses/svc-workchat"}},
		{name: "used service in scope with role provider", rule: "SCOPE-03", sample: saas,
			mutate: func(m *isms.ISMS) {
				i := svc(m, "svc-iaas")
				i.Role, i.Provider = isms.RoleProvider, isms.ProviderSelf
			},
			want: []string{"cloud_services/svc-kintai/uses/svc-iaas"},
			also: []string{"SOA-01", "SCOPE-09"}, // the provider SoA of svc-iaas is missing; no service of the cloud's supplier is used
		},
		{name: "used service with role both counts as customer", rule: "SCOPE-03", sample: saas,
			mutate: func(m *isms.ISMS) {
				i := svc(m, "svc-iaas")
				i.Role, i.Provider = isms.RoleBoth, isms.ProviderSelf
			},
			// both needs a provider SoA too; provider self is not the cloud site's supplier
			also: []string{"SOA-01", "SCOPE-09"},
		},
		{name: "customer-role service uses an out-of-scope service", rule: "SCOPE-03", sample: saas,
			mutate: func(m *isms.ISMS) { svc(m, "svc-iaas").Uses = []string{"svc-workchat"} }},
		{name: "out-of-scope provider-role service uses an out-of-scope service", rule: "SCOPE-03", sample: saas,
			mutate: func(m *isms.ISMS) {
				w := svc(m, "svc-workchat")
				w.Role, w.Provider, w.Uses = isms.RoleProvider, isms.ProviderSelf, []string{"svc-nowhere"}
			}},

		// ---- SCOPE-04
		{name: "system supporting the provided service out of scope", rule: "SCOPE-04", sample: saas,
			mutate: func(m *isms.ISMS) {
				system(m, "sys-app").InScope = bp(false)
				system(m, "sys-office-net").InScope = nil // absent is not in scope
			},
			want: []string{"systems/sys-app", "systems/sys-office-net"}},
		{name: "system supporting a both-role service out of scope", rule: "SCOPE-04", sample: saas,
			mutate: func(m *isms.ISMS) {
				svc(m, "svc-kintai").Role = isms.RoleBoth
				system(m, "sys-cicd").InScope = bp(false)
			},
			want: []string{"systems/sys-cicd"},
			also: []string{"SOA-01"}},
		{name: "system supporting only a customer-role service out of scope", rule: "SCOPE-04", sample: saas,
			mutate: func(m *isms.ISMS) {
				m.Systems = append(m.Systems, isms.System{ID: "sys-iaas-console", Name: "console", Location: "cloud",
					Site: "site-nimbus-tokyo", Supports: []string{"svc-iaas", "svc-workchat"}, InScope: bp(false)})
			}},
		{name: "2013 customer-role systems out of scope", rule: "SCOPE-04", sample: y2013,
			mutate: func(m *isms.ISMS) { system(m, "sys-lan").InScope = bp(false) }},
		{name: "system supporting an out-of-scope provider-role service", rule: "SCOPE-04", sample: saas,
			mutate: func(m *isms.ISMS) {
				w := svc(m, "svc-workchat")
				w.Role, w.Provider = isms.RoleProvider, isms.ProviderSelf
				system(m, "sys-app").Supports = []string{"svc-workchat"}
				system(m, "sys-app").InScope = bp(false)
			}},

		// ---- SCOPE-05
		{name: "office site taken out of scope", rule: "SCOPE-05", sample: saas,
			mutate: func(m *isms.ISMS) { site(m, "site-hq").InISMSScope = bp(false) },
			want:   []string{"systems/sys-office-net"}},
		{name: "2013 office site taken out of scope", rule: "SCOPE-05", sample: y2013,
			mutate: func(m *isms.ISMS) { site(m, "site-hq").InISMSScope = bp(false) },
			want:   []string{"systems/sys-cad", "systems/sys-lan", "systems/sys-nas"}},
		{name: "full-managed datacenter without onsite work, with supplier", rule: "SCOPE-05", sample: saas,
			mutate: func(m *isms.ISMS) { fullManaged(m) }},
		{name: "colocation datacenter", rule: "SCOPE-05", sample: saas,
			mutate: func(m *isms.ISMS) { fullManaged(m); site(m, "site-nimbus-osaka").DatacenterService = "colocation" },
			want:   []string{"systems/sys-backup"}},
		{name: "full-managed datacenter with onsite work", rule: "SCOPE-05", sample: saas,
			mutate: func(m *isms.ISMS) { fullManaged(m); site(m, "site-nimbus-osaka").OnsiteWork = bp(true) },
			want:   []string{"systems/sys-backup"}},
		{name: "full-managed datacenter, onsite work not stated", rule: "SCOPE-05", sample: saas,
			mutate: func(m *isms.ISMS) { fullManaged(m); site(m, "site-nimbus-osaka").OnsiteWork = nil },
			want:   []string{"systems/sys-backup"}},
		{name: "full-managed datacenter without supplier", rule: "SCOPE-05", sample: saas,
			mutate: func(m *isms.ISMS) { fullManaged(m); site(m, "site-nimbus-osaka").Supplier = "" },
			want:   []string{"systems/sys-backup"}},
		{name: "out-of-scope office site of an out-of-scope system", rule: "SCOPE-05", sample: saas,
			mutate: func(m *isms.ISMS) {
				m.Sites = append(m.Sites, isms.Site{ID: "site-lab", Name: "lab", Kind: "office", InISMSScope: bp(false)})
				m.Systems = append(m.Systems, isms.System{ID: "sys-lab", Name: "lab", Location: "on-premises", Site: "site-lab", InScope: bp(false)})
			}},
		{name: "out-of-scope cloud site (sample as is)", rule: "SCOPE-05", sample: saas,
			mutate: func(m *isms.ISMS) {}},

		// ---- SCOPE-06
		{name: "person with cloud duties not cloud security personnel", rule: "SCOPE-06", sample: saas,
			mutate: func(m *isms.ISMS) {
				m.People = append(m.People,
					isms.Person{ID: "p-sre", Name: "SRE", Unit: "unit-ops", ISMSPersonnel: bp(true),
						CloudSecurityPersonnel: bp(false), CloudDuties: []string{isms.DutyOperation}},
					isms.Person{ID: "p-sre2", Name: "SRE2", Unit: "unit-ops", ISMSPersonnel: bp(true),
						CloudDuties: []string{isms.DutyContinuity}})
			},
			want: []string{"people/p-sre", "people/p-sre2"},
			also: []string{"AWARE-01"}}, // new ISMS personnel have had no awareness training yet
		{name: "2013 designer given cloud duties", rule: "SCOPE-06", sample: y2013,
			mutate: func(m *isms.ISMS) {
				person(m, "p-design-lead").CloudDuties = []string{isms.DutyCustomerSupport, isms.DutyOperation}
			},
			want: []string{"people/p-design-lead"},
			check: func(t *testing.T, fs []conformity.Finding) {
				// the message names the duty that calls for it, not customer support
				wantNotIn(t, fs[0].Message.In(i18n.EN), isms.DutyCustomerSupport)
			}},
		{name: "v2: customer-window person with customer-support duties only", rule: "SCOPE-06", sample: saas,
			mutate: func(m *isms.ISMS) {
				p := person(m, "p-cs-lead")
				p.CloudDuties, p.CloudSecurityPersonnel = []string{isms.DutyCustomerSupport}, bp(false)
			}},
		{name: "2013 v2: customer-support only is no cloud security duty", rule: "SCOPE-06", sample: y2013,
			mutate: func(m *isms.ISMS) {
				person(m, "p-design-lead").CloudDuties = []string{isms.DutyCustomerSupport}
			}},
		{name: "person with cloud duties who is cloud security personnel", rule: "SCOPE-06", sample: saas,
			mutate: func(m *isms.ISMS) {
				m.People = append(m.People, isms.Person{ID: "p-sre", Name: "SRE", Unit: "unit-ops", ISMSPersonnel: bp(true),
					CloudSecurityPersonnel: bp(true), CloudDuties: []string{isms.DutyOperation}})
			},
			also: []string{"AWARE-01", "COMP-01"}}, // and no training yet
		{name: "person without duties, not cloud security personnel", rule: "SCOPE-06", sample: saas,
			mutate: func(m *isms.ISMS) { person(m, "p-ceo").CloudDuties = []string{} }},

		// ---- SCOPE-07
		{name: "cloud security person not ISMS personnel", rule: "SCOPE-07", sample: saas,
			mutate: func(m *isms.ISMS) {
				person(m, "p-ops").ISMSPersonnel = bp(false)
				person(m, "p-isms").ISMSPersonnel = nil
			},
			want: []string{"people/p-isms", "people/p-ops"}},
		{name: "cloud security person in an out-of-scope unit", rule: "SCOPE-07", sample: saas,
			mutate: func(m *isms.ISMS) { person(m, "p-ops").Unit = "unit-newbiz" },
			want:   []string{"people/p-ops"}},
		{name: "cloud security person both outside ISMS and in an out-of-scope unit: one finding", rule: "SCOPE-07", sample: saas,
			mutate: func(m *isms.ISMS) {
				p := person(m, "p-newbiz")
				p.CloudSecurityPersonnel = bp(true)
			},
			want: []string{"people/p-newbiz"},
			also: []string{"COMP-01"}}, // a new cloud security person without the cloud training
		{name: "cloud security person without unit", rule: "SCOPE-07", sample: saas,
			mutate: func(m *isms.ISMS) { person(m, "p-ops").Unit = "" }},
		{name: "unit scope flag absent means in scope", rule: "SCOPE-07", sample: saas,
			mutate: func(m *isms.ISMS) {
				for i := range m.Units {
					if m.Units[i].ID == "unit-ops" {
						m.Units[i].InISMSScope = nil
					}
				}
			}},
		{name: "non cloud security person in an out-of-scope unit (sample as is)", rule: "SCOPE-07", sample: saas,
			mutate: func(m *isms.ISMS) {}},

		// ---- SCOPE-08
		{name: "cloud_scope does not name the IaaS", rule: "SCOPE-08", sample: saas,
			mutate: func(m *isms.ISMS) {
				m.Organization.CloudScope = strings.ReplaceAll(m.Organization.CloudScope, svc(m, "svc-iaas").Name, "IaaS")
			},
			want: []string{"cloud_services/svc-iaas"}},
		{name: "2013 service renamed", rule: "SCOPE-08", sample: y2013,
			mutate: func(m *isms.ISMS) {
				svc(m, "svc-drive").Name = "オンラインストレージ「サンプルドライブ Pro」"
			},
			want: []string{"cloud_services/svc-drive"}},
		{name: "out-of-scope service not named", rule: "SCOPE-08", sample: saas,
			mutate: func(m *isms.ISMS) { svc(m, "svc-workchat").Name = "Unnamed chat" }},

		// ---- RISK-01
		{name: "IaaS named by no risk", rule: "RISK-01", sample: saas,
			mutate: func(m *isms.ISMS) { replaceRiskService(m, "svc-iaas", "svc-kintai") },
			want:   []string{"cloud_services/svc-iaas"},
			// the IaaS SoA's "risk" reasons and ver-04's gap lose their risks
			also: []string{"SOA-09", "VERIFY-02"}},
		{name: "2013 groupware named by no risk", rule: "RISK-01", sample: y2013,
			mutate: func(m *isms.ISMS) { replaceRiskService(m, "svc-groupware", "svc-drive") },
			want:   []string{"cloud_services/svc-groupware"},
			also:   []string{"SOA-09", "VERIFY-02"}},
		{name: "out-of-scope service named by no risk (sample as is)", rule: "RISK-01", sample: saas,
			mutate: func(m *isms.ISMS) {}},
		{name: "service named by a single risk", rule: "RISK-01", sample: saas,
			mutate: func(m *isms.ISMS) {
				for i := range m.Risks {
					if m.Risks[i].ID != "r-06" {
						m.Risks[i].Services = slices.DeleteFunc(m.Risks[i].Services, func(s string) bool { return s == "svc-iaas" })
					}
				}
			},
			also: []string{"SOA-09"}}, // the IaaS SoA's "risk" reasons lose their risks

		// ---- RISK-02
		{name: "required library source named by no risk", rule: "RISK-02", sample: saas,
			mutate: func(m *isms.ISMS) { removeSource(m, "cloud.backup") },
			want:   []string{"risk_sources/cloud.backup"}},
		{name: "required source declared not applicable with an empty reason", rule: "RISK-02", sample: y2013,
			mutate: func(m *isms.ISMS) {
				removeSource(m, "cloud.monitoring")
				removeSource(m, "cloud.roles")
				m.SourcesNotApplicable = append(m.SourcesNotApplicable,
					isms.SourceNotApplicable{Source: "cloud.monitoring", Reason: ""},
					isms.SourceNotApplicable{Source: "cloud.roles", Reason: " 　\n"})
			},
			want: []string{"risk_sources/cloud.monitoring", "risk_sources/cloud.roles"}},
		{name: "organization's own required source named by no risk", rule: "RISK-02", sample: saas,
			mutate: func(m *isms.ISMS) {
				m.RiskSources = append(m.RiskSources, isms.RiskSource{ID: "org.payroll-law", Title: "給与計算", Required: bp(true)})
			},
			want: []string{"risk_sources/org.payroll-law"}},
		{name: "required source declared not applicable with a reason", rule: "RISK-02", sample: saas,
			mutate: func(m *isms.ISMS) {
				removeSource(m, "cloud.backup")
				m.SourcesNotApplicable = append(m.SourcesNotApplicable,
					isms.SourceNotApplicable{Source: "cloud.backup", Reason: "データを保存しない / no data is kept"})
			}},
		{name: "optional library source and optional own source named by no risk", rule: "RISK-02", sample: saas,
			mutate: func(m *isms.ISMS) {
				removeSource(m, "newit.ai")
				removeSource(m, "cloud.exit")
				m.RiskSources = append(m.RiskSources, isms.RiskSource{ID: "org.opt", Title: "任意", Required: bp(false)},
					isms.RiskSource{ID: "org.opt2", Title: "任意 2"})
			}},

		// ---- RISK-03
		{name: "likelihood above its scale, impact missing, residual below it", rule: "RISK-03", sample: saas,
			mutate: func(m *isms.ISMS) {
				risk(m, "r-13").Likelihood = lvl(4)
				risk(m, "r-14").Impact = isms.Factor{}
				risk(m, "r-10").Residual.Likelihood = lvl(0)
				risk(m, "r-11").Likelihood = txt("often")
			},
			want: []string{"risks/r-10", "risks/r-11", "risks/r-13", "risks/r-14"}},
		{name: "risk without owner", rule: "RISK-03", sample: saas,
			mutate: func(m *isms.ISMS) { risk(m, "r-13").Owner = "" },
			want:   []string{"risks/r-13"},
			also:   []string{"RISK-07"}, // no owner: no approval by the owner either
		},
		{name: "factors at the top of their scales; threat as text under likelihood-impact", rule: "RISK-03", sample: saas,
			mutate: func(m *isms.ISMS) {
				r := risk(m, "r-13")
				r.Likelihood, r.Impact = lvl(3), lvl(4)
				r.Residual = &isms.Residual{Likelihood: lvl(1), Impact: lvl(1)}
				r.Threat, r.Vulnerability = txt("紛失"), txt("暗号化なし")
			}},
		{name: "ATV threat above scale, vulnerability missing, no assets", rule: "RISK-03", sample: y2013,
			mutate: func(m *isms.ISMS) {
				risk(m, "r-01").Threat = lvl(4)
				risk(m, "r-02").Vulnerability = isms.Factor{}
				risk(m, "r-07").Assets = nil
				risk(m, "r-09").Threat = txt("高い")
			},
			want: []string{"risks/r-01", "risks/r-02", "risks/r-07", "risks/r-09"}},
		{name: "ATV asset value outside the scale", rule: "RISK-03", sample: y2013,
			mutate: func(m *isms.ISMS) {
				// a-office: C/I/A 1/1/2; none given gives 0; a-nas above the scale.
				a := asset(m, "a-office")
				a.Confidentiality, a.Integrity, a.Availability = nil, nil, nil
				risk(m, "r-09").Assets = []string{"a-office"}
				asset(m, "a-nas").Confidentiality = ip(4)
				risk(m, "r-01").Assets = []string{"a-nas"}
			},
			want: []string{"risks/r-01", "risks/r-09"}},
		{name: "ATV residual asset value outside the scale", rule: "RISK-03", sample: y2013,
			mutate: func(m *isms.ISMS) { risk(m, "r-06").Residual.AssetValue = lvl(4) },
			want:   []string{"risks/r-06"}},
		{name: "ATV factors at their maximum; likelihood/impact not used", rule: "RISK-03", sample: y2013,
			mutate: func(m *isms.ISMS) {
				r := risk(m, "r-09")
				r.Threat, r.Vulnerability = lvl(3), lvl(3)
				r.Likelihood, r.Impact = lvl(9), txt("大")
			}},

		// ---- RISK-04 (likelihood-impact, acceptance 4)
		{name: "retained risk above acceptance, owner has not accepted", rule: "RISK-04", sample: saas,
			mutate: func(m *isms.ISMS) {
				r := risk(m, "r-12")
				r.Likelihood = lvl(2) // 2×4 = 8 > 4
				r.Residual = &isms.Residual{Likelihood: lvl(1)}
				r.Approval.ResidualAccepted = bp(false)
			},
			want: []string{"risks/r-12"}},
		{name: "retained risk above acceptance, accepted by someone else than the owner", rule: "RISK-04", sample: saas,
			mutate: func(m *isms.ISMS) {
				r := risk(m, "r-12")
				r.Likelihood = lvl(2)
				r.Approval.By = "p-cto"
			},
			// v2: RISK-07 stays quiet on it (one fact, one finding)
			want: []string{"risks/r-12"}},
		{name: "retained risk above acceptance, acceptance not stated", rule: "RISK-04", sample: saas,
			mutate: func(m *isms.ISMS) {
				r := risk(m, "r-12")
				r.Likelihood = lvl(2)
				r.Residual = &isms.Residual{Likelihood: lvl(1)}
				r.Approval.ResidualAccepted = nil
			},
			want: []string{"risks/r-12"}},
		{name: "retained risk at acceptance (not above)", rule: "RISK-04", sample: saas,
			mutate: func(m *isms.ISMS) { risk(m, "r-12").Approval.ResidualAccepted = bp(false) }}, // 1×4 = 4
		{name: "retained risk above acceptance, accepted by its owner", rule: "RISK-04", sample: saas,
			mutate: func(m *isms.ISMS) { risk(m, "r-12").Likelihood = lvl(2) }},
		{name: "modified risk above acceptance not accepted", rule: "RISK-04", sample: saas,
			mutate: func(m *isms.ISMS) {
				r := risk(m, "r-14")
				r.Residual = nil // residual = level = 8
				r.Treatment = isms.TreatModify
				r.Approval.ResidualAccepted = bp(false)
			},
			also: []string{"RISK-07"}},
		// asset-threat-vulnerability, acceptance 8: level = max C/I/A of the assets × threat × vulnerability
		{name: "ATV retained risk above acceptance (asset value is the max over assets and C/I/A)", rule: "RISK-04", sample: y2013,
			mutate: func(m *isms.ISMS) {
				r := risk(m, "r-08")
				r.Assets = []string{"a-office", "a-contracts"} // max(2, 3) = 3
				r.Threat, r.Vulnerability = lvl(2), lvl(2)     // 3×2×2 = 12 > 8
				r.Residual = &isms.Residual{Vulnerability: lvl(1)}
				r.Approval.ResidualAccepted = bp(false)
			},
			want: []string{"risks/r-08"}},
		{name: "ATV retained risk at acceptance", rule: "RISK-04", sample: y2013,
			mutate: func(m *isms.ISMS) {
				r := risk(m, "r-08")
				r.Assets = []string{"a-office"}            // 2 (its availability)
				r.Threat, r.Vulnerability = lvl(2), lvl(2) // 2×2×2 = 8
				r.Approval.ResidualAccepted = bp(false)
			}},
		{name: "ATV retained risk above acceptance accepted by its owner", rule: "RISK-04", sample: y2013,
			mutate: func(m *isms.ISMS) {
				r := risk(m, "r-08")
				r.Threat, r.Vulnerability = lvl(2), lvl(2) // 3×2×2 = 12
			},
		},

		// ---- RISK-05
		{name: "modified risk names no control", rule: "RISK-05", sample: saas,
			mutate: func(m *isms.ISMS) { risk(m, "r-01").Controls = nil },
			want:   []string{"risks/r-01"},
			also:   []string{"SOA-09"}}, // rows adopted for r-01's risk lose it
		{name: "2013 modified risk names no control", rule: "RISK-05", sample: y2013,
			mutate: func(m *isms.ISMS) { risk(m, "r-09").Controls = []string{} },
			want:   []string{"risks/r-09"},
			also:   []string{"SOA-09"}},
		{name: "retained, avoided and shared risks without controls", rule: "RISK-05", sample: saas,
			mutate: func(m *isms.ISMS) {
				risk(m, "r-12").Controls = nil
				risk(m, "r-14").Controls = nil
				risk(m, "r-09").Controls = nil
			},
			also: []string{"SOA-09"}}, // rows adopted for these risks lose them

		// ---- RISK-06
		{name: "Annex A control excluded by the organization, named for two services", rule: "RISK-06", sample: saas,
			mutate: func(m *isms.ISMS) { exclude(m, "", "", "5.36") },
			want: []string{"risks/r-01/controls/5.36/soa/svc-iaas/customer",
				"risks/r-01/controls/5.36/soa/svc-kintai/provider"}},
		{name: "service SoA's own row overrides the organization's", rule: "RISK-06", sample: saas,
			mutate: func(m *isms.ISMS) {
				exclude(m, "", "", "5.36")
				s := soa(m, "svc-kintai", isms.RoleProvider)
				s.Rows = append(s.Rows, applicableRow("5.36"))
			},
			want: []string{"risks/r-01/controls/5.36/soa/svc-iaas/customer"},
			also: []string{"SOA-08"}}, // the service adopts what the organization excludes
		{name: "27017 item excluded in the customer SoA", rule: "RISK-06", sample: saas,
			mutate: func(m *isms.ISMS) { exclude(m, "svc-iaas", isms.RoleCustomer, "27017:12.4.3") },
			want:   []string{"risks/r-06/controls/27017:12.4.3/soa/svc-iaas/customer"},
			also:   []string{"SOA-06"}},
		{name: "customer-only item not looked for in a provider SoA", rule: "RISK-06", sample: saas,
			mutate: func(m *isms.ISMS) {
				r := risk(m, "r-06")
				r.Services = append(r.Services, "svc-kintai")
			}},
		{name: "risk naming no service: organization's SoA", rule: "RISK-06", sample: saas,
			mutate: func(m *isms.ISMS) {
				r := risk(m, "r-13")
				r.Controls = append(r.Controls, "7.12", "27017:12.4.3")
			},
			want: []string{"risks/r-13/controls/27017:12.4.3/soa/organization",
				"risks/r-13/controls/7.12/soa/organization"}},
		{name: "v2: a named service with no SoA at all gives no finding", rule: "RISK-06", sample: saas,
			mutate: func(m *isms.ISMS) {
				r := risk(m, "r-13")
				r.Services = []string{"svc-workchat"}
				r.Controls = append(r.Controls, "8.30")
			}},
		{name: "out-of-scope service's own SoA is looked at", rule: "RISK-06", sample: saas,
			mutate: func(m *isms.ISMS) {
				m.SoAs = append(m.SoAs, isms.SoA{Service: "svc-workchat", Role: isms.RoleCustomer,
					Rows: []isms.SoARow{excludedRow("27017:9.2.4"), {Control: "6.7"}}})
				r := risk(m, "r-13")
				r.Services = []string{"svc-workchat"}
				r.Controls = append(r.Controls, "27017:9.2.4")
			},
			want: []string{"risks/r-13/controls/27017:9.2.4/soa/svc-workchat/customer",
				"risks/r-13/controls/6.7/soa/svc-workchat/customer"}},
		{name: "2013 Annex A control excluded", rule: "RISK-06", sample: y2013,
			mutate: func(m *isms.ISMS) { exclude(m, "", "", "A.17.1.1") },
			want:   []string{"risks/r-04/controls/A.17.1.1/soa/svc-drive/customer"}},
		{name: "2013 risk naming no service with applicable controls (sample as is)", rule: "RISK-06", sample: y2013,
			mutate: func(m *isms.ISMS) {}},

		// ---- RISK-07
		{name: "risk without approval; approval by another person", rule: "RISK-07", sample: saas,
			mutate: func(m *isms.ISMS) {
				risk(m, "r-13").Approval = nil
				risk(m, "r-10").Approval.By = "p-ceo"
			},
			// the SaaS sample's risks carry assessed_on: RISK-09 does not
			// depend on the approval there
			want: []string{"risks/r-10", "risks/r-13"}},
		{name: "residual above acceptance not accepted", rule: "RISK-07", sample: saas,
			mutate: func(m *isms.ISMS) {
				risk(m, "r-09").Approval.ResidualAccepted = bp(false) // 2×3 = 6 > 4
				risk(m, "r-14").Residual = nil                        // residual = level 2×4 = 8
				risk(m, "r-14").Approval.ResidualAccepted = nil
			},
			want: []string{"risks/r-09", "risks/r-14"}},
		{name: "residual at or below acceptance not accepted", rule: "RISK-07", sample: saas,
			mutate: func(m *isms.ISMS) {
				risk(m, "r-01").Approval.ResidualAccepted = bp(false) // 1×3 = 3
				r := risk(m, "r-13")
				r.Residual.Impact = lvl(4) // 1×4 = 4, at acceptance
				r.Approval.ResidualAccepted = nil
			}},
		{name: "ATV residual above acceptance not accepted", rule: "RISK-07", sample: y2013,
			mutate: func(m *isms.ISMS) { risk(m, "r-06").Approval.ResidualAccepted = bp(false) }, // 3×3×1 = 9 > 8
			want:   []string{"risks/r-06"}},
		{name: "ATV residual level absent equals level", rule: "RISK-07", sample: y2013,
			mutate: func(m *isms.ISMS) {
				r := risk(m, "r-07") // 3×3×2 = 18
				r.Residual = nil
				r.Approval.ResidualAccepted = bp(false)
			},
			want: []string{"risks/r-07"}},
		{name: "ATV residual asset value brings the residual to acceptance", rule: "RISK-07", sample: y2013,
			mutate: func(m *isms.ISMS) {
				r := risk(m, "r-06")
				r.Residual.AssetValue = lvl(2)                        // 2×3×1 = 6
				r.Approval.ResidualAccepted = nil                     // not needed
				risk(m, "r-04").Approval.ResidualAccepted = bp(false) // 3×2×1 = 6
			}},
		{name: "ATV approval by someone else than the owner", rule: "RISK-07", sample: y2013,
			mutate: func(m *isms.ISMS) { risk(m, "r-04").Approval.By = "p-isms" },
			want:   []string{"risks/r-04"}},

		// ---- RISK-08
		{name: "service with data locations named by no legal entry", rule: "RISK-08", sample: saas,
			mutate: func(m *isms.ISMS) {
				for i := range m.Legal {
					m.Legal[i].Services = slices.DeleteFunc(m.Legal[i].Services, func(s string) bool { return s == "svc-iaas" })
				}
			},
			want: []string{"cloud_services/svc-iaas/data_locations/JP"}},
		{name: "2013 service with data locations named by no legal entry", rule: "RISK-08", sample: y2013,
			mutate: func(m *isms.ISMS) { m.Legal = nil },
			want: []string{"cloud_services/svc-drive/data_locations/JP", "cloud_services/svc-groupware/data_locations/JP",
				"cloud_services/svc-groupware/data_locations/US"}},
		{name: "service without data locations named by no legal entry", rule: "RISK-08", sample: saas,
			mutate: func(m *isms.ISMS) {
				for i := range m.Legal {
					m.Legal[i].Services = slices.DeleteFunc(m.Legal[i].Services, func(s string) bool { return s == "svc-iaas" })
				}
				svc(m, "svc-iaas").DataLocations = nil
			}},

		// ---- SOA-01
		{name: "service SoA missing for a role of a both-role service", rule: "SOA-01", sample: saas,
			mutate: func(m *isms.ISMS) { svc(m, "svc-kintai").Role = isms.RoleBoth },
			want:   []string{"soa/svc-kintai/customer"}},
		{name: "2013 service SoA missing", rule: "SOA-01", sample: y2013,
			mutate: func(m *isms.ISMS) {
				removeSoA(m, "svc-groupware", isms.RoleCustomer)
			},
			// v2: a named service with no SoA at all gives no RISK-06 finding
			want: []string{"soa/svc-groupware/customer"}},
		{name: "organization's SoA missing", rule: "SOA-01", sample: saas,
			mutate: func(m *isms.ISMS) { removeSoA(m, "", "") },
			want:   []string{"soa/organization"},
			// Annex A controls of risks and 27017 bases are then nowhere applicable;
			// SOA-02 has no SoA to look at.
			also: []string{"RISK-06", "SOA-05"}},
		{name: "both-role service with provider and customer SoAs", rule: "SOA-01", sample: saas,
			mutate: func(m *isms.ISMS) {
				svc(m, "svc-kintai").Role = isms.RoleBoth
				copySoA(m, "svc-iaas", isms.RoleCustomer, "svc-kintai", isms.RoleCustomer)
				for _, c := range []string{"27017:9.2.4", "27017:12.3.1", "27017:18.1.1", "CLD.12.4.5"} {
					m.Verifications = append(m.Verifications, isms.Verification{ID: "ver-k-" + c, Service: "svc-kintai", Control: c, Result: isms.ResultMeets, Date: date("2026-10-01")})
				}
			},
			also: []string{"SOA-09"}}, // the copied rows' "risk" reasons name risks of svc-iaas only
		{name: "out-of-scope service without SoA (sample as is)", rule: "SOA-01", sample: saas,
			mutate: func(m *isms.ISMS) {}},

		// ---- SOA-02
		{name: "organization's SoA lacks a 2022 control", rule: "SOA-02", sample: saas,
			mutate: func(m *isms.ISMS) {
				removeRow(m, "", "", "7.12")
				// a 2013 row does not stand in for it
				s := soa(m, "", "")
				s.Rows = append(s.Rows, excludedRow("A.11.2.3"))
			},
			want: []string{"soa/organization/7.12"}},
		{name: "organization's SoA lacks 2013 controls", rule: "SOA-02", sample: y2013,
			mutate: func(m *isms.ISMS) {
				removeRow(m, "", "", "A.14.3.1")
				removeRow(m, "", "", "A.7.2.1")
				// a 2022 row does not stand in for it
				s := soa(m, "", "")
				s.Rows = append(s.Rows, applicableRow("6.3"))
			},
			want: []string{"soa/organization/A.14.3.1", "soa/organization/A.7.2.1"}},
		{name: "2022 row present though not applicable (sample as is)", rule: "SOA-02", sample: saas,
			mutate: func(m *isms.ISMS) {}},

		// ---- SOA-03
		{name: "provider SoA lacks a provider item", rule: "SOA-03", sample: saas,
			mutate: func(m *isms.ISMS) { removeRow(m, "svc-kintai", isms.RoleProvider, "27017:9.2.1") },
			want:   []string{"soa/svc-kintai/provider/27017:9.2.1"}},
		{name: "customer SoA lacks a same-for-both CLD control and a customer item", rule: "SOA-03", sample: saas,
			mutate: func(m *isms.ISMS) {
				removeRow(m, "svc-iaas", isms.RoleCustomer, "CLD.9.5.2")
				removeRow(m, "svc-iaas", isms.RoleCustomer, "27017:10.1.2")
			},
			want: []string{"soa/svc-iaas/customer/27017:10.1.2", "soa/svc-iaas/customer/CLD.9.5.2"}},
		{name: "2013 customer SoA lacks a customer item", rule: "SOA-03", sample: y2013,
			mutate: func(m *isms.ISMS) { removeRow(m, "svc-drive", isms.RoleCustomer, "27017:9.1.2") },
			want:   []string{"soa/svc-drive/customer/27017:9.1.2"}},
		{name: "customer SoA lacks provider-only items (sample as is)", rule: "SOA-03", sample: saas,
			mutate: func(m *isms.ISMS) {}},
		{name: "out-of-scope service's SoA lacks items", rule: "SOA-03", sample: saas,
			mutate: func(m *isms.ISMS) {
				m.SoAs = append(m.SoAs, isms.SoA{Service: "svc-workchat", Role: isms.RoleCustomer,
					Rows: []isms.SoARow{{Control: "27017:5.1.1"}, excludedRow("CLD.12.4.5")}})
			}},

		// ---- SOA-04
		{name: "applicable row without reasons or implementation", rule: "SOA-04", sample: saas,
			mutate: func(m *isms.ISMS) {
				row(m, "", "", "5.4").Reasons = nil
				row(m, "", "", "5.5").Implementation = ""
				row(m, "svc-iaas", isms.RoleCustomer, "27017:12.4.4").Reasons = []string{}
			},
			want: []string{"soa/organization/5.4", "soa/organization/5.5", "soa/svc-iaas/customer/27017:12.4.4"},
			check: func(t *testing.T, fs []conformity.Finding) {
				for _, f := range fs {
					en := f.Message.In("en")
					switch f.Subject {
					case "soa/organization/5.4":
						wantIn(t, en, "reasons")
					case "soa/organization/5.5":
						wantIn(t, en, "implementation")
					}
				}
			}},
		{name: "excluded row without justification; row without applicability", rule: "SOA-04", sample: saas,
			mutate: func(m *isms.ISMS) {
				row(m, "", "", "7.12").Justification = ""
				row(m, "", "", "8.30").Justification = "　 "
				row(m, "", "", "5.4").Applicable = nil
			},
			want: []string{"soa/organization/5.4", "soa/organization/7.12", "soa/organization/8.30"}},
		{name: "2013 excluded row without justification", rule: "SOA-04", sample: y2013,
			mutate: func(m *isms.ISMS) { row(m, "", "", "A.14.3.1").Justification = "" },
			want:   []string{"soa/organization/A.14.3.1"}},
		{name: "excluded row without reasons; out-of-scope SoA with incomplete rows", rule: "SOA-04", sample: saas,
			mutate: func(m *isms.ISMS) {
				row(m, "", "", "7.12").Reasons = nil
				m.SoAs = append(m.SoAs, isms.SoA{Service: "svc-workchat", Role: isms.RoleCustomer,
					Rows: []isms.SoARow{{Control: "27017:5.1.1"}, {Control: "27017:9.1.2", Applicable: bp(false)}}})
			}},

		// ---- SOA-05
		{name: "2022: base of 27017:12.3.1 (A.12.3.1 → 8.13) excluded", rule: "SOA-05", sample: saas,
			mutate: func(m *isms.ISMS) {
				exclude(m, "", "", "8.13")
				removeControl(m, "r-04", "8.13")
			},
			want: []string{"soa/svc-iaas/customer/27017:12.3.1", "soa/svc-kintai/provider/27017:12.3.1"}},
		{name: "2022: a 2013 base row does not count", rule: "SOA-05", sample: saas,
			mutate: func(m *isms.ISMS) {
				exclude(m, "", "", "8.13")
				removeControl(m, "r-04", "8.13")
				s := soa(m, "", "")
				s.Rows = append(s.Rows, applicableRow("A.12.3.1"))
				s = soa(m, "svc-kintai", isms.RoleProvider)
				s.Rows = append(s.Rows, applicableRow("A.12.3.1"))
			},
			want: []string{"soa/svc-iaas/customer/27017:12.3.1", "soa/svc-kintai/provider/27017:12.3.1"}},
		{name: "2022: the service SoA's own base row is effective", rule: "SOA-05", sample: saas,
			mutate: func(m *isms.ISMS) {
				exclude(m, "", "", "8.13")
				removeControl(m, "r-04", "8.13")
				s := soa(m, "svc-kintai", isms.RoleProvider)
				s.Rows = append(s.Rows, applicableRow("8.13"))
			},
			want: []string{"soa/svc-iaas/customer/27017:12.3.1"},
			// the case: the service adopts 8.13 that the ISMS excludes
			also: []string{"SOA-08"}},
		{name: "2022: own base row excluded while the organization adopts it", rule: "SOA-05", sample: saas,
			mutate: func(m *isms.ISMS) {
				s := soa(m, "svc-iaas", isms.RoleCustomer)
				s.Rows = append(s.Rows, excludedRow("5.17")) // A.9.2.4 → 5.17
			},
			want: []string{"soa/svc-iaas/customer/27017:9.2.4"}},
		{name: "2013: base A.12.3.1 excluded", rule: "SOA-05", sample: y2013,
			mutate: func(m *isms.ISMS) {
				exclude(m, "", "", "A.12.3.1")
				removeControl(m, "r-04", "A.12.3.1")
				removeControl(m, "r-08", "A.12.3.1")
			},
			want: []string{"soa/svc-drive/customer/27017:12.3.1", "soa/svc-groupware/customer/27017:12.3.1"}},
		{name: "2013: a 2022 base row does not count", rule: "SOA-05", sample: y2013,
			mutate: func(m *isms.ISMS) {
				exclude(m, "", "", "A.12.3.1")
				removeControl(m, "r-04", "A.12.3.1")
				removeControl(m, "r-08", "A.12.3.1")
				s := soa(m, "", "")
				s.Rows = append(s.Rows, applicableRow("8.13"))
			},
			want: []string{"soa/svc-drive/customer/27017:12.3.1", "soa/svc-groupware/customer/27017:12.3.1"}},
		{name: "27017 item excluded with its base", rule: "SOA-05", sample: saas,
			mutate: func(m *isms.ISMS) {
				exclude(m, "", "", "8.13")
				exclude(m, "svc-iaas", isms.RoleCustomer, "27017:12.3.1")
				exclude(m, "svc-kintai", isms.RoleProvider, "27017:12.3.1")
				removeControl(m, "r-04", "8.13")
				removeControl(m, "r-04", "27017:12.3.1")
				verificationDrop(m, "ver-02")
			},
			also: []string{"SOA-06"}},
		{name: "2013 27017 item excluded with its base", rule: "SOA-05", sample: y2013,
			mutate: func(m *isms.ISMS) {
				exclude(m, "", "", "A.12.3.1")
				exclude(m, "svc-drive", isms.RoleCustomer, "27017:12.3.1")
				exclude(m, "svc-groupware", isms.RoleCustomer, "27017:12.3.1")
				removeControl(m, "r-04", "A.12.3.1")
				removeControl(m, "r-08", "A.12.3.1")
				removeControl(m, "r-04", "27017:12.3.1")
			},
			also: []string{"SOA-06"}},
		{name: "out-of-scope service's SoA adopts an item whose base it excludes", rule: "SOA-05", sample: saas,
			mutate: func(m *isms.ISMS) {
				m.SoAs = append(m.SoAs, isms.SoA{Service: "svc-workchat", Role: isms.RoleCustomer,
					Rows: []isms.SoARow{excludedRow("8.13"), applicableRow("27017:12.3.1")}})
			}},

		// ---- SOA-06
		{name: "27017 item excluded in a service SoA", rule: "SOA-06", sample: saas,
			mutate: func(m *isms.ISMS) { exclude(m, "svc-iaas", isms.RoleCustomer, "27017:12.4.4") },
			want:   []string{"soa/svc-iaas/customer/27017:12.4.4"}},
		{name: "CLD control excluded in a service SoA and in the organization's", rule: "SOA-06", sample: saas,
			mutate: func(m *isms.ISMS) {
				exclude(m, "svc-iaas", isms.RoleCustomer, "CLD.9.5.2")
				s := soa(m, "", "")
				s.Rows = append(s.Rows, excludedRow("CLD.9.5.1"))
			},
			want: []string{"soa/organization/CLD.9.5.1", "soa/svc-iaas/customer/CLD.9.5.2"}},
		{name: "2013 27017 item excluded", rule: "SOA-06", sample: y2013,
			mutate: func(m *isms.ISMS) { exclude(m, "svc-groupware", isms.RoleCustomer, "27017:12.4.4") },
			want:   []string{"soa/svc-groupware/customer/27017:12.4.4"}},
		{name: "Annex A controls excluded; 27017 item excluded in an out-of-scope SoA", rule: "SOA-06", sample: saas,
			mutate: func(m *isms.ISMS) {
				exclude(m, "", "", "7.4")
				m.SoAs = append(m.SoAs, isms.SoA{Service: "svc-workchat", Role: isms.RoleCustomer,
					Rows: []isms.SoARow{excludedRow("27017:12.4.4")}})
			}},

		// ---- SOA-07
		{name: "SoAs without approval", rule: "SOA-07", sample: saas,
			mutate: func(m *isms.ISMS) {
				soa(m, "svc-iaas", isms.RoleCustomer).Approval = nil
				soa(m, "", "").Approval = nil
			},
			want: []string{"soa/organization", "soa/svc-iaas/customer"}},
		{name: "2013 service SoA without approval", rule: "SOA-07", sample: y2013,
			mutate: func(m *isms.ISMS) { soa(m, "svc-drive", isms.RoleCustomer).Approval = nil },
			want:   []string{"soa/svc-drive/customer"}},
		{name: "out-of-scope service's SoA without approval", rule: "SOA-07", sample: saas,
			mutate: func(m *isms.ISMS) {
				copySoA(m, "svc-iaas", isms.RoleCustomer, "svc-workchat", isms.RoleCustomer)
				soa(m, "svc-workchat", isms.RoleCustomer).Approval = nil
			}},

		// ---- RESP-01
		{name: "in-scope service without responsibilities", rule: "RESP-01", sample: saas,
			mutate: func(m *isms.ISMS) {
				m.Responsibilities = slices.DeleteFunc(m.Responsibilities, func(r isms.Responsibility) bool { return r.Service == "svc-iaas" })
			},
			want: []string{"cloud_services/svc-iaas"}},
		{name: "2013 no responsibilities at all", rule: "RESP-01", sample: y2013,
			mutate: func(m *isms.ISMS) { m.Responsibilities = nil },
			want:   []string{"cloud_services/svc-drive", "cloud_services/svc-groupware"}},
		{name: "out-of-scope service without responsibilities; one entry is enough", rule: "RESP-01", sample: saas,
			mutate: func(m *isms.ISMS) {
				m.Responsibilities = slices.DeleteFunc(m.Responsibilities, func(r isms.Responsibility) bool {
					return r.Service == "svc-iaas" && r.Control != "CLD.6.3.1"
				})
			}},

		// ---- VERIFY-01
		{name: "customer service adopts 27017:12.3.1 without verification", rule: "VERIFY-01", sample: saas,
			mutate: func(m *isms.ISMS) { verificationDrop(m, "ver-02") },
			want:   []string{"cloud_services/svc-iaas/verifications/27017:12.3.1"}},
		{name: "2013 no verifications but the gap one", rule: "VERIFY-01", sample: y2013,
			mutate: func(m *isms.ISMS) {
				for _, id := range []string{"ver-01", "ver-02", "ver-03", "ver-04", "ver-05", "ver-06"} {
					verificationDrop(m, id)
				}
			},
			want: []string{
				"cloud_services/svc-drive/verifications/27017:12.3.1",
				"cloud_services/svc-drive/verifications/27017:9.2.4",
				"cloud_services/svc-drive/verifications/CLD.12.4.5",
				"cloud_services/svc-groupware/verifications/27017:12.3.1",
				"cloud_services/svc-groupware/verifications/27017:9.2.4",
				"cloud_services/svc-groupware/verifications/CLD.12.4.5",
			}},
		{name: "both-role service adopts the items in its customer SoA", rule: "VERIFY-01", sample: saas,
			mutate: func(m *isms.ISMS) {
				svc(m, "svc-kintai").Role = isms.RoleBoth
				copySoA(m, "svc-iaas", isms.RoleCustomer, "svc-kintai", isms.RoleCustomer)
			},
			want: []string{
				"cloud_services/svc-kintai/verifications/27017:12.3.1",
				"cloud_services/svc-kintai/verifications/27017:18.1.1",
				"cloud_services/svc-kintai/verifications/27017:9.2.4",
				"cloud_services/svc-kintai/verifications/CLD.12.4.5",
			},
			also: []string{"SOA-09"}},
		{name: "verification for another service does not count", rule: "VERIFY-01", sample: saas,
			mutate: func(m *isms.ISMS) { verification(m, "ver-03").Service = "svc-kintai" },
			want:   []string{"cloud_services/svc-iaas/verifications/CLD.12.4.5"}},
		{name: "item excluded in the customer SoA needs no verification", rule: "VERIFY-01", sample: saas,
			mutate: func(m *isms.ISMS) {
				verificationDrop(m, "ver-01")
				exclude(m, "svc-iaas", isms.RoleCustomer, "27017:9.2.4")
			},
			also: []string{"SOA-06"}},
		{name: "provider-role service adopts the items without verifications (sample as is)", rule: "VERIFY-01", sample: saas,
			mutate: func(m *isms.ISMS) {}},

		// ---- VERIFY-02
		{name: "gap without risk", rule: "VERIFY-02", sample: saas,
			mutate: func(m *isms.ISMS) { verification(m, "ver-04").Risk = "" },
			want:   []string{"verifications/ver-04"}},
		{name: "2013 gap without risk", rule: "VERIFY-02", sample: y2013,
			mutate: func(m *isms.ISMS) {
				verification(m, "ver-07").Risk = ""
				v := verification(m, "ver-01")
				v.Result, v.Gap = isms.ResultGap, "初期パスワードの通知経路"
			},
			want: []string{"verifications/ver-01", "verifications/ver-07"}},
		{name: "meets without risk (sample as is)", rule: "VERIFY-02", sample: saas,
			mutate: func(m *isms.ISMS) {}},

		// ---- OPS-01
		{name: "2022 service adopting 8.13 without backups entry", rule: "OPS-01", sample: saas,
			mutate: func(m *isms.ISMS) { backupDrop(m, "svc-kintai") },
			want:   []string{"cloud_services/svc-kintai"}},
		{name: "2022 only 27017:12.3.1 applicable", rule: "OPS-01", sample: saas,
			mutate: func(m *isms.ISMS) {
				backupDrop(m, "svc-iaas")
				s := soa(m, "svc-iaas", isms.RoleCustomer)
				s.Rows = append(s.Rows, excludedRow("8.13"))
				removeControl(m, "r-04", "8.13")
			},
			want: []string{"cloud_services/svc-iaas"},
			also: []string{"SOA-05", "SOA-09"}, // 27017:12.3.1 adopted without its base; r-04 no longer names 8.13
		},
		{name: "2022 backup controls excluded in the service's own rows", rule: "OPS-01", sample: saas,
			mutate: func(m *isms.ISMS) {
				backupDrop(m, "svc-iaas")
				s := soa(m, "svc-iaas", isms.RoleCustomer)
				s.Rows = append(s.Rows, excludedRow("8.13"), applicableRow("A.12.3.1")) // a 2013 id is no backup control under 2022
				exclude(m, "svc-iaas", isms.RoleCustomer, "27017:12.3.1")
				removeControl(m, "r-04", "8.13")
				removeControl(m, "r-04", "27017:12.3.1")
			},
			also: []string{"SOA-06", "SOA-09"}},
		{name: "2013 service adopting A.12.3.1 without backups entry", rule: "OPS-01", sample: y2013,
			mutate: func(m *isms.ISMS) { backupDrop(m, "svc-drive") },
			want:   []string{"cloud_services/svc-drive"}},
		{name: "2013 both-role service's provider SoA (organization rows) adopts A.12.3.1", rule: "OPS-01", sample: y2013,
			mutate: func(m *isms.ISMS) {
				backupDrop(m, "svc-groupware")
				g := svc(m, "svc-groupware")
				g.Role, g.Provider = isms.RoleBoth, isms.ProviderSelf
				s := soa(m, "svc-groupware", isms.RoleCustomer)
				s.Rows = append(s.Rows, excludedRow("A.12.3.1"))
				exclude(m, "svc-groupware", isms.RoleCustomer, "27017:12.3.1")
			},
			want: []string{"cloud_services/svc-groupware"},
			also: []string{"SOA-01", "SOA-06", "POL-01", "CTX-04", "INC-01"}}, // a provider now: customers are interested parties and hear of incidents
		{name: "2013 backup controls excluded in the service's own rows", rule: "OPS-01", sample: y2013,
			mutate: func(m *isms.ISMS) {
				backupDrop(m, "svc-groupware")
				s := soa(m, "svc-groupware", isms.RoleCustomer)
				s.Rows = append(s.Rows, excludedRow("A.12.3.1"), applicableRow("8.13")) // a 2022 id is no backup control under 2013
				exclude(m, "svc-groupware", isms.RoleCustomer, "27017:12.3.1")
			},
			also: []string{"SOA-06"}},
		{name: "out-of-scope service without backups", rule: "OPS-01", sample: y2013,
			mutate: func(m *isms.ISMS) {}},

		// ---- OPS-02 (svc-kintai: interval 92, last pass 2026-10-08, 24 days before the as-of)
		{name: "last pass exactly the interval before the as-of date", rule: "OPS-02", sample: saas,
			mutate: func(m *isms.ISMS) { backup(m, "svc-kintai").RestoreTestIntervalDays = ip(24) }},
		{name: "last pass one day more than the interval before", rule: "OPS-02", sample: saas,
			mutate: func(m *isms.ISMS) { backup(m, "svc-kintai").RestoreTestIntervalDays = ip(23) },
			want:   []string{"backups/svc-kintai"}},
		{name: "default interval 365: pass exactly 365 days before", rule: "OPS-02", sample: saas,
			mutate: func(m *isms.ISMS) {
				b := backup(m, "svc-kintai")
				b.RestoreTestIntervalDays = nil
				b.Tests = []isms.RestoreTest{{Date: date("2025-11-01"), Result: "pass", By: "p-ops"}}
			}},
		{name: "default interval 365: pass 366 days before", rule: "OPS-02", sample: saas,
			mutate: func(m *isms.ISMS) {
				b := backup(m, "svc-kintai")
				b.RestoreTestIntervalDays = nil
				b.Tests = []isms.RestoreTest{{Date: date("2025-10-31"), Result: "pass", By: "p-ops"}}
			},
			want: []string{"backups/svc-kintai"}},
		{name: "pass dated after the as-of date; recent test failed", rule: "OPS-02", sample: saas,
			mutate: func(m *isms.ISMS) {
				backup(m, "svc-kintai").Tests = []isms.RestoreTest{{Date: date("2026-11-02"), Result: "pass", By: "p-ops"}}
				backup(m, "svc-iaas").Tests = []isms.RestoreTest{{Date: date("2026-10-30"), Result: "fail", By: "p-ops"}}
			},
			want: []string{"backups/svc-iaas", "backups/svc-kintai"}},
		{name: "backups entry without tests", rule: "OPS-02", sample: y2013,
			mutate: func(m *isms.ISMS) { backup(m, "svc-groupware").Tests = nil },
			want:   []string{"backups/svc-groupware"}},
		{name: "as-of moved: 92 days after the last pass", rule: "OPS-02", sample: saas, asOf: "2027-01-08",
			mutate: func(m *isms.ISMS) {}},
		{name: "as-of moved: 93 days after the last pass", rule: "OPS-02", sample: saas, asOf: "2027-01-09",
			mutate: func(m *isms.ISMS) {},
			want:   []string{"backups/svc-kintai"}},
		{name: "out-of-scope service's backups entry without tests", rule: "OPS-02", sample: y2013,
			mutate: func(m *isms.ISMS) {
				m.Backups = append(m.Backups, isms.Backup{Service: "svc-accounting", Policy: "none"})
			}},

		// ---- OPS-03
		{name: "service adopting CLD.12.4.5 without monitoring", rule: "OPS-03", sample: saas,
			mutate: func(m *isms.ISMS) {
				m.Monitoring = slices.DeleteFunc(m.Monitoring, func(x isms.Monitoring) bool { return x.Service == "svc-iaas" })
			},
			want: []string{"cloud_services/svc-iaas"}},
		{name: "monitoring entry without items", rule: "OPS-03", sample: y2013,
			mutate: func(m *isms.ISMS) {
				for i := range m.Monitoring {
					if m.Monitoring[i].Service == "svc-drive" {
						m.Monitoring[i].Items = nil
					}
				}
			},
			want: []string{"cloud_services/svc-drive"}},
		{name: "CLD.12.4.5 excluded, no monitoring", rule: "OPS-03", sample: saas,
			mutate: func(m *isms.ISMS) {
				m.Monitoring = slices.DeleteFunc(m.Monitoring, func(x isms.Monitoring) bool { return x.Service == "svc-iaas" })
				exclude(m, "svc-iaas", isms.RoleCustomer, "CLD.12.4.5")
				removeControl(m, "r-05", "CLD.12.4.5")
			},
			also: []string{"SOA-06", "SOA-09"}},

		// ---- POL-01
		{name: "policy lacks two topics: one finding naming both", rule: "POL-01", sample: saas,
			mutate: func(m *isms.ISMS) {
				d := doc(m, "doc-pol-002")
				d.CloudTopics = slices.DeleteFunc(d.CloudTopics, func(s string) bool { return s == "virtualization" || s == "data-location" })
			},
			want: []string{"organization"},
			check: func(t *testing.T, fs []conformity.Finding) {
				for _, lang := range []string{"en", "ja"} {
					s := fs[0].Message.In(lang)
					wantIn(t, s, "virtualization")
					wantIn(t, s, "data-location")
					wantNotIn(t, s, "multi-tenancy")
				}
			}},
		{name: "cloud policy not approved", rule: "POL-01", sample: saas,
			mutate: func(m *isms.ISMS) { doc(m, "doc-pol-002").Approval = nil },
			want:   []string{"organization"},
			check: func(t *testing.T, fs []conformity.Finding) {
				s := fs[0].Message.In("en")
				for _, topic := range []string{"virtualization", "multi-tenancy", "privileged-access", "assets-in-cloud", "data-location"} {
					wantIn(t, s, topic)
				}
			}},
		{name: "topics in a document that is not a policy", rule: "POL-01", sample: y2013,
			mutate: func(m *isms.ISMS) { doc(m, "doc-cloud-policy").Kind = "procedure" },
			want:   []string{"organization"}},
		{name: "both-role service needs the provider topics too", rule: "POL-01", sample: y2013,
			mutate: func(m *isms.ISMS) {
				d := svc(m, "svc-drive")
				d.Role, d.Provider = isms.RoleBoth, isms.ProviderSelf
			},
			want: []string{"organization"},
			also: []string{"SOA-01", "CTX-04"}, // a provider now: its customers are interested parties
			check: func(t *testing.T, fs []conformity.Finding) {
				s := fs[0].Message.In("en")
				wantIn(t, s, "virtualization")
				wantIn(t, s, "multi-tenancy")
				wantNotIn(t, s, "data-location")
				wantNotIn(t, s, "privileged-access")
			}},
		{name: "customer-only organization needs no provider topics (sample as is)", rule: "POL-01", sample: y2013,
			mutate: func(m *isms.ISMS) {}},
		{name: "topics spread over two approved policies", rule: "POL-01", sample: saas,
			mutate: func(m *isms.ISMS) {
				doc(m, "doc-pol-002").CloudTopics = []string{"virtualization", "multi-tenancy"}
				doc(m, "doc-pol-001").CloudTopics = []string{"privileged-access", "assets-in-cloud", "data-location"}
			}},

		// ---- AUD-01 (aud-2026-01 covers both services and ends 2026-08-28)
		{name: "audit ended 366 days before", rule: "AUD-01", sample: saas,
			mutate: func(m *isms.ISMS) { auditDates(m, "aud-2026-01", "2025-10-27", "2025-10-31") },
			want:   []string{"cloud_services/svc-iaas", "cloud_services/svc-kintai"},
			also:   []string{"AUD-06"}}, // nor are its units covered
		{name: "audit ended exactly 365 days before", rule: "AUD-01", sample: saas,
			mutate: func(m *isms.ISMS) { auditDates(m, "aud-2026-01", "2025-10-27", "2025-11-01") }},
		{name: "audit ends after the as-of date", rule: "AUD-01", sample: saas,
			mutate: func(m *isms.ISMS) { auditDates(m, "aud-2026-01", "2026-10-30", "2026-11-02") },
			want:   []string{"cloud_services/svc-iaas", "cloud_services/svc-kintai"},
			also:   []string{"AUD-06"}},
		{name: "audit ends on the as-of date", rule: "AUD-01", sample: saas,
			mutate: func(m *isms.ISMS) { auditDates(m, "aud-2026-01", "2026-10-30", "2026-11-01") }},
		{name: "2013 one service left uncovered", rule: "AUD-01", sample: y2013,
			mutate: func(m *isms.ISMS) {
				auditDates(m, "aud-2026-a", "2025-07-13", "2025-07-14")
				audit(m, "aud-2026-b").Services = []string{"svc-drive"}
			},
			want: []string{"cloud_services/svc-groupware"},
			also: []string{"AUD-06"}}, // aud-2026-a's units are left uncovered
		{name: "2013 one old audit, the other recent", rule: "AUD-01", sample: y2013,
			mutate: func(m *isms.ISMS) { auditDates(m, "aud-2026-a", "2025-07-13", "2025-07-14") },
			also:   []string{"AUD-06"}},

		// ---- AUD-02
		{name: "auditor from a unit the audit covers", rule: "AUD-02", sample: saas,
			mutate: func(m *isms.ISMS) {
				a := audit(m, "aud-2026-02")
				a.Auditors = append(a.Auditors, "p-isms")
				b := audit(m, "aud-2026-01")
				b.Auditors = append(b.Auditors, "p-ops")
			},
			want: []string{"audits/aud-2026-01/auditors/p-ops", "audits/aud-2026-02/auditors/p-isms"},
			also: []string{"COMP-01"}}, // the new auditors have had no auditor training
		{name: "2013 auditor audits own unit", rule: "AUD-02", sample: y2013,
			mutate: func(m *isms.ISMS) { audit(m, "aud-2026-a").Auditors = []string{"p-auditor-d"} },
			want:   []string{"audits/aud-2026-a/auditors/p-auditor-d"}},
		{name: "auditors without unit, unknown, or from other units", rule: "AUD-02", sample: saas,
			mutate: func(m *isms.ISMS) {
				m.People = append(m.People, isms.Person{ID: "p-ext", Name: "外部監査人"})
				a := audit(m, "aud-2026-02")
				a.Auditors = append(a.Auditors, "p-ext", "p-unknown")
			},
			also: []string{"COMP-01"}}, // the new auditor has had no auditor training

		// ---- AUD-03
		{name: "minor and major findings without corrective action", rule: "AUD-03", sample: saas,
			mutate: func(m *isms.ISMS) {
				auditFinding(m, "aud-2026-01", "f-01").CorrectiveAction = nil
				auditFinding(m, "aud-2026-02", "f-04").Kind = isms.FindingMajor
			},
			want: []string{"audits/aud-2026-01/findings/f-01", "audits/aud-2026-02/findings/f-04"}},
		{name: "2013 minor finding without corrective action", rule: "AUD-03", sample: y2013,
			mutate: func(m *isms.ISMS) { auditFinding(m, "aud-2026-a", "f-01").CorrectiveAction = nil },
			want:   []string{"audits/aud-2026-a/findings/f-01"}},
		{name: "observations and good practice without corrective action (sample as is)", rule: "AUD-03", sample: saas,
			mutate: func(m *isms.ISMS) {}},

		// ---- AUD-04
		{name: "corrective action overdue", rule: "AUD-04", sample: saas,
			mutate: func(m *isms.ISMS) {
				ca := auditFinding(m, "aud-2026-01", "f-01").CorrectiveAction
				ca.DoneOn, ca.Due = isms.Date{}, date("2026-10-31")
			},
			want: []string{"audits/aud-2026-01/findings/f-01"}},
		{name: "corrective action due on the as-of date", rule: "AUD-04", sample: saas,
			mutate: func(m *isms.ISMS) {
				ca := auditFinding(m, "aud-2026-01", "f-01").CorrectiveAction
				ca.DoneOn, ca.Due = isms.Date{}, date("2026-11-01")
			}},
		{name: "corrective action without due date", rule: "AUD-04", sample: y2013,
			mutate: func(m *isms.ISMS) {
				ca := auditFinding(m, "aud-2026-a", "f-01").CorrectiveAction
				ca.DoneOn, ca.Due = isms.Date{}, isms.Date{}
			}},
		{name: "2013 corrective action overdue", rule: "AUD-04", sample: y2013,
			mutate: func(m *isms.ISMS) { auditFinding(m, "aud-2026-a", "f-01").CorrectiveAction.DoneOn = isms.Date{} },
			want:   []string{"audits/aud-2026-a/findings/f-01"}},

		// ---- AUD-05
		{name: "done but not effective / not verified", rule: "AUD-05", sample: saas,
			mutate: func(m *isms.ISMS) {
				auditFinding(m, "aud-2026-01", "f-01").CorrectiveAction.Effective = bp(false)
				f := auditFinding(m, "aud-2026-02", "f-04")
				f.CorrectiveAction = &isms.CorrectiveAction{Action: "記録様式を改める", Owner: "p-isms",
					Due: date("2026-10-01"), DoneOn: date("2026-09-20"), Effective: bp(true)}
			},
			want: []string{"audits/aud-2026-01/findings/f-01", "audits/aud-2026-02/findings/f-04"}},
		{name: "2013 done, effectiveness not stated", rule: "AUD-05", sample: y2013,
			mutate: func(m *isms.ISMS) { auditFinding(m, "aud-2026-a", "f-01").CorrectiveAction.Effective = nil },
			want:   []string{"audits/aud-2026-a/findings/f-01"}},
		{name: "not done yet, not verified", rule: "AUD-05", sample: saas,
			mutate: func(m *isms.ISMS) {
				ca := auditFinding(m, "aud-2026-01", "f-01").CorrectiveAction
				ca.DoneOn, ca.Effective, ca.VerifiedBy, ca.Due = isms.Date{}, nil, "", date("2026-12-15")
			}},

		// ---- MR-01 (mr-2026 held 2026-10-20)
		{name: "latest review 366 days before", rule: "MR-01", sample: saas,
			mutate: func(m *isms.ISMS) { review(m, "mr-2026").Date = date("2025-10-31") },
			want:   []string{"organization"}},
		{name: "latest review exactly 365 days before", rule: "MR-01", sample: saas,
			mutate: func(m *isms.ISMS) { review(m, "mr-2026").Date = date("2025-11-01") }},
		{name: "only review dated after the as-of date", rule: "MR-01", sample: saas,
			mutate: func(m *isms.ISMS) { review(m, "mr-2026").Date = date("2026-11-02") },
			want:   []string{"organization"}},
		{name: "2013 no review", rule: "MR-01", sample: y2013,
			mutate: func(m *isms.ISMS) { m.Reviews = nil },
			want:   []string{"organization"}},
		{name: "2013 review on the as-of date", rule: "MR-01", sample: y2013,
			mutate: func(m *isms.ISMS) { review(m, "mr-2026").Date = date("2026-11-01") }},

		// ---- MR-02
		{name: "latest review lacks an input", rule: "MR-02", sample: saas,
			mutate: func(m *isms.ISMS) { review(m, "mr-2026").Inputs.Objectives = " 　" },
			want:   []string{"reviews/mr-2026"},
			check: func(t *testing.T, fs []conformity.Finding) {
				wantIn(t, fs[0].Message.In("en"), "objectives")
			}},
		{name: "latest review without outputs", rule: "MR-02", sample: saas,
			mutate: func(m *isms.ISMS) { review(m, "mr-2026").Outputs = nil },
			want:   []string{"reviews/mr-2026"}},
		{name: "chair not top management", rule: "MR-02", sample: y2013,
			mutate: func(m *isms.ISMS) { review(m, "mr-2026").Chair = "p-isms" },
			want:   []string{"reviews/mr-2026"}},
		{name: "chair unknown", rule: "MR-02", sample: y2013,
			mutate: func(m *isms.ISMS) { review(m, "mr-2026").Chair = "p-nobody" },
			want:   []string{"reviews/mr-2026"}},
		{name: "a later incomplete review is the latest", rule: "MR-02", sample: saas,
			mutate: func(m *isms.ISMS) {
				m.Reviews = append(m.Reviews, isms.Review{ID: "mr-2026b", Date: date("2026-10-30"), Chair: "p-isms"})
			},
			want: []string{"reviews/mr-2026b"},
			check: func(t *testing.T, fs []conformity.Finding) {
				en := fs[0].Message.In("en")
				for _, k := range isms.ReviewInputKeys {
					wantIn(t, en, k)
				}
				wantIn(t, en, "outputs")
				wantIn(t, en, "p-isms")
			}},
		{name: "incomplete reviews before the latest and after the as-of date", rule: "MR-02", sample: saas,
			mutate: func(m *isms.ISMS) {
				m.Reviews = append(m.Reviews,
					isms.Review{ID: "mr-2025", Date: date("2025-10-20"), Chair: "p-isms"},
					isms.Review{ID: "mr-2027", Date: date("2026-11-02"), Chair: "p-isms"})
			}},
		{name: "chair is top management and cloud security personnel", rule: "MR-02", sample: saas,
			mutate: func(m *isms.ISMS) { review(m, "mr-2026").Chair = "p-cto" }},
		{name: "no review: MR-01 only", rule: "MR-02", sample: saas,
			mutate: func(m *isms.ISMS) { m.Reviews = nil },
			also:   []string{"MR-01"}},

		// ==== version 2 =========================================================

		// ---- SCOPE-04 (v2: management hosts)
		{name: "v2: customer manages its cloud from a host in a colocation data centre outside the scope", rule: "SCOPE-04", sample: y2013,
			mutate: func(m *isms.ISMS) {
				m.Sites = append(m.Sites, isms.Site{ID: "site-colo", Name: "コロケーション", Kind: "datacenter", InISMSScope: bp(false),
					DatacenterService: "colocation", OnsiteWork: bp(true)})
				m.Systems = append(m.Systems, isms.System{ID: "sys-mgmt", Name: "クラウド管理端末", Location: "on-premises", Site: "site-colo",
					Purpose: "management", Supports: []string{"svc-drive", "svc-groupware"}, InScope: bp(false)})
			},
			want: []string{"systems/sys-mgmt"},
			check: func(t *testing.T, fs []conformity.Finding) {
				if fs[0].Message.Key != "rule.SCOPE-04.management" {
					t.Errorf("message %s, want the management one", fs[0].Message.Key)
				}
			}},
		{name: "v2: out-of-scope monitoring host of a customer-role service", rule: "SCOPE-04", sample: y2013,
			mutate: func(m *isms.ISMS) {
				m.Systems = append(m.Systems, isms.System{ID: "sys-mon", Location: "on-premises", Site: "site-hq",
					Purpose: "monitoring", Supports: []string{"svc-drive"}, InScope: bp(false)})
			}},
		{name: "v2: management host of an out-of-scope service", rule: "SCOPE-04", sample: y2013,
			mutate: func(m *isms.ISMS) {
				m.Systems = append(m.Systems, isms.System{ID: "sys-mgmt", Location: "on-premises", Site: "site-hq",
					Purpose: "management", Supports: []string{"svc-accounting"}, InScope: bp(false)})
			}},
		{name: "v2: provider's management host out of scope names the provided service", rule: "SCOPE-04", sample: saas,
			mutate: func(m *isms.ISMS) { system(m, "sys-bastion").InScope = bp(false) },
			want:   []string{"systems/sys-bastion"},
			check: func(t *testing.T, fs []conformity.Finding) {
				if fs[0].Message.Key != "rule.SCOPE-04" {
					t.Errorf("message %s, want the provided-service one", fs[0].Message.Key)
				}
			}},

		// ---- SCOPE-09
		{name: "v2: SaaS on a supplier's cloud region, uses removed and the IaaS out of scope", rule: "SCOPE-09", sample: saas,
			mutate: func(m *isms.ISMS) {
				svc(m, "svc-kintai").Uses = nil
				svc(m, "svc-iaas").InScope = false
			},
			want: []string{"cloud_services/svc-kintai/suppliers/sup-nimbus"}},
		{name: "v2: the used IaaS is another supplier's", rule: "SCOPE-09", sample: saas,
			mutate: func(m *isms.ISMS) { svc(m, "svc-iaas").Provider = "sup-workchat" },
			want:   []string{"cloud_services/svc-kintai/suppliers/sup-nimbus"}},
		{name: "v2: sample as is (the supplier's IaaS is in scope as a customer)", rule: "SCOPE-09", sample: saas,
			mutate: func(m *isms.ISMS) {}},
		{name: "v2: uses removed, IaaS still in scope as a customer", rule: "SCOPE-09", sample: saas,
			mutate: func(m *isms.ISMS) { svc(m, "svc-kintai").Uses = nil }},
		{name: "v2: out-of-scope system on the cloud site", rule: "SCOPE-09", sample: saas,
			mutate: func(m *isms.ISMS) {
				svc(m, "svc-iaas").InScope = false
				svc(m, "svc-kintai").Uses = nil
				for i := range m.Systems {
					if m.Systems[i].Site == "site-nimbus-tokyo" || m.Systems[i].Site == "site-nimbus-osaka" {
						m.Systems[i].Site = "site-hq"
					}
				}
				m.Systems = append(m.Systems, isms.System{ID: "sys-old", Site: "site-nimbus-tokyo", Supports: []string{"svc-kintai"}, InScope: bp(false)})
			},
			also: []string{"SCOPE-04"}}, // sys-old supports the provided service out of scope

		// ---- SCOPE-10
		{name: "v2: scope document not approved", rule: "SCOPE-10", sample: saas,
			mutate: func(m *isms.ISMS) { m.Organization.ScopeApproval = nil },
			want:   []string{"organization"}},
		{name: "2013 v2: scope document not approved", rule: "SCOPE-10", sample: y2013,
			mutate: func(m *isms.ISMS) { m.Organization.ScopeApproval = nil },
			want:   []string{"organization"}},
		{name: "v2: scope approved (by anyone: the rule asks for the approval)", rule: "SCOPE-10", sample: saas,
			mutate: func(m *isms.ISMS) { m.Organization.ScopeApproval.By = "p-isms" }},

		// ---- RISK-08 (v2: per location)
		{name: "v2: data in the US and the EU, only Japanese laws", rule: "RISK-08", sample: saas,
			mutate: func(m *isms.ISMS) { svc(m, "svc-kintai").DataLocations = []string{"JP", "US", "EU"} },
			want:   []string{"cloud_services/svc-kintai/data_locations/EU", "cloud_services/svc-kintai/data_locations/US"}},
		{name: "v2: a law of the location that names another service only", rule: "RISK-08", sample: saas,
			mutate: func(m *isms.ISMS) {
				svc(m, "svc-kintai").DataLocations = []string{"JP", "DE"}
				m.Legal = append(m.Legal, isms.LegalEntry{ID: "law-de", Name: "BDSG", Jurisdictions: []string{"DE"}, Services: []string{"svc-iaas"}})
			},
			want: []string{"cloud_services/svc-kintai/data_locations/DE"}},
		{name: "v2: EU is its own code (an EU law does not cover DE)", rule: "RISK-08", sample: saas,
			mutate: func(m *isms.ISMS) {
				svc(m, "svc-kintai").DataLocations = []string{"JP", "DE"}
				m.Legal = append(m.Legal, isms.LegalEntry{ID: "law-gdpr", Name: "GDPR", Jurisdictions: []string{"EU"}, Services: []string{"svc-kintai"}})
			},
			want: []string{"cloud_services/svc-kintai/data_locations/DE"}},
		{name: "v2: each location covered by a law naming the service", rule: "RISK-08", sample: saas,
			mutate: func(m *isms.ISMS) {
				svc(m, "svc-kintai").DataLocations = []string{"JP", "EU"}
				m.Legal = append(m.Legal, isms.LegalEntry{ID: "law-gdpr", Name: "GDPR", Jurisdictions: []string{"EU"}, Services: []string{"svc-kintai"}})
			}},
		{name: "2013 v2: the sample's US data has its own law", rule: "RISK-08", sample: y2013,
			mutate: func(m *isms.ISMS) {}},

		// ---- RISK-09
		{name: "v2: assessed 366 days before, approved since", rule: "RISK-09", sample: saas,
			mutate: func(m *isms.ISMS) {
				risk(m, "r-02").AssessedOn = date("2025-10-31")
				risk(m, "r-02").Approval.Date = date("2026-10-01")
			},
			want: []string{"risks/r-02"}},
		{name: "v2: assessed exactly 365 days before", rule: "RISK-09", sample: saas,
			mutate: func(m *isms.ISMS) { risk(m, "r-02").AssessedOn = date("2025-11-01") }},
		{name: "v2: assessment dated after the as-of date", rule: "RISK-09", sample: saas,
			mutate: func(m *isms.ISMS) { risk(m, "r-02").AssessedOn = date("2026-11-02") },
			want:   []string{"risks/r-02"}},
		{name: "v2: interval of 180 days from the criteria", rule: "RISK-09", sample: saas,
			mutate: func(m *isms.ISMS) { m.Criteria.ReassessmentIntervalDays = ip(150) },
			// assessed 2026-05-12 (r-06 on 2026-06-18): 173 and 136 days before
			want: []string{"risks/r-01", "risks/r-02", "risks/r-03", "risks/r-04", "risks/r-05", "risks/r-07",
				"risks/r-08", "risks/r-09", "risks/r-10", "risks/r-11", "risks/r-12", "risks/r-13", "risks/r-14"}},
		{name: "2013 v2: no assessed_on, approval date too old", rule: "RISK-09", sample: y2013,
			mutate: func(m *isms.ISMS) { risk(m, "r-05").Approval.Date = date("2025-06-30") },
			want:   []string{"risks/r-05"}},
		{name: "2013 v2: neither assessed_on nor approval", rule: "RISK-09", sample: y2013,
			mutate: func(m *isms.ISMS) { risk(m, "r-05").Approval = nil },
			want:   []string{"risks/r-05"},
			also:   []string{"RISK-07"}},
		{name: "2013 v2: assessed_on recent, approval old", rule: "RISK-09", sample: y2013,
			mutate: func(m *isms.ISMS) {
				r := risk(m, "r-05")
				r.Approval.Date, r.AssessedOn = date("2024-01-10"), date("2026-09-30")
			}},

		// ---- SOA-08
		{name: "v2: service SoA adopts 8.13 and 27017:12.3.1 the ISMS SoA excludes", rule: "SOA-08", sample: saas,
			mutate: func(m *isms.ISMS) {
				exclude(m, "", "", "8.13")
				s := soa(m, "svc-kintai", isms.RoleProvider)
				s.Rows = append(s.Rows, applicableRow("8.13"))
				s = soa(m, "svc-iaas", isms.RoleCustomer)
				s.Rows = append(s.Rows, applicableRow("8.13"))
			},
			want: []string{"soa/svc-iaas/customer/8.13", "soa/svc-kintai/provider/8.13"}},
		{name: "2013 v2: service SoA adopts A.12.3.1 the ISMS SoA excludes", rule: "SOA-08", sample: y2013,
			mutate: func(m *isms.ISMS) {
				exclude(m, "", "", "A.12.3.1")
				s := soa(m, "svc-drive", isms.RoleCustomer)
				s.Rows = append(s.Rows, applicableRow("A.12.3.1"))
			},
			want: []string{"soa/svc-drive/customer/A.12.3.1"},
			also: []string{"SOA-05"}}, // svc-groupware's 27017:12.3.1 now lacks its base
		{name: "v2: service SoA excludes what the ISMS adopts", rule: "SOA-08", sample: saas,
			mutate: func(m *isms.ISMS) {
				s := soa(m, "svc-kintai", isms.RoleProvider)
				s.Rows = append(s.Rows, excludedRow("5.7"))
			}},
		{name: "v2: no organization row (SOA-02's business)", rule: "SOA-08", sample: saas,
			mutate: func(m *isms.ISMS) {
				removeRow(m, "", "", "5.7")
				s := soa(m, "svc-kintai", isms.RoleProvider)
				s.Rows = append(s.Rows, applicableRow("5.7"))
			},
			also: []string{"SOA-02"}},
		{name: "v2: out-of-scope service SoA", rule: "SOA-08", sample: saas,
			mutate: func(m *isms.ISMS) {
				exclude(m, "", "", "8.30")
				m.SoAs = append(m.SoAs, isms.SoA{Service: "svc-workchat", Role: isms.RoleCustomer, Rows: []isms.SoARow{applicableRow("8.30")}})
			}},

		// ---- SOA-09
		{name: "v2: organization rows giving risk that no risk names", rule: "SOA-09", sample: saas,
			mutate: func(m *isms.ISMS) {
				for _, c := range []string{"5.4", "5.5"} {
					r := row(m, "", "", c)
					r.Reasons = append(r.Reasons, "risk")
				}
			},
			want: []string{"soa/organization/5.4", "soa/organization/5.5"}},
		{name: "v2: service row backed by a risk of another service only", rule: "SOA-09", sample: saas,
			mutate: func(m *isms.ISMS) {
				// r-06 (svc-iaas only) is the one risk naming 27017:12.4.1
				s := soa(m, "svc-kintai", isms.RoleProvider)
				row(m, "svc-kintai", isms.RoleProvider, "27017:12.4.1").Reasons = []string{"risk"}
				_ = s
			},
			want: []string{"soa/svc-kintai/provider/27017:12.4.1"}},
		{name: "v2: service row backed by a risk that names no service", rule: "SOA-09", sample: saas,
			mutate: func(m *isms.ISMS) {
				s := soa(m, "svc-kintai", isms.RoleProvider)
				s.Rows = append(s.Rows, isms.SoARow{Control: "6.7", Applicable: bp(true), Reasons: []string{"risk"}, Implementation: isms.ImplImplemented})
			}},
		{name: "v2: organization row backed by any risk", rule: "SOA-09", sample: saas,
			mutate: func(m *isms.ISMS) { row(m, "", "", "8.15").Reasons = []string{"risk"} }},
		{name: "v2: excluded row is not looked at", rule: "SOA-09", sample: saas,
			mutate: func(m *isms.ISMS) {
				r := row(m, "", "", "8.30")
				r.Reasons = []string{"risk"}
			}},

		// ---- VERIFY-01 (v2: current, 18.1.1)
		{name: "v2: provider verifications dated 2019 (approved recently)", rule: "VERIFY-01", sample: saas,
			mutate: func(m *isms.ISMS) {
				for i := range m.Verifications {
					m.Verifications[i].Date = date("2019-06-10")
				}
			},
			want: []string{"cloud_services/svc-iaas/verifications/27017:12.3.1", "cloud_services/svc-iaas/verifications/27017:18.1.1",
				"cloud_services/svc-iaas/verifications/27017:9.2.4", "cloud_services/svc-iaas/verifications/CLD.12.4.5"}},
		{name: "2013 v2: verifications without date approved 366 days before", rule: "VERIFY-01", sample: y2013,
			mutate: func(m *isms.ISMS) { verification(m, "ver-04").Approval.Date = date("2025-10-31") },
			want:   []string{"cloud_services/svc-groupware/verifications/27017:9.2.4"}},
		{name: "v2: 18.1.1 adopted without a verification", rule: "VERIFY-01", sample: saas,
			mutate: func(m *isms.ISMS) { verificationDrop(m, "ver-05") },
			want:   []string{"cloud_services/svc-iaas/verifications/27017:18.1.1"}},
		{name: "v2: its own interval makes an old verification current", rule: "VERIFY-01", sample: saas,
			mutate: func(m *isms.ISMS) {
				v := verification(m, "ver-02")
				v.Date, v.IntervalDays = date("2024-11-02"), ip(730)
			}},
		{name: "v2: a short interval makes a recent verification stale", rule: "VERIFY-01", sample: saas,
			mutate: func(m *isms.ISMS) { verification(m, "ver-02").IntervalDays = ip(90) },
			want:   []string{"cloud_services/svc-iaas/verifications/27017:12.3.1"}},
		{name: "v2: a stale and a current verification of the same control", rule: "VERIFY-01", sample: saas,
			mutate: func(m *isms.ISMS) {
				old := *verification(m, "ver-02")
				old.ID, old.Date = "ver-02-old", date("2019-06-10")
				m.Verifications = append(m.Verifications, old)
			}},

		// ---- VERIFY-02 (v2: the risk is about the service)
		{name: "v2: gap linked to an unrelated risk of another service", rule: "VERIFY-02", sample: saas,
			mutate: func(m *isms.ISMS) { verification(m, "ver-04").Risk = "r-14" }, // r-14 is about svc-kintai only
			want:   []string{"verifications/ver-04"},
			check: func(t *testing.T, fs []conformity.Finding) {
				if fs[0].Message.Key != "rule.VERIFY-02.unrelated" {
					t.Errorf("message %s", fs[0].Message.Key)
				}
			}},
		{name: "v2: gap linked to a risk that names no service", rule: "VERIFY-02", sample: saas,
			mutate: func(m *isms.ISMS) { verification(m, "ver-04").Risk = "r-13" },
			want:   []string{"verifications/ver-04"}},
		{name: "v2: gap linked to a risk naming the service among others", rule: "VERIFY-02", sample: saas,
			mutate: func(m *isms.ISMS) { verification(m, "ver-04").Risk = "r-05" }},
		{name: "v2: a met verification may name any risk", rule: "VERIFY-02", sample: saas,
			mutate: func(m *isms.ISMS) { verification(m, "ver-01").Risk = "r-14" }},

		// ---- POL-01 (v2: approved by top management)
		{name: "v2: policies approved by an operator", rule: "POL-01", sample: saas,
			mutate: func(m *isms.ISMS) {
				for i := range m.Documents {
					if m.Documents[i].Kind == "policy" && m.Documents[i].Approval != nil {
						m.Documents[i].Approval.By = "p-ops"
					}
				}
			},
			want: []string{"organization"},
			check: func(t *testing.T, fs []conformity.Finding) {
				for _, topic := range []string{"virtualization", "multi-tenancy", "privileged-access", "assets-in-cloud", "data-location"} {
					wantIn(t, fs[0].Message.In(i18n.EN), topic)
				}
			}},
		{name: "2013 v2: cloud policy approved by the ISMS manager", rule: "POL-01", sample: y2013,
			mutate: func(m *isms.ISMS) { doc(m, "doc-cloud-policy").Approval.By = "p-isms" },
			want:   []string{"organization"}},
		{name: "v2: approved by another person with top management", rule: "POL-01", sample: saas,
			mutate: func(m *isms.ISMS) {
				for i := range m.Documents {
					if m.Documents[i].Kind == "policy" && m.Documents[i].Approval != nil {
						m.Documents[i].Approval.By = "p-cto"
					}
				}
			}},

		// ---- AUD-01 (v2: cloud criteria)
		{name: "v2: cloud service audited without 27017 or JIP-ISMS517 among the criteria", rule: "AUD-01", sample: saas,
			mutate: func(m *isms.ISMS) {
				for i := range m.Audits {
					m.Audits[i].Criteria = []string{"iso27001:2022"}
				}
			},
			want: []string{"cloud_services/svc-iaas", "cloud_services/svc-kintai"}},
		{name: "2013 v2: one audit with jip-isms517 only is enough", rule: "AUD-01", sample: y2013,
			mutate: func(m *isms.ISMS) {
				for i := range m.Audits {
					m.Audits[i].Criteria = []string{"iso27001:2013"}
				}
				audit(m, "aud-2026-b").Criteria = []string{"jip-isms517"}
			}},

		// ---- AUD-06
		{name: "v2: unit inside the scope audited by no audit", rule: "AUD-06", sample: saas,
			mutate: func(m *isms.ISMS) {
				for i := range m.Audits {
					m.Audits[i].Units = slices.DeleteFunc(m.Audits[i].Units, func(u string) bool { return u == "unit-cs" })
				}
			},
			want: []string{"units/unit-cs"}},
		{name: "2013 v2: units of an audit that ended 366 days before", rule: "AUD-06", sample: y2013,
			mutate: func(m *isms.ISMS) {
				auditDates(m, "aud-2026-a", "2025-10-30", "2025-10-31")
				audit(m, "aud-2026-b").Services = []string{"svc-drive", "svc-groupware"}
			},
			want: []string{"units/unit-design", "units/unit-site"}},
		{name: "v2: unit outside the scope needs no audit", rule: "AUD-06", sample: saas,
			mutate: func(m *isms.ISMS) {
				for i := range m.Audits {
					m.Audits[i].Units = slices.DeleteFunc(m.Audits[i].Units, func(u string) bool { return u == "unit-newbiz" })
				}
			}},

		// ---- MR-02 (v2: inputs of the edition)
		{name: "v2: 2022 review without interested_party_needs", rule: "MR-02", sample: saas,
			mutate: func(m *isms.ISMS) { review(m, "mr-2026").Inputs.InterestedPartyNeeds = "" },
			want:   []string{"reviews/mr-2026"},
			check: func(t *testing.T, fs []conformity.Finding) {
				wantIn(t, fs[0].Message.In(i18n.EN), "interested_party_needs")
				wantIn(t, fs[0].Message.In(i18n.EN), "9.3.2")
			}},
		{name: "2013 v2: the 2013 inputs need no interested_party_needs", rule: "MR-02", sample: y2013,
			mutate: func(m *isms.ISMS) {
				for i := range m.Reviews {
					m.Reviews[i].Inputs.InterestedPartyNeeds = ""
				}
			}},

		// ---- EDITION-01
		{name: "v2: a 2013 Annex A ISMS after the end of the transition", rule: "EDITION-01", sample: y2013,
			mutate: func(m *isms.ISMS) {},
			want:   []string{"organization"}},
		{name: "v2: the day after the transition ended", rule: "EDITION-01", sample: y2013, asOf: "2025-11-01",
			mutate: func(m *isms.ISMS) { moveDates(m, -365) },
			want:   []string{"organization"}},
		{name: "v2: the last day of the transition", rule: "EDITION-01", sample: y2013, asOf: "2025-10-31",
			mutate: func(m *isms.ISMS) { moveDates(m, -366) }},
		{name: "v2: a 2022 ISMS", rule: "EDITION-01", sample: saas,
			mutate: func(m *isms.ISMS) {}},
	}
}

func fullManaged(m *isms.ISMS) {
	for _, id := range []string{"site-nimbus-tokyo", "site-nimbus-osaka"} {
		s := site(m, id)
		s.Kind, s.DatacenterService, s.OnsiteWork, s.Supplier = "datacenter", "full-managed", bp(false), "sup-nimbus"
	}
}

func verificationDrop(m *isms.ISMS, id string) {
	verification(m, id)
	m.Verifications = slices.DeleteFunc(m.Verifications, func(v isms.Verification) bool { return v.ID == id })
}

func backupDrop(m *isms.ISMS, service string) {
	backup(m, service)
	m.Backups = slices.DeleteFunc(m.Backups, func(b isms.Backup) bool { return b.Service == service })
}

func auditDates(m *isms.ISMS, id, start, end string) {
	a := audit(m, id)
	a.Start, a.End = date(start), date(end)
}

func wantIn(t *testing.T, s, sub string) {
	t.Helper()
	if !strings.Contains(s, sub) {
		t.Errorf("message %q does not contain %q", s, sub)
	}
}

func wantNotIn(t *testing.T, s, sub string) {
	t.Helper()
	if strings.Contains(s, sub) {
		t.Errorf("message %q contains %q", s, sub)
	}
}

func (c ruleCase) run(t *testing.T) []conformity.Finding {
	t.Helper()
	m := load(t, c.sample)
	c.mutate(m)
	asOf := c.asOf
	if asOf == "" {
		asOf = asOfSD
	}
	return conformity.Check(m, isms.MustDate(asOf))
}

func caseName(c ruleCase) string {
	verdict := "quiet"
	if c.want != nil {
		verdict = "fires"
	}
	return c.rule + "/" + verdict + "/" + c.name
}

func TestRules(t *testing.T) {
	for _, c := range ruleCases() {
		t.Run(caseName(c), func(t *testing.T) {
			fs := c.run(t)

			var got []string
			for _, f := range fs {
				if f.Rule != c.rule {
					continue
				}
				got = append(got, f.Subject)
				if want := specSeverity(c.rule); f.Severity != want {
					t.Errorf("%s %s: severity %q, want %q", f.Rule, f.Subject, f.Severity, want)
				}
			}
			want := slices.Clone(c.want)
			sort.Strings(want)
			if !slices.Equal(got, want) {
				t.Errorf("%s subjects:\n got  %q\n want %q", c.rule, got, want)
			}

			wantRules := map[string]bool{}
			if len(c.want) > 0 {
				wantRules[c.rule] = true
			}
			for _, r := range c.also {
				wantRules[r] = true
			}
			gotRules := map[string]bool{}
			for _, f := range fs {
				// EDITION-01 is the 2013 sample's standing finding after
				// the transition: the table looks at it in its own cases.
				if f.Rule == "EDITION-01" && c.rule != "EDITION-01" && c.sample == y2013 {
					continue
				}
				gotRules[f.Rule] = true
			}
			if !reflect.DeepEqual(gotRules, wantRules) {
				t.Errorf("rules fired: got %v, want %v\n%s", keys(gotRules), keys(wantRules), dump(fs))
			}

			if c.check != nil && len(got) > 0 {
				var mine []conformity.Finding
				for _, f := range fs {
					if f.Rule == c.rule {
						mine = append(mine, f)
					}
				}
				c.check(t, mine)
			}
		})
	}
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func dump(fs []conformity.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "  %s %s %s\n", f.Rule, f.Severity, f.Subject)
	}
	return b.String()
}

// TestRuleCasesCoverEveryRule: every rule of rules.md has a case where it
// fires and one where it stays quiet.
func TestRuleCasesCoverEveryRule(t *testing.T) {
	fires, quiet := map[string]int{}, map[string]int{}
	for _, c := range ruleCases() {
		if specSeverity(c.rule) == "" {
			t.Errorf("case %q: rule %s is not in rules.md", c.name, c.rule)
		}
		if c.want != nil {
			fires[c.rule]++
		} else {
			quiet[c.rule]++
		}
		for _, r := range c.also {
			if specSeverity(r) == "" {
				t.Errorf("case %q: also-rule %s is not in rules.md", c.name, r)
			}
		}
	}
	for _, r := range specRules {
		if fires[r.id] == 0 {
			t.Errorf("%s: no case where it fires", r.id)
		}
		if quiet[r.id] == 0 {
			t.Errorf("%s: no case where it stays quiet", r.id)
		}
	}
}

// TestRulesList: conformity.Rules() are the rules of rules.md, in its order,
// with its severities.
func TestRulesList(t *testing.T) {
	rs := conformity.Rules()
	if len(rs) != len(specRules) {
		t.Fatalf("%d rules, rules.md has %d", len(rs), len(specRules))
	}
	for i, r := range rs {
		if r.ID != specRules[i].id || r.Severity != specRules[i].severity {
			t.Errorf("rule %d: %s/%s, want %s/%s", i, r.ID, r.Severity, specRules[i].id, specRules[i].severity)
		}
		if r.Area == "" || r.Reference == "" {
			t.Errorf("%s: empty area or reference", r.ID)
		}
	}
}

// TestSamplesCheckClean: the SaaS sample checks clean; the 2013 sample is
// the example of an ISMS still to be moved to the 2022 edition and gives
// exactly EDITION-01 (and nothing at all on the last day of the
// transition's rules but that one).
func TestSamplesCheckClean(t *testing.T) {
	if fs := conformity.Check(load(t, saas), isms.MustDate(asOfSD)); len(fs) != 0 {
		t.Errorf("%s: %d findings\n%s", saas, len(fs), dump(fs))
	}
	fs := conformity.Check(load(t, y2013), isms.MustDate(asOfSD))
	if len(fs) != 1 || fs[0].Rule != "EDITION-01" || fs[0].Subject != "organization" {
		t.Errorf("%s: want exactly EDITION-01 on organization, got\n%s", y2013, dump(fs))
	}
}

// TestFindingMessages: every finding of every case renders in both
// languages, differently, with every placeholder replaced.
func TestFindingMessages(t *testing.T) {
	seen := map[string]bool{}
	keysSeen := map[string]bool{}
	for _, c := range ruleCases() {
		for _, f := range c.run(t) {
			seen[f.Rule] = true
			keysSeen[f.Message.Key] = true
			ja, en := f.Message.In("ja"), f.Message.In("en")
			switch {
			case strings.TrimSpace(ja) == "" || strings.TrimSpace(en) == "":
				t.Errorf("%s: %s %s: empty message (ja %q, en %q)", caseName(c), f.Rule, f.Subject, ja, en)
			case ja == en:
				t.Errorf("%s: %s %s: ja and en are the same: %q", caseName(c), f.Rule, f.Subject, ja)
			}
			for _, s := range []string{ja, en} {
				if strings.Contains(s, "{") || strings.Contains(s, "}") {
					t.Errorf("%s: %s %s: unreplaced placeholder in %q", caseName(c), f.Rule, f.Subject, s)
				}
			}
			if f.Area == "" || f.Reference == "" {
				t.Errorf("%s: %s %s: empty area or reference", caseName(c), f.Rule, f.Subject)
			}
			checkKeys(t, caseName(c)+": "+f.Rule+" "+f.Subject, f.Message)
		}
	}
	for _, r := range specRules {
		if !seen[r.id] {
			t.Errorf("%s: no finding rendered", r.id)
		}
	}
	// every message variant was rendered at least once
	for _, k := range []string{"rule.SOA-01.organization", "rule.SOA-01.service",
		"rule.SOA-04.applicable", "rule.SOA-04.justification", "rule.SOA-04.unstated",
		"rule.SCOPE-07.both", "rule.SCOPE-07.personnel", "rule.SCOPE-07.unit",
		"rule.RISK-07.approval", "rule.RISK-07.residual"} {
		if !keysSeen[k] {
			t.Errorf("message %s never rendered", k)
		}
	}
}

// checkKeys: a message and the messages it embeds have text in both
// languages (an unknown key would render as the key itself).
func checkKeys(t *testing.T, where string, m i18n.Message) {
	t.Helper()
	for _, lang := range []string{"ja", "en"} {
		if !i18n.Has(lang, m.Key) {
			t.Errorf("%s: message key %s has no %s text", where, m.Key, lang)
		}
	}
	for _, a := range m.Args {
		switch v := a.Value.(type) {
		case i18n.Message:
			checkKeys(t, where, v)
		case []i18n.Message:
			for _, x := range v {
				checkKeys(t, where, x)
			}
		}
	}
}

// manyFindings is a sample broken in many places at once.
func manyFindings(t *testing.T) *isms.ISMS {
	m := load(t, saas)
	for _, c := range ruleCases() {
		if c.sample == saas && c.want != nil && c.asOf == "" && c.rule != "SCOPE-01" {
			func() {
				defer func() { _ = recover() }() // a mutation may not apply once others ran
				c.mutate(m)
			}()
		}
	}
	return m
}

func TestFindingsSorted(t *testing.T) {
	m := manyFindings(t)
	fs := conformity.Check(m, isms.MustDate(asOfSD))
	rules := map[string]bool{}
	for _, f := range fs {
		rules[f.Rule] = true
	}
	if len(fs) < 30 || len(rules) < 15 {
		t.Fatalf("want a broad set of findings to sort, got %d findings of %d rules", len(fs), len(rules))
	}
	for i := 1; i < len(fs); i++ {
		a, b := fs[i-1], fs[i]
		if a.Rule > b.Rule || (a.Rule == b.Rule && a.Subject > b.Subject) {
			t.Errorf("findings %d and %d out of order: %s %s before %s %s", i-1, i, a.Rule, a.Subject, b.Rule, b.Subject)
		}
	}
}

func TestCheckDeterministic(t *testing.T) {
	m := manyFindings(t)
	asOf := isms.MustDate(asOfSD)
	first := conformity.Check(m, asOf)
	for i := 0; i < 5; i++ {
		if again := conformity.Check(m, asOf); !reflect.DeepEqual(first, again) {
			t.Fatalf("run %d differs from the first:\n%s\nvs\n%s", i+2, dump(first), dump(again))
		}
	}
	if again := conformity.Check(manyFindings(t), asOf); !reflect.DeepEqual(first, again) {
		t.Fatalf("a fresh decode gives other findings:\n%s\nvs\n%s", dump(first), dump(again))
	}
	for _, p := range []string{saas, y2013} {
		a := conformity.Check(load(t, p), asOf)
		b := conformity.Check(load(t, p), asOf)
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s: two checks differ", p)
		}
	}
}

// moveDates moves every date of the ISMS by n days (the sample a year
// earlier, for the edition's boundary cases).
func moveDates(m *isms.ISMS, n int) {
	dateType := reflect.TypeOf(isms.Date{})
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Pointer:
			if !v.IsNil() {
				walk(v.Elem())
			}
		case reflect.Struct:
			if v.Type() == dateType {
				if d := v.Interface().(isms.Date); !d.IsZero() {
					v.Set(reflect.ValueOf(d.AddDays(n)))
				}
				return
			}
			for i := 0; i < v.NumField(); i++ {
				if v.Type().Field(i).IsExported() {
					walk(v.Field(i))
				}
			}
		case reflect.Slice, reflect.Array:
			for i := 0; i < v.Len(); i++ {
				walk(v.Index(i))
			}
		case reflect.Map:
			// maps hold no dates in the model (scales only)
		}
	}
	walk(reflect.ValueOf(m))
}

// TestReferencesByEdition: a finding cites the clause of the edition the
// ISMS uses.
func TestReferencesByEdition(t *testing.T) {
	caNoAction := func(m *isms.ISMS) {
		for i := range m.Audits {
			for j := range m.Audits[i].Findings {
				if k := m.Audits[i].Findings[j].Kind; k == isms.FindingMajor || k == isms.FindingMinor {
					m.Audits[i].Findings[j].CorrectiveAction = nil
				}
			}
		}
		m.Reviews[len(m.Reviews)-1].Outputs = nil
	}
	for _, tc := range []struct {
		sample string
		want   map[string]string
	}{
		{saas, map[string]string{"AUD-03": "JIS Q 27001:2023 10.2", "MR-02": "JIS Q 27001:2023 9.3.1, 9.3.2, 9.3.3"}},
		{y2013, map[string]string{"AUD-03": "JIS Q 27001:2014 10.1", "MR-02": "JIS Q 27001:2014 9.3"}},
	} {
		m := load(t, tc.sample)
		caNoAction(m)
		got := map[string]string{}
		for _, f := range conformity.Check(m, isms.MustDate(asOfSD)) {
			got[f.Rule] = f.Reference
		}
		for rule, want := range tc.want {
			if got[rule] != want {
				t.Errorf("%s: %s cites %q, want %q", tc.sample, rule, got[rule], want)
			}
		}
	}
	for _, r := range conformity.Rules() {
		for _, ed := range []string{"iso27001:2022", "iso27001:2013"} {
			ref := r.ReferenceFor(ed)
			if strings.Contains(ref, "JIS Q 27001 ") {
				t.Errorf("%s under %s: %q names JIS Q 27001 without its year", r.ID, ed, ref)
			}
			if ed == "iso27001:2013" && (strings.Contains(ref, "10.2") || strings.Contains(ref, "9.2.2") || strings.Contains(ref, "9.3.2")) {
				t.Errorf("%s under 2013 cites a 2022 clause: %q", r.ID, ref)
			}
		}
	}
}

// TestMoveTo2022: the move of the 2013 sample clears EDITION-01, leaves a
// valid 2022 bundle, and asks (SOA-02) only for the 2022 controls no 2013
// control maps to.
func TestMoveTo2022(t *testing.T) {
	m := load(t, y2013)
	if !isms.MoveTo2022(m, catalog.Std()) {
		t.Fatal("nothing moved")
	}
	out, err := bundle.Encode(m)
	if err != nil {
		t.Fatal(err)
	}
	m2, err := bundle.Decode("moved.yaml", out)
	if err != nil {
		t.Fatalf("the moved ISMS is no valid bundle: %v", err)
	}
	var soa02 []string
	for _, f := range conformity.Check(m2, isms.MustDate(asOfSD)) {
		switch f.Rule {
		case "EDITION-01":
			t.Errorf("EDITION-01 after the move")
		case "SOA-02":
			soa02 = append(soa02, strings.TrimPrefix(f.Subject, "soa/organization/"))
		}
	}
	for _, id := range soa02 {
		if c, _ := catalog.Std().Lookup(id); c == nil || len(c.Maps2013) != 0 {
			t.Errorf("SOA-02 for %s, which a 2013 control maps to", id)
		}
	}
	if len(soa02) == 0 {
		t.Error("the 2022 controls new in 2022 should be left to decide")
	}
	if isms.MoveTo2022(m2, catalog.Std()) {
		t.Error("a 2022 ISMS moved again")
	}
}
