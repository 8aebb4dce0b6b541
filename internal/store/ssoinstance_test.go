package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/store/storetest"
)

// The instance's provider on both databases: set by the operator (its
// secret kept when left empty), used only by the organizations that
// choose it; a sign-in through it from the sign-in page admits an
// account that is a member of such an organization and nobody else, and
// joins nobody; an organization's own link through it joins people where
// the organization allows it; its sessions satisfy the single sign-on
// requirement of the organizations that use it, not of one with its own
// provider; removing it lifts the requirement of those organizations.
func TestInstanceSSO(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			s, _ := b.Open(t)
			for _, o := range []string{"a", "b", "c"} {
				if err := s.CreateOrg(ctx, o, o); err != nil {
					t.Fatal(err)
				}
			}
			inA, inB, inC := mustUser(t, s, "in-a@example.com"), mustUser(t, s, "in-b@example.com"), mustUser(t, s, "in-c@example.com")
			s.AddMember(ctx, "a", inA.ID, "viewer", "")
			s.AddMember(ctx, "b", inB.ID, "viewer", "")
			s.AddMember(ctx, "c", inC.ID, "viewer", "")

			if _, err := s.InstanceSSOProvider(ctx); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("no provider yet: %v", err)
			}
			if err := s.SetSSOProvider(ctx, store.SSOProvider{Org: "a", UseInstance: true, UpdatedBy: "admin"}); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("using an instance provider that is not set: %v", err)
			}
			for _, bad := range []store.InstanceSSO{
				{Issuer: "http://idp.example.com", ClientID: "c", ClientSecret: "s"},
				{Issuer: "https://idp.example.com", ClientID: "c"},
				{Issuer: "https://idp.example.com", ClientID: "c", ClientSecret: "s", Label: "a\nb"},
			} {
				if err := s.SetInstanceSSO(ctx, bad); err == nil {
					t.Errorf("bad instance provider accepted: %+v", bad)
				}
			}
			if err := s.SetInstanceSSO(ctx, store.InstanceSSO{Issuer: "https://idp.example.com", ClientID: "cloudisms", ClientSecret: "the secret", Label: "社内 ID", UpdatedBy: "operator"}); err != nil {
				t.Fatal(err)
			}
			if err := s.SetInstanceSSO(ctx, store.InstanceSSO{Issuer: "https://idp.example.com/", ClientID: "cloudisms", Label: "社内 ID", UpdatedBy: "operator"}); err != nil {
				t.Fatal(err)
			}
			inst, err := s.InstanceSSOProvider(ctx)
			if err != nil || inst.ClientSecret != "the secret" || inst.Issuer != "https://idp.example.com/" {
				t.Fatalf("instance provider: %+v %v", inst, err)
			}

			// a uses it and requires it; b has its own; c neither.
			if err := s.SetSSOProvider(ctx, store.SSOProvider{Org: "a", UseInstance: true, RequireSSO: true, UpdatedBy: "admin"}); err != nil {
				t.Fatal(err)
			}
			if err := s.SetSSOProvider(ctx, store.SSOProvider{Org: "b", Issuer: "https://b.example.com", ClientID: "b", ClientSecret: "bs", UpdatedBy: "admin"}); err != nil {
				t.Fatal(err)
			}
			pa, err := s.SSOProviderOf(ctx, "a")
			if err != nil || !pa.UseInstance || pa.Issuer != inst.Issuer || pa.ClientID != "cloudisms" || pa.ClientSecret != "the secret" || !pa.RequireSSO {
				t.Fatalf("a's provider: %+v %v", pa, err)
			}

			// From the sign-in page: members of a only.
			u, token, err := s.InstanceSSOLogin(ctx, "IN-A@example.com", time.Hour)
			if err != nil || u.ID != inA.ID {
				t.Fatalf("member of a: %+v %v", u, err)
			}
			for _, email := range []string{"in-b@example.com", "in-c@example.com", "nobody@example.com"} {
				if _, _, err := s.InstanceSSOLogin(ctx, email, time.Hour); !errors.Is(err, store.ErrSSONoMember) {
					t.Errorf("%s through the instance's provider: %v", email, err)
				}
			}
			if _, err := s.UserByEmail(ctx, "nobody@example.com"); !errors.Is(err, store.ErrNotFound) {
				t.Error("the sign-in page's instance sign-in made an account")
			}
			if ss, err := s.SessionOf(ctx, token); err != nil || ss.Method != store.MethodInstanceSSO || ss.SSOOrg != "" {
				t.Fatalf("session: %+v %v", ss, err)
			}
			for org, want := range map[string]bool{"a": true, "b": false, "c": false} {
				if ok, err := s.SignedInThroughProvider(ctx, token, org); err != nil || ok != want {
					t.Errorf("instance session for %s: %v %v, want %v", org, ok, err, want)
				}
			}
			// b's own provider's session does not satisfy a.
			res, bToken, err := s.SSOLogin(ctx, store.SSOSignIn{Org: "b", Email: "in-b@example.com"}, time.Hour)
			if err != nil || res.Method != store.MethodSSO {
				t.Fatalf("b's own provider: %+v %v", res, err)
			}
			if ok, _ := s.SignedInThroughProvider(ctx, bToken, "a"); ok {
				t.Error("b's provider's session satisfies a")
			}

			// a's own link joins people only where a allows it.
			if _, _, err := s.SSOLogin(ctx, store.SSOSignIn{Org: "a", Email: "new@example.com"}, time.Hour); !errors.Is(err, store.ErrSSONoMember) {
				t.Fatalf("joining a that does not allow it: %v", err)
			}
			if err := s.SetSSOProvider(ctx, store.SSOProvider{Org: "a", UseInstance: true, AllowJoin: true, JoinRole: "viewer", RequireSSO: true, UpdatedBy: "admin"}); err != nil {
				t.Fatal(err)
			}
			res, _, err = s.SSOLogin(ctx, store.SSOSignIn{Org: "a", Email: "new@example.com", Name: "新人"}, time.Hour)
			if err != nil || !res.Joined || res.Method != store.MethodInstanceSSO {
				t.Fatalf("joining a: %+v %v", res, err)
			}

			// Removing it removes a's settings and requirement, not b's.
			orgs, err := s.DeleteInstanceSSO(ctx, "operator")
			if err != nil || len(orgs) != 1 || orgs[0] != "a" {
				t.Fatalf("remove: %v %v", orgs, err)
			}
			if _, err := s.SSOProviderOf(ctx, "a"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("a's provider after the removal: %v", err)
			}
			if req, _ := s.SSORequired(ctx, "a"); req {
				t.Error("a still requires single sign-on")
			}
			if _, err := s.SSOProviderOf(ctx, "b"); err != nil {
				t.Errorf("b's own provider: %v", err)
			}
			if _, _, err := s.InstanceSSOLogin(ctx, "in-a@example.com", time.Hour); !errors.Is(err, store.ErrSSONoMember) {
				t.Errorf("sign-in after the removal: %v", err)
			}
			if _, err := s.DeleteInstanceSSO(ctx, "operator"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("removing twice: %v", err)
			}
		})
	}
}
