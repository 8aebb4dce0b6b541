// Package web serves the user interface: server-rendered pages in Japanese
// and English, embedded templates and assets, forms that work without
// JavaScript. Handlers read and write through the store; rules come from
// conformity and permissions from authz.
package web

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
	"path"
	"strings"
	"time"

	"github.com/cloudisms/cloudisms/internal/api"
	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/store"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// App is the web UI.
type App struct {
	store  *store.Store
	log    *slog.Logger
	now    func() time.Time
	pages  map[string]*template.Template
	assets map[string]asset // by hashed name
	named  map[string]string
	mux    *http.ServeMux
}

type asset struct {
	body        []byte
	contentType string
}

// New builds the UI; templates are parsed and checked at start, so a broken
// template stops the server instead of a page.
func New(s *store.Store, log *slog.Logger, now func() time.Time) (*App, error) {
	a := &App{store: s, log: log, now: now, assets: map[string]asset{}, named: map[string]string{}, mux: http.NewServeMux()}
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
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return err
	}
	a.pages = map[string]*template.Template{}
	for _, n := range names {
		base := path.Base(n)
		if base == "layout.html" {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", n)
		if err != nil {
			return fmt.Errorf("template %s: %w", base, err)
		}
		a.pages[strings.TrimSuffix(base, ".html")] = t
	}
	return nil
}

// page is what every template gets.
type page struct {
	Lang    string
	Title   string
	User    *store.User
	Org     string
	Orgs    []store.Membership
	Role    string
	Nav     string // the current section
	Flash   string
	Error   string
	Path    string
	CSRF    string
	Data    any
	Section string
}

// NavItems is the side navigation: the entries the member's role may use.
func (p *page) NavItems() []navItem {
	out := make([]navItem, 0, len(navItems))
	for _, n := range navItems {
		if n.allowed(p.Role) {
			out = append(out, n)
		}
	}
	return out
}

// T renders a message key in the page's language.
func (p *page) T(key string, args ...any) string { return i18n.M(key, args...).In(p.Lang) }

// render writes a page, fully buffered so that a template error never
// leaves half a page.
func (a *App) render(w http.ResponseWriter, status int, name string, p *page) {
	t, ok := a.pages[name]
	if !ok {
		a.log.Error("no template", "name", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "layout.html", p); err != nil {
		a.log.Error("render", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

// session is the signed-in user of a request, if any.
func (a *App) session(r *http.Request) (*store.User, error) {
	ck, err := r.Cookie(api.SessionCookie)
	if err != nil {
		return nil, store.ErrNotFound
	}
	u, err := a.store.SessionUser(r.Context(), ck.Value)
	if err != nil {
		return nil, err
	}
	return &u, nil
}

// langOf picks the language of a page: the user's, else the lang cookie,
// else Accept-Language, else Japanese.
func langOf(r *http.Request, u *store.User) string {
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

// orgPage is a handler for a page inside an organization.
type orgPage func(w http.ResponseWriter, r *http.Request, p *page, m store.Membership)

// inOrg requires a signed-in member of the organization in the path; a
// non-member sees "not found", as if the organization did not exist.
func (a *App) inOrg(section string, h orgPage) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u, err := a.session(r)
		if store.Unavailable(err) {
			a.serverError(w, r, &page{Lang: langOf(r, nil)}, err)
			return
		}
		if err != nil {
			http.Redirect(w, r, "/login?next="+r.URL.Path, http.StatusSeeOther)
			return
		}
		p := &page{Lang: langOf(r, u), User: u, Path: r.URL.RequestURI(), Nav: section}
		org := r.PathValue("org")
		m, err := a.store.Member(r.Context(), org, u.ID)
		if err != nil {
			a.notFound(w, r, p)
			return
		}
		p.Org, p.Role = org, m.Role
		p.Orgs, _ = a.store.Memberships(r.Context(), u.ID)
		h(w, r, p, m)
	}
}

func (a *App) notFound(w http.ResponseWriter, r *http.Request, p *page) {
	p.Title = p.T("ui.not_found")
	a.render(w, http.StatusNotFound, "error", p)
}

func (a *App) forbidden(w http.ResponseWriter, r *http.Request, p *page) {
	p.Title = p.T("ui.forbidden")
	p.Error = p.T("api.forbidden", "role", p.Role)
	a.render(w, http.StatusForbidden, "error", p)
}

func (a *App) serverError(w http.ResponseWriter, r *http.Request, p *page, err error) {
	if errors.Is(err, store.ErrNotFound) {
		a.notFound(w, r, p)
		return
	}
	a.log.Error("page", "path", r.URL.Path, "err", err)
	p.Title = p.T("ui.error")
	switch {
	case store.StorageFailed(err):
		p.Error = p.T("ops.storage_failed")
		a.render(w, http.StatusInsufficientStorage, "error", p)
	case store.Unavailable(err):
		p.Error = p.T("ops.unavailable")
		w.Header().Set("Retry-After", "5")
		a.render(w, http.StatusServiceUnavailable, "error", p)
	default:
		p.Error = p.T("api.internal")
		a.render(w, http.StatusInternalServerError, "error", p)
	}
}
