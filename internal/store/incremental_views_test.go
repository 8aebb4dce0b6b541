package store_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"reflect"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/conformity"
	"github.com/cloudisms/cloudisms/internal/generate"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/store/storetest"
)

// incrementalEdits is how many random edits TestIncrementalViewsEqualFull
// makes per database: CLOUDISMS_INCR_EDITS, else 2,000 (200 with -short).
func incrementalEdits(t *testing.T) int {
	if v := os.Getenv("CLOUDISMS_INCR_EDITS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			t.Fatalf("CLOUDISMS_INCR_EDITS: %v", err)
		}
		return n
	}
	if testing.Short() {
		return 200
	}
	return 2000
}

// TestIncrementalViewsEqualFull makes thousands of random edits (creations,
// changes and deletions of risks, assets, SoA rows, services, people,
// documents, registers...) through the store's API to a generated ISMS,
// and after each compares the findings, the summary and the tasks the store carries
// over the edit with a full recomputation (conformity.Check, isms.NewSummary
// and isms.AllTasks) on the ISMS loaded afresh by another store. Seeded:
// CLOUDISMS_INCR_SEED replays a run whose seed a failure printed.
func TestIncrementalViewsEqualFull(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if v := os.Getenv("CLOUDISMS_INCR_SEED"); v != "" {
		var err error
		if seed, err = strconv.ParseUint(v, 10, 64); err != nil {
			t.Fatalf("CLOUDISMS_INCR_SEED: %v", err)
		}
	}
	edits := incrementalEdits(t)
	asOf := isms.MustDate("2026-11-01")
	for _, be := range storetest.Backends(t) {
		t.Run(be.Name, func(t *testing.T) {
			t.Logf("seed %d (CLOUDISMS_INCR_SEED=%d replays it), %d edits", seed, seed, edits)
			rnd := rand.New(rand.NewPCG(seed, 0x1ce))
			s, where := be.Open(t)
			fresh := second(t, be.Name, where)
			m, err := generate.ISMS(generate.Options{Services: 6, Assets: 60, Risks: 240, Seed: seed, AsOf: asOf})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.Import(ctx, "o", m, "alice"); err != nil {
				t.Fatal(err)
			}
			all, err := s.Items(ctx, "o")
			if err != nil {
				t.Fatal(err)
			}
			e := &editor{t: t, s: s, rnd: rnd, keys: map[string][]string{}, donors: map[string][][]byte{}, edition: m.Organization.AnnexA}
			for _, it := range all {
				e.keys[it.Kind] = append(e.keys[it.Kind], it.Key)
				e.donors[it.Kind] = append(e.donors[it.Kind], it.Data)
			}
			// The views are warm before the first edit, as on a running server.
			if _, _, err := s.Findings(ctx, "o", asOf); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Summary(ctx, "o", asOf); err != nil {
				t.Fatal(err)
			}
			if _, _, err := s.Tasks(ctx, "o", asOf); err != nil {
				t.Fatal(err)
			}
			if m, h, err := s.ISMSAt(ctx, "o"); err != nil {
				t.Fatal(err)
			} else if _, err := s.RiskViewsFor(ctx, "o", h, m); err != nil {
				t.Fatal(err)
			} else if _, err := s.SoAViewsFor(ctx, "o", h, m); err != nil {
				t.Fatal(err)
			}
			seen := map[string]int{}
			findings, tasks, moved := 0, 0, 0
			_, head, err := s.ISMSAt(ctx, "o")
			if err != nil {
				t.Fatal(err)
			}
			for step := range edits {
				what := e.edit(step)
				if what == "" {
					continue
				}
				seen[what]++
				if _, h, err := s.ISMSAt(ctx, "o"); err != nil {
					t.Fatal(err)
				} else if h != head {
					moved, head = moved+1, h
				}
				got, _, err := s.Findings(ctx, "o", asOf)
				if err != nil {
					t.Fatal(err)
				}
				gotSum, err := s.Summary(ctx, "o", asOf)
				if err != nil {
					t.Fatal(err)
				}
				gotTasks, _, err := s.Tasks(ctx, "o", asOf)
				if err != nil {
					t.Fatal(err)
				}
				m, h, err := s.ISMSAt(ctx, "o")
				if err != nil {
					t.Fatal(err)
				}
				gotViews, err := s.RiskViewsFor(ctx, "o", h, m)
				if err != nil {
					t.Fatal(err)
				}
				gotSoA, err := s.SoAViewsFor(ctx, "o", h, m)
				if err != nil {
					t.Fatal(err)
				}
				want, err := fresh.ISMS(ctx, "o")
				if err != nil {
					t.Fatal(err)
				}
				if wantF := conformity.Check(want, asOf); !reflect.DeepEqual(got, wantF) {
					t.Fatalf("seed %d, edit %d (%s): the carried-over findings (%d) differ from a full check (%d) of a fresh load", seed, step, what, len(got), len(wantF))
				}
				if wantS := isms.NewSummary(want, asOf); !reflect.DeepEqual(gotSum, wantS) {
					t.Fatalf("seed %d, edit %d (%s): the carried-over summary differs from a new one of a fresh load", seed, step, what)
				}
				// No approval request is open: the tasks are the ISMS's own.
				if wantT := isms.AllTasks(want, asOf, nil); !reflect.DeepEqual(gotTasks, wantT) {
					t.Fatalf("seed %d, edit %d (%s): the carried-over tasks (%d) differ from AllTasks (%d) of a fresh load", seed, step, what, len(gotTasks), len(wantT))
				}
				if wantV := isms.RiskViews(want); !reflect.DeepEqual(viewValues(gotViews), wantV) {
					t.Fatalf("seed %d, edit %d (%s): the carried-over risk views differ from RiskViews of a fresh load", seed, step, what)
				}
				if wantV := isms.SoAViews(want); !reflect.DeepEqual(gotSoA, wantV) {
					t.Fatalf("seed %d, edit %d (%s): the kept SoA views differ from SoAViews of a fresh load", seed, step, what)
				}
				findings += len(got)
				tasks += len(gotTasks)
			}
			t.Logf("edits made: %v; %d findings and %d tasks compared in all", seen, findings, tasks)
			// Each edit's check, summary, tasks, risk and SoA views were carried over, not
			// computed afresh. (An edit that changes nothing moves no head
			// and computes nothing.)
			if n := store.CarriedViews(s); n != int64(5*moved) {
				t.Errorf("%d views carried over %d changes, want %d", n, moved, 5*moved)
			}
			made := 0
			for _, n := range seen {
				made += n
			}
			if n := seen["risks edit"] + seen["risks create"] + seen["risks delete"]; n*6 < made {
				t.Errorf("only %d risk edits of %d: the edits do not exercise the per-risk path", n, made)
			}
		})
	}
}

// editor makes random edits through a store.
type editor struct {
	t       *testing.T
	s       *store.Store
	rnd     *rand.Rand
	keys    map[string][]string // current keys by kind
	donors  map[string][][]byte // item data to take field values from, by kind
	edition string
}

// editKinds are the kinds edited, risks most often.
var editKinds = []string{"risks", "risks", "risks", "risks", "risks", "risks", "assets", bundle.KindSoARows, bundle.KindSoARows,
	"cloud_services", "people", "documents", "audits", "reviews", "backups", "verifications", "legal",
	bundle.KindOrganization, "nonconformities", "incidents", "objectives", "trainings", "certificates", "context_issues"}

// edit makes one random edit and says what it was ("" when the store
// refused it, as it refuses a change that breaks a reference).
func (e *editor) edit(step int) string {
	kind := editKinds[e.rnd.IntN(len(editKinds))]
	keys := e.keys[kind]
	op := "edit"
	switch n := e.rnd.IntN(10); {
	case n == 0 && kind != bundle.KindOrganization && kind != bundle.KindSoARows && kind != "backups":
		op = "create"
	case n == 1 && len(keys) > 1 && kind != bundle.KindOrganization:
		op = "delete"
	}
	if op != "create" && len(keys) == 0 {
		return ""
	}
	switch op {
	case "delete":
		i := e.rnd.IntN(len(keys))
		cur, err := e.s.Get(ctx, "o", kind, keys[i])
		if err != nil {
			e.t.Fatal(err)
		}
		if err := e.s.Delete(ctx, "o", kind, keys[i], cur.Version, "bob"); err != nil {
			return "" // referred to
		}
		e.keys[kind] = slices.Delete(slices.Clone(keys), i, i+1)
	case "create":
		donors := e.donors[kind]
		if len(donors) == 0 {
			return ""
		}
		var v map[string]any
		if err := json.Unmarshal(donors[e.rnd.IntN(len(donors))], &v); err != nil {
			e.t.Fatal(err)
		}
		id := fmt.Sprintf("new-%d", step)
		v["id"] = id
		e.mutate(kind, v)
		if !e.put(kind, "", v, 0) {
			return ""
		}
		e.keys[kind] = append(slices.Clone(keys), id)
	default:
		key := keys[e.rnd.IntN(len(keys))]
		cur, err := e.s.Get(ctx, "o", kind, key)
		if err != nil {
			e.t.Fatal(err)
		}
		var v map[string]any
		if err := json.Unmarshal(cur.Data, &v); err != nil {
			e.t.Fatal(err)
		}
		for range 1 + e.rnd.IntN(2) {
			e.mutate(kind, v)
		}
		if !e.put(kind, key, v, cur.Version) {
			return ""
		}
	}
	return kind + " " + op
}

// mutate changes one field: drops it, takes another item's value for it,
// or drops an element of a list.
func (e *editor) mutate(kind string, v map[string]any) {
	fields := slices.Sorted(func(yield func(string) bool) {
		for k := range v {
			if k != "id" && k != "control" && k != "service" && k != "role" && !yield(k) {
				return
			}
		}
	})
	if len(fields) == 0 {
		return
	}
	f := fields[e.rnd.IntN(len(fields))]
	switch e.rnd.IntN(3) {
	case 0:
		delete(v, f)
	case 1:
		donors := e.donors[kind]
		var d map[string]any
		if err := json.Unmarshal(donors[e.rnd.IntN(len(donors))], &d); err != nil {
			e.t.Fatal(err)
		}
		if x, ok := d[f]; ok {
			v[f] = x
		} else {
			delete(v, f)
		}
	default:
		if l, ok := v[f].([]any); ok && len(l) > 0 {
			v[f] = slices.Delete(slices.Clone(l), 0, 1)
		} else if b, ok := v[f].(bool); ok {
			v[f] = !b
		} else {
			delete(v, f)
		}
	}
}

// put writes an item; false when it does not decode or the store refuses it.
func (e *editor) put(kind, key string, v map[string]any, version int64) bool {
	data, err := json.Marshal(v)
	if err != nil {
		e.t.Fatal(err)
	}
	it, refs, err := bundle.DecodeItem(kind, key, data, e.edition)
	if err != nil {
		return false
	}
	_, err = e.s.Put(ctx, "o", it, refs, version, "bob")
	return err == nil
}

// viewValues are the views a list of them points at, to compare with
// RiskViews.
func viewValues(vs []*isms.RiskView) []isms.RiskView {
	out := make([]isms.RiskView, len(vs))
	for i, v := range vs {
		out[i] = *v
	}
	return out
}
