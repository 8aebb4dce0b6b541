// Package generate builds large, valid ISMSs for load tests and benchmarks.
// The result is deterministic for a seed and checks clean (no finding) at
// the as-of date it is built for, and stays clean for some months after.
package generate

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/cloudisms/cloudisms/internal/catalog"
	"github.com/cloudisms/cloudisms/internal/isms"
)

// Options says how large an ISMS to build.
type Options struct {
	Services int
	Assets   int
	Risks    int
	Seed     uint64
	AsOf     isms.Date
	// Progress, when set, is told how many assets and risks are built.
	Progress func(done, total int)
}

func ptr[T any](v T) *T { return &v }

// ISMS builds the ISMS. It needs at least one service and one risk: an ISMS
// without either cannot check clean.
func ISMS(o Options) (*isms.ISMS, error) {
	if o.Services < 1 || o.Risks < 1 || o.Assets < 0 {
		return nil, fmt.Errorf("generate: need at least 1 service and 1 risk (got %d services, %d risks, %d assets)", o.Services, o.Risks, o.Assets)
	}
	g := &gen{o: o, rnd: rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15)), cat: catalog.Std()}
	return g.build(), nil
}

type gen struct {
	o   Options
	rnd *rand.Rand
	cat *catalog.Catalog
	m   *isms.ISMS
	// done counts assets and risks built, for Progress.
	done int
}

func (g *gen) day(offset int) isms.Date { return g.o.AsOf.AddDays(offset) }

// step reports one more asset or risk built.
func (g *gen) step() {
	g.done++
	if g.o.Progress != nil && (g.done%1000 == 0 || g.done == g.o.Assets+g.o.Risks) {
		g.o.Progress(g.done, g.o.Assets+g.o.Risks)
	}
}

func (g *gen) approval(offset int) *isms.Approval {
	return &isms.Approval{By: "p-top", Date: g.day(offset)}
}

func (g *gen) build() *isms.ISMS {
	g.m = &isms.ISMS{Format: isms.Format}
	g.scope()
	g.documents()
	g.assets()
	g.criteria()
	g.risks()
	g.soas()
	g.providerCustomer()
	g.operations()
	g.auditAndReview()
	g.registers()
	return g.m
}

// staff is how many operators the generated organization has.
func (g *gen) staff() int { return 5 + g.o.Services/10 }

func (g *gen) scope() {
	m := g.m
	m.Units = []isms.Unit{
		{ID: "u-mgmt", Name: "経営企画部"},
		{ID: "u-ops", Name: "クラウド運用部"},
		{ID: "u-audit", Name: "内部監査室"},
	}
	m.People = []isms.Person{
		{ID: "p-top", Name: "代表取締役", Unit: "u-mgmt", ISMSPersonnel: ptr(true), TopManagement: ptr(true)},
		{ID: "p-auditor", Name: "内部監査員", Unit: "u-audit", ISMSPersonnel: ptr(true)},
	}
	for i := range g.staff() {
		m.People = append(m.People, isms.Person{ID: fmt.Sprintf("p-ops-%03d", i), Name: fmt.Sprintf("運用担当者 %d", i+1),
			Unit: "u-ops", ISMSPersonnel: ptr(true), CloudSecurityPersonnel: ptr(true),
			CloudDuties: []string{isms.DutyOperation, isms.DutyIncidentResponse}})
	}
	m.Sites = []isms.Site{{ID: "site-hq", Name: "本社", Kind: "office"}}
	nsup := min(5, g.o.Services)
	for i := range nsup {
		m.Suppliers = append(m.Suppliers, isms.Supplier{ID: fmt.Sprintf("sup-%03d", i), Name: fmt.Sprintf("クラウド事業者 %d", i+1), Kind: "cloud-provider"})
		// each supplier's cloud region, where the services built on its
		// IaaS run (SCOPE-09 reads the supply chain from there)
		m.Sites = append(m.Sites, isms.Site{ID: fmt.Sprintf("site-cloud-%03d", i), Name: fmt.Sprintf("クラウド事業者 %d 東京リージョン", i+1),
			Kind: "cloud", Supplier: fmt.Sprintf("sup-%03d", i)})
	}
	// Even-numbered services are provided, odd ones used; a provided
	// service is built on the used service after it.
	var names []string
	for i := range g.o.Services {
		s := isms.CloudService{ID: svcID(i), InScope: true, DataLocations: []string{"JP"}}
		if i%2 == 0 {
			s.Name, s.Model, s.Role, s.Provider = fmt.Sprintf("業務クラウド%d", i), "saas", isms.RoleProvider, isms.ProviderSelf
			// it runs in the cloud region of the IaaS it uses, or on the
			// organization's own servers when it uses none
			location, site := "on-premises", "site-hq"
			if i+1 < g.o.Services {
				s.Uses = []string{svcID(i + 1)}
				location, site = "cloud", fmt.Sprintf("site-cloud-%03d", (i+1)%nsup)
			}
			m.Systems = append(m.Systems, isms.System{ID: "sys-" + s.ID, Name: s.Name + " 本番環境", Location: location,
				Site: site, Purpose: "application", Supports: []string{s.ID}, InServiceCatalog: ptr(true), InScope: ptr(true)})
		} else {
			s.Name, s.Model, s.Role, s.Provider = fmt.Sprintf("基盤クラウド%d", i), "iaas", isms.RoleCustomer, fmt.Sprintf("sup-%03d", i%nsup)
		}
		names = append(names, s.Name)
		m.Services = append(m.Services, s)
	}
	m.Organization = isms.Organization{
		ID: "generated", Name: "株式会社ジェネレーテッド", NameEN: "Generated Inc.", AnnexA: catalog.ISO27001v2022,
		ISMSScope:     "本社及びクラウド運用部におけるクラウドサービスの提供及び利用",
		CloudScope:    "次のクラウドサービスの提供及び利用: " + strings.Join(names, "、"),
		ScopeApproval: g.approval(-200),
	}
}

func svcID(i int) string { return fmt.Sprintf("svc-%04d", i) }

func (g *gen) documents() {
	g.m.Documents = []isms.Document{{ID: "doc-policy", Kind: "policy", Title: "情報セキュリティ基本方針", Version: "1.0",
		Approval: g.approval(-200), CloudTopics: []string{"virtualization", "multi-tenancy", "privileged-access",
			"data-location", "assets-in-cloud", "provider-relationship", "customer-relationship"}}}
}

func (g *gen) person() string { return fmt.Sprintf("p-ops-%03d", g.rnd.IntN(g.staff())) }

func (g *gen) assets() {
	kinds := []string{"information", "software", "hardware", "service"}
	g.m.Assets = make([]isms.Asset, 0, g.o.Assets)
	for i := range g.o.Assets {
		g.m.Assets = append(g.m.Assets, isms.Asset{ID: fmt.Sprintf("as-%06d", i), Name: fmt.Sprintf("情報資産 %d", i+1),
			Kind: kinds[g.rnd.IntN(len(kinds))], Owner: g.person(), Services: []string{svcID(g.rnd.IntN(g.o.Services))},
			Confidentiality: ptr(1 + g.rnd.IntN(3)), Integrity: ptr(1 + g.rnd.IntN(3)), Availability: ptr(1 + g.rnd.IntN(3))})
		g.step()
	}
}

func (g *gen) criteria() {
	scale := func(labels ...string) []isms.ScaleLevel {
		out := make([]isms.ScaleLevel, len(labels))
		for i, l := range labels {
			out[i] = isms.ScaleLevel{Level: i + 1, Label: l}
		}
		return out
	}
	g.m.Criteria = isms.RiskCriteria{Method: isms.MethodLikelihoodImpact, Acceptance: 6, Scales: map[string][]isms.ScaleLevel{
		isms.FactorLikelihood: scale("まれ", "ときどき", "よくある", "ほぼ確実"),
		isms.FactorImpact:     scale("軽微", "中程度", "重大", "致命的"),
	}}
}

func (g *gen) risks() {
	var required []string
	for _, s := range g.cat.Sources {
		if s.Required {
			required = append(required, s.ID)
		}
	}
	annex := g.cat.Annex2022
	g.m.Risks = make([]*isms.Risk, 0, g.o.Risks)
	for i := range g.o.Risks {
		owner := g.person()
		r := isms.Risk{ID: fmt.Sprintf("r-%06d", i), Title: fmt.Sprintf("リスク %d", i+1), Owner: owner,
			Likelihood: isms.Factor{Set: true, IsInt: true, Int: 1 + g.rnd.IntN(4)},
			Impact:     isms.Factor{Set: true, IsInt: true, Int: 1 + g.rnd.IntN(4)},
			Treatment:  isms.TreatModify,
			Controls:   []string{annex[g.rnd.IntN(len(annex))].ID, annex[g.rnd.IntN(len(annex))].ID},
			Residual:   &isms.Residual{Likelihood: isms.Factor{Set: true, IsInt: true, Int: 1}},
			Plan:       []isms.PlanAction{{Action: "管理策の導入", Owner: owner, Due: g.day(1 + g.rnd.IntN(300))}},
			Approval:   &isms.RiskApproval{By: owner, Date: g.day(-100), ResidualAccepted: ptr(true)},
		}
		if r.Controls[0] == r.Controls[1] {
			r.Controls = r.Controls[:1]
		}
		// Spread services and required sources over the risks so that every
		// service and every required source is named even with few risks.
		for s := i; s < g.o.Services; s += g.o.Risks {
			r.Services = append(r.Services, svcID(s))
		}
		if len(r.Services) == 0 {
			r.Services = []string{svcID(g.rnd.IntN(g.o.Services))}
		}
		for s := i; s < len(required); s += g.o.Risks {
			r.Sources = append(r.Sources, required[s])
		}
		if g.o.Assets > 0 {
			r.Assets = []string{fmt.Sprintf("as-%06d", g.rnd.IntN(g.o.Assets))}
		}
		g.m.Risks = append(g.m.Risks, &r) // r is declared per iteration: a distinct Risk each time
		g.step()
	}
}

func (g *gen) soas() {
	// "risk" is a reason where a risk names the control (SOA-09).
	named := isms.RiskControlsOf(g.m)
	row := func(id string, risk bool) isms.SoARow {
		reasons := []string{"best-practice"}
		if risk {
			reasons = []string{"risk"}
		}
		return isms.SoARow{Control: id, Applicable: ptr(true), Reasons: reasons, Implementation: isms.ImplImplemented,
			Notes: "手順書に基づき運用している"}
	}
	org := isms.SoA{Approval: g.approval(-150)}
	for _, c := range g.cat.Annex2022 {
		org.Rows = append(org.Rows, row(c.ID, named.Named(&org, c.ID)))
	}
	g.m.SoAs = append(g.m.SoAs, org)
	for _, s := range g.m.Services {
		for _, role := range s.Roles() {
			sa := isms.SoA{Service: s.ID, Role: role, Approval: g.approval(-150)}
			for _, c := range g.cat.Cloud {
				if c.GuidesRole(role) {
					sa.Rows = append(sa.Rows, row(c.ID, named.Named(&sa, c.ID)))
				}
			}
			g.m.SoAs = append(g.m.SoAs, sa)
		}
	}
}

func (g *gen) providerCustomer() {
	for _, s := range g.m.Services {
		g.m.Responsibilities = append(g.m.Responsibilities, isms.Responsibility{Service: s.ID, Control: "CLD.6.3.1",
			Area: "仮想マシン上の OS", Provider: "ハイパーバイザまで", Customer: "OS 以上", DocumentedIn: "サービス仕様書"})
		if !s.IsCustomer() {
			continue
		}
		for _, ctl := range []string{"27017:9.2.4", "27017:12.3.1", "27017:18.1.1", "CLD.12.4.5"} {
			g.m.Verifications = append(g.m.Verifications, isms.Verification{
				ID: "v-" + s.ID + "-" + strings.NewReplacer(":", "-").Replace(strings.ToLower(ctl)), Service: s.ID, Control: ctl,
				ProviderStatement: "プロバイダの仕様書に記載あり", Result: isms.ResultMeets, Date: g.day(-95), Approval: g.approval(-90)})
		}
	}
	var ids []string
	for _, s := range g.m.Services {
		ids = append(ids, s.ID)
	}
	g.m.Legal = []isms.LegalEntry{{ID: "law-appi", Name: "個人情報の保護に関する法律", Jurisdictions: []string{"JP"}, Services: ids}}
}

func (g *gen) operations() {
	for _, s := range g.m.Services {
		g.m.Backups = append(g.m.Backups, isms.Backup{Service: s.ID, Policy: "日次で取得し 30 日保管",
			Tests: []isms.RestoreTest{{Date: g.day(-30), Result: "pass", By: g.person()}}})
		g.m.Monitoring = append(g.m.Monitoring, isms.Monitoring{Service: s.ID, Items: []isms.MonitoringItem{
			{What: "応答時間", Method: "外形監視", Threshold: "1 秒", Owner: g.person()}}})
	}
}

func (g *gen) auditAndReview() {
	var ids []string
	for _, s := range g.m.Services {
		ids = append(ids, s.ID)
	}
	g.m.Audits = []isms.Audit{{ID: "aud-1", Title: "定期内部監査", Start: g.day(-70), End: g.day(-60), Services: ids,
		Units: []string{"u-mgmt", "u-ops"}, Auditors: []string{"p-auditor"}, Criteria: []string{"iso27001:2022", "iso27017:2015"},
		Findings: []isms.AuditFinding{{ID: "f-1", Kind: isms.FindingMinor, Control: "8.13", Description: "リストア手順の版管理が不十分",
			CorrectiveAction: &isms.CorrectiveAction{Cause: "手順改訂の手続がない", Action: "版管理を導入", Owner: "p-ops-000",
				Due: g.day(-40), DoneOn: g.day(-45), Effective: ptr(true), VerifiedBy: "p-auditor"}}}},
		// the internal audit unit is audited too (AUD-06), by someone from
		// outside it (AUD-02)
		{ID: "aud-2", Title: "内部監査室の監査", Start: g.day(-55), End: g.day(-55), Units: []string{"u-audit"},
			Auditors: []string{"p-ops-000"}, Criteria: []string{"iso27001:2022"}}}
	in := isms.ReviewInputs{}
	for _, k := range isms.ReviewInputKeys {
		*in.Field(k) = "報告のとおり"
	}
	g.m.Reviews = []isms.Review{{ID: "mr-1", Date: g.day(-30), Chair: "p-top", Inputs: in,
		Outputs: []isms.ReviewOutput{{Decision: "監視の強化", Owner: "p-ops-000", Due: g.day(90)}}}}
}

// Large is the size the benchmarks use: 200 services, 20,000 assets and
// 50,000 risks, with full SoAs.
func Large(asOf isms.Date) Options {
	return Options{Services: 200, Assets: 20_000, Risks: 50_000, Seed: 1, AsOf: asOf}
}
