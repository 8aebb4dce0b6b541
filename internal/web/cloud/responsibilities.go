// Package cloud holds the provider and customer pages of the web UI: the
// responsibility matrix of each cloud service and the verifications of
// what providers state, with the risk a gap becomes.
package cloud

import (
	"embed"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/cloudisms/cloudisms/internal/catalog"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/names"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/web/items"
	"github.com/cloudisms/cloudisms/internal/web/site"
)

//go:embed templates/*.html
var templateFS embed.FS

// handlers are the provider and customer pages over the site.
type handlers struct{ *site.App }

func init() {
	site.AddTemplates(templateFS)
	site.AddNav(site.NavItem{Order: 70, Section: "responsibilities", Path: "responsibilities", Label: "views.nav.responsibilities"})
	site.AddNav(site.NavItem{Order: 75, Section: "verifications", Path: "verifications", Label: "views.nav.verifications"})
	site.AddRoutes(func(app *site.App, m *http.ServeMux) {
		a := &handlers{app}
		m.HandleFunc("GET /orgs/{org}/responsibilities", a.InOrg("responsibilities", a.responsibilitiesPage))
		m.HandleFunc("GET /orgs/{org}/verifications", a.InOrg("verifications", a.verificationsPage))
		m.HandleFunc("POST /orgs/{org}/verifications/{id}/risk", a.InOrg("verifications", a.verificationRisk))
	})
}

// respRow is one row of a service's responsibility matrix: a documented
// responsibility, or an adopted cloud control that has none yet.
type respRow struct {
	Control, Title                         string
	Area, Provider, Customer, DocumentedIn string
	Key                                    string // the stored responsibilities item ("" when not documented)
	Allocation                             string // provider, customer, shared, none
}

type respService struct {
	Service isms.CloudService
	Rows    []respRow
	Missing []respRow // adopted cloud controls without a documented allocation
}

// allocation says who carries a responsibility: the party whose cell
// gives them a part, both (shared) or nobody yet. A cell that says the
// party has none (「責任なし」) gives no part: CLD.6.3.1 with the
// provider's text and a customer cell of 「責任なし」 is the provider's.
func allocation(provider, customer string) string {
	p, c := carries(provider), carries(customer)
	switch {
	case p && c:
		return "shared"
	case p:
		return "provider"
	case c:
		return "customer"
	}
	return "none"
}

func (a *handlers) responsibilitiesPage(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) {
	ctx := r.Context()
	model, err := a.Store.ISMS(ctx, p.Org)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	stored, err := a.StoredItems(ctx, p.Org, "responsibilities")
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	type entry struct {
		Service      string `json:"service"`
		Control      string `json:"control"`
		Area         string `json:"area"`
		Provider     string `json:"provider"`
		Customer     string `json:"customer"`
		DocumentedIn string `json:"documented_in"`
	}
	byService := map[string][]respRow{}
	for _, it := range stored {
		var e entry
		if err := json.Unmarshal(it.Data, &e); err != nil {
			continue
		}
		byService[e.Service] = append(byService[e.Service], respRow{Control: e.Control, Area: e.Area, Provider: e.Provider, Customer: e.Customer,
			DocumentedIn: e.DocumentedIn, Key: it.Key, Allocation: allocation(e.Provider, e.Customer)})
	}
	// The cloud controls each service's SoAs adopt.
	cloud := map[string][]*catalog.Control{}
	for _, v := range isms.SoAViews(model) {
		if v.Service == "" {
			continue
		}
		for _, er := range v.Rows {
			if er.Control.Is27017() && er.Row != nil && er.Row.IsApplicable() {
				cloud[v.Service] = append(cloud[v.Service], er.Control)
			}
		}
	}
	filter := r.URL.Query().Get("service")
	texts, err := a.Store.ControlTexts(ctx, p.Org)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	title := func(id string) string {
		c, ok := catalog.Std().Lookup(id)
		if !ok {
			return ""
		}
		t, _ := p.ControlTitle(c, texts) // the mark is explained under the tables
		return t
	}
	var services []respService
	for _, s := range model.Services {
		if filter != "" && s.ID != filter {
			continue
		}
		rs := respService{Service: s}
		seen := map[string]bool{}
		for _, ctl := range cloud[s.ID] {
			if seen[ctl.ID] {
				continue
			}
			seen[ctl.ID] = true
			found := false
			for _, row := range byService[s.ID] {
				if row.Control == ctl.ID {
					row.Title = title(row.Control)
					rs.Rows = append(rs.Rows, row)
					found = true
				}
			}
			if !found {
				rs.Missing = append(rs.Missing, respRow{Control: ctl.ID, Title: title(ctl.ID), Allocation: "none"})
			}
		}
		for _, row := range byService[s.ID] {
			if !seen[row.Control] || row.Control == "" {
				row.Title = title(row.Control)
				rs.Rows = append(rs.Rows, row)
			}
		}
		services = append(services, rs)
	}
	p.Names = names.Of(model, p.Lang)
	if site.WantsCSV(r) {
		heads := []string{p.T("risk.col.service"), p.T("ui.control"), p.T("ui.title"), p.T("views.resp.area"), p.T("role.provider"),
			p.T("role.customer"), p.T("views.resp.allocation"), p.T("resp.csv.documented_in")}
		var rows [][]string
		for _, rs := range services {
			for _, row := range append(append([]respRow{}, rs.Rows...), rs.Missing...) {
				rows = append(rows, []string{rs.Service.Name, row.Control, row.Title, row.Area, row.Provider, row.Customer,
					p.T("views.alloc." + row.Allocation), p.Names.Document(row.DocumentedIn)})
			}
		}
		site.WriteCSV(w, p, a.Now(), "responsibilities", heads, rows)
		return
	}
	p.CSV = site.CSVLink(r)
	p.Title = p.T("views.resp.title")
	p.Data = map[string]any{"Services": services, "All": model.Services, "Filter": filter,
		"Edit": func(key string) string { return items.URL(p.Org, "responsibilities", key) }, "New": items.NewURL(p.Org, "responsibilities", nil),
		"CanEdit": p.MayEdit("responsibilities")}
	a.Render(w, http.StatusOK, "responsibilities", p)
}

// noPart are the ways a cell says its party has no part, compared after
// trimming spaces and closing punctuation, case-insensitively.
var noPart = map[string]bool{"責任なし": true, "なし": true, "該当なし": true, "対象外": true, "責任を負わない": true,
	"none": true, "n/a": true, "na": true, "not applicable": true, "no responsibility": true, "-": true, "—": true, "－": true}

// carries reports whether a cell gives its party a part.
func carries(cell string) bool {
	if isms.IsBlank(cell) {
		return false
	}
	s := strings.ToLower(strings.TrimRight(strings.TrimSpace(cell), "。．.、 　"))
	return !noPart[s]
}
