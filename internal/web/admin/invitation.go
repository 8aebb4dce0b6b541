package admin

import (
	"errors"
	"github.com/cloudisms/cloudisms/internal/mail"
	"net/http"
	"net/url"
	"strings"

	"github.com/cloudisms/cloudisms/internal/api"
	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/web/site"
)

func init() {
	site.AddRoutes(func(app *site.App, m *http.ServeMux) {
		a := &handlers{app}
		m.HandleFunc("GET /invitations/{token}", a.invitationPage)
		m.HandleFunc("POST /invitations/{token}", a.invitationPost)
	})
}

// invitationURL is the link an invited person follows, on this site.
func invitationURL(r *http.Request, base, token string) string {
	if base != "" {
		return strings.TrimRight(base, "/") + "/invitations/" + url.PathEscape(token)
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + "/invitations/" + url.PathEscape(token)
}

// invitationView is what the invitation page shows.
type invitationView struct {
	Inv      store.Invitation
	OrgName  string
	Existing bool   // an account with the email exists: its owner accepts signed in
	SignedAs string // the signed-in account's email ("" for nobody)
	Name     string
	Login    string // where to sign in and come back
	Min      int
}

// invitation reads the invitation of the link and what the page needs;
// ok false when it has answered already (unknown, used or expired: 404).
func (a *handlers) invitation(w http.ResponseWriter, r *http.Request, p *site.Page) (invitationView, bool) {
	token := r.PathValue("token")
	inv, err := a.Store.Invitation(r.Context(), token)
	if errors.Is(err, store.ErrNotFound) {
		p.Title = p.T("invite.title")
		p.Error = p.T("invite.gone")
		a.Render(w, http.StatusNotFound, "error", p)
		return invitationView{}, false
	}
	if err != nil {
		a.ServerError(w, r, p, err)
		return invitationView{}, false
	}
	v := invitationView{Inv: inv, Min: store.MinPassword, Login: "/login?next=" + url.QueryEscape("/invitations/"+token)}
	if o, err := a.Store.Org(r.Context(), inv.Org); err == nil {
		v.OrgName = o.Name
	}
	_, err = a.Store.UserByEmail(r.Context(), inv.Email)
	v.Existing = err == nil
	if p.User != nil {
		v.SignedAs = p.User.Email
	}
	return v, true
}

func (a *handlers) invitationPage(w http.ResponseWriter, r *http.Request) {
	u, _ := a.Session(r)
	p := &site.Page{Lang: site.LangOf(r, u), User: u, Path: r.URL.Path}
	v, ok := a.invitation(w, r, p)
	if !ok {
		return
	}
	p.Title = p.T("invite.title")
	p.Data = v
	a.Render(w, http.StatusOK, "invitation", p)
}

// invitationPost accepts: a new account with the password the invited
// person chose, or the signed-in account of the invited email joining.
func (a *handlers) invitationPost(w http.ResponseWriter, r *http.Request) {
	u, _ := a.Session(r)
	p := &site.Page{Lang: site.LangOf(r, u), User: u, Path: r.URL.Path}
	v, ok := a.invitation(w, r, p)
	if !ok {
		return
	}
	p.Title = p.T("invite.title")
	var signedIn int64
	if u != nil {
		signedIn = u.ID
	}
	name, pw := strings.TrimSpace(r.PostFormValue("name")), r.PostFormValue("password")
	v.Name = name
	fail := func(status int, key string, args ...any) {
		p.Error = p.T(key, args...)
		p.Data = v
		a.Render(w, status, "invitation", p)
	}
	if !v.Existing {
		switch {
		case len(name) > 200:
			fail(http.StatusBadRequest, "invite.name_long")
			return
		case pw != r.PostFormValue("again"):
			fail(http.StatusBadRequest, "views.pw.mismatch")
			return
		case store.CheckPassword(pw) != nil:
			fail(http.StatusBadRequest, "views.pw.too_short", "n", store.MinPassword)
			return
		}
	}
	lang := p.Lang
	if !i18n.Valid(lang) {
		lang = i18n.JA
	}
	joined, inv, err := a.Store.AcceptInvitation(r.Context(), r.PathValue("token"), signedIn, name, lang, pw)
	switch {
	case errors.Is(err, store.ErrWrongAccount):
		fail(http.StatusForbidden, "invite.sign_in_first", "email", v.Inv.Email)
		return
	case errors.Is(err, store.ErrNotFound):
		fail(http.StatusNotFound, "invite.gone")
		return
	case errors.Is(err, store.ErrBusy):
		fail(http.StatusServiceUnavailable, "ui.login_busy")
		return
	case err != nil:
		a.ServerError(w, r, p, err)
		return
	}
	if u == nil {
		// The new account signs in at once, as its owner just chose the
		// password.
		_, token, err := a.Store.Login(r.Context(), joined.Email, pw, api.ClientAddress(r), api.SessionTTL)
		if err == nil {
			api.SetSession(w, r, token)
		}
	}
	http.Redirect(w, r, "/orgs/"+url.PathEscape(inv.Org)+"/", http.StatusSeeOther)
}

// mailInvitation mails the link to the invited address when the server
// has mail; it says whether it did ("true") and, if sending failed, why,
// so that the admin passes the link on instead.
func (a *handlers) mailInvitation(r *http.Request, p *site.Page, inv store.Invitation, link string, existing bool) (string, string) {
	if a.Mail == nil || !a.Mail.Enabled() {
		return "", ""
	}
	org, err := a.Store.Org(r.Context(), p.Org)
	name := p.Org
	if err == nil && org.Name != "" {
		name = org.Name
	}
	body := "invite.mail.body"
	if existing {
		body = "invite.mail.body_existing"
	}
	m := mail.Message{To: []string{inv.Email}, Subject: p.T("invite.mail.subject", "org", name),
		Text: p.T(body, "org", name, "by", p.User.Name, "link", link, "until", inv.ExpiresAt[:10])}
	if err := a.Mail.Send(r.Context(), m); err != nil {
		a.Log.Warn("invitation mail", "org", p.Org, "err", err)
		return "false", err.Error()
	}
	return "true", ""
}
