package web

import (
	"net/http"

	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/report"
	"github.com/cloudisms/cloudisms/internal/store"
)

func init() {
	addNav(navItem{Order: 140, Section: "reports", Path: "reports", Label: "report.ui.nav"})
	addRoutes(func(a *App, m *http.ServeMux) {
		m.HandleFunc("GET /orgs/{org}/reports", a.inOrg("reports", a.reportsPage))
	})
}

// reportDownload is one workbook the reports page offers.
type reportDownload struct {
	Kind, Service, Role string
}

// reportsPage offers every workbook for download (through the API route,
// which the session cookie authorizes) in the page's language.
func (a *App) reportsPage(w http.ResponseWriter, r *http.Request, p *page, m store.Membership) {
	model, err := a.store.ISMS(r.Context(), p.Org)
	if err != nil {
		a.serverError(w, r, p, err)
		return
	}
	var services []isms.CloudService
	for _, s := range model.Services {
		if s.InScope {
			services = append(services, s)
		}
	}
	p.Title = p.T("report.ui.title")
	p.Data = map[string]any{"Kinds": report.Kinds, "Services": services}
	a.render(w, http.StatusOK, "reports", p)
}
