package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/store/storetest"
)

// Single sign-on on both databases: settings keep their secret when it
// is left empty; a state is used once, only by the browser that started
// it and only before it expires; a verified email signs in its member,
// joins only where the organization allows it, and the session remembers
// the provider.
func TestSSO(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			s, _ := b.Open(t)
			c := newClock(s)
			if err := s.CreateOrg(ctx, "o", "O"); err != nil {
				t.Fatal(err)
			}
			member := mustUser(t, s, "member@example.com")
			if err := s.AddMember(ctx, "o", member.ID, "isms-manager", ""); err != nil {
				t.Fatal(err)
			}
			bad := []store.SSOProvider{
				{Org: "o", Issuer: "http://idp.example.com", ClientID: "c", ClientSecret: "s"},                                      // http off this machine
				{Org: "o", Issuer: "https://idp.example.com/?x=1", ClientID: "c", ClientSecret: "s"},                                // a query
				{Org: "o", Issuer: "https://idp.example.com", ClientID: "", ClientSecret: "s"},                                      // no client
				{Org: "o", Issuer: "https://idp.example.com", ClientID: "c", ClientSecret: ""},                                      // no secret saved yet
				{Org: "o", Issuer: "https://idp.example.com", ClientID: "c\x01d", ClientSecret: "s"},                                // control character
				{Org: "o", Issuer: "https://idp.example.com", ClientID: "c", ClientSecret: "s", AllowJoin: true, JoinRole: "owner"}, // unknown role
			}
			for i, p := range bad {
				if err := s.SetSSOProvider(ctx, p); err == nil {
					t.Errorf("bad settings %d accepted: %+v", i, p)
				}
			}
			if _, err := s.SSOProviderOf(ctx, "o"); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("bad settings were stored: %v", err)
			}
			p := store.SSOProvider{Org: "o", Issuer: "https://idp.example.com", ClientID: "c", ClientSecret: "s3cret", UpdatedBy: "a@example.com"}
			if err := s.SetSSOProvider(ctx, p); err != nil {
				t.Fatal(err)
			}
			p.ClientSecret, p.ClientID = "", "c2"
			if err := s.SetSSOProvider(ctx, p); err != nil {
				t.Fatal(err)
			}
			if got, err := s.SSOProviderOf(ctx, "o"); err != nil || got.ClientSecret != "s3cret" || got.ClientID != "c2" {
				t.Fatalf("settings after an empty secret: %+v %v", got, err)
			}

			st := store.SSOState{Org: "o", Nonce: "n", Verifier: "v", Next: "/orgs/o/", Address: "192.0.2.1"}
			state, browser, err := s.BeginSSO(ctx, st)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.TakeSSO(ctx, state, "another browser"); !errors.Is(err, store.ErrSSOState) {
				t.Errorf("another browser: %v", err)
			}
			if _, err := s.TakeSSO(ctx, state, browser); !errors.Is(err, store.ErrSSOState) {
				t.Errorf("a state shown by another browser still works: %v", err)
			}
			state, browser, _ = s.BeginSSO(ctx, st)
			got, err := s.TakeSSO(ctx, state, browser)
			if err != nil || got != st {
				t.Fatalf("take: %+v %v", got, err)
			}
			if _, err := s.TakeSSO(ctx, state, browser); !errors.Is(err, store.ErrSSOState) {
				t.Errorf("second use: %v", err)
			}
			state, browser, _ = s.BeginSSO(ctx, st)
			c.add(store.SSOStateTTL + time.Second)
			if _, err := s.TakeSSO(ctx, state, browser); !errors.Is(err, store.ErrSSOState) {
				t.Errorf("expired: %v", err)
			}
			for i := 0; i < store.MaxSSOStatesPerAddress; i++ {
				if _, _, err := s.BeginSSO(ctx, st); err != nil {
					t.Fatal(err)
				}
			}
			if _, _, err := s.BeginSSO(ctx, st); !errors.Is(err, store.ErrSSOPending) {
				t.Errorf("past the pending bound: %v", err)
			}

			res, token, err := s.SSOLogin(ctx, store.SSOSignIn{Org: "o", Email: "Member@Example.com"}, time.Hour)
			if err != nil || res.User.ID != member.ID || res.Joined {
				t.Fatalf("member sign-in: %+v %v", res, err)
			}
			if ok, err := s.SignedInThroughProvider(ctx, token, "o"); err != nil || !ok || res.Method != store.MethodSSO {
				t.Errorf("session through the provider: %v %v %q", ok, err, res.Method)
			}
			if ss, err := s.SessionOf(ctx, token); err != nil || ss.Method != store.MethodSSO || ss.SSOOrg != "o" {
				t.Errorf("session's method: %+v %v", ss, err)
			}
			pwSession, err := s.CreateSessionBy(ctx, member.ID, store.MethodPassword, time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			if ok, err := s.SignedInThroughProvider(ctx, pwSession, "o"); err != nil || ok {
				t.Errorf("password session through the provider: %v %v", ok, err)
			}
			if _, _, err := s.SSOLogin(ctx, store.SSOSignIn{Org: "o", Email: "stranger@example.com"}, time.Hour); !errors.Is(err, store.ErrSSONoMember) {
				t.Errorf("stranger without joining: %v", err)
			}
			if _, err := s.UserByEmail(ctx, "stranger@example.com"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("a refused stranger got an account: %v", err)
			}
			p.AllowJoin, p.JoinRole, p.RequireSSO = true, "viewer", true
			if err := s.SetSSOProvider(ctx, p); err != nil {
				t.Fatal(err)
			}
			if req, err := s.SSORequired(ctx, "o"); err != nil || !req {
				t.Errorf("required: %v %v", req, err)
			}
			if pol, err := s.OrgPolicyOf(ctx, "o"); err != nil || pol.Require != store.RequireSSO {
				t.Errorf("the organization's policy: %+v %v", pol, err)
			}
			if err := s.SetOrgPolicy(ctx, "o", store.RequireSSO, member, ""); err == nil {
				t.Error("SetOrgPolicy required single sign-on without the provider's page")
			}
			res, _, err = s.SSOLogin(ctx, store.SSOSignIn{Org: "o", Email: "stranger@example.com", Name: "佐藤 花子"}, time.Hour)
			if err != nil || !res.Joined || res.User.Name != "佐藤 花子" {
				t.Fatalf("stranger joining: %+v %v", res, err)
			}
			if m, err := s.Member(ctx, "o", res.User.ID); err != nil || m.Role != "viewer" {
				t.Errorf("joined membership: %+v %v", m, err)
			}
			if _, err := s.Authenticate(ctx, "stranger@example.com", ""); err == nil {
				t.Error("an account made by single sign-on has a usable password")
			}
			// Another requirement chosen on the members page replaces it;
			// removing the provider lifts a requirement of single sign-on.
			if err := s.DeleteSSOProvider(ctx, "o", "a@example.com"); err != nil {
				t.Fatal(err)
			}
			if req, err := s.SSORequired(ctx, "o"); err != nil || req {
				t.Errorf("still required without a provider: %v %v", req, err)
			}
		})
	}
}

// Failed single sign-ons from an address are counted and then refused.
func TestSSOFailuresThrottled(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			s, _ := b.Open(t)
			c := newClock(s)
			var err error
			for i := 0; i < 10 && err == nil; i++ {
				err = s.ReserveSSOFailure(ctx, "192.0.2.9")
			}
			if !errors.Is(err, store.ErrThrottled) {
				t.Fatalf("failures never throttled: %v", err)
			}
			if err := s.SSOThrottled(ctx, "192.0.2.9"); !errors.Is(err, store.ErrThrottled) {
				t.Errorf("throttled address not refused: %v", err)
			}
			if err := s.SSOThrottled(ctx, "192.0.2.10"); err != nil {
				t.Errorf("another address refused: %v", err)
			}
			c.add(time.Hour)
			if err := s.SSOThrottled(ctx, "192.0.2.9"); err != nil {
				t.Errorf("still refused after the window: %v", err)
			}
		})
	}
}
