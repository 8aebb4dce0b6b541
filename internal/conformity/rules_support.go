package conformity

import (
	"slices"

	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/isms"
)

// --- Objectives, competence, awareness, documents (OBJ, COMP, AWARE, DOC) --

// OBJ-01: objectives exist, each measurable with a target, an owner and a
// date. Blank text counts as missing.
func obj01(c *ctx, emit emitFn) {
	if len(c.m.Objectives) == 0 {
		emit(orgSubject, i18n.M("rule.OBJ-01.none"))
		return
	}
	for _, o := range c.m.Objectives {
		var missing []string
		if isms.IsBlank(o.Measure) {
			missing = append(missing, "measure")
		}
		if isms.IsBlank(o.Target) {
			missing = append(missing, "target")
		}
		if o.Owner == "" {
			missing = append(missing, "owner")
		}
		if o.Due.IsZero() {
			missing = append(missing, "due")
		}
		if len(missing) > 0 {
			emit("objectives/"+o.ID, i18n.M("rule.OBJ-01.fields", "objective", o.ID, "fields", missing))
		}
	}
}

// OBJ-02: an objective whose date has come has a result.
func obj02(c *ctx, emit emitFn) {
	for _, o := range c.m.Objectives {
		if !o.Due.IsZero() && !o.Due.After(c.asOf) && len(o.Results) == 0 {
			emit("objectives/"+o.ID, i18n.M("rule.OBJ-02", "objective", o.ID, "due", o.Due.String()))
		}
	}
}

// COMP-01: everyone a competence requirement applies to has a training on
// its topic within its interval.
func comp01(c *ctx, emit emitFn) {
	for _, r := range c.m.CompetenceRequirements {
		for _, p := range isms.RequiredOf(c.m, r, c.asOf) {
			if !isms.TrainedWithin(c.m, p.ID, "", r.Topic, c.asOf, r.Interval()) {
				emit("people/"+p.ID+"/competence/"+r.ID, i18n.M("rule.COMP-01", "person", p.ID, "topic", r.Topic,
					"days", r.Interval(), "group", i18n.M("rule.COMP.applies."+r.AppliesTo)))
			}
		}
	}
}

// COMP-02: the competence of cloud security personnel is determined.
func comp02(c *ctx, emit emitFn) {
	someone := slices.ContainsFunc(c.m.People, func(p isms.Person) bool { return isms.IsTrue(p.CloudSecurityPersonnel) })
	if !someone {
		return
	}
	for _, r := range c.m.CompetenceRequirements {
		if r.AppliesTo == isms.AppliesCloudSecurityPersonnel {
			return
		}
	}
	emit(orgSubject, i18n.M("rule.COMP-02"))
}

// AWARE-01: ISMS personnel attended an awareness training within a year.
func aware01(c *ctx, emit emitFn) {
	for _, p := range c.m.People {
		if isms.IsTrue(p.ISMSPersonnel) && !isms.TrainedWithin(c.m, p.ID, isms.TrainingAwareness, "", c.asOf, isms.AwarenessInterval) {
			emit("people/"+p.ID, i18n.M("rule.AWARE-01", "person", p.ID))
		}
	}
}

// docClauses are the clauses DOC-01 asks an approved document for.
var docClauses = []string{"5.2", "6.1.2", "6.1.3", "9.2"}

// DOC-01: the policy, the risk assessment and treatment processes and the
// audit programme are approved documented information.
func doc01(c *ctx, emit emitFn) {
	covered := map[string]bool{}
	for _, d := range c.m.Documents {
		if d.Approval == nil {
			continue
		}
		for _, cl := range d.Clauses {
			covered[cl] = true
		}
	}
	var missing []string
	for _, cl := range docClauses {
		if !covered[cl] {
			missing = append(missing, cl)
		}
	}
	if len(missing) > 0 {
		emit(orgSubject, i18n.M("rule.DOC-01", "clauses", missing))
	}
}

// DOC-02: policies and procedures are reviewed at planned intervals.
func doc02(c *ctx, emit emitFn) {
	for _, d := range c.m.Documents {
		if d.Kind != "policy" && d.Kind != "procedure" {
			continue
		}
		last := d.LastReviewed()
		switch {
		case last.IsZero():
			emit("documents/"+d.ID, i18n.M("rule.DOC-02.never", "document", d.ID))
		case d.ReviewOverdue(c.asOf):
			emit("documents/"+d.ID, i18n.M("rule.DOC-02", "document", d.ID, "reviewed", last.String(), "days", d.ReviewInterval()))
		}
	}
}
