// Package ssoweb holds the single sign-on pages: the start of a sign-in
// at an organization's OpenID provider, the callback that comes back
// from it, and the organization's settings page for its administrators.
package ssoweb

import (
	"embed"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cloudisms/cloudisms/internal/api"
	"github.com/cloudisms/cloudisms/internal/authz"
	"github.com/cloudisms/cloudisms/internal/sso"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/web/site"
)

//go:embed templates/*.html
var templateFS embed.FS

// browserCookie holds the token that binds a pending sign-in to the
// browser that started it. Its path is the callback's only.
const browserCookie = "cloudisms_sso"

// CallbackPath is this server's redirect URI path, registered at
// providers.
const CallbackPath = "/sso/callback"

type handlers struct {
	*site.App
	client *sso.Client
}

func init() {
	site.AddTemplates(templateFS)
	site.AddNav(site.NavItem{Order: 915, Section: "sso", Path: "sso", Label: "sso.nav", Action: authz.Members})
	site.AddRoutes(func(app *site.App, m *http.ServeMux) {
		a := &handlers{App: app, client: sso.New(time.Now)}
		m.HandleFunc("GET /sso/start", a.start)
		m.HandleFunc("GET "+CallbackPath, a.callback)
		m.HandleFunc("GET /orgs/{org}/sso", a.InOrg("sso", a.settingsPage))
		m.HandleFunc("POST /orgs/{org}/sso", a.InOrg("sso", a.settingsPost))
	})
}

// RedirectURL is the callback's absolute URL: from the configured public
// address (serve --base-url), else from the request.
func RedirectURL(a *site.App, r *http.Request) string {
	if a.BaseURL != "" {
		return strings.TrimRight(a.BaseURL, "/") + CallbackPath
	}
	scheme := "http"
	if r.TLS != nil || api.IsHTTPS(r) {
		scheme = "https"
	}
	return scheme + "://" + r.Host + CallbackPath
}

func (a *handlers) settings(r *http.Request, p store.SSOProvider) sso.Settings {
	return sso.Settings{Issuer: p.Issuer, ClientID: p.ClientID, ClientSecret: p.ClientSecret, RedirectURL: RedirectURL(a.App, r)}
}

func (a *handlers) instanceSettings(r *http.Request, p store.InstanceSSO) sso.Settings {
	return sso.Settings{Issuer: p.Issuer, ClientID: p.ClientID, ClientSecret: p.ClientSecret, RedirectURL: RedirectURL(a.App, r)}
}

// event writes a single sign-on event to the security log (the
// organization's admins read it) and to the server's log.
func (a *handlers) event(r *http.Request, kind, org string, u *store.User, detail string) {
	e := store.SecurityEvent{Org: org, Kind: kind, Address: api.ClientAddress(r), Detail: detail}
	if u != nil {
		e.UserID, e.Email = u.ID, u.Email
	}
	if err := a.Store.LogSecurity(r.Context(), e); err != nil {
		a.Log.Error("security log", "err", err)
	}
	a.Log.LogAttrs(r.Context(), slog.LevelInfo, "security", slog.String("event", kind), slog.String("org", org),
		slog.String("email", e.Email), slog.String("address", e.Address), slog.String("detail", detail))
}

// start sends the browser to the organization's provider (?org=), or to
// the instance's provider (?instance=1, from the sign-in page, naming no
// organization). It is a GET (a link or the sign-in page's form) because
// the page's form-action policy would stop a POST from being redirected
// to another site.
func (a *handlers) start(w http.ResponseWriter, r *http.Request) {
	p := &site.Page{Lang: site.LangOf(r, nil)}
	p.Title = p.T("sso.title")
	instance := r.URL.Query().Get("instance") == "1"
	org := strings.TrimSpace(r.URL.Query().Get("org"))
	if instance {
		org = ""
	}
	next := site.SafeNext(r.URL.Query().Get("next"))
	if next == "/" && org != "" {
		next = "/orgs/" + url.PathEscape(org) + "/"
	}
	addr := api.ClientAddress(r)
	if err := a.Store.SSOThrottled(r.Context(), addr); err != nil {
		a.refuse(w, r, p, err, org, "")
		return
	}
	var settings sso.Settings
	if instance {
		ip, err := a.Store.InstanceSSOProvider(r.Context())
		if errors.Is(err, store.ErrNotFound) {
			a.fail(w, r, p, http.StatusNotFound, "sso.no_instance", "", "", "no instance provider")
			return
		}
		if err != nil {
			a.ServerError(w, r, p, err)
			return
		}
		settings = a.instanceSettings(r, ip)
	} else {
		prov, err := a.Store.SSOProviderOf(r.Context(), org)
		if errors.Is(err, store.ErrNotFound) || len(org) > 200 || org == "" {
			// An organization without a provider and one that does not
			// exist look the same.
			a.fail(w, r, p, http.StatusNotFound, "sso.no_provider", org, "", "no provider")
			return
		}
		if err != nil {
			a.ServerError(w, r, p, err)
			return
		}
		settings = a.settings(r, prov)
	}
	nonce, verifier := sso.Secret(), sso.Secret()
	state, browser, err := a.Store.BeginSSO(r.Context(), store.SSOState{Org: org, Nonce: nonce, Verifier: verifier, Next: next, Address: addr})
	if errors.Is(err, store.ErrSSOPending) {
		w.Header().Set("Retry-After", strconv.Itoa(int(store.SSOStateTTL.Seconds())))
		a.fail(w, r, p, http.StatusTooManyRequests, "sso.too_many", org, "", err.Error())
		return
	}
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	to, err := a.client.AuthURL(r.Context(), settings, state, nonce, verifier)
	if err != nil {
		a.fail(w, r, p, http.StatusBadGateway, "sso.provider_down", org, "", err.Error())
		return
	}
	// Lax: the provider sends the browser back with a top-level GET from
	// its own site.
	http.SetCookie(w, &http.Cookie{Name: browserCookie, Value: browser, Path: CallbackPath, HttpOnly: true, Secure: api.IsHTTPS(r),
		SameSite: http.SameSiteLaxMode, MaxAge: int(store.SSOStateTTL.Seconds())})
	// The page moves on to the provider by itself: a redirect would be
	// stopped by the sign-in form's form-action policy (the provider is
	// another site).
	p.Refresh = "0;url=" + to
	p.Data = to
	a.Render(w, http.StatusOK, "sso_continue", p)
}

// callback finishes a sign-in: the state must be one this browser
// started (and is used up here), the code must be exchanged with its PKCE
// verifier, and the ID token must pass its checks.
func (a *handlers) callback(w http.ResponseWriter, r *http.Request) {
	p := &site.Page{Lang: site.LangOf(r, nil)}
	p.Title = p.T("sso.title")
	addr := api.ClientAddress(r)
	if err := a.Store.SSOThrottled(r.Context(), addr); err != nil {
		a.refuse(w, r, p, err, "", "")
		return
	}
	q := r.URL.Query()
	browser := ""
	if ck, err := r.Cookie(browserCookie); err == nil {
		browser = ck.Value
	}
	http.SetCookie(w, &http.Cookie{Name: browserCookie, Value: "", Path: CallbackPath, HttpOnly: true, Secure: api.IsHTTPS(r), SameSite: http.SameSiteLaxMode, MaxAge: -1})
	state, code := q.Get("state"), q.Get("code")
	if len(state) > 200 || len(code) > 4096 {
		a.failed(w, r, p, "sso.bad_state", "", "", "oversized state or code")
		return
	}
	st, err := a.Store.TakeSSO(r.Context(), state, browser)
	if errors.Is(err, store.ErrSSOState) {
		a.failed(w, r, p, "sso.bad_state", "", "", err.Error())
		return
	}
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	if e := q.Get("error"); e != "" || code == "" {
		// The person cancelled at the provider, or it refused.
		a.failed(w, r, p, "sso.refused", st.Org, "", "provider error: "+clip(e+" "+q.Get("error_description"), 200))
		return
	}
	var settings sso.Settings
	var prov store.SSOProvider
	if st.Org == "" {
		// Started from the sign-in page: the instance's provider.
		ip, err := a.Store.InstanceSSOProvider(r.Context())
		if err != nil {
			a.failed(w, r, p, "sso.no_instance", "", "", err.Error())
			return
		}
		settings = a.instanceSettings(r, ip)
	} else {
		prov, err = a.Store.SSOProviderOf(r.Context(), st.Org)
		if err != nil {
			a.failed(w, r, p, "sso.no_provider", st.Org, "", err.Error())
			return
		}
		settings = a.settings(r, prov)
	}
	id, err := a.client.Finish(r.Context(), settings, code, st.Verifier, st.Nonce)
	if err != nil {
		key := "sso.bad_token"
		if errors.Is(err, sso.ErrUnverified) {
			key = "sso.unverified"
		} else if errors.Is(err, sso.ErrProvider) {
			key = "sso.provider_down"
		}
		a.failed(w, r, p, key, st.Org, id.Email, err.Error())
		return
	}
	if st.Org == "" {
		u, token, err := a.Store.InstanceSSOLogin(r.Context(), id.Email, api.SessionTTL)
		if errors.Is(err, store.ErrSSONoMember) {
			a.failed(w, r, p, "sso.instance_no_member", "", id.Email, err.Error())
			return
		}
		if err != nil {
			a.ServerError(w, r, p, err)
			return
		}
		a.event(r, store.EventLogin, "", &u, "oidc "+settings.Issuer)
		api.SetSession(w, r, token)
		http.Redirect(w, r, st.Next, http.StatusSeeOther)
		return
	}
	res, token, err := a.Store.SSOLogin(r.Context(), store.SSOSignIn{Org: st.Org, Email: id.Email, Name: id.Name, Subject: id.Subject}, api.SessionTTL)
	if errors.Is(err, store.ErrSSONoMember) {
		a.failed(w, r, p, "sso.no_member", st.Org, id.Email, err.Error())
		return
	}
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	detail := "oidc " + settings.Issuer
	if res.Joined {
		detail += " (joined as " + prov.JoinRole + ")"
	}
	a.event(r, store.EventLogin, st.Org, &res.User, detail)
	api.SetSession(w, r, token)
	http.Redirect(w, r, st.Next, http.StatusSeeOther)
}

// failed records a failed sign-in, counts it against the address and
// answers with what went wrong (never the cause's details).
func (a *handlers) failed(w http.ResponseWriter, r *http.Request, p *site.Page, key, org, email, detail string) {
	if err := a.Store.ReserveSSOFailure(r.Context(), api.ClientAddress(r)); errors.Is(err, store.ErrThrottled) {
		a.refuse(w, r, p, err, org, email)
		return
	}
	a.fail(w, r, p, http.StatusBadRequest, key, org, email, detail)
}

func (a *handlers) fail(w http.ResponseWriter, r *http.Request, p *site.Page, status int, key, org, email, detail string) {
	a.event(r, store.EventSSOFailed, org, someone(email), key+": "+detail)
	p.Error = p.T(key)
	a.Render(w, status, "error", p)
}

// refuse answers a throttled address.
func (a *handlers) refuse(w http.ResponseWriter, r *http.Request, p *site.Page, err error, org, email string) {
	if !errors.Is(err, store.ErrThrottled) {
		a.ServerError(w, r, p, err)
		return
	}
	a.event(r, store.EventSSOThrottled, org, someone(email), err.Error())
	w.Header().Set("Retry-After", strconv.Itoa(store.RetryAfter(err)))
	p.Error = p.T("ui.login_throttled")
	a.Render(w, http.StatusTooManyRequests, "error", p)
}

// someone is the person an event names by the email a provider gave
// (not yet matched to an account).
func someone(email string) *store.User {
	if email == "" {
		return nil
	}
	return &store.User{Email: email}
}

func clip(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) > n {
		return s[:n]
	}
	return s
}
