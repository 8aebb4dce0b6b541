package store_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/store/storetest"
)

// TestBatchAndAccountChanges runs the contract of PutItems, RemoveMember
// and ChangePassword on every backend.
func TestBatchAndAccountChanges(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			for _, c := range batchContract {
				t.Run(c.name, func(t *testing.T) {
					s, _ := b.Open(t)
					c.run(t, s)
				})
			}
		})
	}
}

func decodeItem(t *testing.T, kind, data string) (bundle.Item, []bundle.Ref) {
	t.Helper()
	it, refs, err := bundle.DecodeItem(kind, "", []byte(data), "iso27001:2022")
	if err != nil {
		t.Fatal(err)
	}
	return it, refs
}

var batchContract = []struct {
	name string
	run  func(t *testing.T, s *store.Store)
}{
	{"PutItems stores a risk and the verification that names it together", func(t *testing.T, s *store.Store) {
		m, _ := sample(t, "sample-saas.yaml")
		if _, err := s.Import(ctx, "o", m, "setup"); err != nil {
			t.Fatal(err)
		}
		ver, _ := s.Get(ctx, "o", "verifications", "ver-04")
		risk, rrefs := decodeItem(t, "risks", `{"id":"r-new","title":"ログ保存期間の不足","owner":"p-ops","treatment":"modify"}`)
		v, vrefs := decodeItem(t, "verifications", strings.Replace(string(ver.Data), `"risk":"r-06"`, `"risk":"r-new"`, 1))
		out, err := s.PutItems(ctx, "o", []store.ItemWrite{{Item: risk, Refs: rrefs}, {Item: v, Refs: vrefs, IfVersion: ver.Version}}, "tester")
		if err != nil {
			t.Fatal(err)
		}
		if len(out) != 2 || out[0].Version != 1 || out[1].Version != ver.Version+1 {
			t.Fatalf("stored: %+v", out)
		}
		got, _ := s.Get(ctx, "o", "verifications", "ver-04")
		if !strings.Contains(string(got.Data), `"risk":"r-new"`) {
			t.Errorf("verification not linked: %s", got.Data)
		}
		hist, err := s.History(ctx, "o", store.HistoryFilter{Kind: "risks", Key: "r-new"})
		if err != nil || len(hist) != 1 {
			t.Errorf("history of the new risk: %v %v", hist, err)
		}
	}},
	{"PutItems writes nothing when a later item fails", func(t *testing.T, s *store.Store) {
		m, _ := sample(t, "sample-saas.yaml")
		if _, err := s.Import(ctx, "o", m, "setup"); err != nil {
			t.Fatal(err)
		}
		before, _ := s.Export(ctx, "o")
		ver, _ := s.Get(ctx, "o", "verifications", "ver-04")
		risk, rrefs := decodeItem(t, "risks", `{"id":"r-new","title":"x","owner":"p-ops","treatment":"modify"}`)
		v, vrefs := decodeItem(t, "verifications", strings.Replace(string(ver.Data), `"risk":"r-06"`, `"risk":"r-new"`, 1))
		// A stale version of the verification: the risk must not stay behind.
		_, err := s.PutItems(ctx, "o", []store.ItemWrite{{Item: risk, Refs: rrefs}, {Item: v, Refs: vrefs, IfVersion: ver.Version + 7}}, "tester")
		if !errors.Is(err, store.ErrConflict) {
			t.Fatalf("stale verification: %v, want a conflict", err)
		}
		if _, err := s.Get(ctx, "o", "risks", "r-new"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("the risk was stored although the verification failed: %v", err)
		}
		// A reference to a person that does not exist fails the same way.
		bad, brefs := decodeItem(t, "risks", `{"id":"r-new","title":"x","owner":"nobody","treatment":"modify"}`)
		_, err = s.PutItems(ctx, "o", []store.ItemWrite{{Item: bad, Refs: brefs}}, "tester")
		var refErr *store.RefError
		if !errors.As(err, &refErr) {
			t.Errorf("bad owner: %v, want a RefError", err)
		}
		after, _ := s.Export(ctx, "o")
		if string(before) != string(after) {
			t.Error("a failed PutItems changed the stored ISMS")
		}
	}},
	{"RemoveMember ends a membership and keeps the account", func(t *testing.T, s *store.Store) {
		if err := s.CreateOrg(ctx, "o", "O"); err != nil {
			t.Fatal(err)
		}
		u := mustUser(t, s, "a@example.com")
		if err := s.AddMember(ctx, "o", u.ID, "viewer", ""); err != nil {
			t.Fatal(err)
		}
		if err := s.RemoveMember(ctx, "o", u.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Member(ctx, "o", u.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("still a member: %v", err)
		}
		wantErr(t, "remove again", s.RemoveMember(ctx, "o", u.ID), store.ErrNotFound)
		if _, err := s.UserByID(ctx, u.ID); err != nil {
			t.Errorf("the account went with the membership: %v", err)
		}
	}},
	{"ChangePassword ends the other sessions and keeps the current one", func(t *testing.T, s *store.Store) {
		u := mustUser(t, s, "a@example.com")
		here, _ := s.CreateSession(ctx, u.ID, time.Hour)
		other, _ := s.CreateSession(ctx, u.ID, time.Hour)
		v := mustUser(t, s, "b@example.com")
		someoneElse, _ := s.CreateSession(ctx, v.ID, time.Hour)
		const next = "a new long passphrase"
		wantErr(t, "wrong current password", s.ChangePassword(ctx, u.ID, "not it at all", next, here, "192.0.2.1", false), store.ErrWrongPassword)
		if _, err := s.SessionUser(ctx, other); err != nil {
			t.Fatal("a refused change ended a session")
		}
		if err := s.ChangePassword(ctx, u.ID, pw, "short", here, "192.0.2.1", false); err == nil {
			t.Error("a short password was accepted")
		}
		if err := s.ChangePassword(ctx, u.ID, pw, next, here, "192.0.2.1", false); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SessionUser(ctx, here); err != nil {
			t.Errorf("the session of the change ended: %v", err)
		}
		if _, err := s.SessionUser(ctx, other); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("another session survived the change: %v", err)
		}
		if _, err := s.SessionUser(ctx, someoneElse); err != nil {
			t.Errorf("another user's session ended: %v", err)
		}
		if _, err := s.Authenticate(ctx, u.Email, next); err != nil {
			t.Errorf("the new password does not work: %v", err)
		}
		if _, err := s.Authenticate(ctx, u.Email, pw); !errors.Is(err, store.ErrBadCredentials) {
			t.Errorf("the old password still works: %v", err)
		}
	}},
}
