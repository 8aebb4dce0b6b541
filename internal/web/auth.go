package web

import (
	"errors"
	"net"
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

func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (a *App) loginPost(w http.ResponseWriter, r *http.Request) {
	p := &page{Lang: langOf(r, nil)}
	p.Title = p.T("ui.login")
	email, password := strings.TrimSpace(r.PostFormValue("email")), r.PostFormValue("password")
	next := safeNext(r.PostFormValue("next"))
	p.Data = map[string]string{"Next": next, "Email": email}
	ctx := r.Context()
	keys := []string{"account:" + strings.ToLower(email), "address:" + clientAddr(r)}
	if blocked, err := a.store.LoginThrottled(ctx, keys); err != nil {
		a.serverError(w, r, p, err)
		return
	} else if blocked {
		p.Error = p.T("ui.login_throttled")
		a.render(w, http.StatusTooManyRequests, "login", p)
		return
	}
	u, err := a.store.Authenticate(ctx, email, password)
	if err != nil {
		if !errors.Is(err, store.ErrBadCredentials) {
			a.serverError(w, r, p, err)
			return
		}
		a.store.LoginFailed(ctx, keys)
		p.Error = p.T("api.bad_login")
		a.render(w, http.StatusUnauthorized, "login", p)
		return
	}
	token, err := a.store.CreateSession(ctx, u.ID, api.SessionTTL)
	if err != nil {
		a.serverError(w, r, p, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: api.SessionCookie, Value: token, Path: "/", HttpOnly: true, Secure: r.TLS != nil,
		SameSite: http.SameSiteLaxMode, MaxAge: int(api.SessionTTL.Seconds())})
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// logoutPost ends the session on the server, not only in the browser.
func (a *App) logoutPost(w http.ResponseWriter, r *http.Request) {
	if ck, err := r.Cookie(api.SessionCookie); err == nil {
		a.store.DeleteSession(r.Context(), ck.Value)
	}
	http.SetCookie(w, &http.Cookie{Name: api.SessionCookie, Value: "", Path: "/", HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode, MaxAge: -1})
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
