// Package blob keeps files by key: in a local directory (the default) or
// in an S3-compatible bucket, for instances that share no disk. The store
// keeps evidence files here, named by their SHA-256, and the backup
// commands write and read archives through the same interface.
package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"
)

// Store holds objects by key. Keys are slash-separated relative paths
// ("ab/ab12…"); every method is safe for concurrent use by many processes.
type Store interface {
	// Put stores size bytes read from r under key, replacing what is
	// there, and returns only once the object is stored whole and can be
	// read by every instance. A failed Put leaves no partial object.
	Put(ctx context.Context, key string, r io.Reader, size int64) error
	// Open reads an object; ErrNotFound when there is none.
	Open(ctx context.Context, key string) (io.ReadCloser, Object, error)
	// Stat describes an object; ErrNotFound when there is none.
	Stat(ctx context.Context, key string) (Object, error)
	// Delete removes an object (no error when it is already gone).
	Delete(ctx context.Context, key string) error
	// List calls each for every object whose key starts with prefix.
	List(ctx context.Context, prefix string, each func(Object) error) error
	// Check confirms at start that the store can be reached and that the
	// credentials are accepted, so that a misconfiguration stops the
	// program with a clear message instead of failing uploads later.
	Check(ctx context.Context) error
	// String names the store for messages (never with a secret).
	String() string
}

// HashedPutter is a store that can take the SHA-256 of the content from
// the caller (who computed it while receiving it) instead of reading the
// content twice; the store still has it checked (S3 signs it, and the
// server refuses a body that does not match).
type HashedPutter interface {
	PutSHA256(ctx context.Context, key string, r io.Reader, size int64, sha256hex string) error
}

// Object describes a stored object.
type Object struct {
	Key      string
	Size     int64
	Modified time.Time
}

// ErrNotFound is an object that does not exist.
var ErrNotFound = errors.New("no such object")

// UnavailableError is a store that could not be reached or did not do
// what was asked (network, timeout, a server error, refused credentials):
// nothing was stored, and the request may succeed when tried again.
type UnavailableError struct {
	Store string
	Op    string
	Err   error
}

func (e *UnavailableError) Error() string {
	return fmt.Sprintf("object storage %s: %s: %v", e.Store, e.Op, e.Err)
}

func (e *UnavailableError) Unwrap() error { return e.Err }

// Unavailable reports whether err is an object store that failed.
func Unavailable(err error) bool {
	var u *UnavailableError
	return errors.As(err, &u)
}
