package site

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/cloudisms/cloudisms/internal/api"
	"github.com/cloudisms/cloudisms/internal/passkey"
	"github.com/cloudisms/cloudisms/internal/store"
)

// Passkey ceremonies run from the page's script with JSON: the options
// for navigator.credentials, then the browser's answer. These helpers
// are shared with the account page (admin).

// ReadPasskeyJSON decodes a ceremony's JSON body of at most
// passkey.MaxBody bytes into v, answering 400 (or 413) itself when it
// cannot.
func (a *App) ReadPasskeyJSON(w http.ResponseWriter, r *http.Request, p *Page, v any) bool {
	r.Body = http.MaxBytesReader(w, r.Body, passkey.MaxBody)
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		status := http.StatusBadRequest
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			status = http.StatusRequestEntityTooLarge
		}
		WritePasskeyError(w, status, p.T("passkey.bad_request"))
		return false
	}
	return true
}

// WritePasskeyJSON answers a ceremony's step.
func WritePasskeyJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// WritePasskeyError answers a failed step with the message the page shows.
func WritePasskeyError(w http.ResponseWriter, status int, msg string) {
	WritePasskeyJSON(w, status, map[string]string{"error": msg})
}

// PasskeyFailed answers a ceremony's error: 401 for an answer that does
// not verify, 429 or 503 with Retry-After when throttled or busy, else
// a server error (logged, never shown).
func (a *App) PasskeyFailed(w http.ResponseWriter, r *http.Request, p *Page, err error) {
	switch {
	case errors.Is(err, passkey.ErrRejected):
		a.Log.Warn("passkey rejected", "path", r.URL.Path, "address", api.ClientAddress(r), "err", err)
		WritePasskeyError(w, http.StatusUnauthorized, p.T("passkey.rejected"))
	case errors.Is(err, store.ErrThrottled):
		w.Header().Set("Retry-After", strconv.Itoa(store.RetryAfter(err)))
		WritePasskeyError(w, http.StatusTooManyRequests, p.T("passkey.throttled"))
	case errors.Is(err, store.ErrBusy), store.Unavailable(err):
		w.Header().Set("Retry-After", "5")
		WritePasskeyError(w, http.StatusServiceUnavailable, p.T("ops.unavailable"))
	default:
		a.Log.Error("passkey", "path", r.URL.Path, "err", err)
		WritePasskeyError(w, http.StatusInternalServerError, p.T("api.internal"))
	}
}

// passkeysOff answers 404 when no relying party is configured.
func (a *App) passkeysOff(w http.ResponseWriter, p *Page) bool {
	if a.Passkeys != nil {
		return false
	}
	WritePasskeyError(w, http.StatusNotFound, p.T("passkey.off"))
	return true
}

// passkeyLoginOptions begins a passwordless sign-in.
func (a *App) passkeyLoginOptions(w http.ResponseWriter, r *http.Request) {
	p := &Page{Lang: LangOf(r, nil)}
	if a.passkeysOff(w, p) {
		return
	}
	opts, err := a.Passkeys.BeginLogin(r.Context(), api.ClientAddress(r))
	if err != nil {
		a.PasskeyFailed(w, r, p, err)
		return
	}
	WritePasskeyJSON(w, http.StatusOK, opts)
}

// passkeyLoginPost finishes a passwordless sign-in: the passkey names
// its user, and a session starts as after a password.
func (a *App) passkeyLoginPost(w http.ResponseWriter, r *http.Request) {
	p := &Page{Lang: LangOf(r, nil)}
	if a.passkeysOff(w, p) {
		return
	}
	var in struct {
		Token      string          `json:"token"`
		Credential json.RawMessage `json:"credential"`
		Next       string          `json:"next"`
	}
	if !a.ReadPasskeyJSON(w, r, p, &in) {
		return
	}
	address := api.ClientAddress(r)
	u, _, err := a.Passkeys.FinishLogin(r.Context(), in.Token, in.Credential, address)
	if err != nil {
		a.logPasskeyFailure(r, u, err)
		a.PasskeyFailed(w, r, p, err)
		return
	}
	token, next, err := a.passkeySession(r, u, in.Next)
	if err != nil {
		a.PasskeyFailed(w, r, p, err)
		return
	}
	if _, err := r.Cookie(PendingCookie); err == nil {
		clearPending(w, r)
	}
	api.SetSession(w, r, token)
	WritePasskeyJSON(w, http.StatusOK, map[string]string{"next": next})
}

// passkeySession starts the session of a passkey's user. At the second
// step of that user's password sign-in the passkey completes it (the
// pending state is used up, the sign-in counts as password and passkey,
// and goes where the password form was going); otherwise, or when that
// state is gone, the passkey signs in on its own: its authenticator
// verified its holder, which the passkey alone proves.
func (a *App) passkeySession(r *http.Request, u store.User, next string) (string, string, error) {
	address := api.ClientAddress(r)
	if pl, pending, err := a.PendingLogin(r); err == nil && pl.User.ID == u.ID {
		token, err := a.Store.CompleteSecondStep(r.Context(), pending, address, store.MethodPassword+"+"+store.MethodPasskey, api.SessionTTL)
		if err == nil {
			return token, safeNext(pl.Next), nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return "", "", err
		}
	}
	token, err := a.Store.CreateSessionBy(r.Context(), u.ID, store.MethodPasskey, api.SessionTTL)
	if err != nil {
		return "", "", err
	}
	a.Store.LogSecurity(r.Context(), store.SecurityEvent{UserID: u.ID, Email: u.Email, Kind: store.EventLogin, Address: address, Detail: store.MethodPasskey})
	return token, safeNext(next), nil
}

// logPasskeyFailure writes a refused passkey sign-in to the security log:
// under its user when the answer named a known one, else for the
// operator only.
func (a *App) logPasskeyFailure(r *http.Request, u store.User, err error) {
	e := store.SecurityEvent{UserID: u.ID, Email: u.Email, Address: api.ClientAddress(r), Detail: "passkey"}
	switch {
	case errors.Is(err, passkey.ErrRejected):
		e.Kind = store.EventPasskeyFailed
	case errors.Is(err, store.ErrThrottled):
		e.Kind = store.EventLoginThrottled
	default:
		return
	}
	a.Store.LogSecurity(r.Context(), e)
}
