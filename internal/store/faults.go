package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
)

// Unavailable reports whether err means the database cannot be reached or
// is too busy right now (a connection refused or cut, PostgreSQL shutting
// down, a lock wait or a deadline run out): the request may succeed when
// tried again, and the server answers 503 rather than 500.
func Unavailable(err error) bool {
	if err == nil {
		return false
	}
	var connErr *pgconn.ConnectError
	var netErr net.Error
	var pgErr *pgconn.PgError
	switch {
	case errors.As(err, &connErr), errors.As(err, &netErr),
		errors.Is(err, driver.ErrBadConn), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		errors.Is(err, context.DeadlineExceeded), pgconn.Timeout(err):
		return true
	case errors.As(err, &pgErr):
		// Class 08: connection exceptions; 57P01–57P03: the server is
		// shutting down or starting.
		return strings.HasPrefix(pgErr.Code, "08") || strings.HasPrefix(pgErr.Code, "57P0")
	}
	msg := err.Error()
	return strings.Contains(msg, "conn closed") || strings.Contains(msg, "database is locked") || strings.Contains(msg, "(SQLITE_BUSY)")
}

// StorageFailed reports whether err means the server could not write its
// data: the disk or the file size limit is full, or the data directory is
// read-only. The transaction was rolled back; nothing was saved.
func StorageFailed(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EFBIG) || errors.Is(err, syscall.EDQUOT) || errors.Is(err, syscall.EROFS) {
		return true
	}
	msg := err.Error()
	for _, s := range []string{"database or disk is full", "disk I/O error", "readonly database", "SQLITE_FULL", "SQLITE_IOERR", "SQLITE_READONLY"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	var pgErr *pgconn.PgError
	// Class 53: insufficient resources (disk full, out of memory).
	return errors.As(err, &pgErr) && strings.HasPrefix(pgErr.Code, "53")
}
