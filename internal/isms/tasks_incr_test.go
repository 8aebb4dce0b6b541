package isms_test

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/cloudisms/cloudisms/internal/generate"
	"github.com/cloudisms/cloudisms/internal/isms"
)

// TestTaskedUpdateEqualsAllTasks makes random batches of changes to
// generated ISMSs and to the sample, lists in hand: risks created, deleted
// and edited in what their tasks read (owner, approval, title, plan actions
// added, dropped, done, moved to another date or owner, the dates made to
// tie) and in what they do not read, a risk id held twice, audits,
// backups, services and reviews edited or replaced, and kinds no source
// reads. After each batch the carried-over list must equal AllTasks, in
// the same order.
func TestTaskedUpdateEqualsAllTasks(t *testing.T) {
	asOf := isms.MustDate("2026-11-01")
	bases := generatedBases(t, asOf)
	sample := load(t, "../../examples/sample-saas.yaml")
	n := 600
	if testing.Short() {
		n = 100
	}
	for name, start := range map[string]*isms.ISMS{"generated": bases[0], "sample": sample} {
		t.Run(name, func(t *testing.T) {
			seed := uint64(rand.Uint32())
			t.Logf("seed %d", seed)
			e := &taskEditor{rnd: rand.New(rand.NewPCG(seed, 7)), asOf: asOf, donors: append(slices.Clone(bases), sample)}
			m := start
			x := isms.NewTasked(m, asOf)
			counts := map[string]int{}
			for step := range n {
				next := *m
				var changes []isms.ItemChange
				var what []string
				for range 1 + e.rnd.IntN(3) {
					w, ch := e.edit(&next, step)
					what = append(what, w)
					counts[w]++
					changes = append(changes, ch...)
				}
				x = x.Update(&next, changes)
				m = &next
				if want := isms.AllTasks(m, asOf, nil); !reflect.DeepEqual(x.Tasks(), want) {
					t.Fatalf("seed %d step %d (%v, changes %v): the carried-over tasks (%d) differ from AllTasks (%d)\n%s",
						seed, step, what, changes, len(x.Tasks()), len(want), firstDiff(x.Tasks(), want))
				}
				checkAgendas(t, e.rnd, x, m, asOf, fmt.Sprintf("seed %d step %d (%v)", seed, step, what))
			}
			t.Logf("edits: %v", counts)
		})
	}
}

// firstDiff says where two task lists part.
func firstDiff(got, want []*isms.Task) string {
	for i := range min(len(got), len(want)) {
		if *got[i] != *want[i] {
			return fmt.Sprintf("at %d: got %+v\nwant %+v", i, *got[i], *want[i])
		}
	}
	return fmt.Sprintf("one is the other's start (%d, %d)", len(got), len(want))
}

// taskEditor makes random changes to a model in hand, each time copying
// the lists it changes (the models before share them).
type taskEditor struct {
	rnd    *rand.Rand
	asOf   isms.Date
	donors []*isms.ISMS
	twice  string // the id of a risk added under another's id, to delete next
}

func (e *taskEditor) day() isms.Date { return e.asOf.AddDays(e.rnd.IntN(800) - 400) }

func (e *taskEditor) person(m *isms.ISMS) string {
	if len(m.People) == 0 || e.rnd.IntN(8) == 0 {
		return ""
	}
	return m.People[e.rnd.IntN(len(m.People))].ID
}

// edit makes one change to m and says what it was and which items it
// named (none: the change is left for Diff to see).
func (e *taskEditor) edit(m *isms.ISMS, step int) (string, []isms.ItemChange) {
	if e.twice != "" {
		// The list is listed afresh while an id is held twice; the
		// second risk goes again so that the edits after are carried.
		id := e.twice
		e.twice = ""
		for i := len(m.Risks) - 1; i >= 0; i-- {
			if m.Risks[i].ID == id {
				m.Risks = slices.Delete(slices.Clone(m.Risks), i, i+1)
				break
			}
		}
		return "risk id twice undone", []isms.ItemChange{{Kind: "risks", Key: id}}
	}
	if e.rnd.IntN(4) > 0 && len(m.Risks) > 1 {
		return e.editRisk(m, step)
	}
	donor := e.donors[e.rnd.IntN(len(e.donors))]
	switch kind := []string{"audits", "backups", "cloud_services", "reviews", "other", "whole"}[e.rnd.IntN(6)]; kind {
	case "audits":
		if len(m.Audits) == 0 {
			m.Audits = donor.Audits
			return "audits replaced", []isms.ItemChange{{Kind: "audits", Key: "x"}}
		}
		as := slices.Clone(m.Audits)
		i := e.rnd.IntN(len(as))
		a := &as[i]
		switch e.rnd.IntN(4) {
		case 0:
			a.End = e.day()
		case 1:
			a.Auditors = append(slices.Clone(a.Auditors), e.person(m))
		case 2:
			fs := slices.Clone(a.Findings)
			for j := range fs {
				if ca := fs[j].CorrectiveAction; ca != nil {
					c := *ca
					if c.DoneOn.IsZero() {
						c.DoneOn = e.day()
					} else {
						c.DoneOn = isms.Date{}
					}
					fs[j].CorrectiveAction = &c
					break
				}
			}
			a.Findings = fs
		default:
			as = slices.Delete(as, i, i+1)
		}
		m.Audits = as
		return "audit", []isms.ItemChange{{Kind: "audits", Key: "x"}}
	case "backups":
		if len(m.Backups) == 0 {
			m.Backups = donor.Backups
			return "backups replaced", []isms.ItemChange{{Kind: "backups", Key: "x"}}
		}
		bs := slices.Clone(m.Backups)
		b := &bs[e.rnd.IntN(len(bs))]
		b.Tests = append(slices.Clone(b.Tests), isms.RestoreTest{Date: e.day(), Result: "pass"})
		if e.rnd.IntN(3) == 0 {
			// Two backups of one service tie in date, subject and kind.
			bs = append(bs, *b)
		}
		m.Backups = bs
		return "backup", []isms.ItemChange{{Kind: "backups", Key: b.Service}}
	case "cloud_services":
		if len(m.Services) == 0 {
			return "nothing", nil
		}
		ss := slices.Clone(m.Services)
		s := &ss[e.rnd.IntN(len(ss))]
		s.InScope = !s.InScope
		s.Name += "*"
		m.Services = ss
		return "service", []isms.ItemChange{{Kind: "cloud_services", Key: s.ID}}
	case "reviews":
		rs := slices.Clone(m.Reviews)
		if len(rs) == 0 || e.rnd.IntN(4) == 0 {
			rs = append(rs, isms.Review{ID: fmt.Sprintf("mr-%d", step), Date: e.day()})
		}
		r := &rs[e.rnd.IntN(len(rs))]
		r.Date = e.day()
		r.Outputs = append(slices.Clone(r.Outputs), isms.ReviewOutput{Decision: "決定", Owner: e.person(m), Due: e.day()})
		m.Reviews = rs
		return "review", []isms.ItemChange{{Kind: "reviews", Key: r.ID}}
	case "other":
		// Kinds no source reads.
		m.Assets = donor.Assets
		m.People = donor.People
		return "assets and people", []isms.ItemChange{{Kind: "assets", Key: "x"}, {Kind: "people", Key: "y"}}
	default:
		kinds := isms.ItemKinds()
		kind := kinds[e.rnd.IntN(len(kinds))]
		f := isms.KindField(kind)
		edition, before := m.Organization.AnnexA, m.Risks
		reflect.ValueOf(m).Elem().FieldByName(f).Set(reflect.ValueOf(donor).Elem().FieldByName(f))
		m.Organization.AnnexA = edition
		if kind == "risks" {
			// Every risk of either register named, as a batch of edits of
			// each would (the changes must be complete: a risk named in
			// another edit would hide the rest).
			var changes []isms.ItemChange
			for _, rs := range [][]*isms.Risk{before, m.Risks} {
				for _, r := range rs {
					changes = append(changes, isms.ItemChange{Kind: "risks", Key: r.ID})
				}
			}
			return "whole risks", changes
		}
		// Named or left for Diff to see.
		if e.rnd.IntN(2) == 0 {
			return "whole " + kind, []isms.ItemChange{{Kind: kind, Key: "x"}}
		}
		return "whole " + kind + " unnamed", nil
	}
}

// editRisk creates, deletes or edits a risk.
func (e *taskEditor) editRisk(m *isms.ISMS, step int) (string, []isms.ItemChange) {
	risks := slices.Clone(m.Risks)
	i := e.rnd.IntN(len(risks))
	donor := e.donors[e.rnd.IntN(len(e.donors))]
	var what string
	// r is a copy: the risks are shared with the model before the edit.
	r := *risks[i]
	switch e.rnd.IntN(16) {
	case 0:
		risks = slices.Delete(risks, i, i+1)
		m.Risks = risks
		return "risk delete", []isms.ItemChange{{Kind: "risks", Key: r.ID}}
	case 1:
		r = *donor.Risks[e.rnd.IntN(len(donor.Risks))]
		r.ID = fmt.Sprintf("new-%d", step)
		m.Risks = append(risks, &r)
		return "risk create", []isms.ItemChange{{Kind: "risks", Key: r.ID}}
	case 2:
		// A risk whose id another holds: tasks of two risks then tie.
		r = *donor.Risks[e.rnd.IntN(len(donor.Risks))]
		r.ID = risks[e.rnd.IntN(len(risks))].ID
		m.Risks = append(risks, &r)
		e.twice = r.ID
		return "risk id twice", []isms.ItemChange{{Kind: "risks", Key: r.ID}}
	case 3:
		r.Title += "*"
		what = "risk title"
	case 4:
		r.Owner = e.person(m)
		what = "risk owner"
	case 5:
		switch e.rnd.IntN(3) {
		case 0:
			r.Approval = nil
		case 1:
			r.Approval = &isms.RiskApproval{By: r.Owner, Date: e.day()}
		default:
			r.Approval = &isms.RiskApproval{By: e.person(m), Date: e.day()}
		}
		what = "risk approval"
	case 6, 7:
		// A plan action due with another (of this risk or of the one
		// before it), or on its own day.
		due := e.day()
		if other := risks[(i+len(risks)-1)%len(risks)]; e.rnd.IntN(2) == 0 && len(other.Plan) > 0 {
			due = other.Plan[0].Due
		}
		if e.rnd.IntN(2) == 0 && len(r.Plan) > 0 {
			due = r.Plan[e.rnd.IntN(len(r.Plan))].Due
		}
		r.Plan = slices.Insert(slices.Clone(r.Plan), e.rnd.IntN(len(r.Plan)+1), isms.PlanAction{Action: fmt.Sprintf("対策 %d", step), Owner: e.person(m), Due: due})
		what = "plan action added"
	case 8:
		if len(r.Plan) == 0 {
			return "nothing", nil
		}
		j := e.rnd.IntN(len(r.Plan))
		r.Plan = slices.Delete(slices.Clone(r.Plan), j, j+1)
		what = "plan action dropped"
	case 9, 10:
		if len(r.Plan) == 0 {
			return "nothing", nil
		}
		r.Plan = slices.Clone(r.Plan)
		p := &r.Plan[e.rnd.IntN(len(r.Plan))]
		switch e.rnd.IntN(3) {
		case 0:
			if p.DoneOn.IsZero() {
				p.DoneOn = e.day()
			} else {
				p.DoneOn = isms.Date{}
			}
		case 1:
			p.Owner = e.person(m)
		default:
			p.Due = e.day()
		}
		what = "plan action edited"
	case 11:
		// What no task reads: the list is kept as it is.
		r.Likelihood, r.Impact = r.Impact, r.Likelihood
		r.Controls = nil
		what = "risk untasked"
	default:
		id := r.ID
		r = *donor.Risks[e.rnd.IntN(len(donor.Risks))]
		r.ID = id
		what = "risk replaced"
	}
	risks[i] = &r
	m.Risks = risks
	return what, []isms.ItemChange{{Kind: "risks", Key: r.ID}}
}

// TestTaskedSharesUnchanged: an edit that changes no task keeps the list
// itself, and the list of the unchanged ISMS is the list.
func TestTaskedSharesUnchanged(t *testing.T) {
	asOf := isms.MustDate("2026-11-01")
	m := load(t, "../../examples/sample-saas.yaml")
	x := isms.NewTasked(m, asOf)
	if x.Update(m, nil) != x {
		t.Error("no change made a new list")
	}
	next := *m
	next.Risks = slices.Clone(m.Risks)
	r := *m.Risks[0] // a new Risk, as an edit makes: m's is shared
	r.Controls = nil
	next.Risks[0] = &r
	y := x.Update(&next, []isms.ItemChange{{Kind: "risks", Key: m.Risks[0].ID}})
	if &y.Tasks()[0] != &x.Tasks()[0] {
		t.Error("an edit of what no task reads copied the list")
	}
	next2 := next
	next2.Risks = slices.Clone(next.Risks)
	r2 := *next.Risks[0]
	r2.Title = "新しい題名"
	next2.Risks[0] = &r2
	z := y.Update(&next2, []isms.ItemChange{{Kind: "risks", Key: m.Risks[0].ID}})
	if want := isms.AllTasks(&next2, asOf, nil); !reflect.DeepEqual(z.Tasks(), want) {
		t.Errorf("after a title edit: %v, want %v", z.Tasks(), want)
	}
}

// TestTaskSourcesDeclareKinds: each source lists only the task kinds it
// declares, and no two sources declare one kind (Tasked cuts a source's
// old tasks by kind).
func TestTaskSourcesDeclareKinds(t *testing.T) {
	asOf := isms.MustDate("2026-11-01")
	gen, err := generate.ISMS(generate.Options{Services: 4, Assets: 30, Risks: 60, Seed: 3, AsOf: asOf})
	if err != nil {
		t.Fatal(err)
	}
	by := map[string]int{}
	for _, m := range []*isms.ISMS{gen, load(t, "../../examples/sample-saas.yaml")} {
		declared, made := isms.TaskSourceKinds(m, asOf)
		for i := range declared {
			for _, k := range declared[i] {
				if j, ok := by[k]; ok && j != i {
					t.Errorf("sources %d and %d both declare %s", j, i, k)
				}
				by[k] = i
			}
			for _, k := range made[i] {
				if !slices.Contains(declared[i], k) {
					t.Errorf("source %d lists %s tasks, which it does not declare", i, k)
				}
			}
		}
	}
}

// TestWithRequests: approval requests merged into a kept list make the
// list AllTasks makes with them, ties (a request on a subject and date of
// another, or of a task) in AllTasks's order.
func TestWithRequests(t *testing.T) {
	asOf := isms.MustDate("2026-11-01")
	for _, m := range []*isms.ISMS{taskModel(), load(t, "../../examples/sample-saas.yaml"), {}} {
		own := isms.AllTasks(m, asOf, nil)
		kept := slices.Clone(own)
		reqs := []isms.ApprovalRequest{
			{Subject: "soa/organization", Person: "p-a", RequestedBy: "山田", Due: asOf.AddDays(10)},
			{Subject: "risks/r-old", Person: "p-b", RequestedBy: "佐藤"},
			{Subject: "soa/organization", Person: "p-b", RequestedBy: "山田", Due: asOf.AddDays(10), Note: "二人目"},
			{Subject: "risks/r-new", Person: "p-a", Due: asOf.AddDays(-3)},
			{Subject: "reviews", Person: "p-a", Due: asOf},
		}
		if len(m.Risks) > 0 {
			reqs = append(reqs, isms.ApprovalRequest{Subject: "risks/" + m.Risks[0].ID, Person: m.Risks[0].Owner})
		}
		for n := range len(reqs) + 1 {
			if got, want := isms.WithRequests(own, asOf, reqs[:n]), isms.AllTasks(m, asOf, reqs[:n]); !reflect.DeepEqual(got, want) {
				t.Errorf("%d requests: %d tasks\n%s", n, len(got), firstDiff(got, want))
			}
		}
		if !reflect.DeepEqual(own, kept) {
			t.Error("the kept list was modified")
		}
	}
}

// checkAgendas compares the agendas of the carried-over list, counted
// from its tallies, with those counted from the whole list, for the
// office, every person with a task and a person without, with and without
// approval requests.
func checkAgendas(t *testing.T, rnd *rand.Rand, x *isms.Tasked, m *isms.ISMS, asOf isms.Date, at string) {
	t.Helper()
	var reqs []isms.ApprovalRequest
	for i := range rnd.IntN(4) {
		r := isms.ApprovalRequest{Subject: fmt.Sprintf("risks/req-%d", i), Title: "request", RequestedBy: "someone"}
		if len(m.People) > 0 {
			r.Person = m.People[rnd.IntN(len(m.People))].ID
		}
		if rnd.IntN(2) == 0 {
			r.Due = asOf.AddDays(rnd.IntN(90) - 30)
		}
		reqs = append(reqs, r)
	}
	all := isms.AllTasks(m, asOf, reqs)
	whos := []isms.Assignee{{Office: true}, {Person: "p-nobody"}, {Person: "p-nobody", Office: true}}
	seen := map[string]bool{}
	for _, task := range all {
		if task.Person != "" && !seen[task.Person] {
			seen[task.Person] = true
			whos = append(whos, isms.Assignee{Person: task.Person}, isms.Assignee{Person: task.Person, Office: true})
		}
	}
	extra := isms.WithRequests(nil, asOf, reqs)
	for _, who := range whos {
		for _, n := range []int{0, 1, 5} {
			gotT, gotFirst := x.Agenda(extra, who, n)
			wantT, wantFirst := agendaByList(all, asOf, who, n)
			if gotT != wantT || !reflect.DeepEqual(gotFirst, wantFirst) {
				t.Fatalf("%s: the agenda of %+v (first %d) with %d requests: %+v %v, want %+v %v", at, who, n, len(reqs), gotT, gotFirst, wantT, wantFirst)
			}
		}
	}
}

// agendaByList is an agenda counted from the whole task list.
func agendaByList(all []*isms.Task, asOf isms.Date, who isms.Assignee, n int) (isms.TaskTally, []isms.Task) {
	horizon := asOf.AddDays(isms.SoonDays)
	var tally isms.TaskTally
	var first []isms.Task
	for _, task := range isms.TasksOf(all, who) {
		switch {
		case task.Overdue:
			tally.Overdue++
		case task.Due.IsZero():
			tally.Waiting++
		case !task.Due.After(horizon):
			tally.Soon++
		default:
			continue
		}
		if len(first) < n {
			first = append(first, task)
		}
	}
	return tally, first
}
