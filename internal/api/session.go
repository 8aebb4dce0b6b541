package api

import (
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"time"

	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/store"
)

// SessionTTL is how long a login lasts.
const SessionTTL = 12 * time.Hour

// SetSession gives the browser the session cookie: HttpOnly, SameSite=Lax,
// Secure under TLS. The web UI uses it too.
func SetSession(w http.ResponseWriter, r *http.Request, token string) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: token, Path: "/", HttpOnly: true, Secure: r.TLS != nil,
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
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", HttpOnly: true, Secure: r.TLS != nil,
		SameSite: http.SameSiteLaxMode, MaxAge: -1})
	return nil
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
	var in struct{ Email, Password string }
	if err := json.Unmarshal(raw, &in); err != nil {
		a.fail(w, c.lang, http.StatusBadRequest, "invalid", i18n.M("api.invalid_detail", "detail", err.Error()))
		return
	}
	u, token, err := a.store.Login(r.Context(), in.Email, in.Password, ClientAddress(r), SessionTTL)
	switch {
	case errors.Is(err, store.ErrThrottled):
		a.fail(w, c.lang, http.StatusTooManyRequests, "throttled", i18n.M("ui.login_throttled"))
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
