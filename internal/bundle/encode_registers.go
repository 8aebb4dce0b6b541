package bundle

import "github.com/cloudisms/cloudisms/internal/isms"

// Canonical YAML of the version 2 registers, keys in the order of bundle.md.

// texts writes a list of free text one entry per line (block style):
// sentences read badly in a flow list.
func texts(ss []string) *enode {
	n := strs(ss)
	if n != nil {
		n.flow = false
	}
	return n
}

// putRegisters adds the version 2 registers to the top-level object.
func putRegisters(o obj, m *isms.ISMS) obj {
	return o.put(KindCertificates, seq(m.Certificates, certificate)).
		put(KindExternalAudits, seq(m.ExternalAudits, externalAudit)).
		put(KindContextIssues, seq(m.ContextIssues, contextIssue)).
		put(KindInterestedParties, seq(m.InterestedParties, interestedParty)).
		put(KindOpportunities, seq(m.Opportunities, opportunity)).
		put(KindObjectives, seq(m.Objectives, objective)).
		put(KindCompetenceRequirements, seq(m.CompetenceRequirements, competenceRequirement)).
		put(KindTrainings, seq(m.Trainings, training)).
		put(KindCommunications, seq(m.Communications, communication)).
		put(KindChanges, seq(m.Changes, change)).
		put(KindMeasurements, seq(m.Measurements, measurement)).
		put(KindNonconformities, seq(m.Nonconformities, nonconformity)).
		put(KindIncidents, seq(m.Incidents, incident))
}

func correctiveAction(c *isms.CorrectiveAction) *enode {
	if c == nil {
		return nil
	}
	cn := newObj().put("cause", str(c.Cause)).put("action", str(c.Action)).put("owner", str(c.Owner)).
		put("due", date(c.Due)).put("done_on", date(c.DoneOn)).put("effective", optFlag(c.Effective)).
		put("verified_by", str(c.VerifiedBy)).put("evidence", evidence(c.Evidence)).node()
	if cn == nil {
		cn = &enode{kind: mapNode}
	}
	return cn
}

func planActions(plan []isms.PlanAction) *enode {
	return seq(plan, func(a isms.PlanAction) *enode {
		return newObj().put("action", str(a.Action)).put("owner", str(a.Owner)).put("due", date(a.Due)).
			put("done_on", date(a.DoneOn)).node()
	})
}

func certificate(c isms.Certificate) *enode {
	return newObj().put("id", str(c.ID)).put("kind", str(c.Kind)).put("standard", str(c.Standard)).
		put("body", str(c.Body)).put("number", str(c.Number)).put("issued", date(c.Issued)).
		put("expires", date(c.Expires)).put("scope", str(c.Scope)).put("base", str(c.Base)).
		put("evidence", evidence(c.Evidence)).node()
}

func externalAudit(a isms.ExternalAudit) *enode {
	return newObj().put("id", str(a.ID)).put("kind", str(a.Kind)).put("certificate", str(a.Certificate)).
		put("body", str(a.Body)).put("date", date(a.Date)).put("end", date(a.End)).
		put("findings", seq(a.Findings, externalFinding)).put("evidence", evidence(a.Evidence)).node()
}

func externalFinding(f isms.ExternalFinding) *enode {
	return newObj().put("id", str(f.ID)).put("kind", str(f.Kind)).put("clause", str(f.Clause)).
		put("description", str(f.Description)).put("corrective_action", correctiveAction(f.CorrectiveAction)).
		put("evidence", evidence(f.Evidence)).node()
}

func contextIssue(x isms.ContextIssue) *enode {
	return newObj().put("id", str(x.ID)).put("kind", str(x.Kind)).put("description", str(x.Description)).
		put("reviewed_on", date(x.ReviewedOn)).node()
}

func interestedParty(x isms.InterestedParty) *enode {
	return newObj().put("id", str(x.ID)).put("name", str(x.Name)).put("kind", str(x.Kind)).
		put("requirements", texts(x.Requirements)).put("addressed_by", texts(x.AddressedBy)).
		put("reviewed_on", date(x.ReviewedOn)).node()
}

func opportunity(x isms.Opportunity) *enode {
	return newObj().put("id", str(x.ID)).put("title", str(x.Title)).put("description", str(x.Description)).
		put("sources", strs(x.Sources)).put("owner", str(x.Owner)).put("action", str(x.Action)).
		put("due", date(x.Due)).node()
}

func objective(x isms.Objective) *enode {
	return newObj().put("id", str(x.ID)).put("title", str(x.Title)).put("measure", str(x.Measure)).
		put("target", str(x.Target)).put("owner", str(x.Owner)).put("due", date(x.Due)).
		put("services", strs(x.Services)).put("plan", planActions(x.Plan)).
		put("results", seq(x.Results, func(r isms.ObjectiveResult) *enode {
			return newObj().put("date", date(r.Date)).put("value", str(r.Value)).put("met", optFlag(r.Met)).
				put("note", str(r.Note)).node()
		})).node()
}

func competenceRequirement(x isms.CompetenceRequirement) *enode {
	return newObj().put("id", str(x.ID)).put("applies_to", str(x.AppliesTo)).put("topic", str(x.Topic)).
		put("interval_days", optNum(x.IntervalDays)).node()
}

func training(x isms.Training) *enode {
	return newObj().put("id", str(x.ID)).put("title", str(x.Title)).put("kind", str(x.Kind)).
		put("topics", strs(x.Topics)).put("date", date(x.Date)).put("attendees", strs(x.Attendees)).
		put("evidence", evidence(x.Evidence)).node()
}

func communication(x isms.Communication) *enode {
	return newObj().put("id", str(x.ID)).put("subject", str(x.Subject)).put("audience", strs(x.Audience)).
		put("when", str(x.When)).put("who", str(x.Who)).put("how", str(x.How)).node()
}

func change(x isms.Change) *enode {
	return newObj().put("id", str(x.ID)).put("description", str(x.Description)).put("date", date(x.Date)).
		put("reason", str(x.Reason)).put("approval", approval(x.Approval)).node()
}

func measurement(x isms.Measurement) *enode {
	return newObj().put("id", str(x.ID)).put("what", str(x.What)).put("method", str(x.Method)).
		put("when", str(x.When)).put("who", str(x.Who)).put("analyzed_by", str(x.AnalyzedBy)).
		put("objective", str(x.Objective)).
		put("results", seq(x.Results, func(r isms.MeasurementResult) *enode {
			return newObj().put("date", date(r.Date)).put("value", str(r.Value)).put("note", str(r.Note)).
				put("evidence", evidence(r.Evidence)).node()
		})).node()
}

func nonconformity(x isms.Nonconformity) *enode {
	return newObj().put("id", str(x.ID)).put("source", str(x.Source)).put("date", date(x.Date)).
		put("description", str(x.Description)).put("correction", str(x.Correction)).
		put("corrective_action", correctiveAction(x.CorrectiveAction)).node()
}

func incident(x isms.Incident) *enode {
	return newObj().put("id", str(x.ID)).put("title", str(x.Title)).put("date", date(x.Date)).
		put("severity", str(x.Severity)).put("services", strs(x.Services)).
		put("customers_notified", optFlag(x.CustomersNotified)).put("nonconformity", str(x.Nonconformity)).
		put("notes", str(x.Notes)).node()
}

// splitRegisters adds the items of the version 2 registers.
func splitRegisters(m *isms.ISMS, add func(kind, key, label, owner string, n *enode)) {
	for _, x := range m.Certificates {
		add(KindCertificates, x.ID, certLabel(x), "", certificate(x))
	}
	for _, x := range m.ExternalAudits {
		add(KindExternalAudits, x.ID, x.Date.String()+" "+x.Kind, "", externalAudit(x))
	}
	for _, x := range m.ContextIssues {
		add(KindContextIssues, x.ID, x.Description, "", contextIssue(x))
	}
	for _, x := range m.InterestedParties {
		add(KindInterestedParties, x.ID, x.Name, "", interestedParty(x))
	}
	for _, x := range m.Opportunities {
		add(KindOpportunities, x.ID, x.Title, x.Owner, opportunity(x))
	}
	for _, x := range m.Objectives {
		add(KindObjectives, x.ID, x.Title, x.Owner, objective(x))
	}
	for _, x := range m.CompetenceRequirements {
		add(KindCompetenceRequirements, x.ID, x.Topic, "", competenceRequirement(x))
	}
	for _, x := range m.Trainings {
		add(KindTrainings, x.ID, x.Title, "", training(x))
	}
	for _, x := range m.Communications {
		add(KindCommunications, x.ID, x.Subject, x.Who, communication(x))
	}
	for _, x := range m.Changes {
		add(KindChanges, x.ID, x.Description, "", change(x))
	}
	for _, x := range m.Measurements {
		add(KindMeasurements, x.ID, x.What, x.Who, measurement(x))
	}
	for _, x := range m.Nonconformities {
		owner := ""
		if x.CorrectiveAction != nil {
			owner = x.CorrectiveAction.Owner
		}
		add(KindNonconformities, x.ID, x.Description, owner, nonconformity(x))
	}
	for _, x := range m.Incidents {
		add(KindIncidents, x.ID, x.Title, "", incident(x))
	}
}

// certLabel names a certificate in lists: its standard and number.
func certLabel(c isms.Certificate) string {
	switch {
	case c.Standard != "" && c.Number != "":
		return c.Standard + " " + c.Number
	case c.Number != "":
		return c.Number
	case c.Standard != "":
		return c.Standard
	}
	return c.ID
}
