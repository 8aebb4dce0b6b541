// Package search is the one search box of an organization's ISMS: every
// stored item by any of its text (risks, assets, services, SoA rows,
// documents, audits with their findings and corrective actions, records
// of every register), the controls by their titles, and the current
// findings of the conformity check, grouped by kind, each linking to the
// place where it is read or fixed.
package search

import (
	"embed"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/cloudisms/cloudisms/internal/catalog"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/names"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/web/items"
	"github.com/cloudisms/cloudisms/internal/web/site"
)

//go:embed templates/*.html
var templateFS embed.FS

type handlers struct{ *site.App }

func init() {
	site.AddTemplates(templateFS)
	site.AddRoutes(func(app *site.App, m *http.ServeMux) {
		a := &handlers{app}
		m.HandleFunc("GET /orgs/{org}/search", a.InOrg("search", a.searchPage))
	})
}

// maxHits bounds the items one search lists.
const maxHits = 500

// hit is one result as the page shows it.
type hit struct {
	Title, Key, Snippet, Link string
}

// group is the results of one kind.
type group struct {
	Kind, Label string
	Hits        []hit
}

func (a *handlers) searchPage(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	p.Title = p.T("search.title")
	data := map[string]any{"Q": q, "TooLong": utf8.RuneCountInString(q) > store.MaxQuery, "Max": store.MaxQuery}
	p.Data = data
	if q == "" || data["TooLong"].(bool) {
		status := http.StatusOK
		if data["TooLong"].(bool) {
			status = http.StatusBadRequest
		}
		a.Render(w, status, "search", p)
		return
	}
	ctx := r.Context()
	found, err := a.Store.Search(ctx, p.Org, q, maxHits)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	checked, model, err := a.Store.Findings(ctx, p.Org, isms.DateOf(a.Now()))
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	nm := names.Of(model, p.Lang)
	var groups []group
	at := map[string]int{}
	add := func(kind, label string, h hit) {
		i, ok := at[kind]
		if !ok {
			i = len(groups)
			at[kind] = i
			groups = append(groups, group{Kind: kind, Label: label})
		}
		groups[i].Hits = append(groups[i].Hits, h)
	}
	// Findings first: what is wrong is what people look for most.
	lq := strings.ToLower(q)
	for _, f := range checked {
		text := site.FindingText(f, p.Lang, nm)
		if strings.Contains(strings.ToLower(text), lq) || strings.Contains(strings.ToLower(f.Rule+" "+f.Subject), lq) {
			add("findings", p.T("search.findings"), hit{Title: f.Rule + " " + nm.Subject(f.Subject), Key: f.Subject, Snippet: text,
				Link: site.SubjectLink(p.Org, strings.Split(f.Subject, "/"))})
		}
	}
	cloudSoA := firstServiceSoA(model)
	texts, err := a.Store.ControlTexts(ctx, p.Org)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	for _, c := range controlsMatching(model, lq, texts) {
		title, unconfirmed := p.ControlTitle(c, texts)
		if unconfirmed {
			data["Unconfirmed"] = true
		}
		add("controls", p.T("search.controls"), hit{Title: c.ID + " " + title, Key: c.ID,
			Link: "/orgs/" + url.PathEscape(p.Org) + "/soa?soa=" + url.QueryEscape(soaOf(c, cloudSoA)) + "#row-" + c.ID})
	}
	for _, h := range found {
		title := titleOf(h, nm)
		if h.Key == h.Kind { // a single item (the organization, the risk criteria): named by its kind
			title = p.T("items.kind." + h.Kind)
		}
		add(h.Kind, p.T("items.kind."+h.Kind), hit{Title: title, Key: h.Key, Snippet: snippet(items.DisplayText(p, h.Kind, h.Data, nm), q, 40), Link: linkOf(p.Org, h)})
	}
	data["Groups"], data["Cut"] = groups, len(found) == maxHits
	a.Render(w, http.StatusOK, "search", p)
}

// controlsMatching are the controls of the ISMS's edition, and the cloud
// controls, whose number or title contains q.
func controlsMatching(m *isms.ISMS, lq string, texts map[string]string) []*catalog.Control {
	cat := catalog.Std()
	annex := cat.Annex2022
	if m.Organization.AnnexA == catalog.ISO27001v2013 {
		annex = cat.Annex2013
	}
	var out []*catalog.Control
	for _, list := range [][]*catalog.Control{annex, cat.Cloud} {
		for _, c := range list {
			own, _ := catalog.JATitle(c, texts)
			if strings.Contains(strings.ToLower(c.ID+" "+c.TitleJA+" "+own+" "+c.TitleEN), lq) {
				out = append(out, c)
			}
		}
	}
	return out
}

// soaOf is the SoA a control's row is read in: the organization's for
// Annex A, the first service SoA for a cloud control (the page lets the
// reader switch).
func soaOf(c *catalog.Control, cloudSoA string) string {
	if c.Is27017() && cloudSoA != "" {
		return cloudSoA
	}
	return "organization"
}

// firstServiceSoA is the key of the first service SoA ("" when none).
func firstServiceSoA(m *isms.ISMS) string {
	for _, v := range isms.SoAViews(m) {
		if v.Service != "" {
			return v.Service + ":" + v.Role
		}
	}
	return ""
}

// titleOf names a found item as people read it.
func titleOf(h store.SearchHit, nm *names.Names) string {
	switch h.Kind {
	case "soa_rows":
		soa, control, _ := strings.Cut(h.Key, "/")
		return nm.SoA(soa) + " › " + control
	case "soa":
		return nm.SoA(h.Key)
	}
	if h.Label != "" {
		return h.Label
	}
	return nm.Ref(h.Kind, h.Key)
}

// linkOf is where a found item is read and edited.
func linkOf(org string, h store.SearchHit) string {
	switch h.Kind {
	case "soa_rows":
		soa, control, _ := strings.Cut(h.Key, "/")
		return "/orgs/" + url.PathEscape(org) + "/soa?soa=" + url.QueryEscape(soa) + "#row-" + control
	case "soa":
		return "/orgs/" + url.PathEscape(org) + "/soa?soa=" + url.QueryEscape(h.Key)
	}
	return items.URL(org, h.Kind, h.Key)
}

// snippet is the text around the first match of q in an item's display
// text, about width characters either side; "" when q matched only what
// the page does not show (an id, a key), so that no raw value is shown.
func snippet(text, q string, width int) string {
	i := strings.Index(strings.ToLower(text), strings.ToLower(q))
	if i < 0 || len(strings.ToLower(text)) != len(text) {
		i = strings.Index(text, q)
	}
	if i < 0 {
		return ""
	}
	before, match, after := []rune(text[:i]), text[i:i+len(q)], []rune(text[i+len(q):])
	pre, post := "", ""
	if len(before) > width {
		before, pre = before[len(before)-width:], "…"
	}
	if len(after) > width {
		after, post = after[:width], "…"
	}
	return pre + string(before) + match + string(after) + post
}
