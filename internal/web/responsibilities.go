package web

import (
	"encoding/json"
	"net/http"

	"github.com/cloudisms/cloudisms/internal/catalog"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/store"
)

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

// allocation says who carries a responsibility: the party whose text is
// filled in, both (shared) or nobody yet.
func viewsAllocation(provider, customer string) string {
	p, c := !isms.IsBlank(provider), !isms.IsBlank(customer)
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

func (a *App) responsibilitiesPage(w http.ResponseWriter, r *http.Request, p *page, m store.Membership) {
	ctx := r.Context()
	model, err := a.store.ISMS(ctx, p.Org)
	if err != nil {
		a.serverError(w, r, p, err)
		return
	}
	items, err := a.storedItems(ctx, p.Org, "responsibilities")
	if err != nil {
		a.serverError(w, r, p, err)
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
	for _, it := range items {
		var e entry
		if err := json.Unmarshal(it.Data, &e); err != nil {
			continue
		}
		byService[e.Service] = append(byService[e.Service], respRow{Control: e.Control, Area: e.Area, Provider: e.Provider, Customer: e.Customer,
			DocumentedIn: e.DocumentedIn, Key: it.Key, Allocation: viewsAllocation(e.Provider, e.Customer)})
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
	title := func(id string) string {
		c, ok := catalog.Std().Lookup(id)
		if !ok {
			return ""
		}
		if p.Lang == "en" {
			return c.TitleEN
		}
		return c.TitleJA
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
	p.Title = p.T("views.resp.title")
	p.Data = map[string]any{"Services": services, "All": model.Services, "Filter": filter,
		"Edit": func(key string) string { return viewsEditURL(p.Org, "responsibilities", key) }, "New": viewsNewURL(p.Org, "responsibilities"),
		"CanEdit": viewsMayWrite(p, "responsibilities")}
	a.render(w, http.StatusOK, "responsibilities", p)
}
