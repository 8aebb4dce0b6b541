package ssoweb

import (
	"errors"
	"net/http"
	"strings"

	"github.com/cloudisms/cloudisms/internal/api"
	"github.com/cloudisms/cloudisms/internal/authz"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/web/site"
)

// settingsView is what the settings page shows. The client secret is
// never among it: HasSecret says whether one is saved.
type settingsView struct {
	Provider    store.SSOProvider
	Configured  bool
	HasSecret   bool
	RedirectURL string
	StartURL    string
	Roles       []string
	Errors      map[string]string
	Saved       string // saved, deleted
	ViaSSO      bool   // this session was made by the organization's provider
	// Instance names the instance's provider ("" when the operator has
	// set none); InstanceIssuer is its issuer.
	Instance       string
	InstanceIssuer string
}

func isAdmin(m store.Membership) bool { return authz.Can(m.Role, authz.Members, authz.Subject{}) }

func (a *handlers) settingsPage(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) {
	if !isAdmin(m) {
		a.Forbidden(w, r, p)
		return
	}
	prov, err := a.Store.SSOProviderOf(r.Context(), p.Org)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		a.ServerError(w, r, p, err)
		return
	}
	v := a.view(r, p, prov, err == nil)
	v.Saved = r.URL.Query().Get("done")
	a.renderSettings(w, p, http.StatusOK, v)
}

func (a *handlers) view(r *http.Request, p *site.Page, prov store.SSOProvider, configured bool) settingsView {
	if !configured {
		prov = store.SSOProvider{JoinRole: authz.Viewer}
	}
	v := settingsView{Provider: prov, Configured: configured, HasSecret: prov.ClientSecret != "" && !prov.UseInstance, RedirectURL: RedirectURL(a.App, r),
		Roles: authz.Roles, Errors: map[string]string{}}
	v.Provider.ClientSecret = ""
	if prov.UseInstance {
		// The instance's issuer and client are not the organization's
		// own: the fields for its own stay empty.
		v.Provider.Issuer, v.Provider.ClientID = "", ""
	}
	if ip, err := a.Store.InstanceSSOProvider(r.Context()); err == nil {
		v.Instance, v.InstanceIssuer = site.InstanceSSOLabel(ip), ip.Issuer
	}
	v.StartURL = strings.TrimSuffix(RedirectURL(a.App, r), CallbackPath) + "/sso/start?org=" + p.Org
	if ck, err := r.Cookie(api.SessionCookie); err == nil {
		v.ViaSSO, _ = a.Store.SignedInThroughProvider(r.Context(), ck.Value, p.Org)
	}
	return v
}

func (a *handlers) renderSettings(w http.ResponseWriter, p *site.Page, status int, v settingsView) {
	p.Title = p.T("sso.settings_title")
	p.Data = v
	a.Render(w, status, "sso_settings", p)
}

// settingsPost saves or deletes the provider. A new issuer is discovered
// before it is saved, so that a typo is caught here rather than at the
// next sign-in. Requiring single sign-on is accepted only from an admin
// signed in through the provider: that proves it works, and keeps an
// admin from locking everyone out with settings that do not.
func (a *handlers) settingsPost(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) {
	if !isAdmin(m) {
		a.Forbidden(w, r, p)
		return
	}
	ctx := r.Context()
	old, err := a.Store.SSOProviderOf(ctx, p.Org)
	configured := err == nil
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		a.ServerError(w, r, p, err)
		return
	}
	if r.PostFormValue("action") == "delete" {
		if err := a.Store.DeleteSSOProvider(ctx, p.Org, p.User.Email); err != nil {
			a.ServerError(w, r, p, err)
			return
		}
		a.client.Forget(old.Issuer)
		a.event(r, store.EventSSOSettings, p.Org, p.User, "provider removed")
		http.Redirect(w, r, "/orgs/"+p.Org+"/sso?done=deleted", http.StatusSeeOther)
		return
	}
	prov := store.SSOProvider{
		Org:          p.Org,
		Issuer:       strings.TrimSpace(r.PostFormValue("issuer")),
		ClientID:     strings.TrimSpace(r.PostFormValue("client_id")),
		ClientSecret: r.PostFormValue("client_secret"),
		AllowJoin:    r.PostFormValue("allow_join") == "yes",
		JoinRole:     r.PostFormValue("join_role"),
		RequireSSO:   r.PostFormValue("require_sso") == "yes",
		UseInstance:  r.PostFormValue("source") == "instance",
		UpdatedBy:    p.User.Email,
	}
	v := a.view(r, p, old, configured)
	v.Provider = prov
	v.Provider.ClientSecret = ""
	if prov.UseInstance {
		prov.Issuer, prov.ClientID, prov.ClientSecret = "", "", ""
		v.Provider.Issuer, v.Provider.ClientID = "", ""
		if v.Instance == "" {
			v.Errors["source"] = p.T("sso.err_no_instance")
		}
	} else {
		if err := store.CheckIssuer(prov.Issuer); err != nil {
			v.Errors["issuer"] = p.T("sso.err_issuer")
		}
		if prov.ClientID == "" {
			v.Errors["client_id"] = p.T("sso.err_client_id")
		}
		if prov.ClientSecret == "" && !v.HasSecret {
			v.Errors["client_secret"] = p.T("sso.err_secret")
		}
	}
	// Requiring single sign-on needs this session to have come through
	// the provider being saved: the same source, and for the
	// organization's own the same issuer and client.
	same := configured && old.UseInstance == prov.UseInstance && (prov.UseInstance || (old.Issuer == prov.Issuer && old.ClientID == prov.ClientID))
	if prov.RequireSSO && !(v.ViaSSO && same) {
		v.Errors["require_sso"] = p.T("sso.err_require")
	}
	if len(v.Errors) == 0 && !prov.UseInstance {
		a.client.Forget(prov.Issuer)
		if _, err := a.client.Discover(ctx, prov.Issuer); err != nil {
			v.Errors["issuer"] = p.T("sso.err_discovery", "detail", clip(err.Error(), 300))
		}
	}
	if len(v.Errors) > 0 {
		a.renderSettings(w, p, http.StatusBadRequest, v)
		return
	}
	if err := a.Store.SetSSOProvider(ctx, prov); err != nil {
		v.Errors["form"] = clip(err.Error(), 300)
		a.renderSettings(w, p, http.StatusBadRequest, v)
		return
	}
	detail := "issuer " + prov.Issuer + ", client " + prov.ClientID
	if prov.UseInstance {
		detail = "the instance's provider " + v.InstanceIssuer
	}
	if prov.RequireSSO {
		detail += ", required"
	}
	a.event(r, store.EventSSOSettings, p.Org, p.User, detail)
	http.Redirect(w, r, "/orgs/"+p.Org+"/sso?done=saved", http.StatusSeeOther)
}
