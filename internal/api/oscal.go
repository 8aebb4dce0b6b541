package api

import (
	"errors"
	"github.com/cloudisms/cloudisms/internal/gate"
	"io"
	"net/http"
	"path"
	"regexp"
	"strconv"

	"github.com/cloudisms/cloudisms/internal/catalog"
	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/oscal"
	"github.com/cloudisms/cloudisms/internal/report"
	"github.com/cloudisms/cloudisms/internal/store"
)

// oscalOptions reads ?oscal_version= and ?lang=.
func (a *Server) oscalOptions(w http.ResponseWriter, r *http.Request, c *call) (oscal.Options, bool) {
	o := oscal.Options{Lang: c.lang, OSCALVersion: oscal.V113, Now: a.now()}
	q := r.URL.Query()
	if v := q.Get("oscal_version"); v != "" {
		if v != oscal.V113 && v != oscal.V122 {
			a.fail(w, c.lang, http.StatusBadRequest, "invalid", i18n.M("api.invalid"), FieldError{Path: "oscal_version", Message: v})
			return o, false
		}
		o.OSCALVersion = v
	}
	if l := q.Get("lang"); l != "" {
		if !i18n.Valid(l) {
			a.fail(w, c.lang, http.StatusBadRequest, "invalid", i18n.M("api.invalid"), FieldError{Path: "lang", Message: l})
			return o, false
		}
		o.Lang = l
	}
	return o, true
}

func (a *Server) writeOSCAL(w http.ResponseWriter, c *call, doc any, version string) {
	b, err := oscal.Encode(doc, version)
	if err != nil {
		a.log.Error("oscal", "err", err)
		a.fail(w, c.lang, http.StatusInternalServerError, "internal", i18n.M("api.internal"))
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Write(b)
}

// oscalCatalog answers an embedded framework as an OSCAL catalog (?framework=).
func (a *Server) oscalCatalog(w http.ResponseWriter, r *http.Request, c *call) {
	o, ok := a.oscalOptions(w, r, c)
	if !ok {
		return
	}
	fw := r.URL.Query().Get("framework")
	if fw == "" {
		fw = catalog.ISO27001v2022
	}
	if fw == catalog.RiskSources {
		fw = "" // not a control catalog
	}
	doc, err := oscal.CatalogOf(fw, o)
	if err != nil {
		a.fail(w, c.lang, http.StatusBadRequest, "invalid", i18n.M("api.invalid"), FieldError{Path: "framework", Message: err.Error()})
		return
	}
	a.writeOSCAL(w, c, doc, o.OSCALVersion)
}

// oscalDoc answers an organization's SSP (?soa=), assessment results or POA&M.
func (a *Server) oscalDoc(w http.ResponseWriter, r *http.Request, c *call) {
	o, ok := a.oscalOptions(w, r, c)
	if !ok {
		return
	}
	m, head, err := a.store.ISMSAt(r.Context(), r.PathValue("org"))
	if err != nil {
		a.storeError(w, c, err)
		return
	}
	o.Version = i18n.M("report.version_head", "pos", head).In(o.Lang)
	var doc any
	switch path.Base(r.URL.Path) {
	case "ssp":
		if id := r.URL.Query().Get("framework"); id != "" {
			fw, err := a.store.Framework(r.Context(), r.PathValue("org"), id)
			if err != nil {
				a.storeError(w, c, err)
				return
			}
			rows, err := a.store.FrameworkRows(r.Context(), r.PathValue("org"), id)
			if err != nil {
				a.storeError(w, c, err)
				return
			}
			a.writeOSCAL(w, c, oscal.FrameworkSSP(m, fw, rows, o), o.OSCALVersion)
			return
		}
		key := r.URL.Query().Get("soa")
		if key == "" {
			key = "organization"
		}
		var found bool
		for _, v := range isms.SoAViews(m) {
			k := "organization"
			if v.Service != "" {
				k = v.Service + ":" + v.Role
			}
			if k == key {
				doc, found = oscal.SSPOf(m, v, o), true
			}
		}
		if !found {
			a.fail(w, c.lang, http.StatusNotFound, "not_found", i18n.M("report.cli.no_soa", "soa", key))
			return
		}
	case "assessment-results":
		doc, err = oscal.AssessmentResultsOf(m, o)
	case "poam":
		doc, err = oscal.POAMOf(m, o)
	default:
		a.fail(w, c.lang, http.StatusNotFound, "not_found", i18n.M("api.no_route"))
		return
	}
	if err != nil {
		a.fail(w, c.lang, http.StatusNotFound, "not_found", i18n.M("report.api.detail", "detail", err.Error()))
		return
	}
	a.writeOSCAL(w, c, doc, o.OSCALVersion)
}

var frameworkID = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,47}$`)

// frameworks lists the organization's imported frameworks.
func (a *Server) frameworks(w http.ResponseWriter, r *http.Request, c *call) {
	list, err := a.store.Frameworks(r.Context(), r.PathValue("org"))
	if err != nil {
		a.storeError(w, c, err)
		return
	}
	if list == nil {
		list = []store.Framework{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"frameworks": list})
}

// importFramework stores an OSCAL catalog (the body) as a framework
// named by ?id=; a document that is not a valid catalog changes nothing.
func (a *Server) importFramework(w http.ResponseWriter, r *http.Request, c *call) {
	id := r.URL.Query().Get("id")
	if !frameworkID.MatchString(id) {
		a.fail(w, c.lang, http.StatusBadRequest, "invalid", i18n.M("report.api.bad_framework_id", "id", id), FieldError{Path: "id", Message: id})
		return
	}
	src, err := io.ReadAll(http.MaxBytesReader(w, r.Body, oscal.MaxCatalogBytes))
	if err != nil {
		a.fail(w, c.lang, http.StatusRequestEntityTooLarge, "too_large", i18n.M("api.too_large", "max", oscal.MaxCatalogBytes))
		return
	}
	leave, err := oscal.Imports.Enter(r.Context())
	if err != nil {
		a.importsBusy(w, c, err)
		return
	}
	defer leave()
	f, err := oscal.ReadCatalog(src, id)
	var ie *oscal.ImportError
	if errors.As(err, &ie) {
		a.fail(w, c.lang, http.StatusBadRequest, "invalid", ie.Msg, FieldError{Path: "body", Message: ie.In(c.lang)})
		return
	}
	if err != nil { // nothing read: nothing to store
		a.storeError(w, c, err)
		return
	}
	if err := a.store.PutFramework(r.Context(), r.PathValue("org"), f, c.user.Email); err != nil {
		a.storeError(w, c, err)
		return
	}
	f.Controls = nil
	writeJSON(w, http.StatusCreated, f)
}

// disclosure answers a provider-role service's public disclosure as JSON,
// only when an admin has made it public (otherwise not found, as if it
// did not exist). ?lang= picks the language.
func (a *Server) disclosure(w http.ResponseWriter, r *http.Request, c *call) {
	org, service := r.PathValue("org"), r.PathValue("service")
	on, err := a.store.Disclosures(r.Context(), org)
	if err != nil {
		a.storeError(w, c, err)
		return
	}
	if _, ok := on[service]; !ok {
		a.fail(w, c.lang, http.StatusNotFound, "not_found", i18n.M("api.not_found"))
		return
	}
	m, err := a.store.ISMS(r.Context(), org)
	if err != nil {
		a.storeError(w, c, err)
		return
	}
	lang := c.lang
	if l := r.URL.Query().Get("lang"); i18n.Valid(l) {
		lang = l
	}
	d, err := report.Disclosure(m, service, lang, isms.DateOf(a.now()))
	if err != nil {
		a.fail(w, c.lang, http.StatusNotFound, "not_found", i18n.M("api.not_found"))
		return
	}
	w.Header().Set("Access-Control-Allow-Origin", "*")
	writeJSON(w, http.StatusOK, d)
}

// importsBusy answers a framework import refused because as many as the
// server reads at once are being read (oscal.Imports).
func (a *Server) importsBusy(w http.ResponseWriter, c *call, err error) {
	var be *gate.BusyError
	if !errors.As(err, &be) {
		a.storeError(w, c, err)
		return
	}
	secs := int(be.RetryAfter.Seconds())
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	a.fail(w, c.lang, http.StatusServiceUnavailable, "busy", i18n.M("frameworks.import_busy", "seconds", secs))
}
