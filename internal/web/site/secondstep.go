package site

// The second step of the web sign-in. After a right password for an
// account with a second factor, the browser holds only the pending
// state's token, in a cookie scoped to /login (HttpOnly, SameSite=Strict,
// gone after store.SecondStepTTL); the server holds the state. The code
// form here finishes it with FinishSignIn; an account with passkeys is
// offered the passkey sign-in as well, which starts a session of its own
// (the pending state then expires unused).

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cloudisms/cloudisms/internal/api"
	"github.com/cloudisms/cloudisms/internal/store"
)

// PendingCookie holds the token of a sign-in waiting for its second step.
const PendingCookie = "cloudisms_second"

// SecondStepPath is the page that asks for the second factor.
const SecondStepPath = "/login/second"

func setPending(w http.ResponseWriter, r *http.Request, token string) {
	http.SetCookie(w, &http.Cookie{Name: PendingCookie, Value: token, Path: "/login", HttpOnly: true, Secure: api.IsHTTPS(r),
		SameSite: http.SameSiteStrictMode, MaxAge: int(store.SecondStepTTL / time.Second)})
}

func clearPending(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: PendingCookie, Value: "", Path: "/login", HttpOnly: true, Secure: api.IsHTTPS(r),
		SameSite: http.SameSiteStrictMode, MaxAge: -1})
}

// PendingLogin is the request's sign-in waiting for its second step, and
// its token (for store.CompleteSecondStep): ErrNotFound when there is
// none, or it is used, expired or from another address.
func (a *App) PendingLogin(r *http.Request) (store.PendingLogin, string, error) {
	ck, err := r.Cookie(PendingCookie)
	if err != nil || ck.Value == "" || len(ck.Value) > 128 {
		return store.PendingLogin{}, "", store.ErrNotFound
	}
	p, err := a.Store.PendingLoginOf(r.Context(), ck.Value, api.ClientAddress(r))
	return p, ck.Value, err
}

// FinishSignIn ends a second step: the pending cookie goes, the session
// cookie comes, and the browser goes where it was going.
func (a *App) FinishSignIn(w http.ResponseWriter, r *http.Request, session, next string) {
	clearPending(w, r)
	api.SetSession(w, r, session)
	http.Redirect(w, r, safeNext(next), http.StatusSeeOther)
}

// SecondStepGone answers a second step whose state is gone: back to the
// password, saying why.
func (a *App) SecondStepGone(w http.ResponseWriter, r *http.Request) {
	clearPending(w, r)
	p := &Page{Lang: LangOf(r, nil)}
	p.Title = p.T("ui.login")
	p.Error = p.T("twofactor.step_gone")
	p.Data = a.loginData(r, "/", "")
	a.Render(w, http.StatusBadRequest, "login", p)
}

func (a *App) secondStepPage(w http.ResponseWriter, r *http.Request) {
	pl, _, err := a.PendingLogin(r)
	if errors.Is(err, store.ErrNotFound) {
		a.SecondStepGone(w, r)
		return
	}
	p := &Page{Lang: LangOf(r, nil)}
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	a.renderSecondStep(w, p, http.StatusOK, pl)
}

func (a *App) renderSecondStep(w http.ResponseWriter, p *Page, status int, pl store.PendingLogin) {
	p.Lang = pl.User.Lang
	p.Title = p.T("twofactor.step_title")
	// A passkey finishes the sign-in by itself (it names its user and
	// proves possession): the page offers it beside the code.
	p.Data = map[string]any{"Email": pl.User.Email, "Factors": pl.Factors, "Next": safeNext(pl.Next),
		"Passkeys": a.Passkeys != nil && pl.Factors.Passkeys > 0}
	a.Render(w, status, "secondstep", p)
}

func (a *App) secondStepPost(w http.ResponseWriter, r *http.Request) {
	pl, token, err := a.PendingLogin(r)
	if errors.Is(err, store.ErrNotFound) {
		a.SecondStepGone(w, r)
		return
	}
	p := &Page{Lang: LangOf(r, nil)}
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	code := strings.TrimSpace(r.PostFormValue("code"))
	_, session, next, err := a.Store.SecondStepCode(r.Context(), token, code, api.ClientAddress(r), api.SessionTTL)
	switch {
	case err == nil:
		a.FinishSignIn(w, r, session, next)
	case errors.Is(err, store.ErrNotFound):
		a.SecondStepGone(w, r)
	case errors.Is(err, store.ErrThrottled):
		w.Header().Set("Retry-After", strconv.Itoa(store.RetryAfter(err)))
		p.Lang = pl.User.Lang
		p.Error = p.T("ui.login_throttled")
		a.renderSecondStep(w, p, http.StatusTooManyRequests, pl)
	case errors.Is(err, store.ErrBadCode):
		p.Lang = pl.User.Lang
		p.Error = p.T("twofactor.bad_code")
		a.renderSecondStep(w, p, http.StatusUnauthorized, pl)
	default:
		a.ServerError(w, r, p, err)
	}
}
