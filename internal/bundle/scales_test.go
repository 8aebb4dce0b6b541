package bundle

import (
	"testing"

	"github.com/cloudisms/cloudisms/internal/isms"
)

func TestCheckScales(t *testing.T) {
	levels := func(n int) []isms.ScaleLevel {
		out := make([]isms.ScaleLevel, n)
		for i := range out {
			out[i] = isms.ScaleLevel{Level: i + 1, Label: "l"}
		}
		return out
	}
	li := isms.RiskCriteria{Method: isms.MethodLikelihoodImpact, Acceptance: 4,
		Scales: map[string][]isms.ScaleLevel{"likelihood": levels(3), "impact": levels(4)}}
	atv := isms.RiskCriteria{Method: isms.MethodATV, Acceptance: 8,
		Scales: map[string][]isms.ScaleLevel{"asset_value": levels(3), "threat": levels(3), "vulnerability": levels(3)}}
	for _, c := range []struct {
		name, kind, data string
		c                isms.RiskCriteria
		want             []string // paths
	}{
		{"in scale", "risks", `{"likelihood":3,"impact":4}`, li, nil},
		{"likelihood 7 on 1-3", "risks", `{"likelihood":7,"impact":0}`, li, []string{"risks.likelihood", "risks.impact"}},
		{"residual", "risks", `{"residual":{"impact":5}}`, li, []string{"risks.residual.impact"}},
		{"text threat allowed under likelihood x impact", "risks", `{"threat":"an outage"}`, li, nil},
		{"text threat refused under ATV", "risks", `{"threat":"an outage","vulnerability":4}`, atv, []string{"risks.threat", "risks.vulnerability"}},
		{"confidentiality 9", "assets", `{"confidentiality":9,"integrity":2}`, atv, []string{"assets.confidentiality"}},
		{"no asset value scale: 1..3", "assets", `{"confidentiality":9,"availability":3}`, li, []string{"assets.confidentiality"}},
		{"other kinds", "documents", `{"likelihood":9}`, li, nil},
	} {
		errs := CheckScales(c.kind, []byte(c.data), c.c)
		var got []string
		for _, e := range errs {
			got = append(got, e.Path)
		}
		if len(got) != len(c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%s: %v, want %v", c.name, got, c.want)
			}
		}
	}
}
