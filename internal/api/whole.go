package api

import (
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/conformity"
	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/store"
)

func (a *Server) me(w http.ResponseWriter, r *http.Request, c *call) {
	ms, err := a.store.Memberships(r.Context(), c.user.ID)
	if err != nil {
		a.storeError(w, c, err)
		return
	}
	type org struct {
		Org    string `json:"org"`
		Role   string `json:"role"`
		Person string `json:"person,omitempty"`
	}
	out := struct {
		Email string `json:"email"`
		Name  string `json:"name"`
		Lang  string `json:"lang"`
		Orgs  []org  `json:"orgs"`
	}{Email: c.user.Email, Name: c.user.Name, Lang: c.user.Lang, Orgs: []org{}}
	for _, m := range ms {
		out.Orgs = append(out.Orgs, org{m.Org, m.Role, m.Person})
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *Server) getBundle(w http.ResponseWriter, r *http.Request, c *call) {
	b, err := a.store.Export(r.Context(), r.PathValue("org"))
	if err != nil {
		a.storeError(w, c, err)
		return
	}
	if strings.Contains(r.Header.Get("Accept"), "application/json") {
		m, err := bundle.Decode("export.yaml", b)
		if err != nil {
			a.storeError(w, c, err)
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Write(bundle.EncodeJSON(m))
		return
	}
	w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
	w.Write(b)
}

// bundleTypes are the media types a bundle may be sent as.
var bundleTypes = map[string]string{
	"application/yaml": "bundle.yaml", "application/x-yaml": "bundle.yaml", "text/yaml": "bundle.yaml",
	"application/json": "bundle.json",
}

func (a *Server) putBundle(w http.ResponseWriter, r *http.Request, c *call) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	name, ok := bundleTypes[mt]
	if !ok {
		a.fail(w, c.lang, http.StatusUnsupportedMediaType, "unsupported_media_type", i18n.M("api.media_type", "want", "application/yaml, application/json"))
		return
	}
	body, ok := a.body(w, r, c, MaxBundleBody)
	if !ok {
		return
	}
	m, err := bundle.Decode(name, body)
	if err != nil {
		a.invalid(w, c, err)
		return
	}
	res, err := a.store.Import(r.Context(), r.PathValue("org"), m, actor(c))
	var errs bundle.Errors
	if errors.As(err, &errs) {
		a.invalid(w, c, err) // evidence files the organization has not uploaded
		return
	}
	if err != nil {
		a.storeError(w, c, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"created": res.Created, "updated": res.Updated, "deleted": res.Deleted, "unchanged": res.Unchanged})
}

// asOf reads ?as_of=, defaulting to today.
func (a *Server) asOf(w http.ResponseWriter, r *http.Request, c *call) (isms.Date, bool) {
	v := r.URL.Query().Get("as_of")
	if v == "" {
		return isms.DateOf(a.now()), true
	}
	d, err := isms.ParseDate(v)
	if err != nil {
		a.fail(w, c.lang, http.StatusBadRequest, "invalid", i18n.M("api.invalid"),
			FieldError{Path: "as_of", Message: i18n.M("bundle.date", "value", v).In(c.lang)})
		return d, false
	}
	return d, true
}

// computed serves a view computed from the whole ISMS as of a date. The
// result is kept per organization, history head and date (the same head
// is the same ISMS, so a kept result is never stale), and computed once
// when many ask at the same time.
func (a *Server) computed(w http.ResponseWriter, r *http.Request, c *call, view string, f func(m *isms.ISMS, head int64, asOf isms.Date) (any, error)) {
	asOf, ok := a.asOf(w, r, c)
	if !ok {
		return
	}
	org := r.PathValue("org")
	m, head, err := a.store.ISMSAt(r.Context(), org)
	if err != nil {
		a.storeError(w, c, err)
		return
	}
	v, err := a.store.DerivedFor(r.Context(), org, head, m, "api "+view+" "+asOf.String(), func(m *isms.ISMS) any {
		out, err := f(m, head, asOf)
		if err != nil {
			return err
		}
		body, err := json.Marshal(out)
		if err != nil {
			return err
		}
		return body
	})
	if err == nil {
		if e, isErr := v.(error); isErr {
			err = e
		}
	}
	if err != nil {
		a.storeError(w, c, err)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Write(v.([]byte))
	w.Write([]byte("\n"))
}

// The check and the summary are the same values the web pages show
// (store.FindingsFor and SummaryFor), computed once for both.
func (a *Server) check(w http.ResponseWriter, r *http.Request, c *call) {
	a.computed(w, r, c, "check", func(m *isms.ISMS, head int64, asOf isms.Date) (any, error) {
		fs, err := a.store.FindingsFor(r.Context(), r.PathValue("org"), head, m, asOf)
		if err != nil {
			return nil, err
		}
		return conformity.NewReport(asOf, fs), nil
	})
}

func (a *Server) summary(w http.ResponseWriter, r *http.Request, c *call) {
	a.computed(w, r, c, "summary", func(m *isms.ISMS, head int64, asOf isms.Date) (any, error) {
		return a.store.SummaryFor(r.Context(), r.PathValue("org"), head, m, asOf)
	})
}

func (a *Server) history(w http.ResponseWriter, r *http.Request, c *call) {
	q := r.URL.Query()
	f := store.HistoryFilter{Kind: q.Get("kind"), Key: q.Get("key"), Actor: q.Get("actor"), Limit: 100}
	if v := q.Get("after"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			a.fail(w, c.lang, http.StatusBadRequest, "invalid", i18n.M("api.invalid"),
				FieldError{Path: "after", Message: i18n.M("api.bad_number", "value", v).In(c.lang)})
			return
		}
		f.After = n
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			a.fail(w, c.lang, http.StatusBadRequest, "invalid", i18n.M("api.invalid"),
				FieldError{Path: "limit", Message: i18n.M("api.limit", "max", 1000).In(c.lang)})
			return
		}
		f.Limit = n
	}
	hs, err := a.store.History(r.Context(), r.PathValue("org"), f)
	if err != nil {
		a.storeError(w, c, err)
		return
	}
	type rec struct {
		N      int64            `json:"n"`
		At     string           `json:"at"`
		Actor  string           `json:"actor"`
		Kind   string           `json:"kind"`
		Key    string           `json:"key"`
		Action string           `json:"action"`
		Before *json.RawMessage `json:"before"`
		After  *json.RawMessage `json:"after"`
		Hash   string           `json:"hash"`
		Note   string           `json:"note,omitempty"` // why, when the author said
	}
	raw := func(s *string) *json.RawMessage {
		if s == nil {
			return nil
		}
		m := json.RawMessage(*s)
		if !json.Valid(m) {
			// Every record is JSON (store migration 0010); should one
			// not be, it is shown as a string rather than breaking the
			// page.
			m, _ = json.Marshal(*s)
		}
		return &m
	}
	out := struct {
		Records []rec `json:"records"`
	}{Records: []rec{}}
	for _, h := range hs {
		out.Records = append(out.Records, rec{h.N, h.At, h.Actor, h.Kind, h.Key, h.Action, raw(h.Before), raw(h.After), h.Hash, h.Note})
	}
	writeJSON(w, http.StatusOK, out)
}
