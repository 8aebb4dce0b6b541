package items

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/web/site"
)

// While a risk is edited its form shows the level the values give and
// whether it is acceptable, computed here by the same assessor as the
// register; a little script recomputes it as the selects change, and
// without script the "compute the level" button asks the server.

// assessView is the computed level of the risk being edited.
type assessView struct {
	Method             string
	Acceptance         int
	OK                 bool
	Level, Residual    int
	Acceptable         bool
	ResidualAcceptable bool
	Missing            string // the factors still to choose, in words
	AssetValues        map[string]int
}

// assessForm assesses the risk a form holds under the ISMS's criteria.
func assessForm(p *site.Page, m *isms.ISMS, data obj) *assessView {
	r := riskOf(data)
	as := isms.NewAssessor(m).Assess(&r)
	c := m.Criteria
	v := &assessView{Method: c.Method, Acceptance: c.Acceptance, OK: as.OK, Level: as.Level, Residual: as.Residual,
		Acceptable: as.OK && as.Level <= c.Acceptance, ResidualAcceptable: as.OK && as.Residual <= c.Acceptance,
		AssetValues: map[string]int{}}
	var missing []string
	for _, f := range as.Problems {
		if rest, ok := strings.CutPrefix(f, "residual."); ok {
			missing = append(missing, p.T("web.residual_factor", "factor", p.T("views.factor."+rest)))
		} else {
			missing = append(missing, p.T("views.factor."+f))
		}
	}
	v.Missing = strings.Join(missing, i18n.List(p.Lang))
	for _, a := range m.Assets {
		v.AssetValues[a.ID] = a.Value()
	}
	return v
}

// riskOf reads the values of a risk form that its level depends on.
func riskOf(data obj) isms.Risk {
	r := isms.Risk{Assets: textList(data["assets"]), Likelihood: factorOf(data["likelihood"]), Impact: factorOf(data["impact"]),
		Threat: factorOf(data["threat"]), Vulnerability: factorOf(data["vulnerability"])}
	if res, ok := data["residual"].(obj); ok && len(res) > 0 {
		r.Residual = &isms.Residual{Likelihood: factorOf(res["likelihood"]), Impact: factorOf(res["impact"]),
			Threat: factorOf(res["threat"]), Vulnerability: factorOf(res["vulnerability"]), AssetValue: factorOf(res["asset_value"])}
	}
	return r
}

func factorOf(v any) isms.Factor {
	switch x := v.(type) {
	case json.Number:
		if n, err := strconv.Atoi(x.String()); err == nil {
			return isms.Factor{Set: true, IsInt: true, Int: n}
		}
		return isms.Factor{Set: true, Text: x.String()}
	case string:
		if x == "" {
			return isms.Factor{}
		}
		if n, err := strconv.Atoi(x); err == nil {
			return isms.Factor{Set: true, IsInt: true, Int: n}
		}
		return isms.Factor{Set: true, Text: x}
	}
	return isms.Factor{}
}

// AssetValuesJSON gives the script the value of each asset (the largest
// of its confidentiality, integrity and availability).
func (v *assessView) AssetValuesJSON() string {
	b, _ := json.Marshal(v.AssetValues)
	return string(b)
}
