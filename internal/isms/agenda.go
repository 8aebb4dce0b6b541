package isms

// SoonDays is how far ahead of the day a dated task counts as due soon on
// a person's agenda (the dashboard's first block).
const SoonDays = 30

// TaskTally counts an assignee's open tasks as the agenda shows them:
// overdue, waiting on them (undated: an approval), and due within
// SoonDays. Tasks due later are not counted.
type TaskTally struct{ Overdue, Waiting, Soon int }

// Total is how many tasks the tally counts.
func (t TaskTally) Total() int { return t.Overdue + t.Waiting + t.Soon }

func (t TaskTally) plus(u TaskTally) TaskTally {
	return TaskTally{t.Overdue + u.Overdue, t.Waiting + u.Waiting, t.Soon + u.Soon}
}

// onAgenda reports whether an agenda counts a task: overdue, undated or
// due by horizon.
func onAgenda(task *Task, horizon Date) bool {
	return task.Overdue || task.Due.IsZero() || !task.Due.After(horizon)
}

// count adds n (1 or -1) of a task to the tally; false for a task the
// tally does not count (onAgenda).
func (t *TaskTally) count(task *Task, horizon Date, n int) bool {
	switch {
	case !onAgenda(task, horizon):
		return false
	case task.Overdue:
		t.Overdue += n
	case task.Due.IsZero():
		t.Waiting += n
	default:
		t.Soon += n
	}
	return true
}

// tallies are the tallies of a task list by the person each task falls to
// ("" for the ISMS office's unowned tasks). A list carried over an edit
// carries them too (Tasked.Update), so that an agenda is counted from
// them, not from the 100,000 tasks of a 50,000-risk register.
type tallies map[string]TaskTally

func talliesOf(ts []*Task, horizon Date) tallies {
	out := tallies{}
	for _, t := range ts {
		out.add(t, horizon, 1)
	}
	return out
}

func (ts tallies) add(t *Task, horizon Date, n int) {
	c := ts[t.Person]
	if c.count(t, horizon, n) {
		if c == (TaskTally{}) {
			delete(ts, t.Person)
		} else {
			ts[t.Person] = c
		}
	}
}

func (ts tallies) of(who Assignee) TaskTally {
	var out TaskTally
	if who.Person != "" {
		out = ts[who.Person]
	}
	if who.Office {
		out = out.plus(ts[""])
	}
	return out
}

// Agenda is an assignee's tally of the list's tasks and of extra (other
// tasks, sorted as AllTasks sorts: the approval requests, which are read
// on every view), with the first n of the tasks it counts in the list's
// order. It is what TasksOf(WithRequests(...)) would give counted, without
// going through the list past those first n.
func (x *Tasked) Agenda(extra []*Task, who Assignee, n int) (TaskTally, []Task) {
	horizon := x.asOf.AddDays(SoonDays)
	tally := x.tallies.of(who)
	for _, t := range extra {
		if who.Receives(t) {
			tally.count(t, horizon, 1)
		}
	}
	want := min(n, tally.Total())
	var first []Task
	own := x.tasks
	for len(first) < want && (len(own) > 0 || len(extra) > 0) {
		var t *Task
		if len(extra) == 0 || len(own) > 0 && !taskLess(extra[0], own[0]) {
			t, own = own[0], own[1:]
		} else {
			t, extra = extra[0], extra[1:]
		}
		if !who.Receives(t) {
			continue
		}
		if !onAgenda(t, horizon) {
			break // dated after the horizon: so is every task after it
		}
		first = append(first, *t)
	}
	return tally, first
}

// patched is the tallies of ts with the cut ranges taken out and added put
// in; ts is not modified, nor are the tallies (they are shared).
func (ts tallies) patched(list []*Task, cut []listRange, added []Task, horizon Date) tallies {
	out := make(tallies, len(ts)+1)
	for k, v := range ts {
		out[k] = v
	}
	for _, c := range cut {
		for _, t := range list[c.lo:c.hi] {
			out.add(t, horizon, -1)
		}
	}
	for i := range added {
		out.add(&added[i], horizon, 1)
	}
	return out
}
