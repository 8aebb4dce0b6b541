package isms

import "sort"

// Kinds of tasks: what a person has to do in the ISMS.
const (
	TaskRiskApproval     = "risk-approval"     // a risk they own awaits their approval of its treatment
	TaskRiskReassessment = "risk-reassessment" // a risk they approved a year ago is due for reassessment
	TaskPlanAction       = "plan-action"       // a treatment plan action they own
	TaskCorrectiveAction = "corrective-action" // a corrective action they own
	TaskEffectiveness    = "effectiveness"     // a corrective action of their audit awaits its effectiveness review
	TaskApprovalRequest  = "approval-request"  // someone asked for their approval
	TaskRestoreTest      = "restore-test"      // a restore test falls due (the ISMS office)
	TaskAuditDue         = "audit-due"         // a service's yearly internal audit falls due (the ISMS office)
	TaskAudit            = "audit"             // an internal audit they run
	TaskReview           = "review"            // the yearly management review falls due (the ISMS office)
	TaskReviewOutput     = "review-output"     // a management review decision they own
)

// ReassessAfter is how many days after its owner's approval a risk is
// assessed again: JIS Q 27001 6.1.2 asks for repeated assessments, and a
// year is what certification bodies expect at the latest.
const ReassessAfter = 365

// Task is one thing a person has to do. Person is the person id it falls
// to ("" for the ISMS office: restore tests, audits and reviews falling
// due that the bundle names no owner for). Due is zero for a task without
// a date (a risk awaiting approval).
type Task struct {
	Kind        string
	Subject     string // the item's path, as findings name it (risks/r-01, audits/a/findings/f)
	Title       string
	Person      string
	Due         Date
	Overdue     bool
	RequestedBy string // an approval request's requester (a name)
	Note        string // an approval request's message
}

// ApprovalRequest is someone asking a person to approve an item; the store
// keeps them beside the ISMS and passes the open ones in.
type ApprovalRequest struct {
	Subject     string // kind/key
	Title       string
	Person      string // the approver asked
	RequestedBy string
	Due         Date // zero: no date asked for
	Note        string
}

// Assignee is whose tasks to list: a person of the ISMS and whether they
// also receive the ISMS office's unowned tasks (the members who manage the
// ISMS do).
type Assignee struct {
	Person string
	Office bool
}

// Receives reports whether a task falls to the assignee.
func (a Assignee) Receives(t *Task) bool {
	if t.Person == "" {
		return a.Office
	}
	return a.Person != "" && t.Person == a.Person
}

// taskSource lists the tasks of one register. Each source is small and
// reads only its own part of the model, so that a new register adds one.
// It declares the item kinds it reads and the kinds of task it makes, so
// that a task list carried over changes (Tasked) lists again only the
// sources whose parts changed. A source of the risk register lists the
// tasks of one risk at a time, reading nothing but that risk (perRisk):
// after an edit of some risks only theirs are listed again, whatever the
// size of the register.
type taskSource struct {
	perRisk func(r *Risk, asOf Date, add func(Task))
	list    func(m *ISMS, asOf Date, add func(Task)) // a source that is not perRisk
	reads   []string                                 // item kinds list reads
	makes   []string                                 // task kinds it lists, no other source's
}

var taskSources = []taskSource{
	{perRisk: riskTasks, makes: []string{TaskRiskApproval, TaskRiskReassessment}},
	{perRisk: planTasks, makes: []string{TaskPlanAction}},
	{list: correctiveTasks, reads: []string{"audits"}, makes: []string{TaskCorrectiveAction, TaskEffectiveness}},
	{list: restoreTasks, reads: []string{"backups", "cloud_services"}, makes: []string{TaskRestoreTest}},
	{list: auditTasks, reads: []string{"audits", "cloud_services"}, makes: []string{TaskAudit, TaskAuditDue}},
	{list: reviewTasks, reads: []string{"reviews"}, makes: []string{TaskReview, TaskReviewOutput}},
}

// run lists the source's tasks of the whole model.
func (src taskSource) run(m *ISMS, asOf Date, add func(Task)) {
	if src.perRisk == nil {
		src.list(m, asOf, add)
		return
	}
	for i := range m.Risks {
		src.perRisk(m.Risks[i], asOf, add)
	}
}

// collect returns an add function for the sources that marks a task
// overdue as of the date and appends it to out.
func collect(asOf Date, out *[]Task) func(Task) {
	return func(t Task) {
		t.Overdue = !t.Due.IsZero() && t.Due.Before(asOf)
		*out = append(*out, t)
	}
}

// AllTasks lists every open task of the ISMS as of a date, whoever it
// falls to, with the open approval requests: undated tasks first, then by
// due date. Done work (a plan action with done_on, an approved risk) is
// not a task.
//
// The list holds pointers: it is kept and carried over edits (Tasked), and
// at 50,000 risks a list of the tasks themselves was 12 MB to copy on
// every edit where one of pointers is under 1 MB. The tasks are shared:
// callers must not modify them.
func AllTasks(m *ISMS, asOf Date, requests []ApprovalRequest) []*Task {
	var out []Task
	add := collect(asOf, &out)
	for _, src := range taskSources {
		src.run(m, asOf, add)
	}
	for _, r := range requests {
		add(r.task())
	}
	SortTasks(out)
	return pointers(out)
}

// pointers points at each of ts, in order; nil for none.
func pointers(ts []Task) []*Task {
	if len(ts) == 0 {
		return nil
	}
	out := make([]*Task, len(ts))
	for i := range ts {
		out[i] = &ts[i]
	}
	return out
}

func (r ApprovalRequest) task() Task {
	return Task{Kind: TaskApprovalRequest, Subject: r.Subject, Title: r.Title, Person: r.Person, Due: r.Due, RequestedBy: r.RequestedBy, Note: r.Note}
}

// WithRequests is AllTasks(m, asOf, requests) made from tasks, the list
// AllTasks(m, asOf, nil): the requests are merged into it rather than the
// whole list sorted again (the requests are read on every view, the list
// is kept). tasks is not modified; without requests it is the result.
func WithRequests(tasks []*Task, asOf Date, requests []ApprovalRequest) []*Task {
	if len(requests) == 0 {
		return tasks
	}
	var added []Task
	add := collect(asOf, &added)
	for _, r := range requests {
		add(r.task())
	}
	SortTasks(added)
	// No request ties with a task of the ISMS: none is of their kind.
	return patchTasks(tasks, nil, pointers(added))
}

// TasksOf lists the tasks that fall to an assignee.
func TasksOf(all []*Task, who Assignee) []Task {
	var out []Task
	for _, t := range all {
		if who.Receives(t) {
			out = append(out, *t)
		}
	}
	return out
}

// SortTasks orders tasks: undated first (they wait on the person now),
// then by due date, then by subject.
func SortTasks(ts []Task) {
	sort.SliceStable(ts, func(i, j int) bool { return taskLess(&ts[i], &ts[j]) })
}

// Digest is what one person's daily reminder says: what is overdue and
// what falls due within the next days. Undated tasks (approvals waiting)
// are listed as waiting.
type Digest struct {
	Overdue []Task
	Soon    []Task
	Waiting []Task
}

// Empty reports whether there is nothing to remind of.
func (d Digest) Empty() bool { return len(d.Overdue)+len(d.Soon)+len(d.Waiting) == 0 }

// DigestOf splits an assignee's tasks for a reminder of the next days.
func DigestOf(tasks []Task, asOf Date, days int) Digest {
	var d Digest
	horizon := asOf.AddDays(days)
	for _, t := range tasks {
		switch {
		case t.Due.IsZero():
			d.Waiting = append(d.Waiting, t)
		case t.Overdue:
			d.Overdue = append(d.Overdue, t)
		case !t.Due.After(horizon):
			d.Soon = append(d.Soon, t)
		}
	}
	return d
}

func riskTasks(r *Risk, _ Date, add func(Task)) {
	if r.Owner == "" {
		return
	}
	subject := "risks/" + r.ID
	if !r.ApprovedByOwner() {
		add(Task{Kind: TaskRiskApproval, Subject: subject, Title: r.Title, Person: r.Owner})
		return
	}
	if !r.Approval.Date.IsZero() {
		add(Task{Kind: TaskRiskReassessment, Subject: subject, Title: r.Title, Person: r.Owner, Due: r.Approval.Date.AddDays(ReassessAfter)})
	}
}

func planTasks(r *Risk, _ Date, add func(Task)) {
	for _, p := range r.Plan {
		if p.DoneOn.IsZero() {
			add(Task{Kind: TaskPlanAction, Subject: "risks/" + r.ID, Title: p.Action, Person: p.Owner, Due: p.Due})
		}
	}
}

func correctiveTasks(m *ISMS, _ Date, add func(Task)) {
	for _, a := range m.Audits {
		for _, f := range a.Findings {
			ca := f.CorrectiveAction
			if ca == nil {
				continue
			}
			subject := "audits/" + a.ID + "/findings/" + f.ID
			switch {
			case ca.DoneOn.IsZero():
				add(Task{Kind: TaskCorrectiveAction, Subject: subject, Title: ca.Action, Person: ca.Owner, Due: ca.Due})
			case ca.Effective == nil:
				// The audit's auditors review whether the action worked
				// (JIS Q 27001 10.2 d); the first one named leads.
				person := ""
				if len(a.Auditors) > 0 {
					person = a.Auditors[0]
				}
				add(Task{Kind: TaskEffectiveness, Subject: subject, Title: ca.Action, Person: person})
			}
		}
	}
}

func restoreTasks(m *ISMS, asOf Date, add func(Task)) {
	for _, b := range m.Backups {
		var last Date
		for _, t := range b.Tests {
			if t.Result == "pass" && !t.Date.After(asOf) && t.Date.After(last) {
				last = t.Date
			}
		}
		due := asOf // never tested: due now
		if !last.IsZero() {
			due = last.AddDays(b.Interval())
		}
		add(Task{Kind: TaskRestoreTest, Subject: "backups/" + b.Service, Title: serviceName(m, b.Service), Due: due})
	}
}

func auditTasks(m *ISMS, asOf Date, add func(Task)) {
	lastAudit := map[string]Date{}
	for _, a := range m.Audits {
		// An audit still to come or under way is its auditors' task, due
		// at its end (its start while it has no end).
		due := a.End
		if due.IsZero() {
			due = a.Start
		}
		if !due.IsZero() && !due.Before(asOf) {
			for _, p := range a.Auditors {
				add(Task{Kind: TaskAudit, Subject: "audits/" + a.ID, Title: a.Title, Person: p, Due: due})
			}
		}
		if a.End.IsZero() || a.End.After(asOf) {
			continue
		}
		for _, s := range a.Services {
			if a.End.After(lastAudit[s]) {
				lastAudit[s] = a.End
			}
		}
	}
	for _, s := range m.Services {
		if !s.InScope {
			continue
		}
		due := asOf
		if d, ok := lastAudit[s.ID]; ok {
			due = d.AddDays(365)
		}
		add(Task{Kind: TaskAuditDue, Subject: "cloud_services/" + s.ID, Title: s.Name, Due: due})
	}
}

func reviewTasks(m *ISMS, asOf Date, add func(Task)) {
	var last Date
	for _, r := range m.Reviews {
		if !r.Date.After(asOf) && r.Date.After(last) {
			last = r.Date
		}
		// Outputs record no completion, so only those still ahead are
		// tasks (as in DueWithin).
		for _, o := range r.Outputs {
			if !o.Due.IsZero() && !o.Due.Before(asOf) {
				add(Task{Kind: TaskReviewOutput, Subject: "reviews/" + r.ID, Title: o.Decision, Person: o.Owner, Due: o.Due})
			}
		}
	}
	due := asOf
	if !last.IsZero() {
		due = last.AddDays(365)
	}
	add(Task{Kind: TaskReview, Subject: "reviews", Due: due})
}

func serviceName(m *ISMS, id string) string {
	for _, s := range m.Services {
		if s.ID == id {
			return s.Name
		}
	}
	return id
}
