package isms

import (
	"strings"

	"github.com/cloudisms/cloudisms/internal/i18n"
)

// ReviewInputKeys are every bundle key of the management review inputs of
// JIS Q 27001 9.3, in the order of the 2022 edition (9.3.2 a, b, c, d ×4,
// e, f, g). interested_party_needs (c) is an input of the 2022 edition
// only; ReviewInputKeysFor gives the inputs of one edition.
var ReviewInputKeys = []string{
	"previous_actions", "issue_changes", "interested_party_needs", "nonconformities", "monitoring_results",
	"audit_results", "objectives", "interested_parties", "risk_status", "improvement_opportunities",
}

// reviewInputs2013 are the nine inputs of the 2013 edition (9.3 a, b, c ×4,
// d, e, f).
var reviewInputs2013 = []string{
	"previous_actions", "issue_changes", "nonconformities", "monitoring_results",
	"audit_results", "objectives", "interested_parties", "risk_status", "improvement_opportunities",
}

// Edition2013 is the organization.annex_a value of the 2013 edition (the
// catalog package names the same value; isms does not import it).
const Edition2013 = "iso27001:2013"

// ReviewInputKeysFor lists the review inputs an edition requires, in the
// standard's order: the nine of 2013 under iso27001:2013, the ten of 2022
// (with interested_party_needs) under any other edition.
func ReviewInputKeysFor(edition string) []string {
	if edition == Edition2013 {
		return reviewInputs2013
	}
	return ReviewInputKeys
}

// reviewLetters are the clause letters of each input: 2013 9.3 and 2022 9.3.2.
var reviewLetters = map[string][2]string{
	"previous_actions":          {"a)", "a)"},
	"issue_changes":             {"b)", "b)"},
	"interested_party_needs":    {"", "c)"},
	"nonconformities":           {"c) 1)", "d) 1)"},
	"monitoring_results":        {"c) 2)", "d) 2)"},
	"audit_results":             {"c) 3)", "d) 3)"},
	"objectives":                {"c) 4)", "d) 4)"},
	"interested_parties":        {"d)", "e)"},
	"risk_status":               {"e)", "f)"},
	"improvement_opportunities": {"f)", "g)"},
}

// ReviewInputClause is the clause item of an input in an edition, e.g.
// "9.3 c) 1)" under 2013 and "9.3.2 d) 1)" under 2022 ("" for an input the
// edition does not have).
func ReviewInputClause(edition, key string) string {
	l, ok := reviewLetters[key]
	if !ok {
		return ""
	}
	if edition == Edition2013 {
		if l[0] == "" {
			return ""
		}
		return "9.3 " + l[0]
	}
	return "9.3.2 " + l[1]
}

// Field returns the input held under a bundle key (nil for an unknown key).
func (in *ReviewInputs) Field(key string) *string {
	switch key {
	case "previous_actions":
		return &in.PreviousActions
	case "issue_changes":
		return &in.IssueChanges
	case "interested_party_needs":
		return &in.InterestedPartyNeeds
	case "nonconformities":
		return &in.Nonconformities
	case "monitoring_results":
		return &in.MonitoringResults
	case "audit_results":
		return &in.AuditResults
	case "objectives":
		return &in.Objectives
	case "interested_parties":
		return &in.InterestedParties
	case "risk_status":
		return &in.RiskStatus
	case "improvement_opportunities":
		return &in.ImprovementOpportunities
	}
	return nil
}

// Missing lists the inputs of an edition left empty (blank text counts as
// empty).
func (in ReviewInputs) Missing(edition string) []string {
	var out []string
	for _, k := range ReviewInputKeysFor(edition) {
		if isBlank(*in.Field(k)) {
			out = append(out, k)
		}
	}
	return out
}

func isBlank(s string) bool {
	for _, r := range s {
		switch r {
		case ' ', '\t', '\n', '\r', '\u3000':
			continue
		}
		return false
	}
	return true
}

// IsBlank reports whether text is empty or only white space (full-width
// spaces included).
func IsBlank(s string) bool { return isBlank(s) }

// ReviewInputLabel names an input as the edition letters it, e.g.
// "d) 1) 不適合及び是正処置" under 2022 and "c) 1) ..." under 2013.
func ReviewInputLabel(edition, key string) i18n.Message {
	letter := ReviewInputClause(edition, key)
	if _, rest, ok := strings.Cut(letter, " "); ok {
		letter = rest
	}
	return i18n.M("review.input_label", "letter", letter, "text", i18n.M("review.input."+key))
}
