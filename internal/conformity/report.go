package conformity

import (
	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/isms"
)

// Report is the JSON shape of a check (rules.md), shared by the CLI and the
// API: {"as_of", "findings": [...], "counts": {"error", "warning"}}.
type Report struct {
	AsOf     string          `json:"as_of"`
	Findings []ReportFinding `json:"findings"`
	Counts   ReportCounts    `json:"counts"`
}

// ReportFinding is a finding with its message in both languages.
type ReportFinding struct {
	Rule      string `json:"rule"`
	Severity  string `json:"severity"`
	Subject   string `json:"subject"`
	MessageJA string `json:"message_ja"`
	MessageEN string `json:"message_en"`
	Reference string `json:"reference"`
}

// ReportCounts counts findings by severity.
type ReportCounts struct {
	Error   int `json:"error"`
	Warning int `json:"warning"`
}

// NewReport shapes findings for JSON; the findings list is never null.
func NewReport(asOf isms.Date, fs []Finding) Report {
	r := Report{AsOf: asOf.String(), Findings: make([]ReportFinding, 0, len(fs))}
	for _, f := range fs {
		r.Findings = append(r.Findings, ReportFinding{f.Rule, f.Severity, f.Subject, f.Message.In(i18n.JA), f.Message.In(i18n.EN), f.Reference})
	}
	c := Counts(fs)
	r.Counts = ReportCounts{Error: c[Error], Warning: c[Warning]}
	return r
}
