package isms

// Summary is the JSON of the computed views (cloudisms summary and the API).
type Summary struct {
	AsOf    string         `json:"as_of"`
	SoA     []SoASummary   `json:"soa"`
	Risks   []*RiskSummary `json:"risks"`
	HeatMap HeatMapSummary `json:"heat_map"`
	Due     []*DueSummary  `json:"due"`
}

// SoASummary is one SoA view: its counts and effective rows.
type SoASummary struct {
	Service  string       `json:"service,omitempty"`
	Role     string       `json:"role,omitempty"`
	Exists   bool         `json:"exists"`
	Approved bool         `json:"approved"`
	Counts   SoACounts    `json:"counts"`
	Rows     []SoARowView `json:"rows"`
}

// SoARowView is an effective row and where it comes from.
type SoARowView struct {
	Control        string `json:"control"`
	TitleJA        string `json:"title_ja"`
	TitleEN        string `json:"title_en"`
	From           string `json:"from"`
	Applicable     *bool  `json:"applicable"`
	Implementation string `json:"implementation,omitempty"`
}

// RiskSummary is a risk with its levels.
type RiskSummary struct {
	ID                 string `json:"id"`
	Title              string `json:"title"`
	Owner              string `json:"owner,omitempty"`
	Treatment          string `json:"treatment"`
	Assessed           bool   `json:"assessed"`
	Level              int    `json:"level"`
	Residual           int    `json:"residual"`
	Acceptable         bool   `json:"acceptable"`
	ResidualAcceptable bool   `json:"residual_acceptable"`
}

// HeatMapSummary holds the heat map grids, rows by the first factor.
type HeatMapSummary struct {
	RowFactor  string  `json:"row_factor"`
	ColFactor  string  `json:"col_factor"`
	Before     [][]int `json:"before"`
	After      [][]int `json:"after"`
	Unassessed int     `json:"unassessed"`
}

// DueSummary is an item that falls due.
type DueSummary struct {
	Kind    string `json:"kind"`
	Subject string `json:"subject"`
	Title   string `json:"title,omitempty"`
	Owner   string `json:"owner,omitempty"`
	Due     string `json:"due"`
	Overdue bool   `json:"overdue"`
}

// DueHorizon is how far ahead "what falls due" looks.
const DueHorizon = 30

// NewSummary computes every view of an ISMS as of a date.
func NewSummary(m *ISMS, asOf Date) Summary {
	r := Summary{AsOf: asOf.String(), SoA: soaSummaries(m)}
	r.Risks, r.HeatMap = riskSummaries(m, RiskViews(m))
	r.Due = dueSummaries(DueWithin(m, asOf, DueHorizon))
	return r
}

// soaSummaries are the SoA views of the summary.
func soaSummaries(m *ISMS) []SoASummary {
	var out []SoASummary
	for _, v := range SoAViews(m) {
		s := SoASummary{Service: v.Service, Role: v.Role, Exists: v.SoA != nil, Counts: v.Counts, Rows: make([]SoARowView, 0, len(v.Rows))}
		s.Approved = v.SoA != nil && v.SoA.Approval != nil
		for _, er := range v.Rows {
			row := SoARowView{Control: er.Control.ID, TitleJA: er.Control.TitleJA, TitleEN: er.Control.TitleEN, From: er.From}
			if er.Row != nil {
				row.Applicable, row.Implementation = er.Row.Applicable, er.Row.Implementation
			}
			s.Rows = append(s.Rows, row)
		}
		out = append(out, s)
	}
	return out
}

// riskSummaries are the risks and the heat map of the summary. The list
// holds pointers because it is carried over edits (Summarized): a copy of
// 50,000 pointers per edit instead of 50,000 summaries (4.5 MB). The
// summaries are shared: callers must not modify them.
func riskSummaries(m *ISMS, risks []RiskView) ([]*RiskSummary, HeatMapSummary) {
	vals := make([]RiskSummary, len(risks))
	out := make([]*RiskSummary, len(risks))
	for i, rv := range risks {
		vals[i] = riskSummary(rv)
		out[i] = &vals[i]
	}
	return out, heatMapSummary(NewHeatMap(m, risks))
}

func riskSummary(rv RiskView) RiskSummary {
	return RiskSummary{rv.Risk.ID, rv.Risk.Title, rv.Risk.Owner, rv.Risk.Treatment, rv.OK,
		rv.Level, rv.Residual, rv.Acceptable, rv.ResidualAcceptable}
}

// newRiskSummary is riskSummary of one risk, on its own.
func newRiskSummary(rv RiskView) *RiskSummary {
	s := riskSummary(rv)
	return &s
}

func heatMapSummary(h HeatMap) HeatMapSummary {
	return HeatMapSummary{h.RowFactor, h.ColFactor, h.Before, h.After, h.Unassessed}
}

// dueSummaries are the due list of the summary, by pointer as its risks
// are: it is carried over edits (Summarized) and is tens of thousands of
// items long at 50,000 risks.
func dueSummaries(due []DueItem) []*DueSummary {
	vals := make([]DueSummary, len(due))
	out := make([]*DueSummary, len(due))
	for i, d := range due {
		vals[i] = dueSummary(d)
		out[i] = &vals[i]
	}
	return out
}

func dueSummary(d DueItem) DueSummary {
	return DueSummary{d.Kind, d.Subject, d.Title, d.Owner, d.Due.String(), d.Overdue}
}
