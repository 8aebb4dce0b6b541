// Package trend measures an ISMS at points in time: the conformity
// findings by area and severity, each SoA's implementation progress, the
// risk heat map, and how long corrective actions stay open. The store
// rebuilds the ISMS as it stood at each point from the history; this
// package only measures a model as of a date. It does no I/O.
package trend

import (
	"time"

	"github.com/cloudisms/cloudisms/internal/conformity"
	"github.com/cloudisms/cloudisms/internal/isms"
)

// Ageing buckets of open corrective actions, in days since the audit
// that raised them ended.
var AgeBuckets = []int{30, 90, 180} // under 30, 30–89, 90–179, 180 and over

// Point is the ISMS measured at one date.
type Point struct {
	Date isms.Date
	// NoData marks a date before the organization's history began: there
	// was no ISMS to measure.
	NoData   bool
	Findings map[string]map[string]int // area → severity → count
	Errors   int
	Warnings int
	SoAs     []SoAProgress
	HeatMap  isms.HeatMapSummary
	// Open corrective actions by age bucket (len(AgeBuckets)+1), and how
	// many of them were past their due date.
	Ageing  []int
	Overdue int
	Risks   int
}

// SoAProgress is one SoA's implementation progress at a point.
type SoAProgress struct {
	Service, Role string
	Applicable    int
	Implemented   int
	Partial       int
}

// Key names the SoA as bundle items do: "organization" or service:role.
func (s SoAProgress) Key() string {
	if s.Service == "" {
		return "organization"
	}
	return s.Service + ":" + s.Role
}

// Percent is the share of applicable controls implemented (partial counts
// half), 0–100.
func (s SoAProgress) Percent() int {
	if s.Applicable == 0 {
		return 0
	}
	return (200*s.Implemented + 100*s.Partial) / (2 * s.Applicable)
}

// Measure measures a model as it stood on a date.
func Measure(m *isms.ISMS, on isms.Date) Point {
	var soas []SoAProgress
	for _, v := range isms.SoAViews(m) {
		if v.SoA == nil && v.Service != "" {
			continue // an SoA that does not exist yet has no progress to show
		}
		soas = append(soas, SoAProgress{Service: v.Service, Role: v.Role, Applicable: v.Counts.Applicable, Implemented: v.Counts.Implemented, Partial: v.Counts.Partial})
	}
	h := isms.NewHeatMap(m, isms.RiskViews(m))
	heat := isms.HeatMapSummary{RowFactor: h.RowFactor, ColFactor: h.ColFactor, Before: h.Before, After: h.After, Unassessed: h.Unassessed}
	return measure(m, on, conformity.Check(m, on), soas, heat)
}

// MeasureWith is Measure of a model whose conformity findings and summary
// as of the date are known already: the current point of the trends,
// which the store keeps carried over each change instead of checking the
// whole ISMS again after every edit. It equals Measure(m, on).
func MeasureWith(m *isms.ISMS, on isms.Date, findings []conformity.Finding, sum isms.Summary) Point {
	var soas []SoAProgress
	for _, v := range sum.SoA {
		if !v.Exists && v.Service != "" {
			continue
		}
		soas = append(soas, SoAProgress{Service: v.Service, Role: v.Role, Applicable: v.Counts.Applicable, Implemented: v.Counts.Implemented, Partial: v.Counts.Partial})
	}
	return measure(m, on, findings, soas, sum.HeatMap)
}

func measure(m *isms.ISMS, on isms.Date, findings []conformity.Finding, soas []SoAProgress, heat isms.HeatMapSummary) Point {
	p := Point{Date: on, Findings: map[string]map[string]int{}, Risks: len(m.Risks), SoAs: soas, HeatMap: heat}
	for _, f := range findings {
		if p.Findings[f.Area] == nil {
			p.Findings[f.Area] = map[string]int{}
		}
		p.Findings[f.Area][f.Severity]++
		if f.Severity == conformity.Error {
			p.Errors++
		} else {
			p.Warnings++
		}
	}
	p.Ageing = make([]int, len(AgeBuckets)+1)
	for _, a := range m.Audits {
		raised := a.End
		if raised.IsZero() {
			raised = a.Start
		}
		if raised.IsZero() || raised.After(on) {
			continue
		}
		for _, f := range a.Findings {
			ca := f.CorrectiveAction
			if ca == nil || (!ca.DoneOn.IsZero() && !ca.DoneOn.After(on)) {
				continue
			}
			age := on.DaysSince(raised)
			i := 0
			for i < len(AgeBuckets) && age >= AgeBuckets[i] {
				i++
			}
			p.Ageing[i]++
			if !ca.Due.IsZero() && ca.Due.Before(on) {
				p.Overdue++
			}
		}
	}
	return p
}

// MonthEnds lists the last day of each of the n months up to and
// including asOf's month, oldest first; the current month's point is
// asOf itself (its end has not come).
func MonthEnds(asOf isms.Date, n int) []isms.Date {
	if n < 1 {
		return nil
	}
	t := asOf.Time()
	out := make([]isms.Date, 0, n)
	for i := n - 1; i >= 1; i-- {
		first := time.Date(t.Year(), t.Month()-time.Month(i)+1, 1, 0, 0, 0, 0, time.UTC)
		out = append(out, isms.DateOf(first.AddDate(0, 0, -1)))
	}
	return append(out, asOf)
}
