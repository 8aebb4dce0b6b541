// Package reports holds the pages that take the ISMS out of the tool and
// bring other formats in: workbook downloads and the SoA workbook import,
// printable documents and their PDFs, the public disclosure page of a
// provided service, the organization's own control texts, and imported
// OSCAL frameworks with their statements of applicability.
package reports

import (
	"embed"
	"encoding/base64"
	"errors"
	"github.com/cloudisms/cloudisms/internal/gate"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/cloudisms/cloudisms/internal/authz"
	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/names"
	"github.com/cloudisms/cloudisms/internal/web/site"

	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/oscal"
	"github.com/cloudisms/cloudisms/internal/report"
	"github.com/cloudisms/cloudisms/internal/store"
)

//go:embed templates/*.html
var templateFS embed.FS

// handlers are the report and interoperability pages over the site.
type handlers struct{ *site.App }

func init() {
	site.AddTemplates(templateFS)
	site.AddNav(site.NavItem{Order: 140, Section: "reports", Path: "reports", Label: "report.ui.nav"})
	site.AddRoutes(func(app *site.App, m *http.ServeMux) {
		a := &handlers{app}
		m.HandleFunc("GET /orgs/{org}/reports", a.InOrg("reports", a.reportsPage))
		m.HandleFunc("POST /orgs/{org}/reports/soa-import", a.InOrg("reports", a.soaImportPreview))
		m.HandleFunc("POST /orgs/{org}/reports/soa-import/apply", a.InOrg("reports", a.soaImportApply))
		m.HandleFunc("POST /orgs/{org}/reports/frameworks", a.InOrg("reports", a.frameworkUpload))
		m.HandleFunc("POST /orgs/{org}/reports/libraries", a.InOrg("reports", a.libraryUpload))
	})
}

// reportDownload is one workbook the reports page offers.
type reportDownload struct {
	Kind, Service, Role string
}

// reportsPage offers every workbook for download (through the API route,
// which the session cookie authorizes) in the page's language.
func (a *handlers) reportsPage(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) {
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
	// Skipped are the edited cells not applied; Stale counts the rows
	// changed since the workbook was made (applying asks to confirm).
	Skipped []skippedView
	Stale   int
	MadeAt  int64
}

type changeView struct {
	SoA, Control, Sheet, Cell, Before, After string
	Override                                 bool
	Stale                                    bool // changed in the ISMS after the workbook was made
}

func (a *handlers) renderReports(w http.ResponseWriter, r *http.Request, p *site.Page, status int, imp *soaImportView) {
	model, err := a.Store.ISMS(r.Context(), p.Org)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	var services []isms.CloudService
	for _, s := range model.Services {
		if s.InScope {
			services = append(services, s)
		}
	}
	p.Names = names.Of(model, p.Lang)
	p.Title = p.T("report.ui.title")
	disclosed, err := a.Store.Disclosures(r.Context(), p.Org)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	type provided struct {
		ID, Name string
		Public   bool
		InScope  bool
		// Warning names the controls with nothing to disclose; Confirm
		// is the question asked before publishing.
		Warning, Confirm string
	}
	var providers []provided
	for _, s := range model.Services {
		if !s.IsProvider() {
			continue
		}
		_, on := disclosed[s.ID]
		pv := provided{ID: s.ID, Name: s.Name, Public: on, InScope: s.InScope, Confirm: p.T("report.disclosure.confirm_on")}
		if d, err := report.Disclosure(model, s.ID, p.Lang, isms.Date{}); err == nil && len(d.Unallocated) > 0 {
			list := strings.Join(d.Unallocated, i18n.List(p.Lang))
			pv.Warning = p.T("docs13.disclosure.unallocated", "n", len(d.Unallocated), "list", list)
			pv.Confirm = p.T("docs13.disclosure.confirm_unallocated", "n", len(d.Unallocated), "list", list)
		}
		providers = append(providers, pv)
	}
	frameworks, err := a.Store.Frameworks(r.Context(), p.Org)
	if err != nil {
		a.ServerError(w, r, p, err)
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
	p.Data = map[string]any{"Kinds": report.Kinds, "RegisterDocs": report.RegisterReports, "Services": services, "Import": imp, "SoAs": soas, "Audits": model.Audits, "Reviews": model.Reviews,
		"Providers": providers, "Frameworks": frameworks, "CanImportFramework": authz.Can(p.Role, authz.Import, authz.Subject{}), "CanPublish": authz.Can(p.Role, authz.Members, authz.Subject{Kind: "disclosures"}),
		"CanImport": authz.Can(p.Role, authz.Write, authz.Subject{Kind: bundle.KindSoARows}), "CanPack": authz.Can(p.Role, authz.Export, authz.Subject{})}
	p.Data.(map[string]any)["PackFrom"], p.Data.(map[string]any)["PackTo"] = defaultPeriod(a.Now())
	a.Render(w, status, "reports", p)
}

// maxWorkbook bounds an uploaded SoA workbook (all SoAs of 200 services
// are well under it).
const maxWorkbook = 16 << 20

// soaImportPreview reads an uploaded SoA workbook and shows what it would
// change, or every problem with its sheet and cell; nothing is written.
func (a *handlers) soaImportPreview(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) {
	if !authz.Can(m.Role, authz.Write, authz.Subject{Kind: bundle.KindSoARows}) {
		a.Forbidden(w, r, p)
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
	res, err := report.PreviewSoA(r.Context(), a.Store, p.Org, src)
	a.showImport(w, r, p, hdr.Filename, src, res, err, false)
}

// soaImportApply applies the previewed workbook, provided the ISMS is
// still as it was previewed; otherwise the preview is shown again.
func (a *handlers) soaImportApply(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) {
	if !authz.Can(m.Role, authz.Write, authz.Subject{Kind: bundle.KindSoARows}) {
		a.Forbidden(w, r, p)
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
	res, err := report.ApplySoA(r.Context(), a.Store, p.Org, src, head, r.PostFormValue("overwrite_newer") == "1", p.User.Email)
	if errors.Is(err, report.ErrStaleWorkbook) {
		p.Error = p.T("docs13.import.stale_refused", "n", len(res.Stale))
		a.showImport(w, r, p, name, src, res, nil, false)
		return
	}
	if errors.Is(err, store.ErrConflict) {
		p.Error = p.T("report.ui.changed_since")
		res, err = report.PreviewSoA(r.Context(), a.Store, p.Org, src)
		a.showImport(w, r, p, name, src, res, err, false)
		return
	}
	a.showImport(w, r, p, name, src, res, err, true)
}

func (a *handlers) showImport(w http.ResponseWriter, r *http.Request, p *site.Page, name string, src []byte, res report.SoAImport, err error, applied bool) {
	v := &soaImportView{File: name, Head: res.Head, Applied: applied && err == nil, Stale: len(res.Stale), MadeAt: res.MadeAt}
	var errs report.ImportErrors
	switch {
	case errors.As(err, &errs):
		for _, e := range errs {
			v.Problems = append(v.Problems, e.In(p.Lang))
		}
		p.Error = p.T("report.import.rejected", "n", len(errs))
		a.renderReports(w, r, p, http.StatusBadRequest, v)
		return
	case errors.Is(err, report.ErrBusy):
		w.Header().Set("Retry-After", strconv.Itoa(int(report.RetryAfter.Seconds())))
		p.Error = p.T("report.import.busy", "seconds", int(report.RetryAfter.Seconds()))
		a.renderReports(w, r, p, http.StatusServiceUnavailable, nil)
		return
	case errors.Is(err, report.ErrOtherOrganization):
		v.Problems = []string{p.T("docs13.import.other_org")}
		p.Error = p.T("report.import.rejected", "n", 1)
		a.renderReports(w, r, p, http.StatusBadRequest, v)
		return
	case err != nil:
		a.ServerError(w, r, p, err)
		return
	}
	stale := map[string]bool{}
	for _, c := range res.Stale {
		stale[c.SoA+"/"+c.Control] = true
	}
	for _, c := range res.Changes {
		v.Changes = append(v.Changes, changeView{SoA: c.SoA, Control: c.Control, Sheet: c.Sheet, Cell: c.Cell,
			Before: report.RowSummary(c.Before, p.Lang), After: report.RowSummary(&c.After, p.Lang), Override: c.Inherited,
			Stale: stale[c.SoA+"/"+c.Control]})
	}
	for _, x := range res.Skipped {
		v.Skipped = append(v.Skipped, skippedView{SoA: x.SoA, Control: x.Control, Cell: x.Sheet + " " + x.Cell, Value: x.Value,
			Current: x.Current, Reason: x.Reason.In(p.Lang)})
	}
	if v.Applied {
		p.Flash = p.T("report.import.applied", "n", len(v.Changes), "org", p.Org)
		if len(v.Skipped) > 0 {
			p.Flash += " " + p.T("docs13.import.skipped_count", "n", len(v.Skipped))
		}
	} else if len(v.Changes) > 0 {
		v.Data = base64.StdEncoding.EncodeToString(src)
	}
	a.renderReports(w, r, p, http.StatusOK, v)
}

// frameworkUpload imports an OSCAL catalog as an additional framework; a
// document that is not a valid catalog is refused with the reason and
// changes nothing.
func (a *handlers) frameworkUpload(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) {
	if !authz.Can(m.Role, authz.Import, authz.Subject{}) {
		a.Forbidden(w, r, p)
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
	// With a base catalog chosen, the document is a profile (a baseline)
	// read against that catalog.
	leave, err := oscal.Imports.Enter(r.Context())
	if err != nil {
		a.importsBusy(w, r, p, err)
		return
	}
	defer leave()
	var fw store.Framework
	if base := r.PostFormValue("base"); base != "" {
		b, berr := a.Store.Framework(r.Context(), p.Org, base)
		if errors.Is(berr, store.ErrNotFound) {
			p.Error = p.T("docs13.oscal.no_framework", "id", base, "org", p.Org)
			a.renderReports(w, r, p, http.StatusBadRequest, nil)
			return
		}
		if berr != nil {
			a.ServerError(w, r, p, berr)
			return
		}
		fw, err = oscal.ReadProfile(src, b, id)
	} else {
		fw, err = oscal.ReadCatalog(src, id)
	}
	var ie *oscal.ImportError
	if errors.As(err, &ie) {
		p.Error = ie.In(p.Lang)
		a.renderReports(w, r, p, http.StatusBadRequest, nil)
		return
	}
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	if err := a.Store.PutFramework(r.Context(), p.Org, fw, p.User.Email); err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	p.Flash = p.T("report.cli.imported_catalog", "id", id, "n", len(fw.Controls), "org", p.Org)
	a.renderReports(w, r, p, http.StatusOK, nil)
}

var frameworkID = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,47}$`)

// skippedView is an edited cell that an import does not apply.
type skippedView struct {
	SoA, Control, Cell, Value, Current, Reason string
}

// importsBusy answers a framework import refused because as many as the
// server reads at once are being read (oscal.Imports).
func (a *handlers) importsBusy(w http.ResponseWriter, r *http.Request, p *site.Page, err error) {
	var be *gate.BusyError
	if !errors.As(err, &be) {
		a.ServerError(w, r, p, err)
		return
	}
	secs := int(be.RetryAfter.Seconds())
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	p.Error = p.T("frameworks.import_busy", "seconds", secs)
	a.renderReports(w, r, p, http.StatusServiceUnavailable, nil)
}
