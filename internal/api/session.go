package api

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/store"
)

// SessionTTL is how long a login lasts.
const SessionTTL = 12 * time.Hour

// SetSession gives the browser the session cookie: HttpOnly, SameSite=Lax,
// Secure under TLS. The web UI uses it too.
func SetSession(w http.ResponseWriter, r *http.Request, token string) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: token, Path: "/", HttpOnly: true, Secure: IsHTTPS(r),
		SameSite: http.SameSiteLaxMode, MaxAge: int(SessionTTL.Seconds())})
}

// EndSession ends the request's session on the server and clears the
// cookie.
func EndSession(w http.ResponseWriter, r *http.Request, s *store.Store) error {
	if ck, err := r.Cookie(SessionCookie); err == nil {
		if err := s.DeleteSession(r.Context(), ck.Value); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", HttpOnly: true, Secure: IsHTTPS(r),
		SameSite: http.SameSiteLaxMode, MaxAge: -1})
	return nil
}

type httpsKey struct{}

// MarkHTTPS records on a request that the client reached the server over
// HTTPS through a trusted reverse proxy (its X-Forwarded-Proto).
func MarkHTTPS(r *http.Request) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), httpsKey{}, true))
}

// IsHTTPS tells whether the client reached the server over HTTPS: served
// over TLS, or marked so by MarkHTTPS. The session cookie is then Secure
// and responses carry Strict-Transport-Security.
func IsHTTPS(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	on, _ := r.Context().Value(httpsKey{}).(bool)
	return on
}

// ClientAddress is the address login throttling counts failures for.
func ClientAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// login checks email and password and starts a server-side session.
func (a *Server) login(w http.ResponseWriter, r *http.Request, c *call) {
	if !a.jsonBody(w, r, c) {
		return
	}
	raw, ok := a.body(w, r, c, 64<<10)
	if !ok {
		return
	}
	// Code is the second factor (a TOTP code or a recovery code) of an
	// account that has one, sent with the password.
	var in struct{ Email, Password, Code string }
	if err := json.Unmarshal(raw, &in); err != nil {
		a.fail(w, c.lang, http.StatusBadRequest, "invalid", i18n.M("api.invalid_detail", "detail", err.Error()))
		return
	}
	u, token, err := a.store.Login(r.Context(), in.Email, in.Password, ClientAddress(r), SessionTTL)
	var step *store.SecondStepError
	if errors.As(err, &step) {
		if in.Code == "" {
			a.fail(w, c.lang, http.StatusUnauthorized, "second_factor_required", i18n.M("twofactor.api_code_required"))
			return
		}
		u = step.User
		_, token, _, err = a.store.SecondStepCode(r.Context(), step.Pending, in.Code, ClientAddress(r), SessionTTL)
		if errors.Is(err, store.ErrBadCode) {
			a.fail(w, c.lang, http.StatusUnauthorized, "bad_code", i18n.M("twofactor.bad_code"))
			return
		}
	}
	switch {
	case errors.Is(err, store.ErrThrottled):
		w.Header().Set("Retry-After", strconv.Itoa(store.RetryAfter(err)))
		a.fail(w, c.lang, http.StatusTooManyRequests, "throttled", i18n.M("ui.login_throttled"))
		return
	case errors.Is(err, store.ErrBusy):
		w.Header().Set("Retry-After", strconv.Itoa(store.RetryAfter(err)))
		a.fail(w, c.lang, http.StatusServiceUnavailable, "busy", i18n.M("ui.login_busy"))
		return
	case errors.Is(err, store.ErrBadCredentials):
		a.fail(w, c.lang, http.StatusUnauthorized, "unauthorized", i18n.M("api.bad_login"))
		return
	case err != nil:
		a.storeError(w, c, err)
		return
	}
	SetSession(w, r, token)
	writeJSON(w, http.StatusOK, map[string]string{"email": u.Email, "name": u.Name, "lang": u.Lang})
}

func (a *Server) logout(w http.ResponseWriter, r *http.Request, c *call) {
	if err := EndSession(w, r, a.store); err != nil {
		a.storeError(w, c, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
