// Package store persists organizations and their ISMS, item by item, on
// SQLite (embedded, the default) or PostgreSQL. It is the only package with
// SQL. Every change is written with its history record in one transaction.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/store/blob"
	"github.com/cloudisms/cloudisms/internal/trend"
	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	"modernc.org/sqlite"
)

// Errors callers tell apart.
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("version conflict")
	ErrExists   = errors.New("already exists")
	// ErrQueryTooLong: a search text longer than MaxQuery characters.
	ErrQueryTooLong = errors.New("search text too long")
)

// MaxQuery bounds a list's search text, in characters.
const MaxQuery = 200

// Store is an open database.
type Store struct {
	db  *sql.DB
	d   dialect
	now func() time.Time
	// failHook, set only by tests, fails a transaction just before commit.
	failHook func() error
	// objects holds the evidence files, named by their SHA-256; dataDir
	// is the local data directory (SQLite's file, temporary files).
	objects blob.Store
	dataDir string
	// models caches loaded ISMSs by history head; loads bounds how many
	// load at once.
	models *HeadCache[*isms.ISMS]
	loads  chan struct{}
	counts *HeadCache[int]
	// derived keeps views computed from a model (Derived); changes says
	// which item each recent history record changed, so that a view is
	// carried over them instead of computed afresh (FindingsFor).
	derived derivedState
	changes changeLog
	// trends keeps past months' trend points by organization and date,
	// at the history position the month ended at (Trends).
	trends *HeadCache[trend.Point]
	// hashes keeps the current fingerprints of approved items by
	// organization (currentHashes).
	hashes    *HeadCache[*fingerprints]
	hashLocks sync.Map // organization → chan struct{}: one computation of hashes at a time
	// modelLocks: organization → chan struct{}, one request at a time
	// brings a model up to date (ismsAt, applyEdit).
	modelLocks sync.Map
	// writeGate queues the writers of this process on SQLite (tx);
	// writeLocks (organization → chan struct{}) those of one organization
	// on PostgreSQL (orgTx).
	writeGate  chan struct{}
	writeLocks sync.Map
	// putQueues (organization → *putQueue): the Puts waiting to be
	// written together.
	putQueues   sync.Map
	batchedPuts atomic.Int64 // Puts written in a transaction with others
	// indexer brings the search text up to date after writes, on
	// PostgreSQL (search_queue.go).
	indexer searchIndexer
	// searchLocks (organization → chan struct{}): one drain of an
	// organization's search queue at a time in this process.
	searchLocks sync.Map
	// approvalLists keeps each organization's recorded approvals by the
	// count of approval writes (Approvals).
	approvalLists   *HeadCache[[]recorded]
	approvalIndexes *HeadCache[*ApprovalIndex]
	// positions keeps the history position of an organization at a past
	// time (positionAt).
	positions *HeadCache[int64]
	// trendRuns marks the organizations whose trends are being computed
	// in the background (TrendsReady).
	trendRuns sync.Map
}

// dialect holds the few differences between the two databases.
type dialect struct {
	name string // sqlite or postgres
	// lockHead makes the history head row of an organization exclusive for
	// the rest of the transaction ("" where the transaction already is).
	lockHead string
	// migrationLock serializes migrations between processes.
	migrationLock string
	// skipLocked makes a job queue's SELECT take a row no other
	// transaction holds ("" where writers are serialized anyway).
	skipLocked string
	// afterBulk refreshes the planner's statistics after a large import
	// ("" where the database needs no help).
	afterBulk string
	// identity is an auto-numbered primary key column, written
	// {{identity}} in the migrations (the one place their SQL differs).
	identity string
	// batchRows is how many rows one multi-row INSERT writes: PostgreSQL
	// gains from large batches (fewer round trips), the embedded SQLite
	// loses (statements with thousands of parameters prepare slowly).
	batchRows int
}

var (
	sqliteDialect = dialect{name: "sqlite", batchRows: 10, identity: "INTEGER PRIMARY KEY AUTOINCREMENT"}
	pgDialect     = dialect{name: "postgres",
		lockHead:      " FOR UPDATE",
		migrationLock: "SELECT pg_advisory_xact_lock(7243001)",
		skipLocked:    " FOR UPDATE SKIP LOCKED",
		identity:      "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
		afterBulk:     "ANALYZE items",
		batchRows:     400}
)

// Option changes how Open sets up a store.
type Option func(*Store)

// WithEvidence keeps the evidence files in objects (an S3 bucket, say)
// instead of the directory evidence under the data directory.
func WithEvidence(objects blob.Store) Option {
	return func(s *Store) { s.objects = objects }
}

// Open connects to PostgreSQL when dsn is a postgres:// URL, else opens (and
// creates) the SQLite database cloudisms.db under dataDir. It applies the
// migrations. dataDir is required: it also holds the evidence files (unless
// WithEvidence puts them elsewhere) and temporary files, and a default
// relative to the working directory once scattered test files into the
// source tree.
func Open(ctx context.Context, dsn, dataDir string, opts ...Option) (*Store, error) {
	if dataDir == "" {
		return nil, errors.New("open: no data directory given")
	}
	s := &Store{now: time.Now, dataDir: dataDir, objects: blob.NewDir(filepath.Join(dataDir, "evidence")), loads: make(chan struct{}, 2),
		models: NewHeadCache[*isms.ISMS](64), counts: NewHeadCache[int](10000),
		derived: derivedState{cache: NewHeadCache[any](256), flights: map[string]*flight{}},
		trends:  NewHeadCache[trend.Point](4096), hashes: NewHeadCache[*fingerprints](256),
		approvalLists: NewHeadCache[[]recorded](256), positions: NewHeadCache[int64](4096),
		approvalIndexes: NewHeadCache[*ApprovalIndex](256)}
	for _, o := range opts {
		o(s)
	}
	var err error
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		s.d = pgDialect
		// A database that does not answer must fail requests in seconds,
		// not hang them: bound connection attempts unless told otherwise.
		if !strings.Contains(dsn, "connect_timeout=") {
			sep := "?"
			if strings.Contains(dsn, "?") {
				sep = "&"
			}
			dsn += sep + "connect_timeout=5"
		}
		s.db, err = sql.Open("pgx", dsn)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		s.db.SetMaxOpenConns(16)
		// Idle connections are kept (database/sql keeps two by default):
		// under load a closed one means a new connection per request.
		s.db.SetMaxIdleConns(16)
	} else {
		if dsn != "" {
			return nil, fmt.Errorf("open: unsupported database %q (expected postgres://… or none for SQLite)", dsn)
		}
		if err := os.MkdirAll(dataDir, 0o750); err != nil {
			return nil, fmt.Errorf("open sqlite: data directory: %w", err)
		}
		s.d = sqliteDialect
		path := filepath.Join(dataDir, "cloudisms.db")
		// The database holds every organization's ISMS, password hashes
		// and session keys: readable by its owner only, like evidence
		// and backups. SQLite gives its journal files the database's
		// mode, so the file is made (or tightened) before it opens.
		if err := privateFile(path); err != nil {
			return nil, fmt.Errorf("open sqlite %s: %w", path, err)
		}
		// WAL lets readers go on while one writer writes; immediate
		// transactions take the write lock up front, so two writers wait
		// for each other instead of failing halfway.
		q := "?_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)&_txlock=immediate"
		conn, err := sqlite.NewConnector("file:" + path + q)
		if err != nil {
			return nil, fmt.Errorf("open sqlite %s: %w", path, err)
		}
		s.db = sql.OpenDB(stmtCacheConnector{conn})
		s.writeGate = make(chan struct{}, 1)
		s.db.SetMaxOpenConns(4)
		// Idle connections are kept (database/sql keeps two by default):
		// each new SQLite connection opens the file and runs the pragmas
		// again.
		s.db.SetMaxIdleConns(4)
	}
	if err := s.db.PingContext(ctx); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("open %s: %w", s.d.name, err)
	}
	if err := s.Migrate(ctx); err != nil {
		s.db.Close()
		return nil, err
	}
	if err := s.indexQueued(ctx); err != nil {
		s.db.Close()
		return nil, err
	}
	return s, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Dialect names the database in use: sqlite or postgres.
func (s *Store) Dialect() string { return s.d.name }

// Ping reports whether the database answers (for readiness).
func (s *Store) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

// Migrations are written once, in the SQL both databases speak; the
// dialect fills in {{identity}}.
//
//go:embed migrations/*.sql
var migrations embed.FS

// Migrate applies the embedded migrations not applied yet, each in its own
// transaction, serialized between processes that start at the same time.
func (s *Store) Migrate(ctx context.Context) error {
	const dir = "migrations"
	entries, err := fs.ReadDir(migrations, dir)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	if s.d.name == "postgres" {
		// Instances starting together take turns for the whole migration
		// (the bookkeeping table's creation included); a session lock
		// held on one connection while the others do the work.
		unlock, err := s.sessionLock(ctx, migrateLockID)
		if err != nil {
			return fmt.Errorf("migrate: lock: %w", err)
		}
		defer unlock()
	}
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
		// Two PostgreSQL processes may race on the catalog here; the
		// loser sees the table on its next statement.
		if s.d.name != "postgres" {
			return fmt.Errorf("migrate: %w", err)
		}
	}
	for _, e := range entries {
		v, err := strconv.Atoi(strings.SplitN(e.Name(), "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migrate: bad file name %s", e.Name())
		}
		body, err := migrations.ReadFile(dir + "/" + e.Name())
		if err != nil {
			return err
		}
		sqlText := strings.ReplaceAll(string(body), "{{identity}}", s.d.identity)
		if err := s.apply(ctx, v, sqlText); err != nil {
			return fmt.Errorf("migrate %s: %w", e.Name(), err)
		}
	}
	return nil
}

// migrateLockID names the advisory lock migrations hold on PostgreSQL.
const migrateLockID = 7243000

// sessionLock takes a PostgreSQL advisory lock on a connection of its own
// and returns the function that releases it.
func (s *Store) sessionLock(ctx context.Context, id int64) (func(), error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, id); err != nil {
		conn.Close()
		return nil, err
	}
	return func() {
		conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock($1)`, id)
		conn.Close()
	}, nil
}

func (s *Store) apply(ctx context.Context, version int, body string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if s.d.migrationLock != "" {
			if _, err := tx.ExecContext(ctx, s.d.migrationLock); err != nil {
				return err
			}
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = $1`, version).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		for _, stmt := range strings.Split(body, ";") {
			if strings.TrimSpace(stmt) == "" {
				continue
			}
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("%w in: %s", err, strings.TrimSpace(stmt))
			}
		}
		if version == searchVersion {
			if err := createSearch(ctx, tx, s.d.name); err != nil {
				return err
			}
		}
		if version == searchQueueVersion {
			if err := createSearchQueue(ctx, tx, s.d.name); err != nil {
				return err
			}
		}
		if step := goSteps[version]; step != nil {
			if err := step(ctx, tx, s.stamp()); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)`, version, s.stamp())
		return err
	})
}

// goSteps are the parts of migrations that SQL alone cannot do the same
// way on both databases; each runs after its version's SQL, in the same
// transaction.
var goSteps = map[int]func(ctx context.Context, tx *sql.Tx, stamp string) error{
	evidenceOwnersVersion: backfillEvidenceOwners,
	historyJSONVersion:    jsonHistoryValues,
}

// historyJSONVersion is the migration that keeps every history value as
// JSON; a restore converts a backup's records the same way.
const historyJSONVersion = 10

// evidenceOwnersVersion is the migration that made evidence owned per
// organization; a backup from before it is given owners when restored.
const evidenceOwnersVersion = 30

// tx runs f in a transaction, committing when it returns nil.
//
// On SQLite every such transaction takes the database's write lock at its
// start (immediate), and a writer that finds it taken sleeps and polls
// (busy_timeout) while holding one of the few pooled connections: under
// load, waiting writers took the connections readers needed and woke up
// to tens of milliseconds late. Writers of this process queue in Go
// instead, on writeGate, and only the one whose turn it is holds a
// connection; another process (the CLI) still meets busy_timeout.
func (s *Store) tx(ctx context.Context, f func(tx *sql.Tx) error) error {
	wrote(ctx)
	if s.writeGate != nil {
		select {
		case s.writeGate <- struct{}{}:
			defer func() { <-s.writeGate }()
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := f(tx); err != nil {
		tx.Rollback()
		return err
	}
	if s.failHook != nil {
		if err := s.failHook(); err != nil {
			tx.Rollback()
			return err
		}
	}
	return tx.Commit()
}

// orgTx is tx for a write that takes an organization's history head
// (every write of items): on PostgreSQL, writers of one organization
// queue in this process before they take a connection, since a
// transaction waiting for the head's row lock holds its connection, and a
// burst of edits to one organization took the whole pool, stopping every
// other request. Writers in other processes still queue on the row lock.
// (On SQLite tx queues every writer already.)
func (s *Store) orgTx(ctx context.Context, org string, f func(tx *sql.Tx) error) error {
	if s.writeGate == nil {
		unlock, err := lockOrg(ctx, &s.writeLocks, org)
		if err != nil {
			return err
		}
		defer unlock()
	}
	if err := s.tx(ctx, f); err != nil {
		return err
	}
	s.indexSoon(org)
	return nil
}

// orgTxThen is orgTx for a batch of Puts, which lets the next batch begin
// while it commits: on PostgreSQL, once f has written, the organization's
// in-process write lock is released and early called before the commit
// (the next writer's begin and its request for the history head's lock
// then overlap the commit; the lock itself waits for it). On SQLite,
// whose writes take turns on writeGate until they commit, it is orgTx,
// and early is left to the caller.
func (s *Store) orgTxThen(ctx context.Context, org string, f func(tx *sql.Tx) error, early func()) error {
	if s.writeGate != nil {
		return s.orgTx(ctx, org, f)
	}
	unlock, err := lockOrg(ctx, &s.writeLocks, org)
	if err != nil {
		return err
	}
	var once sync.Once
	release := func() { once.Do(unlock) }
	defer release()
	err = s.tx(ctx, func(tx *sql.Tx) error {
		if err := f(tx); err != nil {
			return err
		}
		release()
		early()
		return nil
	})
	if err != nil {
		return err
	}
	s.indexSoon(org)
	return nil
}

// stamp is the current time as stored: RFC 3339 in UTC with nanoseconds.
func (s *Store) stamp() string { return s.now().UTC().Format(time.RFC3339Nano) }

// privateFile creates path with mode 0600 when it does not exist, and takes
// group and other access away from it, and from SQLite's journal files
// beside it, when it does.
func privateFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	f.Close()
	for _, p := range []string{path, path + "-wal", path + "-shm", path + "-journal"} {
		st, err := os.Stat(p)
		if err != nil {
			continue
		}
		if st.Mode().Perm()&0o077 != 0 {
			if err := os.Chmod(p, st.Mode().Perm()&0o700); err != nil {
				return err
			}
		}
	}
	return nil
}
