package isms_test

import (
	"os"
	"testing"

	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/isms"
)

func load(t *testing.T, path string) *isms.ISMS {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m, err := bundle.Decode(path, src)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func ptr[T any](v T) *T { return &v }

func TestSoAViews(t *testing.T) {
	m := load(t, "../../examples/sample-saas.yaml")
	views := isms.SoAViews(m)
	org := views[0]
	if org.Service != "" || org.Counts.Rows != 93 || org.Counts.Missing != 0 {
		t.Fatalf("organization view: %+v", org.Counts)
	}
	c := org.Counts
	if c.Applicable+c.Excluded != 93 || c.Implemented+c.Partial+c.Planned+c.NotImplemented != c.Applicable {
		t.Errorf("counts do not add up: %+v", c)
	}
	// A service SoA inherits the organization's Annex A rows and overrides
	// the ones it carries.
	var svc *isms.SoAView
	for i := range views {
		if views[i].Service != "" && views[i].Role == isms.RoleProvider {
			svc = &views[i]
		}
	}
	if svc == nil {
		t.Fatal("no provider SoA view")
	}
	for i := range m.SoAs {
		if m.SoAs[i].Service == svc.Service && m.SoAs[i].Role == svc.Role {
			m.SoAs[i].Rows = append(m.SoAs[i].Rows, isms.SoARow{Control: "8.13", Applicable: ptr(false), Justification: "x"})
		}
	}
	views = isms.SoAViews(m)
	for _, v := range views {
		if v.Service != svc.Service || v.Role != svc.Role {
			continue
		}
		for _, r := range v.Rows {
			switch r.Control.ID {
			case "8.13":
				if r.From != isms.FromService || r.Row.IsApplicable() {
					t.Errorf("8.13 should come from the service SoA, excluded: %+v", r)
				}
			case "5.1":
				if r.From != isms.FromOrganization {
					t.Errorf("5.1 should be inherited: %s", r.From)
				}
			case "27017:12.3.1":
				if r.From != isms.FromService {
					t.Errorf("27017 rows come from the service SoA: %s", r.From)
				}
			}
		}
		if v.Counts.Excluded != svc.Counts.Excluded+1 {
			t.Errorf("excluded %d, want %d", v.Counts.Excluded, svc.Counts.Excluded+1)
		}
	}
}

func TestHeatMapCountsEveryRisk(t *testing.T) {
	for _, path := range []string{"../../examples/sample-saas.yaml", "../../examples/sample-2013.yaml"} {
		m := load(t, path)
		risks := isms.RiskViews(m)
		h := isms.NewHeatMap(m, risks)
		sum := func(g [][]int) int {
			n := 0
			for _, row := range g {
				for _, c := range row {
					n += c
				}
			}
			return n
		}
		if sum(h.Before)+h.Unassessed != len(m.Risks) || sum(h.After)+h.Unassessed != len(m.Risks) {
			t.Errorf("%s: heat map counts %d/%d + %d unassessed of %d risks", path, sum(h.Before), sum(h.After), h.Unassessed, len(m.Risks))
		}
	}
}

func TestHeatMapCell(t *testing.T) {
	m := &isms.ISMS{Criteria: isms.RiskCriteria{Method: isms.MethodLikelihoodImpact, Acceptance: 2,
		Scales: map[string][]isms.ScaleLevel{isms.FactorLikelihood: {{Level: 1}, {Level: 2}, {Level: 3}}, isms.FactorImpact: {{Level: 1}, {Level: 2}}}}}
	m.Risks = []*isms.Risk{{ID: "r", Likelihood: isms.Factor{Set: true, IsInt: true, Int: 3}, Impact: isms.Factor{Set: true, IsInt: true, Int: 2},
		Residual: &isms.Residual{Likelihood: isms.Factor{Set: true, IsInt: true, Int: 1}}}}
	h := isms.NewHeatMap(m, isms.RiskViews(m))
	if h.Rows != 2 || h.Cols != 3 || h.Before[1][2] != 1 || h.After[1][0] != 1 {
		t.Errorf("heat map: %+v", h)
	}
}

func TestDueWithin(t *testing.T) {
	asOf := isms.MustDate("2026-11-01")
	m := &isms.ISMS{
		Services: []isms.CloudService{{ID: "s", Name: "S", InScope: true}},
		Risks: []*isms.Risk{{ID: "r", Plan: []isms.PlanAction{
			{Action: "soon", Due: isms.MustDate("2026-11-20")},
			{Action: "late", Due: isms.MustDate("2026-10-01")},
			{Action: "done", Due: isms.MustDate("2026-11-05"), DoneOn: isms.MustDate("2026-10-30")},
			{Action: "far", Due: isms.MustDate("2027-01-01")},
		}}},
		Backups: []isms.Backup{{Service: "s", RestoreTestIntervalDays: ptr(90), Tests: []isms.RestoreTest{{Date: isms.MustDate("2026-08-10"), Result: "pass"}}}},
		Audits:  []isms.Audit{{ID: "a", End: isms.MustDate("2025-11-15"), Services: []string{"s"}}},
		Reviews: []isms.Review{{ID: "mr", Date: isms.MustDate("2026-03-01")}},
	}
	got := map[string]string{}
	for _, d := range isms.DueWithin(m, asOf, 30) {
		key := d.Kind + ":" + d.Title
		got[key] = d.Due.String()
		if d.Overdue != d.Due.Before(asOf) {
			t.Errorf("%s overdue flag wrong", key)
		}
	}
	want := map[string]string{
		"plan-action:soon": "2026-11-20",
		"plan-action:late": "2026-10-01",
		"restore-test:s":   "2026-11-08",
		"audit:S":          "2026-11-15",
	}
	if len(got) != len(want) {
		t.Errorf("due items %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s due %s, want %s", k, got[k], v)
		}
	}
}
