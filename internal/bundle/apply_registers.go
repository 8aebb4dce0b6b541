package bundle

import "github.com/cloudisms/cloudisms/internal/isms"

// applyRegister is Apply for the version 2 registers; false when kind is
// not one of them or the change is not one item's.
func applyRegister(out *isms.ISMS, m, one *isms.ISMS, kind, key string) bool {
	ok := true
	switch kind {
	case KindCertificates:
		out.Certificates, ok = splice(m.Certificates, key, pick(one, func(x *isms.ISMS) []isms.Certificate { return x.Certificates }), func(x isms.Certificate) string { return x.ID })
	case KindExternalAudits:
		out.ExternalAudits, ok = splice(m.ExternalAudits, key, pick(one, func(x *isms.ISMS) []isms.ExternalAudit { return x.ExternalAudits }), func(x isms.ExternalAudit) string { return x.ID })
	case KindContextIssues:
		out.ContextIssues, ok = splice(m.ContextIssues, key, pick(one, func(x *isms.ISMS) []isms.ContextIssue { return x.ContextIssues }), func(x isms.ContextIssue) string { return x.ID })
	case KindInterestedParties:
		out.InterestedParties, ok = splice(m.InterestedParties, key, pick(one, func(x *isms.ISMS) []isms.InterestedParty { return x.InterestedParties }), func(x isms.InterestedParty) string { return x.ID })
	case KindOpportunities:
		out.Opportunities, ok = splice(m.Opportunities, key, pick(one, func(x *isms.ISMS) []isms.Opportunity { return x.Opportunities }), func(x isms.Opportunity) string { return x.ID })
	case KindObjectives:
		out.Objectives, ok = splice(m.Objectives, key, pick(one, func(x *isms.ISMS) []isms.Objective { return x.Objectives }), func(x isms.Objective) string { return x.ID })
	case KindCompetenceRequirements:
		out.CompetenceRequirements, ok = splice(m.CompetenceRequirements, key, pick(one, func(x *isms.ISMS) []isms.CompetenceRequirement { return x.CompetenceRequirements }), func(x isms.CompetenceRequirement) string { return x.ID })
	case KindTrainings:
		out.Trainings, ok = splice(m.Trainings, key, pick(one, func(x *isms.ISMS) []isms.Training { return x.Trainings }), func(x isms.Training) string { return x.ID })
	case KindCommunications:
		out.Communications, ok = splice(m.Communications, key, pick(one, func(x *isms.ISMS) []isms.Communication { return x.Communications }), func(x isms.Communication) string { return x.ID })
	case KindChanges:
		out.Changes, ok = splice(m.Changes, key, pick(one, func(x *isms.ISMS) []isms.Change { return x.Changes }), func(x isms.Change) string { return x.ID })
	case KindMeasurements:
		out.Measurements, ok = splice(m.Measurements, key, pick(one, func(x *isms.ISMS) []isms.Measurement { return x.Measurements }), func(x isms.Measurement) string { return x.ID })
	case KindNonconformities:
		out.Nonconformities, ok = splice(m.Nonconformities, key, pick(one, func(x *isms.ISMS) []isms.Nonconformity { return x.Nonconformities }), func(x isms.Nonconformity) string { return x.ID })
	case KindIncidents:
		out.Incidents, ok = splice(m.Incidents, key, pick(one, func(x *isms.ISMS) []isms.Incident { return x.Incidents }), func(x isms.Incident) string { return x.ID })
	default:
		return false
	}
	return ok
}
