// Package site is the frame every page of the web UI shares: the App with
// its store, clock and logger, the page type templates get, rendering
// with the embedded layout and static assets, sessions and sign-in, the
// organization guard (InOrg), error pages, the page's language, and the
// registries through which area packages add their routes, navigation
// entries, templates and finding links.
package site

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/cloudisms/cloudisms/internal/api"
	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/mail"
	"github.com/cloudisms/cloudisms/internal/passkey"
	"github.com/cloudisms/cloudisms/internal/store"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// App is the web UI. Area packages reach the store, the logger and the
// clock through it.
type App struct {
	Store *store.Store
	Log   *slog.Logger
	Now   func() time.Time
	// Mail sends what the pages mail (invitations); nil or not Enabled:
	// nothing is mailed and the pages show what they would have sent.
	Mail mail.Sender
	// BaseURL is the server's public address for links in mails (e.g.
	// https://isms.example.jp); "" takes the request's own.
	BaseURL string
	// Passkeys is the relying party of passkeys (from the configured
	// public URL); nil: passkeys are off and no page offers them.
	Passkeys *passkey.RP
	pages    map[string]*template.Template
	views    *store.HeadCache[any] // App.View
	parts    *store.HeadCache[any] // App.PartIf
	navs     *store.HeadCache[any] // App.sideNav
	assets   map[string]asset      // by hashed name
	named    map[string]string
	mux      *http.ServeMux
}

type asset struct {
	body        []byte
	contentType string
}

// New builds the UI from every registered area; templates are parsed and
// checked at start, so a broken template stops the server instead of a
// page.
func New(s *store.Store, log *slog.Logger, now func() time.Time) (*App, error) {
	a := &App{Store: s, Log: log, Now: now, assets: map[string]asset{}, named: map[string]string{}, mux: http.NewServeMux(),
		views: newViews(), parts: store.NewHeadCache[any](maxParts), navs: store.NewHeadCache[any](maxNavs)}
	if err := a.loadAssets(); err != nil {
		return nil, err
	}
	if err := a.loadTemplates(); err != nil {
		return nil, err
	}
	a.routes()
	return a, nil
}

func (a *App) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
	a.mux.ServeHTTP(w, r)
}

func (a *App) routes() {
	m := a.mux
	m.HandleFunc("GET /static/{name}", a.serveAsset)
	m.HandleFunc("GET /login", a.loginPage)
	m.HandleFunc("POST /login", a.loginPost)
	m.HandleFunc("GET "+SecondStepPath, a.secondStepPage)
	m.HandleFunc("POST "+SecondStepPath, a.secondStepPost)
	m.HandleFunc("POST /login/passkey/options", a.passkeyLoginOptions)
	m.HandleFunc("POST /login/passkey", a.passkeyLoginPost)
	m.HandleFunc("POST /logout", a.logoutPost)
	m.HandleFunc("POST /lang", a.langPost)
	m.HandleFunc("GET /{$}", a.home)
	for _, f := range routeSets {
		f(a, m)
	}
}

// loadAssets serves static files under content-hashed names, cached forever.
func (a *App) loadAssets() error {
	return fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		base := path.Base(p)
		ext := path.Ext(base)
		hashed := strings.TrimSuffix(base, ext) + "." + hex.EncodeToString(sum[:6]) + ext
		ct := map[string]string{".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".svg": "image/svg+xml"}[ext]
		a.assets[hashed] = asset{b, ct}
		a.named[base] = "/static/" + hashed
		return nil
	})
}

func (a *App) serveAsset(w http.ResponseWriter, r *http.Request) {
	as, ok := a.assets[r.PathValue("name")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", as.contentType)
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	w.Write(as.body)
}

// templateSets are the page templates of the area packages, each an
// fs.FS holding templates/*.html.
var templateSets = []fs.FS{templateFS}

// AddTemplates registers an area's page templates (templates/*.html in
// fsys); each defines "content" for the shared layout, and a page is
// rendered by its file name without .html, which must be unique.
func AddTemplates(fsys fs.FS) { templateSets = append(templateSets, fsys) }

// loadTemplates parses each page with the layout.
func (a *App) loadTemplates() error {
	funcs := template.FuncMap{
		"asset": func(name string) string { return a.named[name] },
		"join":  strings.Join,
		"deref": func(b *bool) bool { return b != nil && *b },
		"has": func(list []string, s string) bool {
			for _, x := range list {
				if x == s {
					return true
				}
			}
			return false
		},
	}
	layout, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return fmt.Errorf("template layout.html: %w", err)
	}
	a.pages = map[string]*template.Template{}
	for _, set := range templateSets {
		names, err := fs.Glob(set, "templates/*.html")
		if err != nil {
			return err
		}
		for _, n := range names {
			base := path.Base(n)
			if base == "layout.html" {
				continue
			}
			name := strings.TrimSuffix(base, ".html")
			if _, dup := a.pages[name]; dup {
				return fmt.Errorf("template %s: defined twice", base)
			}
			t, err := template.Must(layout.Clone()).ParseFS(set, n)
			if err != nil {
				return fmt.Errorf("template %s: %w", base, err)
			}
			a.pages[name] = t
		}
	}
	return nil
}

// Render writes a page, fully buffered so that a template error never
// leaves half a page.
func (a *App) Render(w http.ResponseWriter, status int, name string, p *Page) {
	t, ok := a.pages[name]
	if !ok {
		a.Log.Error("no template", "name", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	if p.Org != "" {
		nav, err := a.sideNav(t, p)
		if err != nil {
			a.Log.Error("render", "page", name, "err", err)
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		p.SideNav = nav
	}
	b := pageBuffer()
	defer keepBuffer(b)
	if err := t.ExecuteTemplate(b, "layout.html", p); err != nil {
		a.Log.Error("render", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

// A page is rendered into a buffer and sent only once whole, so that an
// error never leaves half a page behind a 200. The buffers are reused: a
// new one grew by doubling to each page's size, and at 50,000 risks the
// dashboard's 120 KB made that a tenth of the server's allocations.
var pageBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxKeptBuffer is the largest buffer kept for reuse; one grown past it
// by an unusually large page is left to the garbage collector.
const maxKeptBuffer = 1 << 20

func pageBuffer() *bytes.Buffer {
	b := pageBuffers.Get().(*bytes.Buffer)
	b.Reset()
	return b
}

// keepBuffer returns b for reuse, once what was written from it has been
// sent (ResponseWriter.Write does not keep the slice it is given).
func keepBuffer(b *bytes.Buffer) {
	if b.Cap() <= maxKeptBuffer {
		pageBuffers.Put(b)
	}
}

// sideNav is the side navigation of an organization's page, rendered once
// per organization, language, role and current section: drawing its
// thirty-odd entries cost more than most pages' own content.
func (a *App) sideNav(t *template.Template, p *Page) (template.HTML, error) {
	var err error
	v := keptIn(a.navs, p.Org, 0, p.Lang, "side-nav "+p.Role+" "+p.Nav, func() (any, bool) {
		var b bytes.Buffer
		if err = t.ExecuteTemplate(&b, "side-nav", p); err != nil {
			return template.HTML(""), false
		}
		return template.HTML(b.String()), true
	})
	return v.(template.HTML), err
}

// RenderPart writes one template defined in a page's file, without the
// layout: a piece of the page that script fetches into it (an SoA row's
// edit form), rendered by the same template as on the full page.
func (a *App) RenderPart(w http.ResponseWriter, status int, name, part string, p *Page) {
	t, ok := a.pages[name]
	if !ok {
		a.Log.Error("no template", "name", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	b := pageBuffer()
	defer keepBuffer(b)
	if err := t.ExecuteTemplate(b, part, p); err != nil {
		a.Log.Error("render part", "page", name, "part", part, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

// Session is the signed-in user of a request, if any.
func (a *App) Session(r *http.Request) (*store.User, error) {
	ck, err := r.Cookie(api.SessionCookie)
	if err != nil {
		return nil, store.ErrNotFound
	}
	u, err := a.Store.SessionUser(r.Context(), ck.Value)
	if err != nil {
		return nil, err
	}
	return &u, nil
}

// LangOf picks the language of a page: the user's, else the lang cookie,
// else Accept-Language, else Japanese.
func LangOf(r *http.Request, u *store.User) string {
	if u != nil && i18n.Valid(u.Lang) {
		return u.Lang
	}
	if ck, err := r.Cookie("cloudisms_lang"); err == nil && i18n.Valid(ck.Value) {
		return ck.Value
	}
	if strings.HasPrefix(r.Header.Get("Accept-Language"), "en") {
		return i18n.EN
	}
	return i18n.JA
}

// TwoFactorPath is the account's two-factor page, where a member an
// organization's policy stopped is sent.
const TwoFactorPath = "/account/two-factor"

// OrgPage is a handler for a page inside an organization.
type OrgPage func(w http.ResponseWriter, r *http.Request, p *Page, m store.Membership)

// InOrg requires a signed-in member of the organization in the path; a
// non-member sees "not found", as if the organization did not exist.
func (a *App) InOrg(section string, h OrgPage) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		org := r.PathValue("org")
		// Who is asking and their access to org, in one read.
		var user store.User
		var access store.OrgAccess
		err := store.ErrNotFound
		if ck, cerr := r.Cookie(api.SessionCookie); cerr == nil {
			user, access, err = a.Store.SessionAccess(r.Context(), ck.Value, org)
		}
		if store.Unavailable(err) {
			a.ServerError(w, r, &Page{Lang: LangOf(r, nil)}, err)
			return
		}
		if err != nil {
			http.Redirect(w, r, "/login?next="+r.URL.Path, http.StatusSeeOther)
			return
		}
		u := &user
		p := &Page{Lang: LangOf(r, u), User: u, Path: r.URL.RequestURI(), Nav: section}
		m, policy, orgs, err := access.Member, access.Policy, access.All, access.Err
		if store.Unavailable(err) {
			a.ServerError(w, r, p, err)
			return
		}
		if err != nil {
			a.NotFound(w, r, p)
			return
		}
		if !a.signedInAsRequired(w, r, p, org, policy) {
			return
		}
		p.Org, p.Role = org, m.Role
		// The organization's sign-in policy: a member without what it
		// requires sets it up before seeing anything of it.
		if ok, err := a.Store.PolicyMet(r.Context(), policy, u.ID); err != nil {
			a.ServerError(w, r, p, err)
			return
		} else if !ok {
			http.Redirect(w, r, TwoFactorPath+"?org="+url.QueryEscape(org), http.StatusSeeOther)
			return
		}
		p.Orgs = orgs
		// The page reads the organization as it was when the access was
		// read, instead of reading that again (until it writes).
		r = r.WithContext(store.ReadingAt(r.Context(), org, access.Heads))
		h(w, r, p, m)
	}
}

// NotFound answers 404 with the error page.
func (a *App) NotFound(w http.ResponseWriter, r *http.Request, p *Page) {
	p.Title = p.T("ui.not_found")
	a.Render(w, http.StatusNotFound, "error", p)
}

// BadRequest answers 400 with what was wrong with the request.
func (a *App) BadRequest(w http.ResponseWriter, r *http.Request, p *Page, msg string) {
	p.Title = p.T("ui.error")
	p.Error = msg
	a.Render(w, http.StatusBadRequest, "error", p)
}

// Forbidden answers 403, naming the member's role.
func (a *App) Forbidden(w http.ResponseWriter, r *http.Request, p *Page) {
	p.Title = p.T("ui.forbidden")
	p.Error = p.T("api.forbidden", "role", p.Role)
	a.Render(w, http.StatusForbidden, "error", p)
}

// ServerError answers a failed request: 404 for a missing item, 507 or
// 503 when storage fails or is unreachable, else 500; the cause is
// logged, never shown.
func (a *App) ServerError(w http.ResponseWriter, r *http.Request, p *Page, err error) {
	if errors.Is(err, store.ErrNotFound) {
		a.NotFound(w, r, p)
		return
	}
	if errors.Is(err, store.ErrQueryTooLong) {
		a.BadRequest(w, r, p, p.T("api.query_too_long", "max", store.MaxQuery))
		return
	}
	a.Log.Error("page", "path", r.URL.Path, "err", err)
	p.Title = p.T("ui.error")
	switch {
	case store.ObjectsFailed(err):
		p.Error = p.T("evidence.unavailable")
		w.Header().Set("Retry-After", "5")
		a.Render(w, http.StatusServiceUnavailable, "error", p)
	case store.StorageFailed(err):
		p.Error = p.T("ops.storage_failed")
		a.Render(w, http.StatusInsufficientStorage, "error", p)
	case store.Unavailable(err):
		p.Error = p.T("ops.unavailable")
		w.Header().Set("Retry-After", "5")
		a.Render(w, http.StatusServiceUnavailable, "error", p)
	default:
		p.Error = p.T("api.internal")
		a.Render(w, http.StatusInternalServerError, "error", p)
	}
}

// signedInAsRequired sends a member whose session was not made by the
// organization's provider to sign in through it, when the organization
// requires single sign-on. It reports whether the page may go on.
func (a *App) signedInAsRequired(w http.ResponseWriter, r *http.Request, p *Page, org string, policy store.OrgPolicy) bool {
	if policy.Require != store.RequireSSO {
		return true
	}
	ck, err := r.Cookie(api.SessionCookie)
	if err == nil {
		if ok, err := a.Store.SignedInThroughProvider(r.Context(), ck.Value, org); err == nil && ok {
			return true
		}
	}
	next := r.URL.Path
	if r.Method != http.MethodGet {
		next = "/orgs/" + org + "/"
	}
	http.Redirect(w, r, "/sso/start?org="+url.QueryEscape(org)+"&next="+url.QueryEscape(next), http.StatusSeeOther)
	return false
}

// Fragment is one template defined in a page's file, rendered to HTML
// with the page's escaping: a piece that a handler keeps and reuses (a row
// of a register drawn once per change of the ISMS) and then writes into
// the page as it is.
func (a *App) Fragment(name, part string, data any) (template.HTML, error) {
	t, ok := a.pages[name]
	if !ok {
		return "", fmt.Errorf("no template %q", name)
	}
	var b strings.Builder
	if err := t.ExecuteTemplate(&b, part, data); err != nil {
		return "", err
	}
	return template.HTML(b.String()), nil
}
