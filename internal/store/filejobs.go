package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"sync"
)

// Jobs that make a file (the audit pack) run like the bundle export: a
// request queues one, whichever instance claims it runs it, and any
// instance serves the result. The file is written to the evidence storage
// (the directory or the bucket every instance shares) under jobs/ORG/ID,
// never into the database, so that a large pack costs no database space.
// What a file job does is registered by the layer that knows how
// (HandleJobs): the store only queues, runs and keeps.

// JobBundle is the bundle export, the store's own kind of job.
const JobBundle = "bundle"

// JobRunner makes a job's file into w from the store that runs it, saying
// how far it got through progress (shown while the job runs).
type JobRunner func(ctx context.Context, s *Store, j ExportJob, w io.Writer, progress func(string)) error

var (
	runnersMu sync.RWMutex
	runners   = map[string]JobRunner{}
)

// HandleJobs registers what runs jobs of a kind.
func HandleJobs(kind string, f JobRunner) {
	runnersMu.Lock()
	defer runnersMu.Unlock()
	runners[kind] = f
}

// MaxPendingJobs bounds the jobs one member may have waiting or running
// in an organization at once: each is a whole-ISMS load (an audit pack
// prints a dozen PDFs), and one member's clicks must not fill every
// instance's queue.
const MaxPendingJobs = 3

// ErrJobsPending refuses a job while MaxPendingJobs of the member's are
// waiting or running.
var ErrJobsPending = errors.New("too many of the member's jobs are waiting")

// CreateJob queues a job for org: the bundle export, or a kind a runner
// was registered for.
func (s *Store) CreateJob(ctx context.Context, org, actor, kind, params string) (ExportJob, error) {
	runnersMu.RLock()
	_, ok := runners[kind]
	runnersMu.RUnlock()
	if !ok && kind != JobBundle {
		return ExportJob{}, fmt.Errorf("job kind %q: %w", kind, ErrNotFound)
	}
	if _, err := s.Org(ctx, org); err != nil {
		return ExportJob{}, err
	}
	var pending int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM export_jobs WHERE org_id = $1 AND requested_by = $2 AND state IN ($3, $4)`, org, actor, JobQueued, JobRunning).Scan(&pending); err != nil {
		return ExportJob{}, fmt.Errorf("%s job: %w", kind, err)
	}
	if pending >= MaxPendingJobs {
		return ExportJob{}, fmt.Errorf("%s job: %w (%d)", kind, ErrJobsPending, pending)
	}
	row := s.db.QueryRowContext(ctx, `INSERT INTO export_jobs (org_id, requested_by, state, created_at, kind, params) VALUES ($1, $2, $3, $4, $5, $6) RETURNING `+jobCols,
		org, actor, JobQueued, s.stamp(), kind, params)
	j, err := scanJob(row)
	if err != nil {
		return j, fmt.Errorf("%s job: %w", kind, err)
	}
	return j, nil
}

func jobFileKey(org string, id int64) string { return "jobs/" + org + "/" + strconv.FormatInt(id, 10) }

// runFileJob runs a claimed file job: the runner writes a temporary file,
// which goes to the evidence storage before the job says done.
func (s *Store) runFileJob(ctx context.Context, j *ExportJob, worker string) error {
	runnersMu.RLock()
	run := runners[j.Kind]
	runnersMu.RUnlock()
	if run == nil {
		return s.finishExportJob(ctx, j, worker, nil, fmt.Errorf("no runner for jobs of kind %q", j.Kind))
	}
	f, err := os.CreateTemp("", "cloudisms-job-")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	progress := func(p string) {
		s.db.ExecContext(ctx, `UPDATE export_jobs SET progress = $1 WHERE id = $2 AND claimed_by = $3`, p, j.ID, worker)
	}
	runErr := run(ctx, s, *j, f, progress)
	if runErr == nil {
		var size int64
		if size, runErr = f.Seek(0, io.SeekCurrent); runErr == nil {
			if _, runErr = f.Seek(0, io.SeekStart); runErr == nil {
				runErr = s.objects.Put(ctx, jobFileKey(j.Org, j.ID), f, size)
			}
		}
	}
	if err := s.finishExportJob(ctx, j, worker, nil, runErr); err != nil {
		return fmt.Errorf("finish %s job %d: %w", j.Kind, j.ID, err)
	}
	return nil
}

// OpenJobFile opens the file a finished job of org made.
func (s *Store) OpenJobFile(ctx context.Context, org string, id int64) (io.ReadCloser, int64, error) {
	j, err := s.ExportJob(ctx, org, id)
	if err != nil {
		return nil, 0, err
	}
	if j.State != JobDone || j.Kind == JobBundle {
		return nil, 0, fmt.Errorf("job %d file: %w", id, ErrNotFound)
	}
	rc, obj, err := s.objects.Open(ctx, jobFileKey(org, id))
	if err != nil {
		return nil, 0, fmt.Errorf("job %d file: %w", id, errors.Join(ErrNotFound, err))
	}
	return rc, obj.Size, nil
}

// EvidenceUse is an evidence file as the items of an organization name it.
type EvidenceUse struct {
	Name  string   // the name it was given (the first one found)
	Where []string // kind/key of each item that names it
}

// EvidenceUses lists the evidence files an organization's items refer to,
// by SHA-256.
func (s *Store) EvidenceUses(ctx context.Context, org string) (map[string]*EvidenceUse, error) {
	out := map[string]*EvidenceUse{}
	err := collect(ctx, s.db, `SELECT kind, key, data FROM items WHERE org_id = $1 AND data LIKE '%"sha256"%' ORDER BY kind, pos, key`, []any{org}, func(r *sql.Rows) error {
		var kind, key, data string
		if err := r.Scan(&kind, &key, &data); err != nil {
			return err
		}
		var v any
		if err := json.Unmarshal([]byte(data), &v); err != nil {
			return nil
		}
		walkEvidence(v, func(sum, name string) {
			u := out[sum]
			if u == nil {
				u = &EvidenceUse{Name: name}
				out[sum] = u
			}
			if w := kind + "/" + key; !slices.Contains(u.Where, w) {
				u.Where = append(u.Where, w)
			}
		})
		return nil
	})
	return out, err
}

// walkEvidence finds every {name, sha256} object in an item's data.
func walkEvidence(v any, f func(sum, name string)) {
	switch x := v.(type) {
	case map[string]any:
		if sum, ok := x["sha256"].(string); ok && shaPattern.MatchString(sum) {
			name, _ := x["name"].(string)
			f(sum, name)
		}
		for _, e := range x {
			walkEvidence(e, f)
		}
	case []any:
		for _, e := range x {
			walkEvidence(e, f)
		}
	}
}
