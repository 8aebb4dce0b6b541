package store_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/store/storetest"
)

// TestPutBatches: Puts that wait for the same organization are written
// in one transaction, each as if alone: its own outcome (created, updated,
// refused for a missing reference, a stale version, an existing id, a
// request given up before its turn), its own history record and note, and
// nothing of the refused ones written. When the batch's transaction fails,
// each write is made alone and none is lost or doubled.
func TestPutBatches(t *testing.T) { eachBatchStore(t, runBatch) }

// eachBatchStore runs run on a store holding the sample as "o", on each
// database, with the batch's commit succeeding and failing.
func eachBatchStore(t *testing.T, run func(t *testing.T, s *store.Store, failFirst bool)) {
	for _, failFirst := range []bool{false, true} {
		t.Run(fmt.Sprintf("batch fails first: %v", failFirst), func(t *testing.T) {
			eachSampleStore(t, func(t *testing.T, s *store.Store) { run(t, s, failFirst) })
		})
	}
}

// eachSampleStore runs run on a store holding the sample as "o", on each
// database.
func eachSampleStore(t *testing.T, run func(t *testing.T, s *store.Store)) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			s, _ := b.Open(t)
			m, _ := sample(t, "sample-saas.yaml")
			if _, err := s.Import(context.Background(), "o", m, "setup"); err != nil {
				t.Fatal(err)
			}
			run(t, s)
		})
	}
}

// holdWithLeader holds the organization's writes and starts a write that
// leads its queue and waits on them, so that the writes queued next go in
// one batch; release lets them go.
func holdWithLeader(t *testing.T, s *store.Store, wg *sync.WaitGroup) (release func()) {
	release = store.HoldWrites(s, "o")
	wg.Add(1)
	go func() {
		defer wg.Done()
		it, refs := decodeItem(t, "risks", `{"id":"r-batch-lead","title":"lead","owner":"p-ops","treatment":"modify"}`)
		if _, err := s.Put(context.Background(), "o", it, refs, 0, "writer"); err != nil {
			t.Errorf("the leading write: %v", err)
		}
	}()
	for store.QueuedPuts(s, "o") > 0 || !store.PutLeading(s, "o") {
		time.Sleep(time.Millisecond)
	}
	return release
}

// failSecondCommit makes the second commit from now fail: the leader's
// transaction commits, the batch's does not.
func failSecondCommit(s *store.Store) (undo func()) {
	var mu sync.Mutex
	commits := 0
	store.SetFailHook(s, func() error {
		mu.Lock()
		defer mu.Unlock()
		if commits++; commits == 2 {
			return errors.New("injected failure")
		}
		return nil
	})
	return func() { store.SetFailHook(s, nil) }
}

// batchWrite is a Put of a batch test and the outcome it is to have.
type batchWrite struct {
	name       string
	ctx        context.Context
	kind, data string
	version    int64
	want       func(error) bool
}

// start makes the write in a goroutine of its own, its error into err.
func (w batchWrite) start(t *testing.T, s *store.Store, wg *sync.WaitGroup, err *error) {
	wg.Add(1)
	go func() {
		defer wg.Done()
		it, refs := decodeItem(t, w.kind, w.data)
		_, *err = s.Put(w.ctx, "o", it, refs, w.version, "writer")
	}()
}

// checkOutcomes checks each write's outcome and counts those written.
func checkOutcomes(t *testing.T, writes []batchWrite, errs []error) int {
	t.Helper()
	written := 0
	for i, w := range writes {
		if !w.want(errs[i]) {
			t.Errorf("%s: %v", w.name, errs[i])
		}
		if errs[i] == nil {
			written++
		}
	}
	return written
}

// headAndR06 are the history head and risk r-06 before a batch.
func headAndR06(t *testing.T, s *store.Store) (int64, store.StoredItem) {
	ctx := context.Background()
	_, head, err := s.ISMSAt(ctx, "o")
	if err != nil {
		t.Fatal(err)
	}
	r06, err := s.Get(ctx, "o", "risks", "r-06")
	if err != nil {
		t.Fatal(err)
	}
	return head, r06
}

func runBatch(t *testing.T, s *store.Store, failFirst bool) {
	ctx := context.Background()
	head, r06 := headAndR06(t, s)
	is := func(target error) func(error) bool { return func(err error) bool { return errors.Is(err, target) } }
	ok := func(err error) bool { return err == nil }
	gone, cancel := context.WithCancel(ctx)
	var writes []batchWrite
	for i := range 8 {
		writes = append(writes, batchWrite{fmt.Sprintf("create %d", i), store.WithNote(ctx, fmt.Sprintf("note %d", i)), "risks",
			fmt.Sprintf(`{"id":"r-batch-%d","title":"batch %d","owner":"p-ops","treatment":"modify"}`, i, i), 0, ok})
	}
	writes = append(writes,
		batchWrite{"missing reference", ctx, "risks", `{"id":"r-batch-ref","title":"x","owner":"p-nobody","treatment":"modify"}`, 0,
			func(err error) bool { var r *store.RefError; return errors.As(err, &r) }},
		batchWrite{"stale version", ctx, "risks", `{"id":"r-06","title":"stale","owner":"p-ops","treatment":"modify"}`, r06.Version + 5, is(store.ErrConflict)},
		batchWrite{"existing id", ctx, "risks", `{"id":"r-06","title":"again","owner":"p-ops","treatment":"modify"}`, 0, is(store.ErrExists)},
		batchWrite{"given up", gone, "risks", `{"id":"r-batch-gone","title":"gone","owner":"p-ops","treatment":"modify"}`, 0, is(context.Canceled)},
	)
	// A first write leads: it waits on the held writes, alone, while the
	// others queue behind it and then go in one batch.
	var wg sync.WaitGroup
	release := holdWithLeader(t, s, &wg)
	batched := store.BatchedPuts(s)
	errs := make([]error, len(writes))
	for i, w := range writes {
		w.start(t, s, &wg, &errs[i])
	}
	deadline := time.Now().Add(10 * time.Second)
	for store.QueuedPuts(s, "o") < len(writes) {
		if time.Now().After(deadline) {
			t.Fatalf("%d writes queued, want %d", store.QueuedPuts(s, "o"), len(writes))
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	if failFirst {
		defer failSecondCommit(s)()
	}
	release()
	wg.Wait()
	// The given-up write is dropped before the batch; the others of the
	// batch count, whether refused or written.
	if got, want := store.BatchedPuts(s)-batched, int64(len(writes)-1); !failFirst && got != want {
		t.Errorf("%d writes went in a batch, want %d", got, want)
	}
	written := 1 + checkOutcomes(t, writes, errs) // and the leader
	if _, err := s.Get(ctx, "o", "risks", "r-batch-gone"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the write given up before its turn was stored: %v", err)
	}
	if _, err := s.Get(ctx, "o", "risks", "r-batch-ref"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the write with a missing reference was stored: %v", err)
	}
	if got, _ := s.Get(ctx, "o", "risks", "r-06"); got.Version != r06.Version {
		t.Errorf("r-06 is at version %d after refused writes, want %d", got.Version, r06.Version)
	}
	if _, after, err := s.ISMSAt(ctx, "o"); err != nil || after != head+int64(written) {
		t.Errorf("head %d after %d writes from %d (%v)", after, written, head, err)
	}
	for i := range 8 {
		hist, err := s.History(ctx, "o", store.HistoryFilter{Kind: "risks", Key: fmt.Sprintf("r-batch-%d", i)})
		if err != nil || len(hist) != 1 || hist[0].Note != fmt.Sprintf("note %d", i) || hist[0].Actor != "writer" {
			t.Errorf("history of r-batch-%d: %+v %v", i, hist, err)
		}
	}
	if broken, _, err := s.VerifyHistory(ctx); broken != nil || err != nil {
		t.Errorf("history: %v %v", broken, err)
	}
	// The cached model follows the writes.
	model, _, err := s.ISMSAt(ctx, "o")
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, r := range model.Risks {
		if len(r.ID) > 8 && r.ID[:8] == "r-batch-" {
			found++
		}
	}
	if found != 9 { // with the leader's
		t.Errorf("the model has %d of the 9 new risks", found)
	}
}

// TestPutBatchSeesItsOwnWrites: a batch reads the items its writes need in
// one query before the first write, and each write sees the writes before
// it in the batch: an item created earlier can be referred to and updated,
// a second update at the same version conflicts, a second create of an id
// exists. The outcomes are those of the writes one after another, also
// when the batch's commit fails and each write goes alone.
func TestPutBatchSeesItsOwnWrites(t *testing.T) { eachBatchStore(t, runOrderedBatch) }

func runOrderedBatch(t *testing.T, s *store.Store, failFirst bool) {
	ctx := context.Background()
	head, r06 := headAndR06(t, s)
	is := func(target error) func(error) bool { return func(err error) bool { return errors.Is(err, target) } }
	ok := func(err error) bool { return err == nil }
	writes := []batchWrite{
		{"create an asset", ctx, "assets", `{"id":"a-batch","name":"batch asset","kind":"information","owner":"p-ops","confidentiality":2,"integrity":2,"availability":2}`, 0, ok},
		{"a risk of the new asset", ctx, "risks", `{"id":"r-batch-uses","title":"uses","owner":"p-ops","treatment":"modify","assets":["a-batch"]}`, 0, ok},
		{"update r-06", ctx, "risks", `{"id":"r-06","title":"first","owner":"p-ops","treatment":"modify"}`, r06.Version, ok},
		{"update r-06 at the same version", ctx, "risks", `{"id":"r-06","title":"second","owner":"p-ops","treatment":"modify"}`, r06.Version, is(store.ErrConflict)},
		{"update r-06 at its new version", ctx, "risks", `{"id":"r-06","title":"third","owner":"p-ops","treatment":"modify"}`, r06.Version + 1, ok},
		{"update the new risk", ctx, "risks", `{"id":"r-batch-uses","title":"uses, edited","owner":"p-ops","treatment":"modify","assets":["a-batch"]}`, 1, ok},
		{"create the new risk again", ctx, "risks", `{"id":"r-batch-uses","title":"again","owner":"p-ops","treatment":"modify"}`, 0, is(store.ErrExists)},
		{"a missing asset", ctx, "risks", `{"id":"r-batch-missing","title":"x","owner":"p-ops","treatment":"modify","assets":["a-nowhere"]}`, 0,
			func(err error) bool { var r *store.RefError; return errors.As(err, &r) && r.ID == "a-nowhere" }},
	}
	var wg sync.WaitGroup
	release := holdWithLeader(t, s, &wg)
	batched := store.BatchedPuts(s)
	// Queued one after another, so that the batch has them in this order.
	errs := make([]error, len(writes))
	for i, w := range writes {
		w.start(t, s, &wg, &errs[i])
		deadline := time.Now().Add(10 * time.Second)
		for store.QueuedPuts(s, "o") < i+1 {
			if time.Now().After(deadline) {
				t.Fatalf("write %d did not queue", i)
			}
			time.Sleep(time.Millisecond)
		}
	}
	if failFirst {
		defer failSecondCommit(s)()
	}
	release()
	wg.Wait()
	// The batch's transaction, not each write alone, wrote them.
	if got := store.BatchedPuts(s) - batched; !failFirst && got != int64(len(writes)) {
		t.Errorf("%d writes went in a batch, want %d", got, len(writes))
	}
	written := 1 + checkOutcomes(t, writes, errs) // and the leader
	// Two updates of one item in a batch are one row written once (from
	// the version stored to the newest) and two history records.
	if got, err := s.Get(ctx, "o", "risks", "r-06"); err != nil || got.Version != r06.Version+2 || !strings.Contains(string(got.Data), `"third"`) {
		t.Errorf("r-06: version %d (from %d), %s, %v", got.Version, r06.Version, got.Data, err)
	}
	recs, err := s.History(ctx, "o", store.HistoryFilter{Kind: "risks", Key: "r-06", After: head})
	if err != nil || len(recs) != 2 || !strings.Contains(*recs[0].After, `"first"`) || !strings.Contains(*recs[1].Before, `"first"`) || !strings.Contains(*recs[1].After, `"third"`) {
		t.Errorf("r-06's records: %+v, %v", recs, err)
	}
	if got, err := s.Get(ctx, "o", "risks", "r-batch-uses"); err != nil || got.Version != 2 || !strings.Contains(string(got.Data), "uses, edited") {
		t.Errorf("r-batch-uses: version %d, %s, %v", got.Version, got.Data, err)
	}
	if _, err := s.Get(ctx, "o", "risks", "r-batch-missing"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the write with a missing asset was stored: %v", err)
	}
	if _, after, err := s.ISMSAt(ctx, "o"); err != nil || after != head+int64(written) {
		t.Errorf("head %d after %d writes from %d (%v)", after, written, head, err)
	}
	if broken, _, err := s.VerifyHistory(ctx); broken != nil || err != nil {
		t.Errorf("history: %v %v", broken, err)
	}
	model, _, err := s.ISMSAt(ctx, "o")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range model.Risks {
		if r.ID == "r-batch-uses" && (r.Title != "uses, edited" || len(r.Assets) != 1) {
			t.Errorf("the cached model's r-batch-uses: %+v", r)
		}
	}
}

// TestNextBatchBeginsWhileOneCommits: on PostgreSQL, a batch that has
// written hands the organization's queue on before it commits, so the next
// write leads its own batch at once (its transaction then waits for the
// history head); on SQLite, where writes take turns until they commit, it
// waits in the queue. Either way both are written, in order, and the
// cached model carried over both equals a fresh load.
func TestNextBatchBeginsWhileOneCommits(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			s, where := b.Open(t)
			m, _ := sample(t, "sample-saas.yaml")
			ctx := context.Background()
			if _, err := s.Import(ctx, "o", m, "setup"); err != nil {
				t.Fatal(err)
			}
			if _, err := s.ISMS(ctx, "o"); err != nil { // a model to carry over
				t.Fatal(err)
			}
			committing, release := make(chan struct{}), make(chan struct{})
			var once sync.Once
			store.SetFailHook(s, func() error {
				first := false
				once.Do(func() { first = true })
				if first {
					close(committing)
					<-release
				}
				return nil
			})
			defer store.SetFailHook(s, nil)
			put := func(id, title string, errp *error, wg *sync.WaitGroup) {
				wg.Add(1)
				go func() {
					defer wg.Done()
					it, refs := decodeItem(t, "risks", `{"id":"`+id+`","title":"`+title+`","owner":"p-ops","treatment":"modify"}`)
					_, *errp = s.Put(ctx, "o", it, refs, 0, "writer")
				}()
			}
			var wg sync.WaitGroup
			var errA, errB error
			put("r-commit-a", "先に書く", &errA, &wg)
			<-committing
			put("r-commit-b", "後に書く", &errB, &wg)
			// B leads a batch of its own (PostgreSQL) or waits queued.
			led := func() bool { return store.QueuedPuts(s, "o") == 0 && store.PutLeading(s, "o") }
			for deadline := time.Now().Add(2 * time.Second); b.Name == "sqlite" && store.QueuedPuts(s, "o") == 0 && time.Now().Before(deadline); {
				time.Sleep(time.Millisecond) // until B has queued
			}
			for deadline := time.Now().Add(2 * time.Second); b.Name == "postgres" && !led() && time.Now().Before(deadline); {
				time.Sleep(time.Millisecond)
			}
			switch queued := store.QueuedPuts(s, "o"); {
			case b.Name == "postgres" && !led():
				t.Errorf("the next write waits in the queue (%d) while the batch before commits", queued)
			case b.Name == "sqlite" && queued != 1:
				t.Errorf("%d writes queued while a batch commits on SQLite, want 1", queued)
			}
			close(release)
			wg.Wait()
			if errA != nil || errB != nil {
				t.Fatalf("writes: %v, %v", errA, errB)
			}
			got, head, err := s.ISMSAt(ctx, "o")
			if err != nil {
				t.Fatal(err)
			}
			fresh, freshHead, err := second(t, b.Name, where).ISMSAt(ctx, "o")
			if err != nil {
				t.Fatal(err)
			}
			if head != freshHead || !reflect.DeepEqual(got, fresh) {
				t.Errorf("the model carried over both writes (head %d) differs from a fresh load (head %d)", head, freshHead)
			}
			hist, err := s.History(ctx, "o", store.HistoryFilter{After: head - 2})
			if err != nil {
				t.Fatal(err)
			}
			if len(hist) != 2 || hist[0].Key != "r-commit-a" || hist[1].Key != "r-commit-b" {
				t.Errorf("the last two records: %+v, want r-commit-a then r-commit-b", hist)
			}
		})
	}
}
