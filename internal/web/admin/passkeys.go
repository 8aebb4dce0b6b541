package admin

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/cloudisms/cloudisms/internal/api"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/web/site"
)

// A user's passkeys on the account page: the list (name, when added,
// when last used), adding one (a ceremony run by the page's script,
// after the current password), renaming, and removing one (after the
// current password). Adding and removing a way to sign in ask for the
// password again, so that a session left open is not enough to plant or
// remove one.

func init() {
	site.AddRoutes(func(app *site.App, m *http.ServeMux) {
		a := &handlers{app}
		m.HandleFunc("POST /account/passkeys/options", a.passkeyOptions)
		m.HandleFunc("POST /account/passkeys", a.passkeyAdd)
		m.HandleFunc("POST /account/passkeys/{id}/rename", a.signedIn(a.passkeyRename))
		m.HandleFunc("POST /account/passkeys/{id}/delete", a.signedIn(a.passkeyDelete))
		m.HandleFunc("POST /orgs/{org}/account/passkeys/{id}/rename", a.InOrg("account", a.inOrg(a.passkeyRename)))
		m.HandleFunc("POST /orgs/{org}/account/passkeys/{id}/delete", a.InOrg("account", a.inOrg(a.passkeyDelete)))
	})
}

// passkeyRow is a passkey as the account page lists it.
type passkeyRow struct {
	ID       int64
	Name     string
	Created  string
	LastUsed string // "" when never used
}

func (a *handlers) passkeyRows(r *http.Request, p *site.Page) ([]passkeyRow, error) {
	keys, err := a.Store.Passkeys(r.Context(), p.User.ID)
	if err != nil {
		return nil, err
	}
	out := make([]passkeyRow, 0, len(keys))
	for _, k := range keys {
		out = append(out, passkeyRow{ID: k.ID, Name: k.Name, Created: localTime(k.CreatedAt), LastUsed: localTime(k.LastUsedAt)})
	}
	return out, nil
}

// localTime shows a stored time in Japan time, to the minute.
func localTime(stamp string) string {
	if stamp == "" {
		return ""
	}
	t, err := time.Parse(time.RFC3339Nano, stamp)
	if err != nil {
		return stamp
	}
	return t.In(isms.JST).Format("2006-01-02 15:04")
}

// accountForm is a form handler of the account page.
type accountForm func(w http.ResponseWriter, r *http.Request, p *site.Page)

// signedIn runs an account form outside any organization.
func (a *handlers) signedIn(h accountForm) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u, err := a.Session(r)
		if err != nil {
			http.Redirect(w, r, "/login?next=/account", http.StatusSeeOther)
			return
		}
		p := &site.Page{Lang: site.LangOf(r, u), User: u, Path: "/account"}
		p.Orgs, _ = a.Store.Memberships(r.Context(), u.ID)
		h(w, r, p)
	}
}

// inOrg runs an account form inside an organization's frame.
func (a *handlers) inOrg(h accountForm) site.OrgPage {
	return func(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) {
		p.Path = accountAction(p)
		h(w, r, p)
	}
}

// passkeyOptions begins adding a passkey once the current password is
// confirmed.
func (a *handlers) passkeyOptions(w http.ResponseWriter, r *http.Request) {
	u, p, ok := a.passkeyUser(w, r)
	if !ok {
		return
	}
	var in struct {
		Password string `json:"password"`
	}
	if !a.ReadPasskeyJSON(w, r, p, &in) {
		return
	}
	if !a.recheckPassword(w, r, p, in.Password) {
		return
	}
	opts, err := a.Passkeys.BeginRegistration(r.Context(), *u, api.ClientAddress(r))
	if errors.Is(err, store.ErrPasskeyLimit) {
		site.WritePasskeyError(w, http.StatusConflict, p.T("passkey.limit", "n", store.MaxPasskeys))
		return
	}
	if err != nil {
		a.PasskeyFailed(w, r, p, err)
		return
	}
	site.WritePasskeyJSON(w, http.StatusOK, opts)
}

// passkeyAdd finishes adding a passkey.
func (a *handlers) passkeyAdd(w http.ResponseWriter, r *http.Request) {
	u, p, ok := a.passkeyUser(w, r)
	if !ok {
		return
	}
	var in struct {
		Token      string          `json:"token"`
		Name       string          `json:"name"`
		Credential json.RawMessage `json:"credential"`
	}
	if !a.ReadPasskeyJSON(w, r, p, &in) {
		return
	}
	if _, err := store.CheckPasskeyName(in.Name); err != nil {
		site.WritePasskeyError(w, http.StatusBadRequest, p.T("passkey.name_bad", "n", store.MaxPasskeyName))
		return
	}
	key, err := a.Passkeys.FinishRegistration(r.Context(), *u, in.Token, in.Name, in.Credential)
	switch {
	case errors.Is(err, store.ErrPasskeyLimit):
		site.WritePasskeyError(w, http.StatusConflict, p.T("passkey.limit", "n", store.MaxPasskeys))
	case errors.Is(err, store.ErrExists):
		site.WritePasskeyError(w, http.StatusConflict, p.T("passkey.exists"))
	case err != nil:
		a.PasskeyFailed(w, r, p, err)
	default:
		a.Store.LogSecurity(r.Context(), store.SecurityEvent{UserID: u.ID, Email: u.Email, Kind: store.EventPasskeyOn, Address: api.ClientAddress(r), Detail: key.Name})
		site.WritePasskeyJSON(w, http.StatusCreated, map[string]any{"id": key.ID, "name": key.Name})
	}
}

// passkeyUser is the signed-in user of a ceremony's step, or a JSON 401
// (or 404 when passkeys are off).
func (a *handlers) passkeyUser(w http.ResponseWriter, r *http.Request) (*store.User, *site.Page, bool) {
	u, err := a.Session(r)
	p := &site.Page{Lang: site.LangOf(r, u), User: u}
	if a.Passkeys == nil {
		site.WritePasskeyError(w, http.StatusNotFound, p.T("passkey.off"))
		return nil, nil, false
	}
	if err != nil {
		if store.Unavailable(err) {
			a.PasskeyFailed(w, r, p, err)
			return nil, nil, false
		}
		site.WritePasskeyError(w, http.StatusUnauthorized, p.T("passkey.signed_out"))
		return nil, nil, false
	}
	return u, p, true
}

// recheckPassword confirms the signed-in user's password for a ceremony,
// counted like a sign-in; it answers the failure itself.
func (a *handlers) recheckPassword(w http.ResponseWriter, r *http.Request, p *site.Page, password string) bool {
	err := a.Store.CheckOwnPassword(r.Context(), p.User.ID, password, api.ClientAddress(r))
	switch {
	case err == nil:
		return true
	case errors.Is(err, store.ErrWrongPassword):
		site.WritePasskeyError(w, http.StatusUnauthorized, p.T("views.pw.wrong"))
	case errors.Is(err, store.ErrThrottled):
		w.Header().Set("Retry-After", strconv.Itoa(store.RetryAfter(err)))
		site.WritePasskeyError(w, http.StatusTooManyRequests, p.T("ui.login_throttled"))
	case errors.Is(err, store.ErrBusy):
		w.Header().Set("Retry-After", strconv.Itoa(store.RetryAfter(err)))
		site.WritePasskeyError(w, http.StatusServiceUnavailable, p.T("ui.login_busy"))
	default:
		a.PasskeyFailed(w, r, p, err)
	}
	return false
}

// passkeyID is the passkey of the path, or 0.
func passkeyID(r *http.Request) int64 {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0
	}
	return id
}

// passkeyRename renames one of the user's passkeys.
func (a *handlers) passkeyRename(w http.ResponseWriter, r *http.Request, p *site.Page) {
	id := passkeyID(r)
	if id == 0 {
		a.NotFound(w, r, p)
		return
	}
	err := a.Store.RenamePasskey(r.Context(), p.User.ID, id, r.PostFormValue("name"))
	switch {
	case errors.Is(err, store.ErrNotFound):
		a.NotFound(w, r, p)
	case err != nil && !store.Unavailable(err):
		p.Error = p.T("views.form_errors")
		a.renderAccount(w, r, p, http.StatusBadRequest, map[string]string{passkeyField(id): p.T("passkey.name_bad", "n", store.MaxPasskeyName)}, false)
	case err != nil:
		a.ServerError(w, r, p, err)
	default:
		http.Redirect(w, r, accountAction(p)+"?passkey=renamed", http.StatusSeeOther)
	}
}

// passkeyDelete removes one of the user's passkeys after the current
// password.
func (a *handlers) passkeyDelete(w http.ResponseWriter, r *http.Request, p *site.Page) {
	id := passkeyID(r)
	if id == 0 {
		a.NotFound(w, r, p)
		return
	}
	err := a.Store.CheckOwnPassword(r.Context(), p.User.ID, r.PostFormValue("password"), api.ClientAddress(r))
	switch {
	case errors.Is(err, store.ErrWrongPassword):
		p.Error = p.T("views.form_errors")
		a.renderAccount(w, r, p, http.StatusUnauthorized, map[string]string{passkeyField(id): p.T("views.pw.wrong")}, false)
		return
	case errors.Is(err, store.ErrThrottled), errors.Is(err, store.ErrBusy):
		w.Header().Set("Retry-After", strconv.Itoa(store.RetryAfter(err)))
		status, msg := http.StatusTooManyRequests, p.T("ui.login_throttled")
		if errors.Is(err, store.ErrBusy) {
			status, msg = http.StatusServiceUnavailable, p.T("ui.login_busy")
		}
		p.Error = p.T("views.form_errors")
		a.renderAccount(w, r, p, status, map[string]string{passkeyField(id): msg}, false)
		return
	case err != nil:
		a.ServerError(w, r, p, err)
		return
	}
	name, err := a.Store.DeletePasskey(r.Context(), p.User.ID, id)
	if err != nil {
		a.ServerError(w, r, p, err) // ErrNotFound: 404
		return
	}
	a.Store.LogSecurity(r.Context(), store.SecurityEvent{UserID: p.User.ID, Email: p.User.Email, Kind: store.EventPasskeyOff, Address: api.ClientAddress(r), Detail: name})
	http.Redirect(w, r, accountAction(p)+"?passkey=removed", http.StatusSeeOther)
}

// passkeyField names a passkey's row in the form errors.
func passkeyField(id int64) string { return "passkey-" + strconv.FormatInt(id, 10) }
