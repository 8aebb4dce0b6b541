package isms

// ReviewInputKeys are the bundle keys of the management review inputs of
// JIS Q 27001 9.3, in the standard's order (a, b, c ×4, d, e, f).
var ReviewInputKeys = []string{
	"previous_actions", "issue_changes", "nonconformities", "monitoring_results",
	"audit_results", "objectives", "interested_parties", "risk_status", "improvement_opportunities",
}

// Field returns the input held under a bundle key (nil for an unknown key).
func (in *ReviewInputs) Field(key string) *string {
	switch key {
	case "previous_actions":
		return &in.PreviousActions
	case "issue_changes":
		return &in.IssueChanges
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

// Missing lists the input keys left empty (blank text counts as empty).
func (in ReviewInputs) Missing() []string {
	var out []string
	for _, k := range ReviewInputKeys {
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
