package items

import (
	"net/http"
	"strings"

	"github.com/cloudisms/cloudisms/internal/conformity"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/names"
	"github.com/cloudisms/cloudisms/internal/web/site"
)

// itemFinding is a conformity finding about the item shown.
type itemFinding struct {
	Rule, Severity, Subject, Text, Reference string
	Name                                     string // the subject in names (site.Names.Subject)
}

// itemFindings are the conformity findings whose subject is the item or
// something inside it, so that a finding followed from the dashboard is
// in sight where it is fixed. A model that cannot be loaded hides them
// rather than the form.
func (a *handlers) itemFindings(r *http.Request, p *site.Page, st formState) []itemFinding {
	checked, model, err := a.Store.Findings(r.Context(), p.Org, isms.DateOf(a.Now()))
	if err != nil {
		a.Log.Warn("item findings", "org", p.Org, "err", err)
		return nil
	}
	subject := st.def.Kind + "/" + st.key
	switch {
	case st.def.Single:
		subject = st.def.Kind // organization
	case !st.def.Keyed && st.stored != nil:
		subject = st.def.Kind + "/" + st.stored.Label // backups/SERVICE
	}
	var out []itemFinding
	nm := names.Of(model, p.Lang)
	for _, f := range checked {
		if f.Subject == subject || strings.HasPrefix(f.Subject, subject+"/") {
			out = append(out, newItemFinding(f, p.Lang, nm))
		}
	}
	return out
}

func newItemFinding(f conformity.Finding, lang string, nm *names.Names) itemFinding {
	return itemFinding{Rule: f.Rule, Severity: f.Severity, Subject: f.Subject, Name: nm.Subject(f.Subject), Text: site.FindingText(f, lang, nm), Reference: f.Reference}
}

// findingsAbout are the current findings that a new-item form was opened
// for (none once they are fixed).
func (a *handlers) findingsAbout(r *http.Request, p *site.Page, about string) []itemFinding {
	rule, subject, ok := strings.Cut(about, " ")
	if !ok {
		return nil
	}
	checked, model, err := a.Store.Findings(r.Context(), p.Org, isms.DateOf(a.Now()))
	if err != nil {
		a.Log.Warn("findings about", "org", p.Org, "err", err)
		return nil
	}
	var out []itemFinding
	nm := names.Of(model, p.Lang)
	for _, f := range checked {
		if f.Rule == rule && f.Subject == subject {
			out = append(out, newItemFinding(f, p.Lang, nm))
		}
	}
	return out
}
