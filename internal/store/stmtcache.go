package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"strings"
)

// SQLite parses and plans every statement it is given; under load the
// store's handful of queries per request spent more CPU in SQLite's parser
// than in running them (an eighth of the server's CPU in the load mix at
// 1,000 risks). A connection of stmtCacheConnector keeps the statements it
// prepared, by their text, and runs a query it has seen before on the kept
// statement. The store's queries are constants with placeholders, so a
// connection holds a few hundred statements at most; maxConnStmts bounds it
// for any that are not.
//
// PostgreSQL needs none of this: pgx keeps its own statement cache.

// maxConnStmts bounds the statements one connection keeps.
const maxConnStmts = 256

// stmtCacheConnector wraps the SQLite driver's connector so that its
// connections keep their prepared statements.
type stmtCacheConnector struct{ driver.Connector }

func (c stmtCacheConnector) Connect(ctx context.Context) (driver.Conn, error) {
	dc, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return newStmtCacheConn(dc)
}

// stmtCacheConn is one connection with its kept statements. database/sql
// uses a connection from one goroutine at a time, but a transaction may run
// a query while the rows of another are still open: a kept statement whose
// rows are open is busy, and the same text then gets a statement of its own.
type stmtCacheConn struct {
	conn  driver.Conn
	begin driver.ConnBeginTx
	prep  driver.ConnPrepareContext
	exec  driver.ExecerContext
	query driver.QueryerContext
	stmts map[string]*keptStmt
}

type keptStmt struct {
	stmt interface {
		driver.Stmt
		driver.StmtExecContext
		driver.StmtQueryContext
	}
	busy bool
}

func newStmtCacheConn(dc driver.Conn) (*stmtCacheConn, error) {
	c := &stmtCacheConn{conn: dc, stmts: map[string]*keptStmt{}}
	var ok1, ok2, ok3, ok4 bool
	c.begin, ok1 = dc.(driver.ConnBeginTx)
	c.prep, ok2 = dc.(driver.ConnPrepareContext)
	c.exec, ok3 = dc.(driver.ExecerContext)
	c.query, ok4 = dc.(driver.QueryerContext)
	if !ok1 || !ok2 || !ok3 || !ok4 {
		dc.Close()
		return nil, errors.New("sqlite connection: the driver lacks the context interfaces the statement cache needs")
	}
	return c, nil
}

// Unwrap is the driver's own connection (the SQLite driver's Limit looks
// through wrappers with it).
func (c *stmtCacheConn) Unwrap() driver.Conn { return c.conn }

// kept returns the kept statement for query, preparing it on first use; nil
// when the query is not to be kept (a script of several statements) or its
// statement is busy, and the caller runs it the plain way.
func (c *stmtCacheConn) kept(ctx context.Context, query string) *keptStmt {
	if k, ok := c.stmts[query]; ok {
		if k.busy {
			return nil
		}
		return k
	}
	if strings.Contains(query, ";") {
		return nil
	}
	ds, err := c.prep.PrepareContext(ctx, query)
	if err != nil {
		// The plain way reports the same error in its own words.
		return nil
	}
	st, ok := ds.(interface {
		driver.Stmt
		driver.StmtExecContext
		driver.StmtQueryContext
	})
	if !ok {
		ds.Close()
		return nil
	}
	if len(c.stmts) >= maxConnStmts {
		c.dropIdle()
	}
	k := &keptStmt{stmt: st}
	c.stmts[query] = k
	return k
}

// dropIdle closes the kept statements that no open rows use.
func (c *stmtCacheConn) dropIdle() {
	for q, k := range c.stmts {
		if !k.busy {
			k.stmt.Close()
			delete(c.stmts, q)
		}
	}
}

// forget closes a kept statement after a failure, so that whatever state
// the failure left it in is never reused.
func (c *stmtCacheConn) forget(query string, k *keptStmt) {
	if c.stmts[query] == k {
		delete(c.stmts, query)
	}
	k.stmt.Close()
}

func (c *stmtCacheConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	k := c.kept(ctx, query)
	if k == nil {
		return c.query.QueryContext(ctx, query, args)
	}
	rows, err := k.stmt.QueryContext(ctx, args)
	if err != nil {
		c.forget(query, k)
		return nil, err
	}
	k.busy = true
	return &keptRows{Rows: rows, k: k}, nil
}

func (c *stmtCacheConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	k := c.kept(ctx, query)
	if k == nil {
		return c.exec.ExecContext(ctx, query, args)
	}
	res, err := k.stmt.ExecContext(ctx, args)
	if err != nil {
		c.forget(query, k)
		return nil, err
	}
	return res, nil
}

func (c *stmtCacheConn) Prepare(query string) (driver.Stmt, error) { return c.conn.Prepare(query) }
func (c *stmtCacheConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.prep.PrepareContext(ctx, query)
}
func (c *stmtCacheConn) Begin() (driver.Tx, error) {
	return c.begin.BeginTx(context.Background(), driver.TxOptions{})
}
func (c *stmtCacheConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.begin.BeginTx(ctx, opts)
}

func (c *stmtCacheConn) Ping(ctx context.Context) error {
	if p, ok := c.conn.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

func (c *stmtCacheConn) ResetSession(ctx context.Context) error {
	if r, ok := c.conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c *stmtCacheConn) IsValid() bool {
	if v, ok := c.conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

// Close finalizes the kept statements before the connection, which SQLite
// would otherwise refuse to close.
func (c *stmtCacheConn) Close() error {
	for q, k := range c.stmts {
		k.stmt.Close()
		delete(c.stmts, q)
	}
	return c.conn.Close()
}

// keptRows are the rows of a kept statement; closing them frees the
// statement for its next use (the driver resets it, keeping its plan).
type keptRows struct {
	driver.Rows
	k *keptStmt
}

func (r *keptRows) Close() error {
	err := r.Rows.Close()
	r.k.busy = false
	return err
}
