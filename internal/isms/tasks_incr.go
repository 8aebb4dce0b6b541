package isms

import "sort"

// Tasked is a task list (AllTasks without approval requests) that can be
// carried over changes: after an edit of one risk, that risk's tasks are
// listed again and put in place instead of listing and sorting the tasks
// of every risk. The sources that read other registers (audits, backups,
// services, reviews: a few items each) are listed again when what they
// read changed. It is never modified once made, so it may be shared;
// Update makes a new one.
type Tasked struct {
	m     *ISMS
	asOf  Date
	tasks []*Task
	pos   RiskPositions // m's risks by id, nil until needed
	// tallies count the tasks by person for agendas (Agenda).
	tallies tallies
	// unique is whether m's risk ids are unique. Carrying over relies on
	// it: then only the tasks of one risk share a subject and kind, so a
	// risk's tasks are found by their sort keys and never tie with
	// another risk's, and the register's order does not matter.
	unique bool
}

// NewTasked lists the tasks of m as of a date.
func NewTasked(m *ISMS, asOf Date) *Tasked {
	ts := AllTasks(m, asOf, nil)
	return &Tasked{m: m, asOf: asOf, tasks: ts, unique: uniqueRiskIDs(m.Risks), tallies: talliesOf(ts, asOf.AddDays(SoonDays))}
}

// Tasks is the task list, as AllTasks(m, asOf, nil) makes it. It is
// shared: callers must not modify it.
func (x *Tasked) Tasks() []*Task { return x.tasks }

// Update returns the task list of m, which is the list's ISMS with the
// given changes made (Diff says what changed), as of the same date. It
// equals AllTasks(m, asOf, nil) when the changes are complete.
func (x *Tasked) Update(m *ISMS, changes []ItemChange) *Tasked {
	if m == x.m && len(changes) == 0 {
		return x
	}
	cs, ok := Diff(x.m, m, changes)
	if !ok || !x.unique || cs.Kinds["risks"] && !cs.RisksByKey() {
		return NewTasked(m, x.asOf)
	}
	next := &Tasked{m: m, asOf: x.asOf, tasks: x.tasks, pos: x.pos, unique: true, tallies: x.tallies}
	var (
		cut   []listRange // the tasks of x.tasks listed again
		added []Task      // and as listed now
	)
	add := collect(x.asOf, &added)
	// A whole source is listed again when something it reads changed; its
	// old tasks are those of the kinds it makes.
	var relisted map[string]bool
	for _, src := range taskSources {
		if src.perRisk != nil || !cs.Any(src.reads...) {
			continue
		}
		src.list(m, x.asOf, add)
		if relisted == nil {
			relisted = map[string]bool{}
		}
		for _, k := range src.makes {
			relisted[k] = true
		}
	}
	if relisted != nil {
		cut = kindRanges(x.tasks, relisted)
	}
	if cs.RisksByKey() {
		var l LocatedRisks
		l, next.pos = cs.Locate(x.m, m, x.pos)
		// The register grows by the risks created and shrinks by those
		// deleted unless a changed risk's id is now held twice (the
		// unchanged risks kept their distinct ids).
		grown := 0
		for i := range cs.RiskKeys {
			if l.New[i] != nil {
				grown++
			}
			if l.Old[i] != nil {
				grown--
			}
		}
		if grown != len(m.Risks)-len(x.m.Risks) {
			return NewTasked(m, x.asOf)
		}
		var old []Task
		was := collect(x.asOf, &old)
		for i := range cs.RiskKeys {
			for _, src := range taskSources {
				if src.perRisk == nil {
					continue
				}
				if r := l.Old[i]; r != nil {
					src.perRisk(r, x.asOf, was)
				}
				if r := l.New[i]; r != nil {
					src.perRisk(r, x.asOf, add)
				}
			}
		}
		rs, ok := findTasks(x.tasks, old)
		if !ok {
			// x.tasks is not what the old risks list: never expected,
			// but a wrong list is worse than a full one.
			return NewTasked(m, x.asOf)
		}
		cut = append(cut, rs...)
	}
	if len(cut) == 0 && len(added) == 0 {
		return next
	}
	SortTasks(added)
	sort.Slice(cut, func(i, j int) bool { return cut[i].lo < cut[j].lo })
	if sameTasks(x.tasks, cut, added) {
		// An edit that leaves the tasks as they were (a risk's level,
		// controls, notes) shares the list.
		return next
	}
	next.tasks = patchTasks(x.tasks, cut, pointers(added))
	next.tallies = x.tallies.patched(x.tasks, cut, added, x.asOf.AddDays(SoonDays))
	return next
}

// uniqueRiskIDs reports whether no two risks have the same id.
func uniqueRiskIDs(risks []*Risk) bool {
	seen := make(map[string]struct{}, len(risks))
	for i := range risks {
		if _, dup := seen[risks[i].ID]; dup {
			return false
		}
		seen[risks[i].ID] = struct{}{}
	}
	return true
}

// listRange is the elements list[lo:hi] of a list.
type listRange struct{ lo, hi int }

// taskLess is SortTasks's order: undated first, then by due date, subject
// and kind. Tasks equal in all four keep the order they were listed in.
func taskLess(a, b *Task) bool {
	if a.Due.IsZero() != b.Due.IsZero() {
		return a.Due.IsZero()
	}
	if a.Due != b.Due {
		return a.Due.Before(b.Due)
	}
	if a.Subject != b.Subject {
		return a.Subject < b.Subject
	}
	return a.Kind < b.Kind
}

// kindRanges are the runs of tasks of the given kinds in ts.
func kindRanges(ts []*Task, kinds map[string]bool) []listRange {
	var out []listRange
	for i := 0; i < len(ts); {
		if !kinds[ts[i].Kind] {
			i++
			continue
		}
		j := i + 1
		for j < len(ts) && kinds[ts[j].Kind] {
			j++
		}
		out = append(out, listRange{i, j})
		i = j
	}
	return out
}

// findTasks finds tasks (the tasks of some risks) in ts, a sorted list, by
// their sort keys: ts lists one risk's tasks of a kind and date in plan
// order, so each group of them equal in the keys is a run of ts.
func findTasks(ts []*Task, find []Task) ([]listRange, bool) {
	SortTasks(find)
	return findRuns(ts, pointers(find), taskLess)
}

// findRuns finds the elements of find in list, both sorted by less: each
// group of find equal under less must be exactly the run of list equal to
// it, element for element. It returns the runs in order, false when one is
// not there.
func findRuns[T comparable](list, find []*T, less func(a, b *T) bool) ([]listRange, bool) {
	var out []listRange
	for i := 0; i < len(find); {
		j := i + 1
		for j < len(find) && !less(find[i], find[j]) {
			j++
		}
		lo := sort.Search(len(list), func(k int) bool { return !less(list[k], find[i]) })
		hi := lo + (j - i)
		if hi > len(list) || hi < len(list) && !less(find[i], list[hi]) {
			return nil, false
		}
		for k := range j - i {
			if *list[lo+k] != *find[i+k] {
				return nil, false
			}
		}
		out = append(out, listRange{lo, hi})
		i = j
	}
	return out, true
}

// sameTasks reports whether the tasks cut from ts (sorted ranges) are the
// tasks added (sorted), one for one.
func sameTasks(ts []*Task, cut []listRange, added []Task) bool {
	n := 0
	for _, c := range cut {
		for _, t := range ts[c.lo:c.hi] {
			if n == len(added) || *t != added[n] {
				return false
			}
			n++
		}
	}
	return n == len(added)
}

// patchTasks is ts without the cut ranges (sorted, disjoint), with added
// (sorted) merged in. No added task ties with one kept: a source's tasks
// listed again are all cut, and those of different sources or risks differ
// in subject or kind.
func patchTasks(ts []*Task, cut []listRange, added []*Task) []*Task {
	return patchSorted(ts, cut, added, taskLess)
}

// patchSorted is list, sorted by less, without the cut ranges (sorted,
// disjoint), with added (sorted) merged in: each added element goes before
// the first kept one it sorts before. The kept elements are copied run by
// run, so the cost is that of copying the list, not of sorting it. It is
// nil when nothing is left.
func patchSorted[T any](list []T, cut []listRange, added []T, less func(a, b T) bool) []T {
	n := len(list) + len(added)
	for _, c := range cut {
		n -= c.hi - c.lo
	}
	if n == 0 {
		return nil
	}
	out := make([]T, 0, n)
	keep := func(i, hi int) {
		for i < hi {
			if len(added) == 0 {
				out = append(out, list[i:hi]...)
				return
			}
			j := i + sort.Search(hi-i, func(k int) bool { return less(added[0], list[i+k]) })
			out = append(out, list[i:j]...)
			if i = j; i < hi {
				out = append(out, added[0])
				added = added[1:]
			}
		}
	}
	i := 0
	for _, c := range cut {
		keep(i, c.lo)
		i = c.hi
	}
	keep(i, len(list))
	return append(out, added...)
}
