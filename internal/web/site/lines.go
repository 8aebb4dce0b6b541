package site

import (
	"html/template"
	"strings"
	"sync"

	"github.com/cloudisms/cloudisms/internal/i18n"
)

// Pages repeat lines: the rows of a register, the due items, the stale
// approvals. html/template spends about a microsecond on every value it
// writes, so a page of a few hundred lines cost milliseconds to render,
// on every request, and after every edit a view kept by history head is
// made again. Lines keeps each line's HTML by its content instead: after
// an edit only the lines whose content changed are rendered again.

// A cache of lines holds at most max of them (per organization, language
// and template): past it the cache starts over (lines of older versions
// are not read again). MaxRegisterLines suits a register's rows, whose
// pages together show every item; MaxListLines a list of a few dozen
// lines that changes with edits.
const (
	MaxRegisterLines = 20_000
	MaxListLines     = 2_000
)

// Line is what a line's template is given: the line's content, and the
// organization and language its links and words need ($.Org, $.T).
type Line[K comparable] struct {
	V         K
	Org, Lang string
}

// T is Page.T in the line's language.
func (l Line[K]) T(key string, args ...any) string { return i18n.M(key, args...).In(l.Lang) }

type lineCache[K comparable] struct {
	mu    sync.Mutex
	lines map[K]template.HTML
}

// Lines renders one line per value with the template part of the page
// template page (given a Line), joined, keeping at most max lines. A
// value must hold everything its line shows (names resolved, the reader's
// permissions decided): equal values give the same line. Lines are kept
// per organization and language.
func Lines[K comparable](a *App, p *Page, page, part string, max int, vals []K) (template.HTML, error) {
	return LinesBy(a, p, page, part, max, vals, func(v K) K { return v }, func(v K) any { return Line[K]{V: v, Org: p.Org, Lang: p.Lang} })
}

// LinesBy is Lines for lines whose template is given data(v) and whose
// content is told by key(v), a value that holds everything the line
// shows.
func LinesBy[V any, K comparable](a *App, p *Page, page, part string, max int, vals []V, key func(V) K, data func(V) any) (template.HTML, error) {
	c := linesOf[K](a, p, page, part)
	lines := make([]template.HTML, len(vals))
	n := 0
	for i, v := range vals {
		h, err := c.line(a, page, part, max, key(v), func() any { return data(v) })
		if err != nil {
			return "", err
		}
		lines[i] = h
		n += len(h)
	}
	// Joined into one string of the right size: grown by doubling, the
	// join of a register's page of rows allocated twice what it kept.
	var out strings.Builder
	out.Grow(n)
	for _, h := range lines {
		out.WriteString(string(h))
	}
	return template.HTML(out.String()), nil
}

// OneLine is LinesBy of one value whose content is told by itself and
// which its template is given as it is: a piece used on its own, such as
// one option of a filter.
func OneLine[K comparable](a *App, p *Page, page, part string, max int, v K) (template.HTML, error) {
	return linesOf[K](a, p, page, part).line(a, page, part, max, v, func() any { return v })
}

// linesOf is the cache of a template's lines for the page's organization
// and language.
func linesOf[K comparable](a *App, p *Page, page, part string) *lineCache[K] {
	return a.View(p.Org, 0, p.Lang, "lines "+page+" "+part, func() any {
		return &lineCache[K]{lines: map[K]template.HTML{}}
	}).(*lineCache[K])
}

// line is the kept line of content k, rendered from data() when it is not
// kept yet.
func (c *lineCache[K]) line(a *App, page, part string, max int, k K, data func() any) (template.HTML, error) {
	c.mu.Lock()
	h, ok := c.lines[k]
	c.mu.Unlock()
	if ok {
		return h, nil
	}
	h, err := a.Fragment(page, part, data())
	if err != nil {
		return "", err
	}
	c.mu.Lock()
	if len(c.lines) >= max {
		c.lines = map[K]template.HTML{}
	}
	c.lines[k] = h
	c.mu.Unlock()
	return h, nil
}
