package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/store/storetest"
)

// An invitation works once and only until it expires; an existing
// account's invitation is accepted only by that account, signed in.
func TestInvitations(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			s, _ := b.Open(t)
			c := newClock(s)
			if err := s.CreateOrg(ctx, "o", "O"); err != nil {
				t.Fatal(err)
			}
			tok, inv, err := s.CreateInvitation(ctx, "o", "New@Example.com", "viewer", "", "admin@example.com")
			if err != nil || inv.Email != "new@example.com" {
				t.Fatalf("invite: %+v %v", inv, err)
			}
			if _, _, err := s.CreateInvitation(ctx, "o", "x@example.com", "owner", "", "admin@example.com"); err == nil {
				t.Error("an invitation with an unknown role")
			}
			if _, _, err := s.AcceptInvitation(ctx, tok, 0, "新人", "ja", "short"); err == nil {
				t.Error("a short password accepted")
			}
			u, got, err := s.AcceptInvitation(ctx, tok, 0, "新人", "ja", pw)
			if err != nil || got.Org != "o" || u.Name != "新人" {
				t.Fatalf("accept: %+v %v", u, err)
			}
			if m, err := s.Member(ctx, "o", u.ID); err != nil || m.Role != "viewer" {
				t.Errorf("membership: %+v %v", m, err)
			}
			if _, _, err := s.AcceptInvitation(ctx, tok, 0, "二度目", "ja", pw); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("second use: %v", err)
			}
			// An existing account: only that account accepts.
			other := mustUser(t, s, "other@example.com")
			tok2, _, _ := s.CreateInvitation(ctx, "o", "other@example.com", "auditor", "", "admin@example.com")
			if _, _, err := s.AcceptInvitation(ctx, tok2, 0, "x", "ja", "attacker chosen 1"); !errors.Is(err, store.ErrWrongAccount) {
				t.Errorf("nobody signed in: %v", err)
			}
			if _, _, err := s.AcceptInvitation(ctx, tok2, u.ID, "", "ja", ""); !errors.Is(err, store.ErrWrongAccount) {
				t.Errorf("another account signed in: %v", err)
			}
			if _, err := s.Authenticate(ctx, "other@example.com", "attacker chosen 1"); err == nil {
				t.Error("the password of an existing account changed")
			}
			if _, _, err := s.AcceptInvitation(ctx, tok2, other.ID, "", "ja", ""); err != nil {
				t.Errorf("the account itself: %v", err)
			}
			// Expiry.
			tok3, _, _ := s.CreateInvitation(ctx, "o", "late@example.com", "viewer", "", "admin@example.com")
			c.add(store.InvitationTTL + time.Second)
			if _, _, err := s.AcceptInvitation(ctx, tok3, 0, "遅い", "ja", pw); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("expired: %v", err)
			}
			if _, err := s.UserByEmail(ctx, "late@example.com"); err == nil {
				t.Error("an expired invitation created an account")
			}
		})
	}
}

// An organization sends at most MaxInvitationsPerDay invitations in any 24
// hours, revoked and replaced ones counted: inviting and revoking in a loop
// (each invitation mails an address the admin typed) stops at the bound,
// and a revoked invitation's link no longer works.
func TestInvitationsBoundedPerDay(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			s, _ := b.Open(t)
			c := newClock(s)
			for _, o := range []string{"o", "p"} {
				if err := s.CreateOrg(ctx, o, o); err != nil {
					t.Fatal(err)
				}
			}
			var first string
			for i := range store.MaxInvitationsPerDay {
				tok, inv, err := s.CreateInvitation(ctx, "o", "victim@example.com", "viewer", "", "admin@example.com")
				if err != nil {
					t.Fatalf("invitation %d: %v", i, err)
				}
				if i == 0 {
					first = tok
				}
				if i%2 == 1 {
					if err := s.RevokeInvitation(ctx, "o", inv.ID); err != nil {
						t.Fatalf("revoke %d: %v", i, err)
					}
				}
			}
			if _, _, err := s.CreateInvitation(ctx, "o", "other@example.com", "viewer", "", "admin@example.com"); !errors.Is(err, store.ErrInvitationsExceeded) {
				t.Fatalf("invitation past the bound: %v", err)
			}
			if _, err := s.Invitation(ctx, first); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("a replaced invitation's link still works: %v", err)
			}
			if open, err := s.Invitations(ctx, "o"); err != nil || len(open) != 0 {
				t.Errorf("open invitations after the last was revoked: %v %v", open, err)
			}
			// Another organization is not held back by this one.
			if _, _, err := s.CreateInvitation(ctx, "p", "new@example.com", "viewer", "", "admin@example.com"); err != nil {
				t.Errorf("another organization: %v", err)
			}
			c.add(24*time.Hour + time.Second)
			if _, _, err := s.CreateInvitation(ctx, "o", "other@example.com", "viewer", "", "admin@example.com"); err != nil {
				t.Errorf("a day later: %v", err)
			}
		})
	}
}
