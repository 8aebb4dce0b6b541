package isms

// Assessment is a risk's level before and after treatment under the
// organization's criteria. OK is false when a factor the method needs is
// missing or outside its scale; Problems then names those factors.
type Assessment struct {
	Level    int
	Residual int
	// Factors holds the values used, by factor name, before and after.
	Before, After map[string]int
	OK            bool
	Problems      []string
}

// Assessor computes risk levels; it indexes the assets once.
type Assessor struct {
	criteria RiskCriteria
	assets   map[string]*Asset
}

// NewAssessor prepares level computation for an ISMS.
func NewAssessor(m *ISMS) *Assessor {
	a := &Assessor{criteria: m.Criteria, assets: make(map[string]*Asset, len(m.Assets))}
	for i := range m.Assets {
		a.assets[m.Assets[i].ID] = &m.Assets[i]
	}
	return a
}

// AssetValue is a risk's asset value: the largest value of its assets.
func (a *Assessor) AssetValue(r *Risk) int {
	v := 0
	for _, id := range r.Assets {
		if as, ok := a.assets[id]; ok {
			v = max(v, as.Value())
		}
	}
	return v
}

// Assess computes a risk's level and residual level. A residual factor that
// is absent keeps its value before treatment; no residual at all gives a
// residual level equal to the level.
func (a *Assessor) Assess(r *Risk) Assessment {
	c := a.criteria
	before := map[string]Factor{}
	var res Residual
	if r.Residual != nil {
		res = *r.Residual
	}
	after := map[string]Factor{}
	if c.Method == MethodATV {
		av := Factor{}
		if len(r.Assets) > 0 {
			av = Factor{Set: true, IsInt: true, Int: a.AssetValue(r)}
		}
		before[FactorAssetValue], before[FactorThreat], before[FactorVulnerability] = av, r.Threat, r.Vulnerability
		after[FactorAssetValue], after[FactorThreat], after[FactorVulnerability] = res.AssetValue, res.Threat, res.Vulnerability
	} else {
		before[FactorLikelihood], before[FactorImpact] = r.Likelihood, r.Impact
		after[FactorLikelihood], after[FactorImpact] = res.Likelihood, res.Impact
	}
	out := Assessment{OK: true, Level: 1, Residual: 1, Before: map[string]int{}, After: map[string]int{}}
	for _, f := range c.Factors() {
		v, ok := before[f].Level()
		if !ok || v < 1 || v > c.Max(f) {
			out.OK = false
			out.Problems = append(out.Problems, f)
		}
		out.Before[f] = v
		out.Level *= v
		if rv, set := after[f].Level(); after[f].Set {
			if !set || rv < 1 || rv > c.Max(f) {
				out.OK = false
				out.Problems = append(out.Problems, "residual."+f)
			}
			v = rv
		}
		out.After[f] = v
		out.Residual *= v
	}
	if !out.OK {
		out.Level, out.Residual = 0, 0
	}
	return out
}
