package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/conformity"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/names"
	"github.com/cloudisms/cloudisms/internal/store/storetest"
	website "github.com/cloudisms/cloudisms/internal/web/site"
)

// Every conformity rule can be found on the dashboard and fixed in the UI:
// for each rule, an ISMS that breaks it is imported, the finding's link is
// followed as a member who may fix it, the linked page must exist, hold
// the anchor the link names and offer the fix, and the fix is then posted
// through the page's own forms until the finding leaves the dashboard.
// The finding's text must show in Japanese and in English.

// fixCase is one rule broken and fixed.
type fixCase struct {
	sample        string // "" for sample-saas.yaml
	rule, subject string
	mutate        func(m *isms.ISMS)
	as            string   // the member who fixes it
	offer         []string // what the linked page holds for the fix
	fix           func(fx *fixer)
}

// fixer follows a finding's link and fixes it through forms, as one member.
type fixer struct {
	t    *testing.T
	st   *site
	as   string
	href string // the finding's link
	body string // the linked page
	m    *isms.ISMS
}

func (fx *fixer) get(path string) string {
	fx.t.Helper()
	return fx.st.get(fx.as, path)
}

// post sends a form and expects the redirect of a successful save.
func (fx *fixer) post(path string, form url.Values) string {
	fx.t.Helper()
	code, body, h := fx.st.do(fx.as, "POST", path, form)
	if code != http.StatusSeeOther {
		fx.t.Fatalf("POST %s as %s: %d\n%s", path, fx.as, code, errorsOf(body))
	}
	return h.Get("Location")
}

// errorsOf shortens a page to its error messages, for failure output.
func errorsOf(body string) string {
	var out []string
	for _, m := range regexp.MustCompile(`(?s)class="(?:field-error|error-summary|error-list)"[^>]*>(.*?)</(?:div|ul)>`).FindAllStringSubmatch(body, -1) {
		out = append(out, strings.TrimSpace(regexp.MustCompile(`<[^>]+>`).ReplaceAllString(m[1], " ")))
	}
	if len(out) == 0 {
		return body
	}
	return strings.Join(out, " | ")
}

// saveItem submits the item form of a page (an item's form, or a new
// one) with some fields changed; a nil value removes the field.
func (fx *fixer) saveItem(page string, body string, set map[string][]string) {
	fx.t.Helper()
	f := formValues(body)
	for k, v := range set {
		if v == nil {
			f.Del(k)
		} else {
			f[k] = v
		}
	}
	f.Set("_action", "save")
	action := regexp.MustCompile(`<form method="post" action="([^"]+)" class="item-form"`).FindStringSubmatch(body)
	if action == nil {
		fx.t.Fatalf("%s has no item form", page)
	}
	fx.post(html.UnescapeString(action[1]), f)
}

var (
	formTag   = regexp.MustCompile(`(?s)<form\b[^>]*\baction="([^"]*)"[^>]*>(.*?)</form>`)
	inputTag  = regexp.MustCompile(`<input\b[^>]*>`)
	attr      = regexp.MustCompile(`\b([a-z_-]+)(?:="([^"]*)")?`)
	selectTag = regexp.MustCompile(`(?s)<select\b([^>]*)>(.*?)</select>`)
	chosen    = regexp.MustCompile(`<option value="([^"]*)" selected>`)
	areaTag   = regexp.MustCompile(`(?s)<textarea\b([^>]*)>(.*?)</textarea>`)
)

func attrs(tag string) map[string]string {
	out := map[string]string{}
	for _, m := range attr.FindAllStringSubmatch(tag, -1) {
		out[m[1]] = html.UnescapeString(m[2])
	}
	return out
}

// formAt collects what a browser would send from the first form posting
// to action whose markup contains every part of within.
func formAt(t *testing.T, body, action string, within ...string) url.Values {
	t.Helper()
forms:
	for _, m := range formTag.FindAllStringSubmatch(body, -1) {
		if html.UnescapeString(m[1]) != action {
			continue
		}
		for _, w := range within {
			if !strings.Contains(m[2], w) {
				continue forms
			}
		}
		v := url.Values{}
		for _, in := range inputTag.FindAllString(m[2], -1) {
			a := attrs(strings.TrimPrefix(in, "<input"))
			if a["name"] == "" {
				continue
			}
			switch a["type"] {
			case "checkbox", "radio":
				if _, on := a["checked"]; on {
					v.Add(a["name"], a["value"])
				}
			case "file", "submit":
			default:
				v.Add(a["name"], a["value"])
			}
		}
		for _, s := range selectTag.FindAllStringSubmatch(m[2], -1) {
			if c := chosen.FindStringSubmatch(s[2]); c != nil {
				v.Add(attrs(s[1])["name"], html.UnescapeString(c[1]))
			}
		}
		for _, s := range areaTag.FindAllStringSubmatch(m[2], -1) {
			v.Add(attrs(s[1])["name"], html.UnescapeString(s[2]))
		}
		return v
	}
	t.Fatalf("no form to %s holding %q", action, within)
	return nil
}

// findingLink is a finding on the dashboard: its link and text.
var findingItem = regexp.MustCompile(`(?s)<li class="finding [a-z]+" data-rule="([^"]+)" data-subject="([^"]+)">\s*<span[^>]*>[^<]*</span>\s*<a href="([^"]+)"><code>[^<]*</code> <span title="[^"]*">([^<]*)</span></a>\s*<p>(.*?)</p>`)

// dashboardFinding returns the link and text of a finding, "" when the
// dashboard does not show it.
func dashboardFinding(t *testing.T, st *site, as, rule, subject string) (href, text string) {
	href, _, text = dashboardFindingNamed(t, st, as, rule, subject)
	return href, text
}

// dashboardFindingNamed also returns how the finding names its subject.
func dashboardFindingNamed(t *testing.T, st *site, as, rule, subject string) (href, name, text string) {
	t.Helper()
	for _, m := range findingItem.FindAllStringSubmatch(st.get(as, "/orgs/sample/"), -1) {
		if m[1] == rule && html.UnescapeString(m[2]) == subject {
			return html.UnescapeString(m[3]), html.UnescapeString(m[4]), html.UnescapeString(m[5])
		}
	}
	return "", "", ""
}

func pick[T any](t *testing.T, list []T, match func(T) bool) *T {
	for i := range list {
		if match(list[i]) {
			return &list[i]
		}
	}
	panic("fixture: the sample lacks what a case changes")
}

func svcOf(m *isms.ISMS, id string) *isms.CloudService {
	return pick(nil, m.Services, func(x isms.CloudService) bool { return x.ID == id })
}
func personOf(m *isms.ISMS, id string) *isms.Person {
	return pick(nil, m.People, func(x isms.Person) bool { return x.ID == id })
}
func riskOf(m *isms.ISMS, id string) *isms.Risk {
	return *pick(nil, m.Risks, func(x *isms.Risk) bool { return x.ID == id })
}
func soaOf(m *isms.ISMS, service, role string) *isms.SoA {
	return pick(nil, m.SoAs, func(x isms.SoA) bool { return x.Service == service && (service == "" || x.Role == role) })
}
func soaRowOf(m *isms.ISMS, service, role, ctl string) *isms.SoARow {
	return pick(nil, soaOf(m, service, role).Rows, func(x isms.SoARow) bool { return x.Control == ctl })
}
func auditOf(m *isms.ISMS, id string) *isms.Audit {
	return pick(nil, m.Audits, func(x isms.Audit) bool { return x.ID == id })
}
func auditFindingOf(m *isms.ISMS, aid, fid string) *isms.AuditFinding {
	return pick(nil, auditOf(m, aid).Findings, func(x isms.AuditFinding) bool { return x.ID == fid })
}
func flag(b bool) *bool { return &b }

// rowIndex finds the row of a list field whose id is given, in a form.
func rowIndex(t *testing.T, f url.Values, list, id string) string {
	t.Helper()
	for k, v := range f {
		if strings.HasPrefix(k, list+"[") && strings.HasSuffix(k, "].id") && len(v) == 1 && v[0] == id {
			return strings.TrimSuffix(k, ".id")
		}
	}
	t.Fatalf("no %s row %s in %v", list, id, f)
	return ""
}

// soaRowEdit matches a row's edit link on the SoA page.
var soaRowEdit = regexp.MustCompile(`<a class="row-edit" href="([^"]+)"`)

// soaEdit is what the SoA page offers to fix a control's row: the row's
// edit link (its form is on the row's page).
func soaEdit(control string) string { return `control=` + url.QueryEscape(control) + `">` }

// soaRowForm follows a row's edit link on the linked SoA page and returns
// the row's form there.
func soaRowForm(fx *fixer, control string) url.Values {
	fx.t.Helper()
	i := strings.Index(fx.body, `<tr id="row-`+control+`"`)
	if i < 0 {
		fx.t.Fatalf("no row %s on %s", control, fx.href)
	}
	row := fx.body[i : i+strings.Index(fx.body[i:], "</tr>")]
	link := soaRowEdit.FindStringSubmatch(row)
	if link == nil {
		fx.t.Fatalf("row %s has no edit link: %s", control, row)
	}
	// The link is relative to the SoA page, as a browser resolves it.
	base, err := url.Parse(fx.href)
	if err != nil {
		fx.t.Fatal(err)
	}
	rel, err := url.Parse(html.UnescapeString(link[1]))
	if err != nil {
		fx.t.Fatal(err)
	}
	return formAt(fx.t, fx.get(base.ResolveReference(rel).String()), "/orgs/sample/soa", `name="control" value="`+control+`"`)
}

// soaRowFix adopts a control in the SoA row form that the row's edit link
// on the linked page opens.
func soaRowFix(control string) func(fx *fixer) {
	return func(fx *fixer) {
		f := soaRowForm(fx, control)
		f.Set("applicable", "true")
		f["reasons"] = []string{"risk"}
		f.Set("implementation", isms.ImplImplemented)
		fx.post("/orgs/sample/soa", f)
	}
}

// itemFix changes fields of the linked item form (or new-item form).
func itemFix(set map[string][]string) func(fx *fixer) {
	return func(fx *fixer) { fx.saveItem(fx.href, fx.body, set) }
}

const (
	fixManager = "manager@example.com"
	fixCEO     = "ceo@example.com"
	fixAuditor = "auditor@example.com"
)

func one(s string) []string { return []string{s} }

func fixCases() []fixCase { return append(baseFixCases(), registerFixCases()...) }

func baseFixCases() []fixCase {
	return []fixCase{
		{rule: "SCOPE-01", subject: "organization", as: fixManager,
			mutate: func(m *isms.ISMS) {
				for i := range m.Services {
					m.Services[i].InScope = false
				}
			},
			offer: []string{`href="/orgs/sample/items/cloud_services/svc-kintai"`},
			fix: func(fx *fixer) {
				p := "/orgs/sample/items/cloud_services/svc-kintai"
				fx.saveItem(p, fx.get(p), map[string][]string{"in_scope": one("true")})
			}},
		{rule: "SCOPE-02", subject: "cloud_services/svc-workchat", as: fixManager,
			mutate: func(m *isms.ISMS) { svcOf(m, "svc-workchat").Role = isms.RoleBoth },
			offer:  []string{`name="role"`, `name="provider"`},
			fix:    itemFix(map[string][]string{"role": one(isms.RoleCustomer)})},
		{rule: "SCOPE-03", subject: "cloud_services/svc-kintai/uses/svc-iaas", as: fixManager,
			mutate: func(m *isms.ISMS) { svcOf(m, "svc-iaas").InScope = false },
			offer:  []string{`name="in_scope"`},
			fix:    itemFix(map[string][]string{"in_scope": one("true")})},
		{rule: "SCOPE-04", subject: "systems/sys-app", as: fixManager,
			mutate: func(m *isms.ISMS) {
				pick(nil, m.Systems, func(x isms.System) bool { return x.ID == "sys-app" }).InScope = flag(false)
			},
			offer: []string{`name="in_scope"`},
			fix:   itemFix(map[string][]string{"in_scope": one("true")})},
		{rule: "SCOPE-05", subject: "systems/sys-office-net", as: fixManager,
			mutate: func(m *isms.ISMS) {
				pick(nil, m.Sites, func(x isms.Site) bool { return x.ID == "site-hq" }).InISMSScope = flag(false)
			},
			offer: []string{`name="in_isms_scope"`},
			fix:   itemFix(map[string][]string{"in_isms_scope": one("true")})},
		{rule: "SCOPE-06", subject: "people/p-dev", as: fixManager,
			mutate: func(m *isms.ISMS) { personOf(m, "p-dev").CloudSecurityPersonnel = flag(false) },
			offer:  []string{`name="cloud_security_personnel"`, `name="cloud_duties"`},
			fix:    itemFix(map[string][]string{"cloud_security_personnel": one("true")})},
		{rule: "SCOPE-07", subject: "people/p-ops", as: fixManager,
			mutate: func(m *isms.ISMS) { personOf(m, "p-ops").ISMSPersonnel = flag(false) },
			offer:  []string{`name="isms_personnel"`, `name="unit"`},
			fix:    itemFix(map[string][]string{"isms_personnel": one("true")})},
		{rule: "SCOPE-08", subject: "cloud_services/svc-iaas", as: fixManager,
			mutate: func(m *isms.ISMS) {
				m.Organization.CloudScope = strings.ReplaceAll(m.Organization.CloudScope, svcOf(m, "svc-iaas").Name, "IaaS")
			},
			offer: []string{`name="cloud_scope"`},
			fix: func(fx *fixer) {
				f := formValues(fx.body)
				fx.saveItem(fx.href, fx.body, map[string][]string{"cloud_scope": one(f.Get("cloud_scope") + "\n" + svcOf(fx.m, "svc-iaas").Name)})
			}},
		{rule: "RISK-01", subject: "cloud_services/svc-iaas", as: fixManager,
			mutate: func(m *isms.ISMS) {
				for i := range m.Risks {
					m.Risks[i].Services = slices.DeleteFunc(m.Risks[i].Services, func(s string) bool { return s == "svc-iaas" })
				}
			},
			offer: []string{`name="services" value="svc-iaas" checked`, `name="treatment"`},
			fix: itemFix(map[string][]string{"id": one("r-90"), "title": one("IaaS の長期停止"), "likelihood": one("1"), "impact": one("2"),
				"owner": one("p-isms"), "treatment": one(isms.TreatRetain)})},
		{rule: "RISK-02", subject: "risk_sources/cloud.backup", as: fixManager,
			mutate: func(m *isms.ISMS) {
				for i := range m.Risks {
					m.Risks[i].Sources = slices.DeleteFunc(m.Risks[i].Sources, func(s string) bool { return s == "cloud.backup" })
				}
			},
			offer: []string{`<option value="cloud.backup" selected>`, `name="reason"`},
			fix:   itemFix(map[string][]string{"reason": one("データを保存しないため該当しない")})},
		{rule: "RISK-03", subject: "risks/r-13", as: fixManager,
			mutate: func(m *isms.ISMS) { riskOf(m, "r-13").Likelihood = isms.Factor{Set: true, IsInt: true, Int: 9} },
			offer:  []string{`name="likelihood"`, `name="owner"`},
			fix:    itemFix(map[string][]string{"likelihood": one("2")})},
		{rule: "RISK-04", subject: "risks/r-12", as: fixCEO, // p-ceo owns r-12
			mutate: func(m *isms.ISMS) {
				r := riskOf(m, "r-12")
				r.Likelihood = isms.Factor{Set: true, IsInt: true, Int: 2}
				r.Residual = &isms.Residual{Likelihood: isms.Factor{Set: true, IsInt: true, Int: 1}}
				r.Approval.ResidualAccepted = flag(false)
			},
			offer: []string{`action="/orgs/sample/risks/r-12/approve"`, `name="residual_accepted"`},
			fix: func(fx *fixer) {
				fx.post("/orgs/sample/risks/r-12/approve", formAt(fx.t, fx.body, "/orgs/sample/risks/r-12/approve"))
			}},
		{rule: "RISK-05", subject: "risks/r-01", as: fixManager,
			mutate: func(m *isms.ISMS) { riskOf(m, "r-01").Controls = nil },
			offer:  []string{`name="controls"`},
			fix:    itemFix(map[string][]string{"controls": one("5.15\n8.5")})},
		{rule: "RISK-06", subject: "risks/r-01/controls/5.36/soa/svc-iaas/customer", as: fixManager,
			mutate: func(m *isms.ISMS) {
				r := soaRowOf(m, "", "", "5.36")
				r.Applicable, r.Reasons, r.Implementation, r.Justification = flag(false), nil, "", "対象外"
			},
			offer: []string{soaEdit("5.36")},
			fix:   soaRowFix("5.36")},
		{rule: "RISK-07", subject: "risks/r-01", as: fixManager, // p-isms owns r-01
			mutate: func(m *isms.ISMS) { riskOf(m, "r-01").Approval = nil },
			offer:  []string{`action="/orgs/sample/risks/r-01/approve"`},
			fix: func(fx *fixer) {
				fx.post("/orgs/sample/risks/r-01/approve", formAt(fx.t, fx.body, "/orgs/sample/risks/r-01/approve"))
			}},
		{rule: "RISK-08", subject: "cloud_services/svc-iaas/data_locations/JP", as: fixManager,
			mutate: func(m *isms.ISMS) {
				for i := range m.Legal {
					m.Legal[i].Services = slices.DeleteFunc(m.Legal[i].Services, func(s string) bool { return s == "svc-iaas" })
				}
			},
			offer: []string{`name="services" value="svc-iaas" checked`, `name="jurisdictions"`, `>JP</textarea>`},
			fix:   itemFix(map[string][]string{"id": one("law-90"), "name": one("個人情報保護法")})},
		{rule: "RISK-08", subject: "cloud_services/svc-kintai/data_locations/US", as: fixManager, // v2: per location
			mutate: func(m *isms.ISMS) { svcOf(m, "svc-kintai").DataLocations = []string{"JP", "US"} },
			offer:  []string{`name="services" value="svc-kintai" checked`, `>US</textarea>`},
			fix:    itemFix(map[string][]string{"id": one("law-us"), "name": one("CLOUD Act")})},
		{rule: "SOA-01", subject: "soa/svc-kintai/customer", as: fixManager,
			mutate: func(m *isms.ISMS) { svcOf(m, "svc-kintai").Role = isms.RoleBoth },
			offer:  []string{`action="/orgs/sample/soa/create"`},
			fix: func(fx *fixer) {
				fx.post("/orgs/sample/soa/create", formAt(fx.t, fx.body, "/orgs/sample/soa/create"))
			}},
		{rule: "SOA-02", subject: "soa/organization/7.12", as: fixManager,
			mutate: func(m *isms.ISMS) {
				s := soaOf(m, "", "")
				s.Rows = slices.DeleteFunc(s.Rows, func(r isms.SoARow) bool { return r.Control == "7.12" })
			},
			offer: []string{soaEdit("7.12")},
			fix:   soaRowFix("7.12")},
		{rule: "SOA-03", subject: "soa/svc-kintai/provider/27017:9.2.1", as: fixManager,
			mutate: func(m *isms.ISMS) {
				s := soaOf(m, "svc-kintai", isms.RoleProvider)
				s.Rows = slices.DeleteFunc(s.Rows, func(r isms.SoARow) bool { return r.Control == "27017:9.2.1" })
			},
			offer: []string{soaEdit("27017:9.2.1")},
			fix:   soaRowFix("27017:9.2.1")},
		{rule: "SOA-04", subject: "soa/organization/5.4", as: fixManager,
			mutate: func(m *isms.ISMS) { soaRowOf(m, "", "", "5.4").Reasons = nil },
			offer:  []string{soaEdit("5.4")},
			fix:    soaRowFix("5.4")},
		{rule: "SOA-05", subject: "soa/svc-iaas/customer/27017:9.2.4", as: fixManager,
			mutate: func(m *isms.ISMS) {
				s := soaOf(m, "svc-iaas", isms.RoleCustomer)
				s.Rows = append(s.Rows, isms.SoARow{Control: "5.17", Applicable: flag(false), Justification: "対象外"})
			},
			offer: []string{soaEdit("5.17")},
			fix:   soaRowFix("5.17")}, // adopt the base control in the service's own row
		{rule: "SOA-06", subject: "soa/svc-iaas/customer/27017:12.4.4", as: fixManager,
			mutate: func(m *isms.ISMS) {
				r := soaRowOf(m, "svc-iaas", isms.RoleCustomer, "27017:12.4.4")
				r.Applicable, r.Reasons, r.Implementation, r.Justification = flag(false), nil, "", "対象外"
			},
			offer: []string{soaEdit("27017:12.4.4")},
			fix:   soaRowFix("27017:12.4.4")},
		{rule: "SOA-07", subject: "soa/svc-iaas/customer", as: fixCEO,
			mutate: func(m *isms.ISMS) { soaOf(m, "svc-iaas", isms.RoleCustomer).Approval = nil },
			offer:  []string{`action="/orgs/sample/soa/approve"`},
			fix: func(fx *fixer) {
				fx.post("/orgs/sample/soa/approve", formAt(fx.t, fx.body, "/orgs/sample/soa/approve"))
			}},
		{rule: "RESP-01", subject: "cloud_services/svc-iaas", as: fixManager,
			mutate: func(m *isms.ISMS) {
				m.Responsibilities = slices.DeleteFunc(m.Responsibilities, func(r isms.Responsibility) bool { return r.Service == "svc-iaas" })
			},
			offer: []string{`<option value="svc-iaas" selected>`, `name="provider"`, `name="customer"`},
			fix: itemFix(map[string][]string{"control": one("CLD.6.3.1"), "area": one("アカウント管理"),
				"provider": one("基盤の利用者認証"), "customer": one("利用者アカウントの登録と削除")})},
		{rule: "VERIFY-01", subject: "cloud_services/svc-iaas/verifications/27017:12.3.1", as: fixManager,
			mutate: func(m *isms.ISMS) {
				m.Verifications = slices.DeleteFunc(m.Verifications, func(v isms.Verification) bool { return v.ID == "ver-02" })
			},
			offer: []string{`href="/orgs/sample/items/verifications?new=1&amp;control=27017%3A12.3.1&amp;finding=VERIFY-01`},
			fix: func(fx *fixer) {
				need := regexp.MustCompile(`(?s)id="need-svc-iaas-27017:12.3.1".*?href="([^"]+)"`).FindStringSubmatch(fx.body)
				p := html.UnescapeString(need[1])
				body := fx.get(p)
				mustContain(fx.t, "new verification", body, `<option value="svc-iaas" selected>`, `value="27017:12.3.1"`,
					`data-rule="VERIFY-01" data-subject="cloud_services/svc-iaas/verifications/27017:12.3.1"`)
				fx.saveItem(p, body, map[string][]string{"id": one("ver-90"), "result": one(isms.ResultMeets), "date": one("2026-10-30"),
					"provider_statement": one("日次のスナップショットを 30 日保管")})
			}},
		{rule: "VERIFY-02", subject: "verifications/ver-04", as: fixManager,
			mutate: func(m *isms.ISMS) {
				pick(nil, m.Verifications, func(v isms.Verification) bool { return v.ID == "ver-04" }).Risk = ""
			},
			offer: []string{`action="/orgs/sample/verifications/ver-04/risk"`},
			fix: func(fx *fixer) {
				f := formAt(fx.t, fx.body, "/orgs/sample/verifications/ver-04/risk")
				f.Set("owner", "p-ops-lead")
				fx.post("/orgs/sample/verifications/ver-04/risk", f)
			}},
		{rule: "OPS-01", subject: "cloud_services/svc-kintai", as: fixManager,
			mutate: func(m *isms.ISMS) {
				m.Backups = slices.DeleteFunc(m.Backups, func(b isms.Backup) bool { return b.Service == "svc-kintai" })
			},
			offer: []string{`<option value="svc-kintai" selected>`, `name="policy"`},
			fix:   itemFix(map[string][]string{"policy": one("日次の完全バックアップを大阪リージョンへ複製")})},
		{rule: "OPS-02", subject: "backups/svc-kintai", as: fixManager,
			mutate: func(m *isms.ISMS) {
				pick(nil, m.Backups, func(b isms.Backup) bool { return b.Service == "svc-kintai" }).RestoreTestIntervalDays = new(int)
				*pick(nil, m.Backups, func(b isms.Backup) bool { return b.Service == "svc-kintai" }).RestoreTestIntervalDays = 1
			},
			offer: []string{`href="/orgs/sample/items/backups/`},
			fix: func(fx *fixer) {
				p := html.UnescapeString(regexp.MustCompile(`href="(/orgs/sample/items/backups/[0-9]+)"`).FindStringSubmatch(fx.body)[1])
				body := fx.get(p)
				f := formValues(body)
				n := f.Get("tests#rows")
				fx.saveItem(p, body, map[string][]string{"tests#rows": one(itoaInt(atoi(n) + 1)),
					"tests[" + n + "].date": one("2026-10-31"), "tests[" + n + "].result": one("pass"), "tests[" + n + "].by": one("p-ops")})
			}},
		{rule: "OPS-03", subject: "cloud_services/svc-iaas", as: fixManager,
			mutate: func(m *isms.ISMS) {
				m.Monitoring = slices.DeleteFunc(m.Monitoring, func(x isms.Monitoring) bool { return x.Service == "svc-iaas" })
			},
			offer: []string{`<option value="svc-iaas" selected>`, `value="add:items"`},
			fix: func(fx *fixer) {
				// Add a row (the form comes back with it), then fill it in.
				f := formValues(fx.body)
				f.Set("_action", "add:items")
				code, body, _ := fx.st.do(fx.as, "POST", "/orgs/sample/items/monitoring", f)
				if code != http.StatusOK || !strings.Contains(body, `name="items[0].what"`) {
					fx.t.Fatalf("add row: %d", code)
				}
				fx.saveItem(fx.href, body, map[string][]string{"items[0].what": one("管理 API の監査ログ"), "items[0].method": one("ログ監視")})
			}},
		{rule: "POL-01", subject: "organization", as: fixManager,
			mutate: func(m *isms.ISMS) {
				d := pick(nil, m.Documents, func(x isms.Document) bool { return x.ID == "doc-pol-002" })
				d.CloudTopics = slices.DeleteFunc(d.CloudTopics, func(s string) bool { return s == "virtualization" || s == "data-location" })
			},
			offer: []string{`<option value="policy" selected>`, `name="cloud_topics" value="virtualization" checked`, `name="cloud_topics" value="data-location" checked`},
			fix: func(fx *fixer) {
				// The new policy is saved, then approved on its page.
				fx.saveItem(fx.href, fx.body, map[string][]string{"id": one("doc-pol-090"), "title": one("クラウド基本方針 補遺"), "version": one("1.0")})
				// v2: approved by top management (the CEO)
				p := "/orgs/sample/items/documents/doc-pol-090"
				body := fx.st.get(fixCEO, p)
				f := formAt(fx.t, body, p, `value="approve"`)
				f.Set("_action", "approve") // the button pressed
				if code, body, _ := fx.st.do(fixCEO, "POST", p, f); code != http.StatusSeeOther {
					fx.t.Fatalf("approve as the CEO: %d\n%s", code, errorsOf(body))
				}
				if !strings.Contains(fx.st.get(fixCEO, p+"?approved=1"), "承認を記録しました") {
					fx.t.Error("no word that the approval was recorded")
				}
			}},
		{rule: "AUD-01", subject: "cloud_services/svc-iaas", as: fixAuditor,
			mutate: func(m *isms.ISMS) {
				a := auditOf(m, "aud-2026-01")
				a.Start, a.End = isms.MustDate("2025-10-27"), isms.MustDate("2025-10-31")
			},
			offer: []string{`name="services" value="svc-iaas" checked`, `name="end"`},
			fix: itemFix(map[string][]string{"id": one("aud-2026-90"), "title": one("臨時内部監査"),
				"start": one("2026-10-20"), "end": one("2026-10-21")})},
		{rule: "AUD-02", subject: "audits/aud-2026-02/auditors/p-isms", as: fixAuditor,
			mutate: func(m *isms.ISMS) {
				a := auditOf(m, "aud-2026-02")
				a.Auditors = append(a.Auditors, "p-isms")
			},
			offer: []string{`href="/orgs/sample/items/audits/aud-2026-02"`},
			fix: func(fx *fixer) {
				p := "/orgs/sample/items/audits/aud-2026-02"
				body := fx.get(p)
				f := formValues(body)
				fx.saveItem(p, body, map[string][]string{"auditors": slices.DeleteFunc(f["auditors"], func(s string) bool { return s == "p-isms" })})
			}},
		{rule: "AUD-03", subject: "audits/aud-2026-01/findings/f-01", as: fixAuditor,
			mutate: func(m *isms.ISMS) { auditFindingOf(m, "aud-2026-01", "f-01").CorrectiveAction = nil },
			offer:  []string{`href="/orgs/sample/items/audits/aud-2026-01"`},
			fix: auditFindingFix(func(row string) map[string][]string {
				return map[string][]string{row + ".corrective_action.action": one("手順書を改訂し周知する"), row + ".corrective_action.owner": one("p-isms"),
					row + ".corrective_action.due": one("2026-12-31")}
			})},
		{rule: "AUD-04", subject: "audits/aud-2026-01/findings/f-01", as: fixAuditor,
			mutate: func(m *isms.ISMS) {
				ca := auditFindingOf(m, "aud-2026-01", "f-01").CorrectiveAction
				ca.DoneOn, ca.Due = isms.Date{}, isms.MustDate("2026-10-31")
			},
			offer: []string{`href="/orgs/sample/items/audits/aud-2026-01"`},
			fix: auditFindingFix(func(row string) map[string][]string {
				return map[string][]string{row + ".corrective_action.done_on": one("2026-10-31")}
			})},
		{rule: "AUD-05", subject: "audits/aud-2026-01/findings/f-01", as: fixAuditor,
			mutate: func(m *isms.ISMS) { auditFindingOf(m, "aud-2026-01", "f-01").CorrectiveAction.Effective = flag(false) },
			offer:  []string{`href="/orgs/sample/items/audits/aud-2026-01"`},
			fix: auditFindingFix(func(row string) map[string][]string {
				return map[string][]string{row + ".corrective_action.effective": one("true"), row + ".corrective_action.verified_by": one("p-audit-lead")}
			})},
		{rule: "MR-01", subject: "organization", as: fixCEO,
			mutate: func(m *isms.ISMS) {
				pick(nil, m.Reviews, func(r isms.Review) bool { return r.ID == "mr-2026" }).Date = isms.MustDate("2025-10-31")
			},
			offer: []string{`action="/orgs/sample/reviews/new"`, `name="chair"`},
			fix: func(fx *fixer) {
				f := formAt(fx.t, fx.body, "/orgs/sample/reviews/new")
				f.Set("id", "mr-2026-11")
				for _, k := range isms.ReviewInputKeys {
					if strings.TrimSpace(f.Get("in_"+k)) == "" {
						f.Set("in_"+k, "議長の所見 "+k)
					}
				}
				f.Set("decision0", "ログ保存期間の見直し")
				fx.post("/orgs/sample/reviews/new", f)
			}},
		{rule: "MR-02", subject: "reviews/mr-2026", as: fixCEO,
			mutate: func(m *isms.ISMS) {
				pick(nil, m.Reviews, func(r isms.Review) bool { return r.ID == "mr-2026" }).Outputs = nil
			},
			offer: []string{`href="/orgs/sample/items/reviews/mr-2026"`},
			fix: func(fx *fixer) {
				p := "/orgs/sample/items/reviews/mr-2026"
				f := formValues(fx.get(p))
				f.Set("_action", "add:outputs")
				code, body, _ := fx.st.do(fx.as, "POST", p, f)
				if code != http.StatusOK {
					fx.t.Fatalf("add output: %d", code)
				}
				fx.saveItem(p, body, map[string][]string{"outputs[0].decision": one("次年度の監査計画を承認")})
			}},
		// ---- version 2
		{rule: "POL-01", subject: "organization", as: fixManager, // v2: approved by an operator only
			mutate: func(m *isms.ISMS) {
				for i := range m.Documents {
					if m.Documents[i].Kind == "policy" && m.Documents[i].Approval != nil {
						m.Documents[i].Approval.By = "p-ops"
					}
				}
			},
			offer: []string{`<option value="policy" selected>`, `name="cloud_topics" value="virtualization" checked`},
			fix: func(fx *fixer) {
				fx.saveItem(fx.href, fx.body, map[string][]string{"id": one("doc-pol-091"), "title": one("クラウドセキュリティ方針"), "version": one("1.0")})
				p := "/orgs/sample/items/documents/doc-pol-091"
				f := formAt(fx.t, fx.st.get(fixCEO, p), p, `value="approve"`)
				f.Set("_action", "approve")
				if code, body, _ := fx.st.do(fixCEO, "POST", p, f); code != http.StatusSeeOther {
					fx.t.Fatalf("approve as the CEO: %d\n%s", code, errorsOf(body))
				}
			}},
		{rule: "SCOPE-09", subject: "cloud_services/svc-kintai/suppliers/sup-nimbus", as: fixManager,
			mutate: func(m *isms.ISMS) {
				svcOf(m, "svc-kintai").Uses = nil
				svcOf(m, "svc-iaas").InScope = false
			},
			offer: []string{`<option value="sup-nimbus" selected>`, `<option value="customer" selected>`},
			fix:   itemFix(map[string][]string{"id": one("svc-nimbus"), "name": one("ニンバスクラウド IaaS"), "model": one("iaas")})},
		{rule: "SCOPE-10", subject: "organization", as: fixCEO,
			mutate: func(m *isms.ISMS) { m.Organization.ScopeApproval = nil },
			offer:  []string{`action="/orgs/sample/scope/approve"`},
			fix: func(fx *fixer) {
				fx.post("/orgs/sample/scope/approve", formAt(fx.t, fx.body, "/orgs/sample/scope/approve"))
			}},
		{rule: "RISK-09", subject: "risks/r-02", as: fixManager,
			mutate: func(m *isms.ISMS) { riskOf(m, "r-02").AssessedOn = isms.MustDate("2025-06-01") },
			offer:  []string{`name="assessed_on"`},
			fix:    itemFix(map[string][]string{"assessed_on": one("2026-10-30")})},
		{rule: "SOA-08", subject: "soa/svc-kintai/provider/5.36", as: fixManager,
			mutate: func(m *isms.ISMS) {
				r := soaRowOf(m, "", "", "5.36")
				r.Applicable, r.Reasons, r.Implementation, r.Justification = flag(false), nil, "", "対象外"
				s := soaOf(m, "svc-kintai", isms.RoleProvider)
				s.Rows = append(s.Rows, isms.SoARow{Control: "5.36", Applicable: flag(true), Reasons: []string{"contract"}, Implementation: isms.ImplImplemented})
			},
			offer: []string{soaEdit("5.36")},
			fix: func(fx *fixer) {
				f := soaRowForm(fx, "5.36")
				f.Set("applicable", "false")
				f.Del("reasons")
				f.Set("implementation", "")
				f.Set("justification", "組織全体で除外しているため")
				fx.post("/orgs/sample/soa", f)
			}},
		{rule: "SOA-09", subject: "soa/organization/5.4", as: fixManager,
			mutate: func(m *isms.ISMS) { soaRowOf(m, "", "", "5.4").Reasons = []string{"risk"} },
			offer:  []string{soaEdit("5.4")},
			fix: func(fx *fixer) {
				f := soaRowForm(fx, "5.4")
				f["reasons"] = []string{"business"}
				fx.post("/orgs/sample/soa", f)
			}},
		{rule: "VERIFY-01", subject: "cloud_services/svc-iaas/verifications/27017:18.1.1", as: fixManager, // v2: dated 2019
			mutate: func(m *isms.ISMS) {
				pick(nil, m.Verifications, func(v isms.Verification) bool { return v.ID == "ver-05" }).Date = isms.MustDate("2019-06-10")
			},
			offer: []string{`href="/orgs/sample/items/verifications?new=1&amp;control=27017%3A18.1.1&amp;finding=VERIFY-01`},
			fix: func(fx *fixer) {
				p := "/orgs/sample/items/verifications/ver-05"
				fx.saveItem(p, fx.get(p), map[string][]string{"date": one("2026-10-28")})
			}},
		{rule: "VERIFY-02", subject: "verifications/ver-04", as: fixManager, // v2: the risk of another service
			mutate: func(m *isms.ISMS) {
				pick(nil, m.Verifications, func(v isms.Verification) bool { return v.ID == "ver-04" }).Risk = "r-14"
			},
			offer: []string{`name="risk"`},
			fix:   itemFix(map[string][]string{"risk": one("r-06")})},
		{rule: "AUD-01", subject: "cloud_services/svc-kintai", as: fixAuditor, // v2: no cloud criteria
			mutate: func(m *isms.ISMS) {
				for i := range m.Audits {
					m.Audits[i].Criteria = []string{"iso27001:2022"}
				}
			},
			offer: []string{`name="services" value="svc-kintai" checked`, `jip-isms517`},
			fix: itemFix(map[string][]string{"id": one("aud-2026-91"), "title": one("クラウドサービスの内部監査"),
				"start": one("2026-10-20"), "end": one("2026-10-21")})},
		{rule: "AUD-06", subject: "units/unit-cs", as: fixAuditor,
			mutate: func(m *isms.ISMS) {
				for i := range m.Audits {
					m.Audits[i].Units = slices.DeleteFunc(m.Audits[i].Units, func(u string) bool { return u == "unit-cs" })
				}
			},
			offer: []string{`name="units" value="unit-cs" checked`},
			fix: itemFix(map[string][]string{"id": one("aud-2026-92"), "title": one("カスタマサクセス部の内部監査"),
				"start": one("2026-10-22"), "end": one("2026-10-22"), "auditors": one("p-auditor")})},
		{rule: "MR-02", subject: "reviews/mr-2026", as: fixCEO, // v2: 9.3.2 c) of the 2022 edition
			mutate: func(m *isms.ISMS) {
				pick(nil, m.Reviews, func(r isms.Review) bool { return r.ID == "mr-2026" }).Inputs.InterestedPartyNeeds = ""
			},
			offer: []string{`href="/orgs/sample/items/reviews/mr-2026"`},
			fix: func(fx *fixer) {
				p := "/orgs/sample/items/reviews/mr-2026"
				fx.saveItem(p, fx.get(p), map[string][]string{"inputs.interested_party_needs": one("大口カスタマからデータの国内保管の要求")})
			}},
		{sample: "sample-2013.yaml", rule: "SCOPE-04", subject: "systems/sys-mgmt", as: fixManager, // v2: management host
			mutate: func(m *isms.ISMS) {
				m.Sites = append(m.Sites, isms.Site{ID: "site-colo", Name: "コロケーション", Kind: "datacenter", InISMSScope: flag(false),
					DatacenterService: "colocation", OnsiteWork: flag(true)})
				m.Systems = append(m.Systems, isms.System{ID: "sys-mgmt", Name: "クラウド管理端末", Location: "on-premises", Site: "site-colo",
					Purpose: "management", Supports: []string{"svc-drive"}, InScope: flag(false)})
			},
			offer: []string{`name="in_scope"`},
			fix: func(fx *fixer) {
				// the scope is extended to the host and its site
				fx.saveItem(fx.href, fx.body, map[string][]string{"in_scope": one("true")})
				p := "/orgs/sample/items/sites/site-colo"
				fx.saveItem(p, fx.get(p), map[string][]string{"in_isms_scope": one("true")})
			}},
		{sample: "sample-2013.yaml", rule: "EDITION-01", subject: "organization", as: fixManager,
			mutate: func(m *isms.ISMS) {},
			offer:  []string{`action="/orgs/sample/scope/edition"`},
			fix: func(fx *fixer) {
				fx.post("/orgs/sample/scope/edition", formAt(fx.t, fx.body, "/orgs/sample/scope/edition"))
			}},
		// The 2013 edition and the asset-threat-vulnerability method.
		{sample: "sample-2013.yaml", rule: "RISK-03", subject: "risks/r-01", as: fixManager,
			mutate: func(m *isms.ISMS) { riskOf(m, "r-01").Threat = isms.Factor{Set: true, IsInt: true, Int: 7} },
			offer:  []string{`name="threat"`, `name="vulnerability"`},
			fix:    itemFix(map[string][]string{"threat": one("2")})},
		{sample: "sample-2013.yaml", rule: "SOA-02", subject: "soa/organization/A.7.2.1", as: fixManager,
			mutate: func(m *isms.ISMS) {
				s := soaOf(m, "", "")
				s.Rows = slices.DeleteFunc(s.Rows, func(r isms.SoARow) bool { return r.Control == "A.7.2.1" })
			},
			offer: []string{soaEdit("A.7.2.1")},
			fix:   soaRowFix("A.7.2.1")},
		{sample: "sample-2013.yaml", rule: "SOA-04", subject: "soa/organization/A.14.3.1", as: fixManager,
			mutate: func(m *isms.ISMS) { soaRowOf(m, "", "", "A.14.3.1").Justification = "" },
			offer:  []string{soaEdit("A.14.3.1")},
			fix: func(fx *fixer) {
				f := soaRowForm(fx, "A.14.3.1")
				f.Set("justification", "試験データに本番データを使わないため")
				fx.post("/orgs/sample/soa", f)
			}},
		{sample: "sample-2013.yaml", rule: "OPS-01", subject: "cloud_services/svc-drive", as: fixManager,
			mutate: func(m *isms.ISMS) {
				m.Backups = slices.DeleteFunc(m.Backups, func(b isms.Backup) bool { return b.Service == "svc-drive" })
			},
			offer: []string{`<option value="svc-drive" selected>`},
			fix:   itemFix(map[string][]string{"policy": one("日次で別リージョンへ複製")})},
	}
}

// auditFindingFix edits finding f-01 of aud-2026-01 on the audit's form.
func auditFindingFix(set func(row string) map[string][]string) func(fx *fixer) {
	return func(fx *fixer) {
		p := "/orgs/sample/items/audits/aud-2026-01"
		body := fx.get(p)
		fx.saveItem(p, body, set(rowIndex(fx.t, formValues(body), "findings", "f-01")))
	}
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}
func itoaInt(n int) string { return itoa(int64(n)) }

func TestEveryRuleFoundAndFixedInTheUI(t *testing.T) {
	eachBackend(t, everyRuleFixed)
}

func everyRuleFixed(t *testing.T, st *site) {
	ctx := context.Background()
	srcs := map[string][]byte{}
	for _, name := range []string{"sample-saas.yaml", "sample-2013.yaml"} {
		src, err := os.ReadFile("../../examples/" + name)
		if err != nil {
			t.Fatal(err)
		}
		srcs[name] = src
	}
	cases := fixCases()
	var ids []string
	for _, c := range cases {
		ids = append(ids, c.rule)
	}
	for _, r := range conformity.Rules() {
		if !slices.Contains(ids, r.ID) {
			t.Errorf("rule %s has no case", r.ID)
		}
	}
	fixed := 0
	for _, c := range cases {
		sample := c.sample
		if sample == "" {
			sample = "sample-saas.yaml"
		}
		t.Run(sample+"/"+c.rule, func(t *testing.T) {
			m, err := bundle.Decode(sample, srcs[sample])
			if err != nil {
				t.Fatal(err)
			}
			c.mutate(m)
			if _, err := st.s.Import(ctx, "sample", m, "t"); err != nil {
				t.Fatal(err)
			}
			var want *conformity.Finding
			for _, f := range conformity.Check(m, isms.DateOf(testNow)) {
				if f.Rule == c.rule && f.Subject == c.subject {
					want = &f
				}
			}
			if want == nil {
				t.Fatalf("the mutation does not fire %s on %s", c.rule, c.subject)
			}
			// The finding shows in Japanese and in English.
			href, name, text := dashboardFindingNamed(t, st, c.as, c.rule, c.subject)
			if href == "" {
				t.Fatalf("the dashboard does not show %s %s", c.rule, c.subject)
			}
			// The subject is named as people read it, the path kept as a tooltip.
			if want := names.Of(m, "ja").Subject(c.subject); name != want {
				t.Errorf("the finding names its subject %q, want %q", name, want)
			}
			// In the screen's words: labels for keys, names for ids.
			wantJA, wantEN := website.FindingText(*want, "ja", names.Of(m, "ja")), website.FindingText(*want, "en", names.Of(m, "en"))
			if text != wantJA {
				t.Errorf("Japanese text %q, want %q", text, wantJA)
			}
			user := st.users[c.as]
			st.s.SetUserLang(ctx, user.ID, "en")
			if _, en := dashboardFinding(t, st, c.as, c.rule, c.subject); en != wantEN || en == text {
				t.Errorf("English text %q, want %q", en, wantEN)
			}
			st.s.SetUserLang(ctx, user.ID, "ja")
			// The link leads to a page that exists, holds the anchor and
			// offers the fix to this member.
			path, anchor, _ := strings.Cut(href, "#")
			code, body, _ := st.do(c.as, "GET", path, nil)
			if code != http.StatusOK {
				t.Fatalf("%s links to %s: %d", c.rule, href, code)
			}
			if anchor != "" && !strings.Contains(body, `id="`+anchor+`"`) {
				t.Errorf("%s links to %s, and the page has no such anchor", c.rule, href)
			}
			if strings.Contains(href, "?new=1") && !strings.Contains(body, `data-rule="`+c.rule+`" data-subject="`+c.subject+`"`) {
				t.Errorf("%s: the new-item form %s does not say which finding it fixes", c.rule, href)
			}
			for _, o := range c.offer {
				if !strings.Contains(body, o) {
					t.Errorf("%s: the page %s does not offer %s", c.rule, href, o)
				}
			}
			if strings.Contains(body, `class="lead read-only"`) {
				t.Errorf("%s: %s is read-only for %s", c.rule, href, c.as)
			}
			if t.Failed() {
				return
			}
			c.fix(&fixer{t: t, st: st, as: c.as, href: path, body: body, m: m})
			if h, _ := dashboardFinding(t, st, c.as, c.rule, c.subject); h != "" {
				t.Errorf("%s %s is still on the dashboard after the fix", c.rule, c.subject)
				return
			}
			fixed++
		})
	}
	t.Logf("%d of %d cases (%d rules) found and fixed through the UI", fixed, len(cases), len(conformity.Rules()))
}

// An item whose id is "new" opens like any other; the form for a new item
// is a query of the list, filled in from the query's fields.
func TestItemCalledNew(t *testing.T) {
	st := newSite(t, storetest.Backends(t)[0])
	// Before an item is called "new", an old link to .../new leads to the form.
	if code, _, h := st.do(fixManager, "GET", "/orgs/sample/items/assets/new?name=x", nil); code != http.StatusSeeOther || h.Get("Location") != "/orgs/sample/items/assets?new=1&name=x" {
		t.Errorf("old new-item link: %d %s", code, h.Get("Location"))
	}
	form := url.Values{"id": {"new"}, "name": {"新規事業の資料"}, "kind": {"information"}, "owner": {"p-isms"}, "confidentiality": {"1"}, "integrity": {"1"}, "availability": {"1"}}
	if code, body, h := st.do(fixManager, "POST", "/orgs/sample/items/assets", form); code != http.StatusSeeOther || h.Get("Location") != "/orgs/sample/items/assets/new?saved=1" {
		t.Fatalf("create: %d %s\n%s", code, h.Get("Location"), errorsOf(body))
	}
	body := st.get(fixManager, "/orgs/sample/items/assets/new")
	mustContain(t, "the item called new", body, `name="id" value="new" readonly`, `value="新規事業の資料"`, `name="_action" value="delete"`)
	blank := st.get(fixManager, "/orgs/sample/items/assets?new=1&name=x&owner=p-ops&confidentiality=3")
	mustContain(t, "new form", blank, `name="id" value=""`, `name="name" value="x"`, `<option value="p-ops" selected>`, `name="confidentiality" data-scale="asset_value"`, `<option value="3" selected>3</option>`)
	if strings.Contains(blank, `value="delete"`) {
		t.Error("a new item's form offers deletion")
	}
	mustContain(t, "list", st.get(fixManager, "/orgs/sample/items/assets"), `href="/orgs/sample/items/assets?new=1"`)
	if code, _, _ := st.do("viewer@example.com", "GET", "/orgs/sample/items/assets?new=1", nil); code != http.StatusForbidden {
		t.Errorf("viewer's new form: %d", code)
	}
}

// The navigation shows a member only the pages their role may use.
func TestNavFollowsRole(t *testing.T) {
	st := newSite(t, storetest.Backends(t)[0])
	for _, c := range []struct {
		as            string
		members, load bool
	}{
		{"admin@example.com", true, true},
		{fixManager, false, true},
		{"viewer@example.com", false, false},
		{fixAuditor, false, false},
	} {
		body := st.get(c.as, "/orgs/sample/")
		nav := body[strings.Index(body, `<nav class="side"`):]
		nav = nav[:strings.Index(nav, "</nav>")]
		if got := strings.Contains(nav, `href="/orgs/sample/members"`); got != c.members {
			t.Errorf("%s: members in the navigation %v, want %v", c.as, got, c.members)
		}
		if got := strings.Contains(nav, `href="/orgs/sample/import"`); got != c.load {
			t.Errorf("%s: import in the navigation %v, want %v", c.as, got, c.load)
		}
		mustContain(t, c.as+" navigation", nav, `href="/orgs/sample/risks"`, `href="/orgs/sample/account"`)
	}
}

// The organization's statements are edited on a form of their own: the
// scope page links to it, the edition and the approval stay as stored,
// and the one item is neither listed, created nor deleted.
func TestOrganizationForm(t *testing.T) {
	st := newSite(t, storetest.Backends(t)[0])
	p := "/orgs/sample/items/organization/organization"
	mustContain(t, "scope page", st.get(fixManager, "/orgs/sample/scope"), `href="`+p+`"`)
	before := st.item("organization", "organization")
	body := st.get(fixManager, p)
	mustContain(t, "organization form", body, `name="cloud_scope"`, `name="annex_a" value="iso27001:2022" readonly`, "クラウドサービスの適用範囲")
	if strings.Contains(body, `value="delete"`) {
		t.Error("the organization offers deletion")
	}
	f := formValues(body)
	f.Set("annex_a", "iso27001:2013") // fixed: kept as stored
	f.Set("isms_scope", "本社の全業務")
	f.Set("_action", "save")
	if code, body, _ := st.do(fixManager, "POST", p, f); code != http.StatusSeeOther {
		t.Fatalf("save: %d %s", code, errorsOf(body))
	}
	after := st.item("organization", "organization")
	mustContain(t, "saved organization", string(after.Data), `"annex_a":"iso27001:2022"`, `"isms_scope":"本社の全業務"`, `"scope_approval":{"by":`)
	if after.Version == before.Version {
		t.Error("nothing was saved")
	}
	for _, c := range []struct {
		method, path string
		form         url.Values
		want         int
	}{
		{"GET", "/orgs/sample/items/organization", nil, http.StatusSeeOther},
		{"POST", "/orgs/sample/items/organization", url.Values{"id": {"x"}}, http.StatusNotFound},
		{"POST", p, url.Values{"_action": {"delete-confirm"}, "_version": {itoa(after.Version)}}, http.StatusForbidden},
		{"GET", "/orgs/sample/items/organization?new=1", nil, http.StatusSeeOther},
	} {
		if code, _, _ := st.do(fixManager, c.method, c.path, c.form); code != c.want {
			t.Errorf("%s %s: %d, want %d", c.method, c.path, code, c.want)
		}
	}
	if code, _, _ := st.do("viewer@example.com", "POST", p, f); code != http.StatusForbidden {
		t.Errorf("viewer saving the organization: %d", code)
	}
}

// Approving on a document's page and on the SoA page is for those who
// may approve and are a person of the ISMS; a stale version is refused.
func TestApprovalActions(t *testing.T) {
	st := newSite(t, storetest.Backends(t)[0])
	ctx := context.Background()
	doc := "/orgs/sample/items/documents/doc-pol-002"
	// The executive may approve a document it may not edit.
	body := st.get(fixCEO, doc)
	mustContain(t, "executive's document page", body, `value="approve"`, `class="lead read-only"`)
	if strings.Contains(st.get("viewer@example.com", doc), `value="approve"`) || strings.Contains(st.get(fixAuditor, doc), `value="approve"`) {
		t.Error("viewer or auditor offered to approve")
	}
	v := st.item("documents", "doc-pol-002").Version
	for _, who := range []string{"viewer@example.com", fixAuditor, "admin@example.com"} {
		want := http.StatusForbidden
		if who == "admin@example.com" {
			want = http.StatusConflict // may, but the version is stale
		}
		for _, stale := range []int64{v + 1, 0} {
			if code, _, _ := st.do(who, "POST", doc, url.Values{"_action": {"approve"}, "_version": {itoa(stale)}}); code != want {
				t.Errorf("%s approving version %d of %d: %d, want %d", who, stale, v, code, want)
			}
		}
	}
	if code, _, h := st.do(fixCEO, "POST", doc, url.Values{"_action": {"approve"}, "_version": {itoa(v)}}); code != http.StatusSeeOther || !strings.HasSuffix(h.Get("Location"), "?approved=1") {
		t.Fatalf("executive approves: %d %s", code, h.Get("Location"))
	}
	mustContain(t, "approved document", string(st.item("documents", "doc-pol-002").Data), `"approval":{"by":"p-ceo","date":"2026-11-01"}`)
	ap, err := st.s.ApprovalOf(ctx, "sample", "documents", "doc-pol-002")
	if err != nil || ap.Person != "p-ceo" || ap.Stale {
		t.Errorf("approval record %+v %v", ap, err)
	}
	// The SoA page: the state of the SoA, approve, and create a missing one.
	soa := st.get(fixCEO, "/orgs/sample/soa?soa=svc-iaas:customer")
	mustContain(t, "SoA state", soa, `id="soa-state"`, `action="/orgs/sample/soa/approve"`)
	if strings.Contains(st.get(fixAuditor, "/orgs/sample/soa?soa=svc-iaas:customer"), `action="/orgs/sample/soa/approve"`) {
		t.Error("auditor offered to approve the SoA")
	}
	for _, c := range []struct {
		as, path string
		form     url.Values
		want     int
	}{
		{fixAuditor, "/orgs/sample/soa/approve", url.Values{"soa": {"svc-iaas:customer"}}, http.StatusForbidden},
		{"viewer@example.com", "/orgs/sample/soa/create", url.Values{"soa": {"svc-x:customer"}}, http.StatusForbidden},
		{fixCEO, "/orgs/sample/soa/create", url.Values{"soa": {"svc-iaas:customer"}}, http.StatusForbidden},
		{fixManager, "/orgs/sample/soa/create", url.Values{"soa": {"nonsense"}}, http.StatusNotFound},
		{fixManager, "/orgs/sample/soa/create", url.Values{"soa": {"svc-nosuch:customer"}}, http.StatusBadRequest},
		{fixManager, "/orgs/sample/soa/approve", url.Values{"soa": {"svc-iaas:customer"}, "version": {"1000"}}, http.StatusSeeOther}, // stale: back with a conflict
		{fixManager, "/orgs/sample/soa/approve", url.Values{"soa": {"svc-iaas:customer"}}, http.StatusSeeOther},
	} {
		code, _, h := st.do(c.as, "POST", c.path, c.form)
		if code != c.want {
			t.Errorf("%s %s %v: %d, want %d", c.as, c.path, c.form, code, c.want)
		}
		if code == http.StatusSeeOther && !strings.Contains(h.Get("Location"), "conflict=1") {
			t.Errorf("stale SoA approval went to %s", h.Get("Location"))
		}
	}
	if _, err := st.s.Get(ctx, "sample", "soa", "svc-nosuch:customer"); err == nil {
		t.Error("an SoA of an unknown service was created")
	}
}
