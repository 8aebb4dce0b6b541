package soa

import (
	"slices"
	"strings"

	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/web/site"

	"github.com/cloudisms/cloudisms/internal/isms"
)

// The SoA page has one row per control (over a hundred). Rendering every
// label through the template's method calls made the page the slowest
// request of the UI, so its words are rendered once per page here and the
// rows carry plain strings; the edit form's choices are filled only for
// the row being edited (row.go).

// soaOpt is one choice of a row's edit form, with its state precomputed.
type soaOpt struct {
	Value, Label string
	On           bool
}

// soaLabels are the fixed words of the SoA table in the page's language.
type soaLabels struct {
	Reasons, Justification, Edit, ApplicableQ, Adopt, Exclude string
	Implementation, Notes, Save, OwnText                      string
	UnconfirmedMark, UnconfirmedNote                          string
}

var (
	soaReasonValues = []string{"risk", "legal", "contract", "business", "best-practice"}
	soaImplValues   = []string{isms.ImplImplemented, isms.ImplPartial, isms.ImplPlanned, isms.ImplNotImplemented}
)

func newSoALabels(p *site.Page) soaLabels {
	return soaLabels{Reasons: p.T("ui.reasons"), Justification: p.T("ui.justification"), Edit: p.T("ui.edit"),
		ApplicableQ: p.T("ui.applicable_q"), Adopt: p.T("ui.adopt"), Exclude: p.T("ui.exclude"),
		Implementation: p.T("ui.implementation"), Notes: p.T("ui.notes"), Save: p.T("ui.save"),
		OwnText: p.T("report.col.control_text"), UnconfirmedMark: p.T("catalog.unconfirmed_mark"),
		UnconfirmedNote: p.T("catalog.unconfirmed_note", "mark", p.T("catalog.unconfirmed_mark"))}
}

// label renders a message key once per page and language.
type labelCache struct {
	p    *site.Page
	seen map[string]string
}

func (c *labelCache) get(key string) string {
	if s, ok := c.seen[key]; ok {
		return s
	}
	s := c.p.T(key)
	c.seen[key] = s
	return s
}

// dressForm fills the choices of a row's edit form (only the row's own
// page shows it).
func (c *labelCache) dressForm(row *soaRow) {
	row.ReasonOpts = make([]soaOpt, len(soaReasonValues))
	for i, v := range soaReasonValues {
		row.ReasonOpts[i] = soaOpt{Value: v, Label: c.get("reason." + v), On: slices.Contains(row.Reasons, v)}
	}
	row.ImplOpts = make([]soaOpt, len(soaImplValues))
	for i, v := range soaImplValues {
		row.ImplOpts[i] = soaOpt{Value: v, Label: c.get("state." + v), On: v == row.Implementation}
	}
}

// dress fills a row's display strings.
func (c *labelCache) dress(row *soaRow, selected string) {
	row.StateLabel = c.get("state." + row.State)
	row.FromLabel = c.get("from." + row.From)
	if row.Base != "" {
		row.BaseLabel = c.p.T("ui.base", "base", row.Base)
	}
	names := make([]string, len(row.Reasons))
	for i, r := range row.Reasons {
		names[i] = c.get("reason." + r)
	}
	row.ReasonsText = strings.Join(names, i18n.List(c.p.Lang))
	row.Adopted = row.Applicable != nil && *row.Applicable
	row.Excluded = row.Applicable != nil && !*row.Applicable
	row.JustificationExcerpt, row.NotesExcerpt = excerpt(row.Justification), excerpt(row.Notes)
	row.Owner = selected
	if row.From == isms.FromOrganization {
		row.Owner = "organization"
	}
}

// excerptRunes is how much of a long text a line of the SoA page shows.
const excerptRunes = 40

// excerpt is the start of a text, cut at a rune and marked when cut.
func excerpt(s string) string {
	n := 0
	for i := range s {
		if n == excerptRunes {
			return strings.TrimSpace(s[:i]) + "…"
		}
		n++
	}
	return s
}
