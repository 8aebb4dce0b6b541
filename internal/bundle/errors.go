package bundle

import (
	"fmt"
	"strings"

	"github.com/cloudisms/cloudisms/internal/i18n"
)

// Problem is one thing wrong with a document: where it is (file, line when
// the YAML or JSON gives one, field path) and what was expected.
type Problem struct {
	File string
	Line int
	Path string
	Msg  i18n.Message
}

// In renders the problem as "file:line: path: message".
func (p Problem) In(lang string) string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
	}
	if p.Path != "" {
		b.WriteString(": ")
		b.WriteString(p.Path)
	}
	b.WriteString(": ")
	b.WriteString(p.Msg.In(lang))
	return b.String()
}

// Errors is every problem found in one document, in document order. A
// document with any problem is rejected whole.
type Errors []Problem

func (e Errors) Error() string { return e.In(i18n.EN) }

// In renders all problems, one per line.
func (e Errors) In(lang string) string {
	lines := make([]string, len(e))
	for i, p := range e {
		lines[i] = p.In(lang)
	}
	return strings.Join(lines, "\n")
}
