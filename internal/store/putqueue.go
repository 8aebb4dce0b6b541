package store

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"time"

	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/isms"
)

// The writes of one organization queue on its history head: one at a time,
// each a transaction of a dozen statements (on PostgreSQL a dozen round
// trips), and under load the queue, not the work, was what an edit waited
// for. Put therefore writes the edits that are waiting together: the
// first to come leads, and takes every write queued meanwhile into one
// transaction, with one read of the head, one history append and one
// commit. Each write is checked as if alone and fails alone; none is
// written twice, and a failure of the transaction itself sends each write
// of the batch through a transaction of its own (putAlone), so that one
// write's database error never fails another's.

// maxPutBatch bounds the writes of one transaction.
const maxPutBatch = 64

// putBatchTimeout bounds one batch's transaction: the leader writes on
// behalf of requests that may have gone, so it does not use its own
// request's context, whose cancellation would fail the others.
const putBatchTimeout = time.Minute

// putJob is one Put waiting to be written.
type putJob struct {
	ctx       context.Context
	it        bundle.Item
	refs      []bundle.Ref
	ifVersion int64
	actor     string

	out  StoredItem
	note edit
	err  error
	done chan struct{} // closed once written or failed
	lead chan struct{} // the job's goroutine is to write the next batch
}

// putQueue is the writes of one organization waiting for a transaction.
type putQueue struct {
	mu      sync.Mutex
	jobs    []*putJob
	leading bool // a goroutine is writing the queue's batches
	// applied is closed once the last batch taken has carried the cached
	// models over its edits: the next batch carries them over its own
	// after (nil: no batch yet).
	applied chan struct{}
}

// queuePut queues j and returns once it is written or failed. When no
// other goroutine writes the organization's queue, this one writes one
// batch (j first in it) and hands the lead to the first write still
// waiting, so that no request writes for others longer than one batch.
func (s *Store) queuePut(org string, j *putJob) {
	v, _ := s.putQueues.LoadOrStore(org, &putQueue{})
	q := v.(*putQueue)
	q.mu.Lock()
	q.jobs = append(q.jobs, j)
	lead := !q.leading
	q.leading = true
	q.mu.Unlock()
	if !lead {
		select {
		case <-j.done:
			return
		case <-j.lead:
		}
	}
	q.mu.Lock()
	n := min(len(q.jobs), maxPutBatch)
	batch := q.jobs[:n:n]
	q.jobs = q.jobs[n:]
	prev, mine := q.applied, make(chan struct{})
	q.applied = mine
	q.mu.Unlock()
	var once sync.Once
	handOff := func() {
		once.Do(func() {
			q.mu.Lock()
			if len(q.jobs) == 0 {
				q.leading = false
			} else {
				q.jobs[0].lead <- struct{}{}
			}
			q.mu.Unlock()
		})
	}
	s.writeBatch(org, batch, handOff, prev, mine)
	handOff()
	<-j.done
}

// writeBatch writes a batch of Puts in one transaction, or each alone
// when the transaction fails. A batch of one takes the same way: its
// statements are fewer than a lone Put's (one read, and on PostgreSQL one
// statement for the item, its record and the head).
//
// On PostgreSQL the next batch begins while this one commits: handOff is
// called once the batch is written, before its commit (the next batch's
// lock of the history head waits for the commit; its begin and its lock
// request no longer wait for this batch to end). The cached models are
// still carried over the batches' edits in their order: after the batch
// before (prev closed), and then mine is closed.
func (s *Store) writeBatch(org string, batch []*putJob, handOff func(), prev <-chan struct{}, mine chan<- struct{}) {
	defer close(mine)
	// After the batch before has carried the models over its edits.
	afterPrev := func() {
		if prev != nil {
			<-prev
		}
	}
	var live []*putJob
	for _, j := range batch {
		// A request that gave up before its turn is not written.
		if err := j.ctx.Err(); err != nil {
			j.err = err
			close(j.done)
			continue
		}
		live = append(live, j)
	}
	if len(live) == 0 {
		afterPrev()
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), putBatchTimeout)
	defer cancel()
	var carried <-chan carriedModel
	err := s.orgTxThen(ctx, org, func(tx *sql.Tx) error {
		head, err := lockOrgHead(ctx, tx, s, org)
		if err != nil {
			return err
		}
		pre, err := s.readForBatch(ctx, tx, org, live)
		if err != nil {
			return err
		}
		var changes []Change
		for _, j := range live {
			out, change, err := s.writeItem(ctx, tx, org, head.n+int64(len(changes)), j.it, j.refs, j.ifVersion, j.actor, keepStored, &j.note, pre)
			switch {
			case err != nil && !cleanFailure(err):
				return err // the transaction may be spoilt: each alone
			case err != nil:
				j.out, j.err = StoredItem{}, err
			default:
				j.out, j.err = out, nil
				if change != nil {
					change.Note = NoteOf(j.ctx)
					changes = append(changes, *change)
				}
			}
		}
		return s.finishBatch(ctx, tx, org, head, pre, changes)
	}, func() {
		handOff()
		carried = s.carryBatch(org, live, afterPrev)
	})
	if err != nil {
		if carried != nil {
			<-carried // made for a commit that failed: not kept
		}
		afterPrev()
		for _, j := range live {
			s.writeAlone(org, j)
		}
		return
	}
	if carried == nil { // SQLite: carried over after the commit
		carried = s.carryBatch(org, live, afterPrev)
	}
	c := <-carried
	if len(live) > 1 {
		s.batchedPuts.Add(int64(len(live)))
	}
	for _, j := range live {
		if j.err == nil && j.note.done {
			s.changes.note(org, j.note.head+1, isms.ItemChange{Kind: j.note.kind, Key: j.note.key})
		}
	}
	if c.m != nil {
		s.models.PutNewer(org, c.head, c.m)
	}
	for _, j := range live {
		close(j.done)
	}
}

// carriedModel is an organization's cached model carried over a batch's
// edits (m nil: it could not be).
type carriedModel struct {
	m    *isms.ISMS
	head int64
}

// carryBatch carries the cached model over a batch's edits, in their
// order, once the batch before has kept its own (after). It runs while
// the batch commits, and the model is kept once the commit succeeded:
// the requests that read the new head right after the commit then find
// it, instead of each catching up from the history records (and an
// edit's answer waiting behind them, as applyEdit, which takes the model
// lock, did). A model is only carried from the head the batch began at,
// over edits that Apply makes; otherwise nothing is carried, and the
// next read catches up or loads, as it always may.
func (s *Store) carryBatch(org string, live []*putJob, after func()) <-chan carriedModel {
	out := make(chan carriedModel, 1)
	go func() {
		after()
		var c carriedModel
		for _, j := range live {
			e := j.note
			if j.err != nil || !e.done {
				continue
			}
			if c.m == nil {
				m, ok := s.models.Get(org, e.head)
				if !ok {
					break
				}
				c.m, c.head = m, e.head
			}
			next, ok := (*isms.ISMS)(nil), e.head == c.head
			if ok {
				next, ok = bundle.Apply(c.m, e.kind, e.key, e.data)
			}
			if !ok {
				c.m = nil
				break
			}
			c.m, c.head = next, e.head+1
		}
		out <- c
	}()
	return out
}

// writeAlone writes one Put in a transaction of its own.
func (s *Store) writeAlone(org string, j *putJob) {
	j.out, j.note, j.err = s.putAlone(j.ctx, org, j.it, j.refs, j.ifVersion, j.actor)
	if j.err == nil {
		s.applyEdit(j.note)
	}
	close(j.done)
}

// cleanFailure tells a write that writeItem refused before writing
// anything (a reference, a version, an approval it could not carry) from
// a failure of the database, after which the transaction is not to be
// used.
func cleanFailure(err error) bool {
	var ref *RefError
	var keep *keepError
	return errors.As(err, &ref) || errors.As(err, &keep) ||
		errors.Is(err, ErrExists) || errors.Is(err, ErrNotFound) || errors.Is(err, ErrConflict)
}

// keepError is a failure to carry an item's stored approval over
// (bundle.KeepApproval), found before anything is written.
type keepError struct{ err error }

func (e *keepError) Error() string { return e.err.Error() }
func (e *keepError) Unwrap() error { return e.err }
