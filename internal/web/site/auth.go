package site

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/cloudisms/cloudisms/internal/api"
	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/store"
)

func (a *App) loginPage(w http.ResponseWriter, r *http.Request) {
	p := &Page{Lang: LangOf(r, nil), Path: r.URL.RequestURI()}
	p.Title = p.T("ui.login")
	p.Data = a.loginData(r, safeNext(r.URL.Query().Get("next")), "")
	a.Render(w, http.StatusOK, "login", p)
}

// loginData is what the sign-in page shows: where to go after it, the
// email typed, whether to offer passkeys, and the instance's OpenID
// provider by its label when the operator has set one.
func (a *App) loginData(r *http.Request, next, email string) map[string]any {
	d := map[string]any{"Next": next, "Email": email, "Passkeys": a.Passkeys != nil}
	if p, err := a.Store.InstanceSSOProvider(r.Context()); err == nil {
		d["InstanceSSO"] = InstanceSSOLabel(p)
	}
	return d
}

// SignInMethod names in words how someone signed in: a session's method
// (a store.Method…, with the organization a single sign-on started for)
// or a sign-in event's detail ("oidc ISSUER" for a single sign-on).
func SignInMethod(p *Page, method, org string) string {
	switch {
	case method == "":
		return p.T("seclog.method.none")
	case strings.HasPrefix(method, "oidc "):
		return p.T("seclog.method.oidc", "issuer", strings.TrimPrefix(method, "oidc "))
	case method == store.MethodSSO:
		return p.T("seclog.method.sso", "org", org)
	case method == store.MethodInstanceSSO:
		return p.T("seclog.method.sso_instance")
	}
	switch method {
	case store.MethodPassword, store.MethodPasskey, store.MethodPassword + "+totp", store.MethodPassword + "+recovery", store.MethodPassword + "+" + store.MethodPasskey:
		return p.T("seclog.method." + method)
	}
	return method
}

// InstanceSSOLabel names the instance's provider: its label, else its
// issuer's host.
func InstanceSSOLabel(p store.InstanceSSO) string {
	if p.Label != "" {
		return p.Label
	}
	if u, err := url.Parse(p.Issuer); err == nil && u.Host != "" {
		return u.Host
	}
	return p.Issuer
}

// SafeNext is safeNext for the area packages: a redirect target kept on
// this site.
func SafeNext(next string) string { return safeNext(next) }

// safeNext keeps a redirect target on this site: a path of its own,
// judged as a browser reads it. Browsers drop tabs and line breaks
// anywhere in a URL and take a backslash for a slash, so "/<TAB>/x",
// "/\\x" and "//x" all lead to the host x: any control character or
// backslash, a second leading slash, a scheme or a host gives "/".
func safeNext(next string) string {
	if len(next) > 2048 || !strings.HasPrefix(next, "/") {
		return "/"
	}
	for i := 0; i < len(next); i++ {
		if c := next[i]; c < 0x20 || c == 0x7f || c == '\\' {
			return "/"
		}
	}
	if strings.HasPrefix(next, "//") {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") {
		return "/"
	}
	return next
}

func (a *App) loginPost(w http.ResponseWriter, r *http.Request) {
	p := &Page{Lang: LangOf(r, nil)}
	p.Title = p.T("ui.login")
	email, password := strings.TrimSpace(r.PostFormValue("email")), r.PostFormValue("password")
	next := safeNext(r.PostFormValue("next"))
	p.Data = a.loginData(r, next, email)
	_, token, err := a.Store.Login(r.Context(), email, password, api.ClientAddress(r), api.SessionTTL)
	var step *store.SecondStepError
	switch {
	case errors.As(err, &step):
		if err := a.Store.SetSecondStepNext(r.Context(), step.Pending, next); err != nil {
			a.ServerError(w, r, p, err)
			return
		}
		setPending(w, r, step.Pending)
		http.Redirect(w, r, SecondStepPath, http.StatusSeeOther)
		return
	case errors.Is(err, store.ErrThrottled):
		w.Header().Set("Retry-After", strconv.Itoa(store.RetryAfter(err)))
		p.Error = p.T("ui.login_throttled")
		a.Render(w, http.StatusTooManyRequests, "login", p)
		return
	case errors.Is(err, store.ErrBusy):
		w.Header().Set("Retry-After", strconv.Itoa(store.RetryAfter(err)))
		p.Error = p.T("ui.login_busy")
		a.Render(w, http.StatusServiceUnavailable, "login", p)
		return
	case errors.Is(err, store.ErrBadCredentials):
		p.Error = p.T("api.bad_login")
		a.Render(w, http.StatusUnauthorized, "login", p)
		return
	case err != nil:
		a.ServerError(w, r, p, err)
		return
	}
	api.SetSession(w, r, token)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// logoutPost ends the session on the server, not only in the browser.
func (a *App) logoutPost(w http.ResponseWriter, r *http.Request) {
	if err := api.EndSession(w, r, a.Store); err != nil {
		a.ServerError(w, r, &Page{Lang: LangOf(r, nil)}, err)
		return
	}
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// langPost switches the language, remembered on the user (and in a cookie
// before login).
func (a *App) langPost(w http.ResponseWriter, r *http.Request) {
	lang := r.PostFormValue("lang")
	if !i18n.Valid(lang) {
		lang = i18n.JA
	}
	if u, err := a.Session(r); err == nil {
		a.Store.SetUserLang(r.Context(), u.ID, lang)
	}
	http.SetCookie(w, &http.Cookie{Name: "cloudisms_lang", Value: lang, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, MaxAge: 365 * 24 * 3600})
	back := safeNext(r.PostFormValue("back"))
	if u, err := url.Parse(back); err != nil || u.Host != "" {
		back = "/"
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// home sends a signed-in user to their first organization.
func (a *App) home(w http.ResponseWriter, r *http.Request) {
	u, err := a.Session(r)
	if store.Unavailable(err) {
		a.ServerError(w, r, &Page{Lang: LangOf(r, nil)}, err) // 503, not a login page that cannot work
		return
	}
	if err != nil {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	ms, err := a.Store.Memberships(r.Context(), u.ID)
	p := &Page{Lang: LangOf(r, u), User: u}
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	if len(ms) == 0 {
		p.Title = p.T("ui.no_orgs")
		p.Error = p.T("ui.no_orgs_help")
		a.Render(w, http.StatusOK, "error", p)
		return
	}
	http.Redirect(w, r, "/orgs/"+ms[0].Org+"/", http.StatusSeeOther)
}
