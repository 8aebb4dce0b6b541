package admin

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/cloudisms/cloudisms/internal/api"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/web/site"
)

// accountPage is "change my password", for any signed-in user; inside an
// organization it keeps that organization's navigation.
func (a *handlers) accountPage(w http.ResponseWriter, r *http.Request) {
	u, err := a.Session(r)
	if err != nil {
		http.Redirect(w, r, "/login?next=/account", http.StatusSeeOther)
		return
	}
	p := &site.Page{Lang: site.LangOf(r, u), User: u, Path: r.URL.RequestURI()}
	p.Orgs, _ = a.Store.Memberships(r.Context(), u.ID)
	a.renderAccount(w, r, p, http.StatusOK, nil, r.URL.Query().Get("changed") != "")
}

func (a *handlers) accountInOrg(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) {
	a.renderAccount(w, r, p, http.StatusOK, nil, r.URL.Query().Get("changed") != "")
}

// accountAction is the account page's own address: inside an
// organization, or on its own.
func accountAction(p *site.Page) string {
	if p.Org != "" {
		return "/orgs/" + p.Org + "/account"
	}
	return "/account"
}

func (a *handlers) renderAccount(w http.ResponseWriter, r *http.Request, p *site.Page, status int, errs map[string]string, changed bool) {
	p.Title = p.T("views.pw.title")
	keys, err := a.passkeyRows(r, p)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	f, err := a.Store.FactorsOf(r.Context(), p.User.ID)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	if p.Flash == "" {
		switch r.URL.Query().Get("passkey") {
		case "added":
			p.Flash = p.T("passkey.added")
		case "renamed":
			p.Flash = p.T("passkey.renamed")
		case "removed":
			p.Flash = p.T("passkey.removed")
		}
	}
	// How this session signed in, so that a person can see it.
	var session store.Session
	if ck, err := r.Cookie(api.SessionCookie); err == nil {
		session, _ = a.Store.SessionOf(r.Context(), ck.Value)
	}
	p.Data = map[string]any{"Errors": errs, "Changed": changed, "MinPassword": store.MinPassword, "Action": accountAction(p),
		"SessionMethod": site.SignInMethod(p, session.Method, session.SSOOrg), "SessionSince": shortStamp(session.CreatedAt),
		"PasskeysOn": a.Passkeys != nil, "Passkeys": keys, "MaxPasskeys": store.MaxPasskeys, "MaxPasskeyName": store.MaxPasskeyName,
		"PasskeyFull": len(keys) >= store.MaxPasskeys, "TOTP": f.TOTP}
	a.Render(w, status, "account", p)
}

// accountPost changes the signed-in user's password; every other session
// of the user ends, this one stays.
func (a *handlers) accountPost(w http.ResponseWriter, r *http.Request) {
	u, err := a.Session(r)
	if err != nil {
		http.Redirect(w, r, "/login?next=/account", http.StatusSeeOther)
		return
	}
	p := &site.Page{Lang: site.LangOf(r, u), User: u, Path: r.URL.RequestURI()}
	p.Orgs, _ = a.Store.Memberships(r.Context(), u.ID)
	a.changePassword(w, r, p, "/account")
}

func (a *handlers) accountInOrgPost(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) {
	a.changePassword(w, r, p, "/orgs/"+p.Org+"/account")
}

func (a *handlers) changePassword(w http.ResponseWriter, r *http.Request, p *site.Page, back string) {
	current, next, again := r.PostFormValue("current"), r.PostFormValue("new"), r.PostFormValue("again")
	errs := map[string]string{}
	switch {
	case store.CheckPassword(next) != nil:
		errs["new"] = p.T("views.pw.too_short", "n", store.MinPassword)
	case next != again:
		errs["again"] = p.T("views.pw.mismatch")
	}
	if len(errs) == 0 {
		ck, _ := r.Cookie(api.SessionCookie)
		revoke := r.PostFormValue("revoke_tokens") == "yes"
		err := a.Store.ChangePassword(r.Context(), p.User.ID, current, next, ck.Value, api.ClientAddress(r), revoke)
		switch {
		case errors.Is(err, store.ErrWrongPassword):
			errs["current"] = p.T("views.pw.wrong")
		case errors.Is(err, store.ErrThrottled), errors.Is(err, store.ErrBusy):
			w.Header().Set("Retry-After", strconv.Itoa(store.RetryAfter(err)))
			errs["current"] = p.T("ui.login_throttled")
			status := http.StatusTooManyRequests
			if errors.Is(err, store.ErrBusy) {
				errs["current"], status = p.T("ui.login_busy"), http.StatusServiceUnavailable
			}
			p.Error = p.T("views.form_errors")
			a.renderAccount(w, r, p, status, errs, false)
			return
		case err != nil:
			a.ServerError(w, r, p, err)
			return
		default:
			http.Redirect(w, r, back+"?changed=1", http.StatusSeeOther)
			return
		}
	}
	p.Error = p.T("views.form_errors")
	a.renderAccount(w, r, p, http.StatusBadRequest, errs, false)
}

// shortStamp is a stored time to the minute ("" stays "").
func shortStamp(at string) string {
	if len(at) >= 16 {
		return strings.Replace(at[:16], "T", " ", 1)
	}
	return at
}
