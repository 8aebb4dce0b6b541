package cli

import (
	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/progress"
)

// progress returns a progress bar on standard error, labelled in the
// user's language. It draws only when standard error is a terminal, so
// that scripts and logs get nothing but the result.
func (e *env) progress(labelKey string) *progress.Bar {
	return progress.New(e.stderr, i18n.M(labelKey).In(e.lang))
}
