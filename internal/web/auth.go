package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/cloudisms/cloudisms/internal/api"
	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/store"
)

func (a *App) loginPage(w http.ResponseWriter, r *http.Request) {
	p := &page{Lang: langOf(r, nil), Path: r.URL.RequestURI()}
	p.Title = p.T("ui.login")
	p.Data = map[string]string{"Next": safeNext(r.URL.Query().Get("next")), "Email": ""}
	a.render(w, http.StatusOK, "login", p)
}

// safeNext keeps a redirect target on this site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.Contains(next, "\\") {
		return "/"
	}
	return next
}

func (a *App) loginPost(w http.ResponseWriter, r *http.Request) {
	p := &page{Lang: langOf(r, nil)}
	p.Title = p.T("ui.login")
	email, password := strings.TrimSpace(r.PostFormValue("email")), r.PostFormValue("password")
	next := safeNext(r.PostFormValue("next"))
	p.Data = map[string]string{"Next": next, "Email": email}
	_, token, err := a.store.Login(r.Context(), email, password, api.ClientAddress(r), api.SessionTTL)
	switch {
	case errors.Is(err, store.ErrThrottled):
		p.Error = p.T("ui.login_throttled")
		a.render(w, http.StatusTooManyRequests, "login", p)
		return
	case errors.Is(err, store.ErrBadCredentials):
		p.Error = p.T("api.bad_login")
		a.render(w, http.StatusUnauthorized, "login", p)
		return
	case err != nil:
		a.serverError(w, r, p, err)
		return
	}
	api.SetSession(w, r, token)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// logoutPost ends the session on the server, not only in the browser.
func (a *App) logoutPost(w http.ResponseWriter, r *http.Request) {
	if err := api.EndSession(w, r, a.store); err != nil {
		a.serverError(w, r, &page{Lang: langOf(r, nil)}, err)
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
	if u, err := a.session(r); err == nil {
		a.store.SetUserLang(r.Context(), u.ID, lang)
	}
	http.SetCookie(w, &http.Cookie{Name: "cloudisms_lang", Value: lang, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, MaxAge: 365 * 24 * 3600})
	back := safeNext(r.PostFormValue("back"))
	if u, err := url.Parse(back); err != nil || u.Host != "" {
		back = "/"
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}
