package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/store/storetest"
)

// TestReadingAt: the heads read with a caller's access (by token and by
// session) are the organization's, as its model and approval index say
// after an import, an edit and an approval; a request's reads take them
// for that organization alone; and once the request writes, its reads see
// what it wrote (an approval it made is in the approval index it reads
// next, although an index at the heads it began with is kept).
func TestReadingAt(t *testing.T) {
	for _, be := range storetest.Backends(t) {
		t.Run(be.Name, func(t *testing.T) {
			s, _ := be.Open(t)
			m, _ := sample(t, "sample-saas.yaml")
			for _, o := range []string{"o", "p"} {
				if _, err := s.Import(ctx, o, m, "alice"); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.CreateOrg(ctx, "empty", "Empty"); err != nil {
				t.Fatal(err)
			}
			u := mustUser(t, s, "reader@example.com")
			for _, o := range []string{"o", "empty"} {
				if err := s.AddMember(ctx, o, u.ID, "admin", ""); err != nil {
					t.Fatal(err)
				}
			}
			secret, _, err := s.CreateToken(ctx, u.ID, "t", time.Now().Add(24*time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			session, err := s.CreateSession(ctx, u.ID, time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			// heads are the caller's access's, the same by token and by
			// session, and what the model and the approval index say.
			heads := func(step, org string) store.Heads {
				t.Helper()
				_, ta, err := s.TokenAccess(ctx, secret, org)
				if err != nil || ta.Err != nil {
					t.Fatalf("%s: token access: %v %v", step, err, ta.Err)
				}
				_, sa, err := s.SessionAccess(ctx, session, org)
				if err != nil || sa.Err != nil {
					t.Fatalf("%s: session access: %v %v", step, err, sa.Err)
				}
				if ta.Heads != sa.Heads {
					t.Fatalf("%s: heads by token %+v, by session %+v", step, ta.Heads, sa.Heads)
				}
				if org == "empty" {
					return ta.Heads // no ISMS to read
				}
				_, n, err := s.ISMSAt(ctx, org)
				if err != nil {
					t.Fatal(err)
				}
				x, err := s.ApprovalsIndex(ctx, org)
				if err != nil {
					t.Fatal(err)
				}
				if head, rev := x.At(); ta.Heads.N != n || head != n || ta.Heads.ApprovalsRev != rev {
					t.Fatalf("%s: heads %+v; the model is at %d, the approval index at %d, %d", step, ta.Heads, n, head, rev)
				}
				return ta.Heads
			}
			if h := heads("an organization with no history", "empty"); h != (store.Heads{}) {
				t.Errorf("an organization with no history: %+v", h)
			}
			imported := heads("the import", "o")
			if imported.N == 0 || imported.BulkN != imported.N {
				t.Fatalf("after an import: %+v, want the import's last record as the bulk one", imported)
			}
			// Nobody else's heads: a stranger's token reads none.
			stranger := mustUser(t, s, "stranger@example.com")
			strangerSecret, _, _ := s.CreateToken(ctx, stranger.ID, "t", time.Now().Add(24*time.Hour))
			if _, a, err := s.TokenAccess(ctx, strangerSecret, "o"); err != nil || a.Err == nil || a.Heads != (store.Heads{}) {
				t.Errorf("a stranger's access to o: %+v %v", a, err)
			}

			edit := func(ctx context.Context, kind, key, from, to string, approve bool) {
				t.Helper()
				it, refs, version := changed(t, ctx, s, kind, key, from, to)
				var err error
				if approve {
					_, err = s.Approve(ctx, "o", it, refs, version, "p-ceo", "carol")
				} else {
					_, err = s.Put(ctx, "o", it, refs, version, "bob")
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			edit(ctx, "documents", "doc-pol-002", `"title":"`, `"title":"改 `, false)
			edited := heads("an edit", "o")
			if edited.N != imported.N+1 || edited.BulkN != imported.BulkN || edited.ApprovalsRev != imported.ApprovalsRev {
				t.Fatalf("after an edit: %+v, from %+v", edited, imported)
			}
			edit(ctx, "documents", "doc-pol-002", `"title":"`, `"title":"再 `, true)
			approved := heads("an approval", "o")
			if approved.N != edited.N+1 || approved.ApprovalsRev != edited.ApprovalsRev+1 || approved.BulkN != imported.BulkN {
				t.Fatalf("after an approval: %+v, from %+v", approved, edited)
			}

			// A request's reads of o take its heads; of p they do not.
			req := store.ReadingAt(ctx, "o", approved)
			if h, ok := store.HeadsIn(req, "o"); !ok || h != approved {
				t.Fatalf("heads of o in the request: %+v %v", h, ok)
			}
			if h, ok := store.HeadsIn(req, "p"); ok {
				t.Fatalf("the request's heads of o taken for p: %+v", h)
			}
			before, err := s.ApprovalsIndex(req, "o")
			if err != nil {
				t.Fatal(err)
			}
			if a, ok := before.Of("documents", "doc-risk-proc"); !ok || a.ApprovedBy == "dave" {
				t.Fatalf("before the request's approval: %+v %v", a, ok)
			}
			// The request approves, then reads the index again.
			it, refs, version := changed(t, req, s, "documents", "doc-risk-proc", "", "")
			if _, err := s.Approve(req, "o", it, refs, version, "p-ceo", "dave"); err != nil {
				t.Fatal(err)
			}
			if h, ok := store.HeadsIn(req, "o"); ok {
				t.Fatalf("the request wrote and still reads at %+v", h)
			}
			after, err := s.ApprovalsIndex(req, "o")
			if err != nil {
				t.Fatal(err)
			}
			if a, ok := after.Of("documents", "doc-risk-proc"); !ok || a.ApprovedBy != "dave" || a.Stale {
				t.Errorf("the request's own approval is not in what it reads next: %+v %v", a, ok)
			}
			// A Put drops them too.
			req = store.ReadingAt(ctx, "o", heads("a second approval", "o"))
			edit(req, "documents", "doc-pol-002", `"title":"`, `"title":"三 `, false)
			if h, ok := store.HeadsIn(req, "o"); ok {
				t.Fatalf("the request put an item and still reads at %+v", h)
			}
		})
	}
}
