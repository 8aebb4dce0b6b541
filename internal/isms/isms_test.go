package isms

import (
	"testing"
	"time"
)

func TestDate(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"2026-11-01", true}, {"2024-02-29", true}, {"2026-02-29", false}, {"2026-2-1", false},
		{"2026/02/01", false}, {"", false}, {"0001-01-01", true}, {"9999-12-31", true}, {"2026-11-01T00:00:00Z", false},
	} {
		d, err := ParseDate(tc.in)
		if (err == nil) != tc.ok {
			t.Errorf("ParseDate(%q) error %v", tc.in, err)
		}
		if err == nil && d.String() != tc.in {
			t.Errorf("ParseDate(%q).String() = %s", tc.in, d)
		}
	}
	asOf := MustDate("2026-11-01")
	if got := asOf.AddDays(-365).String(); got != "2025-11-01" {
		t.Errorf("AddDays: %s", got)
	}
	for _, tc := range []struct {
		d    string
		want bool
	}{{"2026-11-01", true}, {"2025-11-01", true}, {"2025-10-31", false}, {"2026-11-02", false}} {
		if got := MustDate(tc.d).Within(asOf, 365); got != tc.want {
			t.Errorf("%s within 365 of %s = %v", tc.d, asOf, got)
		}
	}
	if (Date{}).Within(asOf, 365) {
		t.Error("an unset date is within nothing")
	}
	if got := DateOf(time.Date(2026, 11, 1, 23, 59, 0, 0, time.FixedZone("JST", 9*3600))); got != asOf {
		t.Errorf("DateOf keeps the local calendar date: %s", got)
	}
}

func lvl(n int) Factor { return Factor{Set: true, IsInt: true, Int: n} }

func TestAssess(t *testing.T) {
	scale := func(n int) []ScaleLevel {
		out := make([]ScaleLevel, n)
		for i := range out {
			out[i].Level = i + 1
		}
		return out
	}
	li := &ISMS{Criteria: RiskCriteria{Method: MethodLikelihoodImpact, Acceptance: 4,
		Scales: map[string][]ScaleLevel{FactorLikelihood: scale(3), FactorImpact: scale(4)}}}
	three, two, one := 3, 2, 1
	atv := &ISMS{Criteria: RiskCriteria{Method: MethodATV, Acceptance: 8,
		Scales: map[string][]ScaleLevel{FactorAssetValue: scale(3), FactorThreat: scale(3), FactorVulnerability: scale(3)}},
		Assets: []Asset{{ID: "a", Confidentiality: &two, Availability: &three}, {ID: "b", Integrity: &one}, {ID: "none"}}}
	for _, tc := range []struct {
		name          string
		m             *ISMS
		r             Risk
		level, resid  int
		ok            bool
		problemsCount int
	}{
		{"likelihood × impact", li, Risk{Likelihood: lvl(3), Impact: lvl(4)}, 12, 12, true, 0},
		{"residual keeps absent factors", li, Risk{Likelihood: lvl(3), Impact: lvl(4), Residual: &Residual{Likelihood: lvl(1)}}, 12, 4, true, 0},
		{"factor outside the scale", li, Risk{Likelihood: lvl(4), Impact: lvl(1)}, 0, 0, false, 1},
		{"missing factor", li, Risk{Likelihood: lvl(1)}, 0, 0, false, 1},
		{"residual outside the scale", li, Risk{Likelihood: lvl(1), Impact: lvl(1), Residual: &Residual{Impact: lvl(9)}}, 0, 0, false, 1},
		{"asset value is the largest of C, I, A over assets", atv, Risk{Assets: []string{"a", "b"}, Threat: lvl(2), Vulnerability: lvl(2)}, 12, 12, true, 0},
		{"threat as text is not a level", atv, Risk{Assets: []string{"a"}, Threat: Factor{Set: true, Text: "高"}, Vulnerability: lvl(2)}, 0, 0, false, 1},
		{"no assets", atv, Risk{Threat: lvl(1), Vulnerability: lvl(1)}, 0, 0, false, 1},
		{"asset without figures", atv, Risk{Assets: []string{"none"}, Threat: lvl(1), Vulnerability: lvl(1)}, 0, 0, false, 1},
		{"residual asset value", atv, Risk{Assets: []string{"a"}, Threat: lvl(3), Vulnerability: lvl(3), Residual: &Residual{AssetValue: lvl(1), Threat: lvl(2)}}, 27, 6, true, 0},
	} {
		a := NewAssessor(tc.m).Assess(&tc.r)
		if a.Level != tc.level || a.Residual != tc.resid || a.OK != tc.ok || len(a.Problems) != tc.problemsCount {
			t.Errorf("%s: got level %d residual %d ok %v problems %v", tc.name, a.Level, a.Residual, a.OK, a.Problems)
		}
	}
}

func TestReviewInputs(t *testing.T) {
	var in ReviewInputs
	if m := in.Missing(Edition2013); len(m) != 9 || contains(m, "interested_party_needs") {
		t.Fatalf("all nine inputs of 2013 should be missing: %v", m)
	}
	if m := in.Missing("iso27001:2022"); len(m) != 10 || m[2] != "interested_party_needs" {
		t.Fatalf("all ten inputs of 2022 should be missing, c) third: %v", m)
	}
	for _, k := range ReviewInputKeysFor(Edition2013) {
		*in.Field(k) = "済"
	}
	if m := in.Missing(Edition2013); len(m) != 0 {
		t.Errorf("2013 needs no more: %v", m)
	}
	if m := in.Missing("iso27001:2022"); len(m) != 1 || m[0] != "interested_party_needs" {
		t.Errorf("2022 also needs interested_party_needs: %v", m)
	}
	*in.Field("interested_party_needs") = "済"
	*in.Field("risk_status") = "\u3000 "
	if m := in.Missing("iso27001:2022"); len(m) != 1 || m[0] != "risk_status" {
		t.Errorf("blank text counts as missing: %v", m)
	}
	for key, want := range map[[2]string]string{
		{Edition2013, "nonconformities"}:               "9.3 c) 1)",
		{"iso27001:2022", "nonconformities"}:           "9.3.2 d) 1)",
		{Edition2013, "interested_party_needs"}:        "",
		{"iso27001:2022", "interested_party_needs"}:    "9.3.2 c)",
		{"iso27001:2022", "improvement_opportunities"}: "9.3.2 g)",
	} {
		if got := ReviewInputClause(key[0], key[1]); got != want {
			t.Errorf("ReviewInputClause(%s, %s) = %q, want %q", key[0], key[1], got, want)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
