package store

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"
)

// MaxNote bounds a change note, in characters.
const MaxNote = 1000

type noteKey struct{}

// WithNote carries the "why" of a change to every history record the
// writes made with ctx produce: one note per request, whichever store
// method (an edit, a deletion, an approval) records the change, without
// widening each method's signature.
func WithNote(ctx context.Context, note string) context.Context {
	note = strings.TrimSpace(note)
	if note == "" {
		return ctx
	}
	return context.WithValue(ctx, noteKey{}, note)
}

// NoteOf is the change note ctx carries ("" for none).
func NoteOf(ctx context.Context) string {
	n, _ := ctx.Value(noteKey{}).(string)
	return n
}

// CheckNote reports a change note that is too long or not text.
func CheckNote(note string) error {
	if !utf8.ValidString(note) {
		return fmt.Errorf("change note: not UTF-8 text")
	}
	if n := utf8.RuneCountInString(note); n > MaxNote {
		return &LimitError{What: "note", Limit: MaxNote, Got: n}
	}
	return nil
}

// LimitError is an input over one of the store's bounds.
type LimitError struct {
	What  string // note, comment, comments, rate, mentions
	Limit int
	Got   int
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("%s: %d is over the limit of %d", e.What, e.Got, e.Limit)
}
