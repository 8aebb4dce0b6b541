package web

import (
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"regexp"
	"strconv"

	"github.com/cloudisms/cloudisms/internal/authz"
	"github.com/cloudisms/cloudisms/internal/bundle"

	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/oscal"
	"github.com/cloudisms/cloudisms/internal/report"
	"github.com/cloudisms/cloudisms/internal/store"
)

func init() {
	addNav(navItem{Order: 140, Section: "reports", Path: "reports", Label: "report.ui.nav"})
	addRoutes(func(a *App, m *http.ServeMux) {
		m.HandleFunc("GET /orgs/{org}/reports", a.inOrg("reports", a.reportsPage))
		m.HandleFunc("POST /orgs/{org}/reports/soa-import", a.inOrg("reports", a.soaImportPreview))
		m.HandleFunc("POST /orgs/{org}/reports/soa-import/apply", a.inOrg("reports", a.soaImportApply))
		m.HandleFunc("POST /orgs/{org}/reports/frameworks", a.inOrg("reports", a.frameworkUpload))
	})
}

// reportDownload is one workbook the reports page offers.
type reportDownload struct {
	Kind, Service, Role string
}

// reportsPage offers every workbook for download (through the API route,
// which the session cookie authorizes) in the page's language.
func (a *App) reportsPage(w http.ResponseWriter, r *http.Request, p *page, m store.Membership) {
	a.renderReports(w, r, p, http.StatusOK, nil)
}

// soaImportView is the preview of an SoA workbook upload.
type soaImportView struct {
	File     string
	Data     string // the workbook, base64, carried to the apply step
	Head     int64
	Changes  []changeView
	Problems []string
	Applied  bool
}

type changeView struct {
	SoA, Control, Sheet, Cell, Before, After string
	Override                                 bool
}

func (a *App) renderReports(w http.ResponseWriter, r *http.Request, p *page, status int, imp *soaImportView) {
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
	disclosed, err := a.store.Disclosures(r.Context(), p.Org)
	if err != nil {
		a.serverError(w, r, p, err)
		return
	}
	type provided struct {
		ID, Name string
		Public   bool
	}
	var providers []provided
	for _, s := range model.Services {
		if s.IsProvider() {
			_, on := disclosed[s.ID]
			providers = append(providers, provided{s.ID, s.Name, on})
		}
	}
	frameworks, err := a.store.Frameworks(r.Context(), p.Org)
	if err != nil {
		a.serverError(w, r, p, err)
		return
	}
	var soas []string
	for _, v := range isms.SoAViews(model) {
		if v.Service == "" {
			soas = append(soas, "organization")
		} else {
			soas = append(soas, v.Service+":"+v.Role)
		}
	}
	p.Data = map[string]any{"Kinds": report.Kinds, "Services": services, "Import": imp, "SoAs": soas, "Audits": model.Audits, "Reviews": model.Reviews,
		"Providers": providers, "Frameworks": frameworks, "CanImportFramework": authz.Can(p.Role, authz.Import, authz.Subject{}), "CanPublish": authz.Can(p.Role, authz.Members, authz.Subject{Kind: "disclosures"}),
		"CanImport": authz.Can(p.Role, authz.Write, authz.Subject{Kind: bundle.KindSoARows})}
	a.render(w, status, "reports", p)
}

// maxWorkbook bounds an uploaded SoA workbook (all SoAs of 200 services
// are well under it).
const maxWorkbook = 16 << 20

// soaImportPreview reads an uploaded SoA workbook and shows what it would
// change, or every problem with its sheet and cell; nothing is written.
func (a *App) soaImportPreview(w http.ResponseWriter, r *http.Request, p *page, m store.Membership) {
	if !authz.Can(m.Role, authz.Write, authz.Subject{Kind: bundle.KindSoARows}) {
		a.forbidden(w, r, p)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxWorkbook+1<<20)
	f, hdr, err := r.FormFile("workbook")
	if err != nil {
		p.Error = p.T("ui.import_nofile")
		a.renderReports(w, r, p, http.StatusBadRequest, nil)
		return
	}
	defer f.Close()
	src, err := io.ReadAll(io.LimitReader(f, maxWorkbook+1))
	if err != nil || len(src) > maxWorkbook {
		p.Error = p.T("api.too_large", "max", maxWorkbook)
		a.renderReports(w, r, p, http.StatusRequestEntityTooLarge, nil)
		return
	}
	res, err := report.PreviewSoA(r.Context(), a.store, p.Org, src)
	a.showImport(w, r, p, hdr.Filename, src, res, err, false)
}

// soaImportApply applies the previewed workbook, provided the ISMS is
// still as it was previewed; otherwise the preview is shown again.
func (a *App) soaImportApply(w http.ResponseWriter, r *http.Request, p *page, m store.Membership) {
	if !authz.Can(m.Role, authz.Write, authz.Subject{Kind: bundle.KindSoARows}) {
		a.forbidden(w, r, p)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 2*maxWorkbook)
	src, err := base64.StdEncoding.DecodeString(r.PostFormValue("workbook"))
	head, herr := strconv.ParseInt(r.PostFormValue("head"), 10, 64)
	if err != nil || herr != nil || len(src) == 0 {
		p.Error = p.T("ui.import_nofile")
		a.renderReports(w, r, p, http.StatusBadRequest, nil)
		return
	}
	name := r.PostFormValue("file")
	res, err := report.ApplySoA(r.Context(), a.store, p.Org, src, head, p.User.Email)
	if errors.Is(err, store.ErrConflict) {
		p.Error = p.T("report.ui.changed_since")
		res, err = report.PreviewSoA(r.Context(), a.store, p.Org, src)
		a.showImport(w, r, p, name, src, res, err, false)
		return
	}
	a.showImport(w, r, p, name, src, res, err, true)
}

func (a *App) showImport(w http.ResponseWriter, r *http.Request, p *page, name string, src []byte, res report.SoAImport, err error, applied bool) {
	v := &soaImportView{File: name, Head: res.Head, Applied: applied && err == nil}
	var errs report.ImportErrors
	switch {
	case errors.As(err, &errs):
		for _, e := range errs {
			v.Problems = append(v.Problems, e.In(p.Lang))
		}
		p.Error = p.T("report.import.rejected", "n", len(errs))
		a.renderReports(w, r, p, http.StatusBadRequest, v)
		return
	case err != nil:
		a.serverError(w, r, p, err)
		return
	}
	for _, c := range res.Changes {
		v.Changes = append(v.Changes, changeView{SoA: c.SoA, Control: c.Control, Sheet: c.Sheet, Cell: c.Cell,
			Before: report.RowSummary(c.Before, p.Lang), After: report.RowSummary(&c.After, p.Lang), Override: c.Inherited})
	}
	if v.Applied {
		p.Flash = p.T("report.import.applied", "n", len(v.Changes), "org", p.Org)
	} else if len(v.Changes) > 0 {
		v.Data = base64.StdEncoding.EncodeToString(src)
	}
	a.renderReports(w, r, p, http.StatusOK, v)
}

// frameworkUpload imports an OSCAL catalog as an additional framework; a
// document that is not a valid catalog is refused with the reason and
// changes nothing.
func (a *App) frameworkUpload(w http.ResponseWriter, r *http.Request, p *page, m store.Membership) {
	if !authz.Can(m.Role, authz.Import, authz.Subject{}) {
		a.forbidden(w, r, p)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, oscal.MaxCatalogBytes+1<<20)
	f, _, err := r.FormFile("catalog")
	if err != nil {
		p.Error = p.T("ui.import_nofile")
		a.renderReports(w, r, p, http.StatusBadRequest, nil)
		return
	}
	defer f.Close()
	src, err := io.ReadAll(f)
	if err != nil {
		p.Error = p.T("api.too_large", "max", oscal.MaxCatalogBytes)
		a.renderReports(w, r, p, http.StatusRequestEntityTooLarge, nil)
		return
	}
	id := r.PostFormValue("id")
	if !frameworkID.MatchString(id) {
		p.Error = p.T("report.api.bad_framework_id", "id", id)
		a.renderReports(w, r, p, http.StatusBadRequest, nil)
		return
	}
	fw, err := oscal.ReadCatalog(src, id)
	var ie *oscal.ImportError
	if errors.As(err, &ie) {
		p.Error = ie.In(p.Lang)
		a.renderReports(w, r, p, http.StatusBadRequest, nil)
		return
	}
	if err := a.store.PutFramework(r.Context(), p.Org, fw, p.User.Email); err != nil {
		a.serverError(w, r, p, err)
		return
	}
	p.Flash = p.T("report.cli.imported_catalog", "id", id, "n", len(fw.Controls), "org", p.Org)
	a.renderReports(w, r, p, http.StatusOK, nil)
}

var frameworkID = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,47}$`)
