package admin

// The account's two-factor page: turning TOTP on (a QR code drawn here,
// and the key to type by hand, then a first code), the recovery codes
// shown once, new recovery codes, turning TOTP off (password and a code),
// and the account's recent security events. A member whom an
// organization's policy stopped arrives here with ?org= and goes on to
// the organization once set up.

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	qrcode "github.com/skip2/go-qrcode"

	"github.com/cloudisms/cloudisms/internal/api"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/totp"
	"github.com/cloudisms/cloudisms/internal/web/site"
)

// issuer names the entry in the authenticator app.
const issuer = "cloudisms"

// twoFactorView is what the two-factor page shows.
type twoFactorView struct {
	Factors   store.Factors
	Enrolling bool
	QR        template.HTML // an inline SVG of the otpauth address
	Key       string        // the same key, grouped by four for typing
	Recovery  []string      // only right after they were made
	Org       string        // the organization whose policy sent the user here
	OrgName   string
	Required  bool // that organization's policy is not yet met
	Done      string
	Errors    map[string]string
	Recent    []store.SecurityEvent
}

func (a *handlers) twoFactorPage(w http.ResponseWriter, r *http.Request) {
	u, p, ok := a.accountUser(w, r)
	if !ok {
		return
	}
	v := &twoFactorView{Done: r.URL.Query().Get("done"), Errors: map[string]string{}}
	a.renderTwoFactor(w, r, p, u, v, http.StatusOK, r.URL.Query().Get("org"))
}

// accountUser is the signed-in user of an account page, or a redirect to
// the sign-in.
func (a *handlers) accountUser(w http.ResponseWriter, r *http.Request) (*store.User, *site.Page, bool) {
	u, err := a.Session(r)
	if store.Unavailable(err) {
		a.ServerError(w, r, &site.Page{Lang: site.LangOf(r, nil)}, err)
		return nil, nil, false
	}
	if err != nil {
		http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return nil, nil, false
	}
	p := &site.Page{Lang: site.LangOf(r, u), User: u, Path: r.URL.RequestURI()}
	p.Orgs, _ = a.Store.Memberships(r.Context(), u.ID)
	return u, p, true
}

func (a *handlers) renderTwoFactor(w http.ResponseWriter, r *http.Request, p *site.Page, u *store.User, v *twoFactorView, status int, org string) {
	ctx := r.Context()
	var err error
	if v.Factors, err = a.Store.FactorsOf(ctx, u.ID); err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	// Only an organization the user belongs to is named.
	if _, err := a.Store.Member(ctx, org, u.ID); org != "" && err == nil {
		v.Org, v.OrgName = org, org
		if o, err := a.Store.Org(ctx, org); err == nil && o.Name != "" {
			v.OrgName = o.Name
		}
		_, allowed, err := a.Store.PolicyAllows(ctx, org, u.ID)
		if err != nil {
			a.ServerError(w, r, p, err)
			return
		}
		v.Required = !allowed
	}
	if !v.Factors.TOTP && v.Recovery == nil {
		secret, err := a.Store.EnrollingTOTP(ctx, u.ID)
		switch {
		case err == nil:
			v.Enrolling = true
			v.Key = groupKey(totp.Encode(secret))
			if v.QR, err = qrSVG(otpauthURI(u.Email, secret)); err != nil {
				a.ServerError(w, r, p, err)
				return
			}
		case !errors.Is(err, store.ErrNotFound):
			a.ServerError(w, r, p, err)
			return
		}
	}
	if v.Recent, _, err = a.Store.SecurityLogOf(ctx, u.ID, 0, 10); err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	p.Title = p.T("twofactor.title")
	p.Data = v
	a.Render(w, status, "twofactor", p)
}

// twoFactorPost begins an enrolment, confirms it, makes new recovery
// codes or turns TOTP off.
func (a *handlers) twoFactorPost(w http.ResponseWriter, r *http.Request) {
	u, p, ok := a.accountUser(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	org := r.PostFormValue("org")
	back := site.TwoFactorPath
	if org != "" {
		back += "?org=" + url.QueryEscape(org) + "&"
	} else {
		back += "?"
	}
	v := &twoFactorView{Errors: map[string]string{}}
	code, address := strings.TrimSpace(r.PostFormValue("code")), api.ClientAddress(r)
	var err error
	switch r.PostFormValue("action") {
	case "begin":
		_, err = a.Store.BeginTOTP(ctx, u.ID)
		if errors.Is(err, store.ErrExists) {
			http.Redirect(w, r, back+"done=already", http.StatusSeeOther)
			return
		}
		if err == nil {
			http.Redirect(w, r, strings.TrimSuffix(strings.TrimSuffix(back, "&"), "?")+"#enrol", http.StatusSeeOther)
			return
		}
	case "confirm":
		v.Recovery, err = a.Store.ConfirmTOTP(ctx, u.ID, code, address)
		if err == nil {
			v.Done = "on"
			a.renderTwoFactor(w, r, p, u, v, http.StatusOK, org)
			return
		}
	case "renew":
		v.Recovery, err = a.Store.RenewRecoveryCodes(ctx, u.ID, code, address)
		if err == nil {
			v.Done = "renewed"
			a.renderTwoFactor(w, r, p, u, v, http.StatusOK, org)
			return
		}
	case "disable":
		err = a.Store.DisableTOTP(ctx, u.ID, r.PostFormValue("password"), code, address)
		if err == nil {
			http.Redirect(w, r, back+"done=off", http.StatusSeeOther)
			return
		}
	default:
		a.BadRequest(w, r, p, p.T("views.mem.bad_action"))
		return
	}
	status := http.StatusBadRequest
	switch {
	case errors.Is(err, store.ErrBadCode):
		v.Errors["code"], status = p.T("twofactor.bad_code"), http.StatusUnauthorized
	case errors.Is(err, store.ErrWrongPassword):
		v.Errors["password"], status = p.T("twofactor.wrong_password"), http.StatusUnauthorized
	case errors.Is(err, store.ErrThrottled):
		w.Header().Set("Retry-After", strconv.Itoa(store.RetryAfter(err)))
		v.Errors["code"], status = p.T("ui.login_throttled"), http.StatusTooManyRequests
	case errors.Is(err, store.ErrBusy):
		w.Header().Set("Retry-After", strconv.Itoa(store.RetryAfter(err)))
		v.Errors["password"], status = p.T("ui.login_busy"), http.StatusServiceUnavailable
	case errors.Is(err, store.ErrNotFound):
		// The enrolment was replaced or TOTP turned off meanwhile: the
		// page shows how things are now.
		http.Redirect(w, r, strings.TrimSuffix(strings.TrimSuffix(back, "&"), "?"), http.StatusSeeOther)
		return
	default:
		a.ServerError(w, r, p, err)
		return
	}
	p.Error = p.T("views.form_errors")
	a.renderTwoFactor(w, r, p, u, v, status, org)
}

// otpauthURI is the address an authenticator app reads from the QR code
// (the Key Uri Format the apps share).
func otpauthURI(account string, secret []byte) string {
	q := url.Values{}
	q.Set("secret", totp.Encode(secret))
	q.Set("issuer", issuer)
	q.Set("digits", strconv.Itoa(totp.Digits))
	q.Set("period", strconv.Itoa(int(totp.Step/time.Second)))
	return "otpauth://totp/" + url.PathEscape(issuer+":"+account) + "?" + q.Encode()
}

// qrSVG draws a QR code as an inline SVG: one path of the dark modules,
// row by row, so that the page needs no image request and no outside
// service ever sees the key.
func qrSVG(content string) (template.HTML, error) {
	q, err := qrcode.New(content, qrcode.Medium)
	if err != nil {
		return "", fmt.Errorf("qr code: %w", err)
	}
	bm := q.Bitmap()
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="qr" role="img" viewBox="0 0 %d %d" width="%d" height="%d" shape-rendering="crispEdges"><rect width="100%%" height="100%%" fill="#fff"/><path fill="#000" d="`, len(bm), len(bm), len(bm)*5, len(bm)*5)
	for y, row := range bm {
		for x := 0; x < len(row); {
			if !row[x] {
				x++
				continue
			}
			start := x
			for x < len(row) && row[x] {
				x++
			}
			fmt.Fprintf(&b, "M%d %dh%dv1h-%dz", start, y, x-start, x-start)
		}
	}
	b.WriteString(`"/></svg>`)
	return template.HTML(b.String()), nil // built here from numbers only
}

// groupKey writes a key in groups of four, easier to type.
func groupKey(key string) string {
	var parts []string
	for len(key) > 4 {
		parts = append(parts, key[:4])
		key = key[4:]
	}
	return strings.Join(append(parts, key), " ")
}
