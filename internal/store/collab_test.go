package store_test

import (
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/store/storetest"
)

// TestCollab runs the contract of comments, notes, approval requests,
// calendar feeds and digest claims on every backend.
func TestCollab(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			for _, c := range collabContract {
				t.Run(c.name, func(t *testing.T) {
					s, _ := b.Open(t)
					c.run(t, s)
				})
			}
		})
	}
}

// collabOrg imports the sample as org "a" (and "b") with three members.
func collabOrg(t *testing.T, s *store.Store) (yamada, sato, viewer store.User) {
	t.Helper()
	m, _ := sample(t, "sample-saas.yaml")
	for _, org := range []string{"a", "b"} {
		if _, err := s.Import(ctx, org, m, "setup"); err != nil {
			t.Fatal(err)
		}
	}
	mk := func(email, name, person string) store.User {
		u, err := s.CreateUser(ctx, email, name, "ja", "correct horse battery")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.AddMember(ctx, "a", u.ID, "isms-manager", person); err != nil {
			t.Fatal(err)
		}
		return u
	}
	return mk("yamada@example.com", "山田 太郎", "p-isms"), mk("sato@example.com", "佐藤 花子", "p-ceo"), mk("v@example.com", "", "")
}

var collabContract = []struct {
	name string
	run  func(t *testing.T, s *store.Store)
}{
	{"a change note is kept with its history record and the chain verifies", func(t *testing.T, s *store.Store) {
		collabOrg(t, s)
		it, _ := s.Get(ctx, "a", "risks", "r-01")
		data := strings.Replace(string(it.Data), "クラウド特有", "クラウド固有", 1)
		item, refs, err := bundle.DecodeItem("risks", "r-01", []byte(data), "iso27001:2022")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Put(store.WithNote(ctx, "監査の指摘を受けて表現を統一"), "a", item, refs, it.Version, "yamada@example.com"); err != nil {
			t.Fatal(err)
		}
		h, err := s.History(ctx, "a", store.HistoryFilter{Kind: "risks", Key: "r-01"})
		if err != nil {
			t.Fatal(err)
		}
		if last := h[len(h)-1]; last.Note != "監査の指摘を受けて表現を統一" || h[0].Note != "" {
			t.Errorf("notes: first %q, last %q", h[0].Note, last.Note)
		}
		if broken, _, err := s.VerifyHistory(ctx); err != nil || broken != nil {
			t.Fatalf("verify: %v %v", broken, err)
		}
		if err := store.CheckNote(strings.Repeat("あ", store.MaxNote+1)); err == nil {
			t.Error("an over-long note passes")
		}
	}},
	{"comments with mentions notify the members named, bounded", func(t *testing.T, s *store.Store) {
		yamada, sato, _ := collabOrg(t, s)
		c, err := s.AddComment(ctx, "a", "risks", "r-02", yamada, "@佐藤花子 さん、確認をお願いします。@yamada 自分は通知しない。@nobody")
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Mentions) != 1 || c.Mentions[0] != sato.ID {
			t.Errorf("mentions %v, want only sato", c.Mentions)
		}
		ns, err := s.Notifications(ctx, "a", sato.ID, 10)
		if err != nil || len(ns) != 1 || ns[0].Kind != store.NotifyMention || ns[0].Subject != "risks/r-02" || ns[0].Actor != "山田 太郎" {
			t.Fatalf("sato's notifications: %+v %v", ns, err)
		}
		if ns, _ := s.Notifications(ctx, "a", yamada.ID, 10); len(ns) != 0 {
			t.Errorf("the author was notified: %+v", ns)
		}
		// By address too.
		if c, _ := s.AddComment(ctx, "a", "risks", "r-02", sato, "了解です @yamada@example.com"); len(c.Mentions) != 1 || c.Mentions[0] != yamada.ID {
			t.Errorf("mention by address: %v", c.Mentions)
		}
		list, err := s.Comments(ctx, "a", "risks", "r-02")
		if err != nil || len(list) != 2 || list[0].AuthorName != "山田 太郎" {
			t.Fatalf("thread: %+v %v", list, err)
		}
		// Another organization's item, or no item, has no thread.
		if _, err := s.AddComment(ctx, "a", "risks", "r-nope", yamada, "x"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("comment on a missing item: %v", err)
		}
		if _, err := s.Comment(ctx, "b", c.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("another organization's comment: %v", err)
		}
		var lim *store.LimitError
		if _, err := s.AddComment(ctx, "a", "risks", "r-02", yamada, strings.Repeat("長", store.MaxComment+1)); !errors.As(err, &lim) {
			t.Errorf("over-long comment: %v", err)
		}
		if _, err := s.AddComment(ctx, "a", "risks", "r-02", yamada, "  \n "); !errors.As(err, &lim) {
			t.Errorf("empty comment: %v", err)
		}
		if err := s.DeleteComment(ctx, "a", c.ID, yamada); err != nil {
			t.Fatal(err)
		}
		got, _ := s.Comment(ctx, "a", c.ID)
		if !got.Deleted() || got.Body != "" || got.DeletedBy != "山田 太郎" {
			t.Errorf("deleted comment: %+v", got)
		}
		if ns, _ := s.Notifications(ctx, "a", sato.ID, 10); len(ns) != 0 {
			t.Errorf("a deleted comment's mention stays: %+v", ns)
		}
	}},
	{"posting is rate limited per user", func(t *testing.T, s *store.Store) {
		yamada, _, _ := collabOrg(t, s)
		var lim *store.LimitError
		for i := 0; i <= store.MaxCommentsPerUser; i++ {
			_, err := s.AddComment(ctx, "a", "risks", "r-03", yamada, "コメント")
			if i < store.MaxCommentsPerUser && err != nil {
				t.Fatalf("comment %d: %v", i, err)
			}
			if i == store.MaxCommentsPerUser && (!errors.As(err, &lim) || lim.What != "rate") {
				t.Fatalf("comment over the rate: %v", err)
			}
		}
	}},
	{"an approval request notifies the approver's members and resolves on approval", func(t *testing.T, s *store.Store) {
		yamada, sato, _ := collabOrg(t, s)
		if _, err := s.RequestApproval(ctx, "a", bundle.KindSoA, "organization", "p-ceo", yamada, "改訂しました", "2026-11-15"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.RequestApproval(ctx, "a", bundle.KindSoA, "organization", "p-nobody", yamada, "", ""); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("request of a person no member is: %v", err)
		}
		open, err := s.OpenApprovalRequests(ctx, "a")
		if err != nil || len(open) != 1 || open[0].Person != "p-ceo" || open[0].RequesterName != "山田 太郎" || open[0].Due != "2026-11-15" {
			t.Fatalf("open: %+v %v", open, err)
		}
		if ns, _ := s.Notifications(ctx, "a", sato.ID, 10); len(ns) != 1 || ns[0].Kind != store.NotifyApprovalRequest {
			t.Errorf("sato's notifications: %+v", ns)
		}
		if open, _ := s.OpenApprovalRequests(ctx, "b"); len(open) != 0 {
			t.Errorf("another organization sees the request: %+v", open)
		}
		// Approving resolves it.
		time.Sleep(2 * time.Millisecond)
		it, _ := s.Get(ctx, "a", bundle.KindSoA, "organization")
		item, refs, err := bundle.DecodeItem(bundle.KindSoA, "organization", it.Data, "iso27001:2022")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Approve(ctx, "a", item, refs, it.Version, "p-ceo", "sato@example.com"); err != nil {
			t.Fatal(err)
		}
		if open, _ := s.OpenApprovalRequests(ctx, "a"); len(open) != 0 {
			t.Errorf("approved, still open: %+v", open)
		}
	}},
	{"the tasks are the ISMS's own and the open requests, each once", func(t *testing.T, s *store.Store) {
		yamada, _, _ := collabOrg(t, s)
		asOf := isms.MustDate("2026-11-01")
		for _, r := range []struct{ kind, key, due string }{{bundle.KindSoA, "organization", "2026-11-15"}, {"risks", "r-01", ""}, {"risks", "r-02", "2026-11-15"}} {
			if _, err := s.RequestApproval(ctx, "a", r.kind, r.key, "p-ceo", yamada, "", r.due); err != nil {
				t.Fatal(err)
			}
		}
		got, m, err := s.Tasks(ctx, "a", asOf)
		if err != nil {
			t.Fatal(err)
		}
		open, err := s.OpenApprovalRequests(ctx, "a")
		if err != nil {
			t.Fatal(err)
		}
		var reqs []isms.ApprovalRequest
		for _, r := range open {
			due, _ := isms.ParseDate(r.Due)
			reqs = append(reqs, isms.ApprovalRequest{Subject: r.Kind + "/" + r.Key, Title: r.Title, Person: r.Person, RequestedBy: r.RequesterName, Due: due, Note: r.Note})
		}
		if want := isms.AllTasks(m, asOf, reqs); !reflect.DeepEqual(got, want) {
			t.Errorf("tasks with %d requests:\n%+v\nwant\n%+v", len(reqs), got, want)
		}
		// An agenda, counted from the kept list's tallies and the requests,
		// is that of the list: p-ceo is asked for all three approvals.
		for _, who := range []isms.Assignee{{Person: "p-ceo"}, {Person: "p-ceo", Office: true}, {Office: true}, {Person: "p-isms"}} {
			tally, first, err := s.Agenda(ctx, "a", asOf, who, 5)
			if err != nil {
				t.Fatal(err)
			}
			var want isms.TaskTally
			var wantFirst []isms.Task
			for _, task := range isms.TasksOf(got, who) {
				switch {
				case task.Overdue:
					want.Overdue++
				case task.Due.IsZero():
					want.Waiting++
				case !task.Due.After(asOf.AddDays(isms.SoonDays)):
					want.Soon++
				default:
					continue
				}
				if len(wantFirst) < 5 {
					wantFirst = append(wantFirst, task)
				}
			}
			if tally != want || !reflect.DeepEqual(first, wantFirst) {
				t.Errorf("agenda of %+v: %+v %+v, want %+v %+v", who, tally, first, want, wantFirst)
			}
			if who.Person == "p-ceo" && !who.Office && tally.Total() < 3 {
				t.Errorf("p-ceo's agenda counts %d tasks, want the three requests at least", tally.Total())
			}
		}
	}},
	{"a calendar feed opens by its secret until regenerated or revoked", func(t *testing.T, s *store.Store) {
		yamada, _, _ := collabOrg(t, s)
		sec, err := s.NewCalendarFeed(ctx, "a", yamada.ID)
		if err != nil {
			t.Fatal(err)
		}
		if m, u, err := s.CalendarFeedBySecret(ctx, sec); err != nil || m.Org != "a" || u.ID != yamada.ID {
			t.Fatalf("by secret: %+v %+v %v", m, u, err)
		}
		if _, err := s.NewCalendarFeed(ctx, "b", yamada.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("feed of an organization the user is not in: %v", err)
		}
		sec2, _ := s.NewCalendarFeed(ctx, "a", yamada.ID)
		if _, _, err := s.CalendarFeedBySecret(ctx, sec); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("the old secret still opens: %v", err)
		}
		if err := s.RevokeCalendarFeed(ctx, "a", yamada.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.CalendarFeedBySecret(ctx, sec2); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a revoked secret opens: %v", err)
		}
		if _, _, err := s.CalendarFeedBySecret(ctx, "cal_forged"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("forged: %v", err)
		}
	}},
	{"a day's digest is claimed once across concurrent instances", func(t *testing.T, s *store.Store) {
		yamada, _, _ := collabOrg(t, s)
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins := 0
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				ok, err := s.ClaimDigest(ctx, yamada.ID, "2026-11-01", "w"+string(rune('0'+i)))
				if err != nil {
					t.Error(err)
				}
				if ok {
					mu.Lock()
					wins++
					mu.Unlock()
				}
			}(i)
		}
		wg.Wait()
		if wins != 1 {
			t.Fatalf("%d instances claimed the digest", wins)
		}
		runs, _ := s.DigestRuns(ctx, "2026-11-01")
		if len(runs) != 1 {
			t.Fatalf("runs: %+v", runs)
		}
		if err := s.FinishDigest(ctx, yamada.ID, "2026-11-01", runs[0].ClaimedBy, 3, nil); err != nil {
			t.Fatal(err)
		}
		if ok, _ := s.ClaimDigest(ctx, yamada.ID, "2026-11-01", "late"); ok {
			t.Error("a sent digest claimed again")
		}
		r, _ := s.Reminders(ctx, yamada.ID)
		if r != store.DefaultReminders {
			t.Errorf("defaults: %+v", r)
		}
		if err := s.SetReminders(ctx, yamada.ID, store.ReminderSettings{Digest: false, Days: 14}); err != nil {
			t.Fatal(err)
		}
		if r, _ := s.Reminders(ctx, yamada.ID); r.Digest || r.Days != 14 {
			t.Errorf("stored: %+v", r)
		}
		if err := s.SetReminders(ctx, yamada.ID, store.ReminderSettings{Days: 1000}); err == nil {
			t.Error("1000 days accepted")
		}
	}},
}
