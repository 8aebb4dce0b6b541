package isms

import (
	"reflect"
	"testing"
)

func TestLinkedRecords(t *testing.T) {
	m := &ISMS{
		Assets:           []Asset{{ID: "a1", Name: "顧客データ", Services: []string{"s1"}, Systems: []string{"sys1"}}},
		Systems:          []System{{ID: "sys1", Name: "DB", Supports: []string{"s1"}}},
		Risks:            []*Risk{{ID: "r1", Title: "漏えい", Assets: []string{"a1"}, Services: []string{"s1"}, Controls: []string{"5.1", "8.13"}}},
		SoAs:             []SoA{{Rows: []SoARow{{Control: "5.1"}}}, {Service: "s1", Role: "provider", Rows: []SoARow{{Control: "8.13"}}}, {Service: "s2", Role: "provider", Rows: []SoARow{{Control: "5.1"}}}},
		Verifications:    []Verification{{ID: "v1", Service: "s1", Control: "5.23", Risk: "r1"}, {ID: "v2", Service: "s1", Control: "8.13"}, {ID: "v3", Service: "s2", Control: "8.13"}},
		Responsibilities: []Responsibility{{Service: "s2", Control: "8.13", Area: "バックアップ"}, {Service: "s1", Control: "8.13", Area: "バックアップ"}, {Service: "s1", Control: "5.1"}},
		Monitoring:       []Monitoring{{Service: "s0"}, {Service: "s1"}},
		Backups:          []Backup{{Service: "s1"}},
		ExternalAudits:   nil,
		Incidents:        []Incident{{ID: "inc1", Title: "障害", Services: []string{"s1"}}},
		Nonconformities:  nil,
	}
	ids := func(gs []LinkGroup) map[string][]string {
		out := map[string][]string{}
		for _, g := range gs {
			for _, it := range g.Items {
				id := it.ID
				if it.SoA != nil {
					id = it.SoA.Service + ":" + id
				}
				out[g.Kind] = append(out[g.Kind], id)
			}
		}
		return out
	}
	for _, c := range []struct {
		name string
		got  []LinkGroup
		want map[string][]string
	}{
		{"asset", AssetLinks(m, "a1"), map[string][]string{"risks": {"r1"}, "cloud_services": {"s1"}, "systems": {"sys1"}}},
		// Controls as the rows of the organization's SoA and of the risk's
		// services' SoAs, not of another service's SoA.
		{"risk", RiskLinks(m, "r1"), map[string][]string{"soa_rows": {":5.1", "s1:8.13"}, "assets": {"a1"}, "cloud_services": {"s1"}, "verifications": {"v1"}}},
		{"service", ServiceLinks(m, "s1"), map[string][]string{"soa": {"s1:provider"}, "assets": {"a1"}, "risks": {"r1"}, "systems": {"sys1"},
			"verifications": {"v1", "v2"}, "monitoring": {"s1"}, "backups": {"s1"}, "incidents": {"inc1"}}},
		{"unknown risk", RiskLinks(m, "r9"), map[string][]string{}},
		// An SoA row: the risks that chose its control, the responsibilities
		// and verifications on it, of its service (or of every service for
		// the organization's SoA).
		{"service SoA row", SoARowLinks(m, m.SoAs[1], "8.13"), map[string][]string{"risks": {"r1"}, "responsibilities": {"s1"}, "verifications": {"v2"}}},
		{"organization SoA row", SoARowLinks(m, m.SoAs[0], "8.13"), map[string][]string{"risks": {"r1"}, "responsibilities": {"s2", "s1"}, "verifications": {"v2", "v3"}}},
		{"another service's row", SoARowLinks(m, m.SoAs[2], "5.1"), map[string][]string{}},
		{"a control nobody chose", SoARowLinks(m, m.SoAs[0], "5.2"), map[string][]string{}},
	} {
		if got := ids(c.got); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	if g := SoARowLinks(m, m.SoAs[1], "8.13"); g[1].Items[0].Seq != 1 || g[1].Items[0].Name != "バックアップ" {
		t.Errorf("the responsibility of s1 is the second, by its area: %+v", g[1])
	}
	if g := ServiceLinks(m, "s1"); g[5].Kind != "monitoring" || g[5].Items[0].Seq != 1 {
		t.Errorf("the monitoring of s1 is the second: %+v", g[5])
	}
}
