package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// Job states.
const (
	JobQueued  = "queued"
	JobRunning = "running"
	JobDone    = "done"
	JobFailed  = "failed"
)

// JobLease is how long a claimed job may run before another instance may
// take it over (its claimer is presumed dead).
const JobLease = 10 * time.Minute

// ExportJob is a request to export an organization's bundle, run by
// whichever server instance claims it first. The state lives in the
// database, so any instance answers for it.
type ExportJob struct {
	ID          int64
	Org         string
	RequestedBy string
	State       string
	Runs        int64 // claims so far: 1 for a job run exactly once
	ClaimedBy   string
	CreatedAt   string
	StartedAt   string
	FinishedAt  string
	Error       string
	Kind        string // JobBundle, or a kind a runner was registered for (HandleJobs)
	Params      string // the kind's parameters, as its runner reads them
	Progress    string // how far a running job has got, as its runner says
}

const jobCols = `id, org_id, requested_by, state, runs, claimed_by, created_at, started_at, finished_at, error, kind, params, progress`

func scanJob(r interface{ Scan(...any) error }) (ExportJob, error) {
	var j ExportJob
	err := r.Scan(&j.ID, &j.Org, &j.RequestedBy, &j.State, &j.Runs, &j.ClaimedBy, &j.CreatedAt, &j.StartedAt, &j.FinishedAt, &j.Error, &j.Kind, &j.Params, &j.Progress)
	return j, err
}

// CreateExportJob queues an export of org.
func (s *Store) CreateExportJob(ctx context.Context, org, actor string) (ExportJob, error) {
	return s.CreateJob(ctx, org, actor, JobBundle, "")
}

// ExportJob returns a job of org (ErrNotFound for another organization's).
func (s *Store) ExportJob(ctx context.Context, org string, id int64) (ExportJob, error) {
	j, err := scanJob(s.db.QueryRowContext(ctx, `SELECT `+jobCols+` FROM export_jobs WHERE org_id = $1 AND id = $2`, org, id))
	if errors.Is(err, sql.ErrNoRows) {
		return j, fmt.Errorf("export job %d: %w", id, ErrNotFound)
	}
	return j, err
}

// ExportJobResult returns the bundle a finished job wrote.
func (s *Store) ExportJobResult(ctx context.Context, org string, id int64) ([]byte, error) {
	var res sql.NullString
	err := s.db.QueryRowContext(ctx, `SELECT result FROM export_jobs WHERE org_id = $1 AND id = $2 AND state = $3`, org, id, JobDone).Scan(&res)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("export job %d result: %w", id, ErrNotFound)
	}
	return []byte(res.String), err
}

// ClaimExportJob takes the oldest queued job (or one whose claimer let its
// lease run out) for worker; nil when there is none. Two instances
// claiming at once get different jobs: the row is locked and skipped by
// the other on PostgreSQL, and SQLite runs one writer at a time.
func (s *Store) ClaimExportJob(ctx context.Context, worker string) (*ExportJob, error) {
	now := s.now()
	cutoff := now.Add(-JobLease).UTC().Format(time.RFC3339Nano)
	row := s.db.QueryRowContext(ctx, `UPDATE export_jobs SET state = $1, runs = runs + 1, claimed_by = $2, started_at = $3
		WHERE id = (SELECT id FROM export_jobs WHERE state = $4 OR (state = $1 AND started_at < $5) ORDER BY id LIMIT 1`+s.d.skipLocked+`)
		RETURNING `+jobCols, JobRunning, worker, now.UTC().Format(time.RFC3339Nano), JobQueued, cutoff)
	j, err := scanJob(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("claim export job: %w", err)
	}
	return &j, nil
}

// finishExportJob stores a job's result, only if worker still holds it.
func (s *Store) finishExportJob(ctx context.Context, j *ExportJob, worker string, result []byte, runErr error) error {
	state, msg, res := JobDone, "", any(string(result))
	if runErr != nil {
		state, msg, res = JobFailed, runErr.Error(), nil
	}
	_, err := s.db.ExecContext(ctx, `UPDATE export_jobs SET state = $1, error = $2, result = $3, finished_at = $4 WHERE id = $5 AND claimed_by = $6 AND state = $7`,
		state, msg, res, s.stamp(), j.ID, worker, JobRunning)
	return err
}

// RunExportJob claims one job and runs it; false when there was none.
func (s *Store) RunExportJob(ctx context.Context, worker string) (bool, error) {
	j, err := s.ClaimExportJob(ctx, worker)
	if err != nil || j == nil {
		return false, err
	}
	if j.Kind != JobBundle {
		return true, s.runFileJob(ctx, j, worker)
	}
	b, runErr := s.Export(ctx, j.Org)
	if err := s.finishExportJob(ctx, j, worker, b, runErr); err != nil {
		return true, fmt.Errorf("finish export job %d: %w", j.ID, err)
	}
	return true, nil
}

// RunExportJobs works the queue until ctx ends: every queued job is taken
// as soon as it is seen, the queue is looked at again every poll.
func (s *Store) RunExportJobs(ctx context.Context, worker string, poll time.Duration, log *slog.Logger) {
	t := time.NewTicker(poll)
	defer t.Stop()
	var purged time.Time
	for {
		// Now and then, finished jobs past their time go, results and all.
		if now := s.now(); now.Sub(purged) >= time.Minute {
			if n, err := s.PurgeExportJobs(ctx, now.Add(-ExportJobTTL)); err != nil && ctx.Err() == nil {
				log.Warn("export jobs purge", "err", err)
			} else if n > 0 {
				log.Info("export jobs purged", "jobs", n)
			}
			purged = now
		}
		for {
			ran, err := s.RunExportJob(ctx, worker)
			if err != nil && ctx.Err() == nil {
				log.Warn("export job", "err", err)
			}
			if !ran || err != nil {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// ExportJobTTL is how long an export job is kept: its result can be
// fetched for this long after it was asked for, then the job is purged.
const ExportJobTTL = 24 * time.Hour

// PurgeExportJobs deletes the export jobs asked for before the given time
// (their results with them), however far they got: one left running that
// long was abandoned. It returns how many went.
func (s *Store) PurgeExportJobs(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM export_jobs WHERE created_at < $1`, before.UTC().Format(time.RFC3339Nano))
	if err != nil {
		return 0, fmt.Errorf("purge export jobs: %w", err)
	}
	return res.RowsAffected()
}
