package conformity

import (
	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/isms"
)

// --- Performance evaluation and improvement (MEAS, NC, INC) ---------------

// MEAS-01: something is measured, with a result within a year.
func meas01(c *ctx, emit emitFn) {
	for _, x := range c.m.Measurements {
		for _, r := range x.Results {
			if r.Date.Within(c.asOf, 365) {
				return
			}
		}
	}
	emit(orgSubject, i18n.M("rule.MEAS-01"))
}

// NC-01: every nonconformity has a corrective action.
func nc01(c *ctx, emit emitFn) {
	for _, n := range isms.RegisterNonconformities(c.m) {
		if n.Action == nil {
			emit(n.Subject(), i18n.M("rule.NC-01", "nonconformity", n.ID()))
		}
	}
}

// NC-02: no corrective action is overdue.
func nc02(c *ctx, emit emitFn) {
	for _, n := range isms.RegisterNonconformities(c.m) {
		if n.Overdue(c.asOf) {
			emit(n.Subject(), i18n.M("rule.NC-02", "nonconformity", n.ID(), "due", n.Action.Due.String()))
		}
	}
}

// NC-03: a corrective action done has its effectiveness reviewed.
func nc03(c *ctx, emit emitFn) {
	for _, n := range isms.RegisterNonconformities(c.m) {
		if a := n.Action; a != nil && !a.DoneOn.IsZero() && !a.Verified() {
			emit(n.Subject(), i18n.M("rule.NC-03", "nonconformity", n.ID()))
		}
	}
}

// INC-01: the customers of an in-scope provider-role service are told of
// its incidents.
func inc01(c *ctx, emit emitFn) {
	for _, x := range c.m.Incidents {
		if isms.IsTrue(x.CustomersNotified) {
			continue
		}
		for _, id := range x.Services {
			if s := c.svc[id]; s != nil && s.InScope && s.IsProvider() {
				emit("incidents/"+x.ID, i18n.M("rule.INC-01", "incident", x.ID, "service", id))
				break
			}
		}
	}
}
