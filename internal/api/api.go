// Package api serves the REST API under /api/v1: JSON, a bearer token or a
// session cookie, one error shape, versions as ETags. Handlers only
// translate between HTTP and the store; rules live in conformity and
// permissions in authz.
package api

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/cloudisms/cloudisms/internal/authz"
	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/store"
)

// Limits of request bodies.
const (
	MaxItemBody   = 1 << 20  // one item
	MaxBundleBody = 64 << 20 // a whole bundle
)

// SessionCookie names the session cookie shared with the web UI.
const SessionCookie = "cloudisms_session"

// Server holds what the handlers need.
type Server struct {
	store *store.Store
	log   *slog.Logger
	now   func() time.Time
	mux   *http.ServeMux
}

// New returns the API handler. now gives the date for as-of defaults.
func New(s *store.Store, log *slog.Logger, now func() time.Time) *Server {
	a := &Server{store: s, log: log, now: now, mux: http.NewServeMux()}
	a.routes()
	return a
}

func (a *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.mux.ServeHTTP(w, r) }

// Route is one API route: the one table the router, the OpenAPI document
// and the permission tests are made from.
type Route struct {
	Method, Path string
	Action       string // authz action ("" for routes outside an organization)
	Summary      string
	handler      func(a *Server, w http.ResponseWriter, r *http.Request, c *call)
	// Public routes need no login (logging in itself).
	Public bool
}

// Routes lists every route.
func Routes() []Route { return routes }

// JobRoutes lists the routes of jobs (exports and audit packs), which the
// OpenAPI document describes too.
func JobRoutes() []Route { return jobRoutes }

var routes = []Route{
	{"POST", "/api/v1/session", "", "Log in with email and password (and code, the TOTP or recovery code, when the account has two-factor on): sets the session cookie", (*Server).login, true},
	{"DELETE", "/api/v1/session", "", "Log out: ends the session on the server", (*Server).logout, false},
	{"GET", "/api/v1/me", "", "The caller, their organizations and roles", (*Server).me, false},
	{"GET", "/api/v1/orgs", "", "The organizations the caller belongs to, with their names and the caller's role in each", (*Server).orgs, false},
	{"GET", "/api/v1/disclosure/{org}/{service}", "", "Public: a provider-role service's disclosure to its customers (what the provider does, what is left to the customer, per ISO/IEC 27017 item and CLD control), when an admin has made it public (?lang=ja|en)", (*Server).disclosure, true},
	{"GET", "/api/v1/orgs/{org}/bundle", authz.Export, "Export the ISMS as a canonical bundle (YAML, or JSON with Accept: application/json)", (*Server).getBundle, false},
	{"PUT", "/api/v1/orgs/{org}/bundle", authz.Import, "Replace the whole ISMS from a bundle, in one transaction", (*Server).putBundle, false},
	{"GET", "/api/v1/orgs/{org}/check", authz.Read, "Conformity check (same JSON as cloudisms check)", (*Server).check, false},
	{"GET", "/api/v1/orgs/{org}/summary", authz.Read, "Computed views: SoA counts, risk levels, heat map, due dates", (*Server).summary, false},
	{"GET", "/api/v1/orgs/{org}/history", authz.Read, "Change history with filters", (*Server).history, false},
	{"GET", "/api/v1/orgs/{org}/approvals", authz.Read, "Recorded approvals, each marked stale when what it approved has changed", (*Server).approvals, false},
	{"POST", "/api/v1/orgs/{org}/approvals/{kind}/{key...}", authz.Approve, "Approve an item (If-Match: its ETag); records exactly what was approved", (*Server).approve, false},
	{"POST", "/api/v1/orgs/{org}/evidence/{kind}/{key...}", authz.Write, "Upload an evidence file and attach it to an item (?name=, ?at= for a nested element; If-Match)", (*Server).attachEvidence, false},
	{"POST", "/api/v1/orgs/{org}/evidence", authz.Import, "Upload an evidence file to the organization without attaching it (answers its sha256): how the files named by a bundle from elsewhere are brought before importing it", (*Server).uploadEvidence, false},
	{"GET", "/api/v1/orgs/{org}/evidence/{sha256}", authz.Read, "Download an evidence file (always as an attachment)", (*Server).downloadEvidence, false},
	{"POST", "/api/v1/orgs/{org}/soa-import", authz.Write, "Import an edited SoA workbook (the .xlsx body): the rows it changes, the edited cells it does not apply and why; ?dry_run=true writes nothing; a workbook older than later changes to its rows is refused (409 stale_workbook) unless ?overwrite_newer=true; ?expect_head= from a dry run", (*Server).soaImport, false},
	{"GET", "/api/v1/orgs/{org}/reports/xlsx", authz.Read, "Excel workbook (?kind=soa|assets|risks|audit-checklist|corrective-actions|interested-parties|objectives|competence|documents|nonconformities|incidents|certification|all, ?service=, ?lang=ja|en)", (*Server).xlsxReport, false},
	{"GET", "/api/v1/oscal/catalog", "", "An embedded control catalog as OSCAL JSON (?framework=iso27001:2022|iso27001:2013|iso27017:2015, ?oscal_version=1.1.3|1.2.2, ?lang=)", (*Server).oscalCatalog, false},
	{"GET", "/api/v1/orgs/{org}/oscal/ssp", authz.Read, "An SoA as an OSCAL system security plan (?soa=organization|SERVICE:ROLE, or ?framework=ID for an imported framework; ?oscal_version=1.1.3|1.2.2, ?lang=)", (*Server).oscalDoc, false},
	{"GET", "/api/v1/orgs/{org}/oscal/assessment-results", authz.Read, "Internal audit findings as OSCAL assessment results (?oscal_version=, ?lang=)", (*Server).oscalDoc, false},
	{"GET", "/api/v1/orgs/{org}/oscal/poam", authz.Read, "Open corrective and treatment actions as an OSCAL plan of action and milestones (?oscal_version=, ?lang=)", (*Server).oscalDoc, false},
	{"GET", "/api/v1/orgs/{org}/frameworks", authz.Read, "Frameworks imported from OSCAL catalogs", (*Server).frameworks, false},
	{"POST", "/api/v1/orgs/{org}/frameworks", authz.Import, "Import an OSCAL catalog (JSON body) as a framework named ?id=; an invalid document changes nothing", (*Server).importFramework, false},
	{"POST", "/api/v1/orgs/{org}/frameworks/library", authz.Import, "Import a CISO Assistant framework library (YAML body) as a framework named ?id= (default: its ref_id), or, for a library of mappings to ISO/IEC 27001:2022, add them to the framework ?id= names; an invalid file changes nothing", (*Server).importLibrary, false},
	{"GET", "/api/v1/orgs/{org}/items/{kind}", authz.Read, "List items of a kind (pagination, filters, sort)", (*Server).list, false},
	{"POST", "/api/v1/orgs/{org}/items/{kind}", authz.Write, "Create an item", (*Server).create, false},
	{"GET", "/api/v1/orgs/{org}/items/{kind}/{key...}", authz.Read, "Get an item", (*Server).get, false},
	{"PUT", "/api/v1/orgs/{org}/items/{kind}/{key...}", authz.Write, "Update an item (If-Match: its ETag)", (*Server).update, false},
	{"DELETE", "/api/v1/orgs/{org}/items/{kind}/{key...}", authz.Write, "Delete an item (If-Match: its ETag)", (*Server).remove, false},
}

// call is what a request carries once authenticated.
type call struct {
	user   store.User
	member store.Membership
	lang   string
	// session is the session cookie the call came with ("" for a
	// bearer token), for an organization that requires single sign-on.
	session string
}

func (a *Server) routes() {
	for _, rt := range routes {
		a.handle(rt)
	}
	for _, rt := range jobRoutes {
		a.handle(rt)
	}
	a.mux.HandleFunc("GET /api/v1/openapi.json", a.openAPI)
	a.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		a.fail(w, langOf(r, ""), http.StatusNotFound, "not_found", i18n.M("api.no_route"))
	})
}

// handle registers one route behind authentication and the organization's
// membership and read permission.
func (a *Server) handle(rt Route) {
	a.mux.HandleFunc(rt.Method+" "+rt.Path, func(w http.ResponseWriter, r *http.Request) {
		if rt.Public {
			rt.handler(a, w, r, &call{lang: langOf(r, "")})
			return
		}
		org := r.PathValue("org")
		c, pre, ok := a.authenticate(w, r, org)
		if !ok {
			return
		}
		if org != "" {
			m, policy, err := pre.m, pre.policy, pre.err
			if !pre.read {
				m, policy, err = a.store.Access(r.Context(), org, c.user.ID)
			}
			if store.Unavailable(err) {
				a.storeError(w, c, err)
				return
			}
			if err != nil {
				// Another organization's data is not found, never
				// forbidden: its existence is not revealed.
				a.fail(w, c.lang, http.StatusNotFound, "not_found", i18n.M("api.not_found"))
				return
			}
			c.member = m
			if pre.read {
				// The call reads the organization as it was when its
				// access was read, instead of reading that again (until
				// it writes).
				r = r.WithContext(store.ReadingAt(r.Context(), org, pre.heads))
			}
			// The organization's sign-in policy holds for tokens and
			// sessions alike.
			if ok, err := a.store.PolicyMet(r.Context(), policy, c.user.ID); err != nil {
				a.storeError(w, c, err)
				return
			} else if !ok {
				a.fail(w, c.lang, http.StatusForbidden, "policy", i18n.M("twofactor.api_policy", "org", org))
				return
			}
			if !a.sessionAsRequired(w, r, c, org, policy) {
				return
			}
			// Reading is checked here for every route; writes,
			// approvals and the like per item, since a risk owner may
			// write and approve the risks they own.
			if !perItem[rt.Action] && !authz.Can(m.Role, rt.Action, authz.Subject{Kind: r.PathValue("kind")}) {
				a.fail(w, c.lang, http.StatusForbidden, "forbidden", i18n.M("api.forbidden", "role", m.Role))
				return
			}
		}
		r, ok = a.changeNote(w, r, c.lang)
		if !ok {
			return
		}
		rt.handler(a, w, r, c)
	})
}

// perItem are the actions whose permission depends on the item (its
// owner, a comment's author), checked by the handler.
var perItem = map[string]bool{authz.Write: true, authz.Approve: true, authz.DeleteComment: true, authz.RequestApproval: true}

// access is a caller's membership of the organization a call names and
// the organization's sign-in policy, when authenticate read them with the
// caller (read).
type access struct {
	m      store.Membership
	policy store.OrgPolicy
	heads  store.Heads
	err    error
	read   bool
}

// authenticate finds the caller from a bearer token or the session cookie.
// For a token and a call on an organization's data (org not "") it reads
// the caller's access to org in the same query.
func (a *Server) authenticate(w http.ResponseWriter, r *http.Request, org string) (*call, access, bool) {
	ctx := r.Context()
	var u store.User
	var pre access
	var err error = store.ErrNotFound
	if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "Bearer ") {
		var oa store.OrgAccess
		u, oa, err = a.store.TokenAccess(ctx, strings.TrimSpace(strings.TrimPrefix(h, "Bearer ")), org)
		pre = access{m: oa.Member, policy: oa.Policy, heads: oa.Heads, err: oa.Err, read: org != ""}
	} else if ck, cerr := r.Cookie(SessionCookie); cerr == nil {
		u, err = a.store.SessionUser(ctx, ck.Value)
	}
	if err != nil {
		if store.Unavailable(err) {
			// The database cannot say who this is: not a reason to log
			// the caller out.
			a.storeError(w, &call{lang: langOf(r, "")}, err)
			return nil, access{}, false
		}
		if !errors.Is(err, store.ErrNotFound) {
			a.log.Error("authenticate", "err", err)
		}
		w.Header().Set("WWW-Authenticate", `Bearer realm="cloudisms"`)
		a.fail(w, langOf(r, ""), http.StatusUnauthorized, "unauthorized", i18n.M("api.unauthorized"))
		return nil, access{}, false
	}
	c := &call{user: u, lang: langOf(r, u.Lang)}
	if ck, cerr := r.Cookie(SessionCookie); cerr == nil && !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
		c.session = ck.Value
	}
	return c, pre, true
}

// sessionAsRequired refuses (403) a browser session not made by the
// organization's OpenID provider when the organization requires single
// sign-on, as its web pages do. API tokens are credentials of their own,
// made and revoked by their owner.
func (a *Server) sessionAsRequired(w http.ResponseWriter, r *http.Request, c *call, org string, policy store.OrgPolicy) bool {
	if c.session == "" || policy.Require != store.RequireSSO {
		return true
	}
	ok, err := a.store.SignedInThroughProvider(r.Context(), c.session, org)
	if err == nil && !ok {
		a.fail(w, c.lang, http.StatusForbidden, "policy", i18n.M("sso.api_policy", "org", org))
		return false
	}
	if err != nil {
		a.storeError(w, c, err)
		return false
	}
	return true
}

// langOf: the user's preferred language, else Accept-Language, else Japanese.
func langOf(r *http.Request, pref string) string {
	if i18n.Valid(pref) {
		return pref
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag := strings.TrimSpace(strings.SplitN(part, ";", 2)[0])
		if strings.HasPrefix(tag, "en") {
			return i18n.EN
		}
		if strings.HasPrefix(tag, "ja") {
			return i18n.JA
		}
	}
	return i18n.JA
}

// FieldError is one invalid field of a request.
type FieldError struct {
	Path    string `json:"path"`
	Line    int    `json:"line,omitempty"` // in the request's document, when it has one
	Message string `json:"message"`
}

type errorBody struct {
	Error struct {
		Code    string       `json:"code"`
		Message string       `json:"message"`
		Fields  []FieldError `json:"fields"`
	} `json:"error"`
}

// fail writes the one error shape.
func (a *Server) fail(w http.ResponseWriter, lang string, status int, code string, msg i18n.Message, fields ...FieldError) {
	var b errorBody
	b.Error.Code, b.Error.Message, b.Error.Fields = code, msg.In(lang), fields
	if b.Error.Fields == nil {
		b.Error.Fields = []FieldError{}
	}
	writeJSON(w, status, b)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

// storeError maps the store's errors to responses.
func (a *Server) storeError(w http.ResponseWriter, c *call, err error) {
	var ref *store.RefError
	switch {
	case errors.As(err, &ref):
		if len(ref.ReferencedBy) > 0 {
			a.fail(w, c.lang, http.StatusConflict, "referenced", i18n.M("api.referenced", "item", ref.List+"/"+ref.ID, "by", ref.ReferencedBy))
			return
		}
		a.fail(w, c.lang, http.StatusBadRequest, "invalid", i18n.M("api.invalid"),
			FieldError{Path: ref.Path, Message: ref.Message().In(c.lang)})
	case errors.Is(err, store.ErrNotFound):
		a.fail(w, c.lang, http.StatusNotFound, "not_found", i18n.M("api.not_found"))
	case errors.Is(err, store.ErrConflict):
		a.fail(w, c.lang, http.StatusConflict, "conflict", i18n.M("api.conflict"))
	case errors.Is(err, store.ErrExists):
		a.fail(w, c.lang, http.StatusConflict, "exists", i18n.M("api.exists"))
	case errors.Is(err, store.ErrQueryTooLong):
		a.fail(w, c.lang, http.StatusBadRequest, "invalid", i18n.M("api.invalid"),
			FieldError{Path: "q", Message: i18n.M("api.query_too_long", "max", store.MaxQuery).In(c.lang)})
	case errors.Is(err, store.ErrJobsPending):
		w.Header().Set("Retry-After", "30")
		a.fail(w, c.lang, http.StatusTooManyRequests, "jobs_pending", i18n.M("api.jobs_pending", "max", store.MaxPendingJobs))
	case errors.Is(err, context.Canceled):
	case store.ObjectsFailed(err):
		// Before Unavailable, which a network error also satisfies: the
		// message names the object storage, not the database.
		a.log.Error("object storage: nothing was saved", "err", err)
		w.Header().Set("Retry-After", "5")
		a.fail(w, c.lang, http.StatusServiceUnavailable, "objects_unavailable", i18n.M("evidence.unavailable"))
	case store.StorageFailed(err):
		a.log.Error("storage: a write failed, nothing was saved", "err", err)
		a.fail(w, c.lang, http.StatusInsufficientStorage, "storage", i18n.M("ops.storage_failed"))
	case store.Unavailable(err):
		a.log.Error("database unavailable", "err", err)
		w.Header().Set("Retry-After", "5")
		a.fail(w, c.lang, http.StatusServiceUnavailable, "unavailable", i18n.M("ops.unavailable"))
	default:
		a.log.Error("store", "err", err)
		a.fail(w, c.lang, http.StatusInternalServerError, "internal", i18n.M("api.internal"))
	}
}
