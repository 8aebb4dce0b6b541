package site

import (
	"html/template"

	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/names"
	"github.com/cloudisms/cloudisms/internal/store"
)

// maxViews bounds the views kept for pages (App.View): about a dozen per
// organization and language. Past it the cache starts over, which costs
// recomputing them, never a wrong page.
const maxViews = 4096

// newViews makes the cache of App.View.
func newViews() *store.HeadCache[any] { return store.NewHeadCache[any](maxViews) }

// Rendered HTML is kept apart from the views, in caches of its own, so
// that its many variants (an SoA's rows per filter and page, the side
// navigation per role and section) cannot push the views out, and so that
// its size stays bounded: maxParts pieces of up to a page each (a few tens
// of megabytes), maxNavs navigations of a few kilobytes.
const (
	maxParts = 512
	maxNavs  = 4096
)

// View returns what compute makes of an organization's ISMS at a history
// head for pages in a language: an index of names, a drawn heat map, the
// options of a filter. Pages are read far more often than the ISMS
// changes, and these cost as much as the rest of a page together, so they
// are made once per change instead of on every request.
//
// The key holds the organization and the language, so that one tenant's
// view is never served to another, nor one language's to a reader of
// another; the head makes a change of the ISMS visible at once (a view
// kept for an older head is not used). name must say everything else the
// view depends on (the as-of date, a parameter), and compute must depend on
// nothing outside the ISMS at head, the language and name: nothing of the
// reader (role, person) belongs in a view. The result is shared between
// requests and must not be modified.
func (a *App) View(org string, head int64, lang, name string, compute func() any) any {
	return a.ViewIf(org, head, lang, name, func() (any, bool) { return compute(), true })
}

// NamesAt is names.Of a model read with Store.ISMSAt at head, indexed once
// per change of the ISMS (a 1,000-risk ISMS took a tenth of a dashboard's
// time to index on every request) and shared by every language.
//
// The names of the latest head known lend their index of the risks' and
// assets' positions (names.Carry): at 50,000 risks indexing them again
// after every edit cost more than the rest of a dashboard.
func (a *App) NamesAt(org string, head int64, m *isms.ISMS, lang string) *names.Names {
	nm := a.View(org, head, "", "names", func() any {
		var prev *names.Names
		if a.views != nil {
			if v, at, ok := a.views.Latest(viewKey(org, "", "names")); ok && at != head {
				prev = v.(*names.Names)
			}
		}
		return names.Carry(m, "", prev)
	}).(*names.Names)
	return nm.In(lang)
}

// ViewIf is View for a view that is not always ready (the trends, until
// their first computation ends): compute says whether what it made may be
// kept; a view that is not is made again on the next request.
func (a *App) ViewIf(org string, head int64, lang, name string, compute func() (any, bool)) any {
	return keptIn(a.views, org, head, lang, name, compute)
}

// PartIf is ViewIf for rendered HTML (App.Part, an SoA page's rows): kept
// in the cache of parts, not with the views.
func (a *App) PartIf(org string, head int64, lang, name string, compute func() (any, bool)) any {
	return keptIn(a.parts, org, head, lang, name, compute)
}

// viewKey is the key a view is kept under: its organization, language
// and name.
func viewKey(org, lang, name string) string { return org + "\x00" + lang + "\x00" + name }

func keptIn(c *store.HeadCache[any], org string, head int64, lang, name string, compute func() (any, bool)) any {
	key := viewKey(org, lang, name)
	if c != nil {
		if v, ok := c.Get(key, head); ok {
			return v
		}
	}
	v, keep := compute()
	if keep && c != nil {
		// A slower request of an older head must not replace a newer view.
		c.PutNewer(key, head, v)
	}
	return v
}

// Part is a fragment of a page (App.Fragment of the page template name,
// executed on p) kept like a view: rendered once per change of the ISMS
// and shared by the requests that follow. The rules of View hold: the
// fragment may show nothing of the reader that key does not say (the
// member's role, where it decides a button, belongs in key), nor anything
// but the ISMS at head and p's language and organization. keep false
// renders without keeping (a part showing something not yet ready).
func (a *App) Part(head int64, p *Page, name, part, key string, keep bool) (template.HTML, error) {
	var err error
	v := a.PartIf(p.Org, head, p.Lang, "part "+name+" "+part+" "+key, func() (any, bool) {
		h, ferr := a.Fragment(name, part, p)
		err = ferr
		return h, keep && ferr == nil
	})
	if err != nil {
		return "", err
	}
	return v.(template.HTML), nil
}
