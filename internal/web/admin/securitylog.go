package admin

import (
	"net/http"
	"strconv"

	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/web/site"
)

// securityPageSize is how many events one page of the log lists.
const securityPageSize = 50

// securityEventView is an event as the log page shows it: the account by
// its person's name where the organization knows it.
type securityEventView struct {
	store.SecurityEvent
	Name   string
	Detail string // the method in words, or the stored detail
}

// securityLogPage lists the organization's security events, newest first,
// a page at a time (?before= the last id of the previous page), for its
// administrators.
func (a *handlers) securityLogPage(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) {
	if !isAdmin(m) {
		a.Forbidden(w, r, p)
		return
	}
	ctx := r.Context()
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	evs, next, err := a.Store.SecurityLog(ctx, p.Org, max(before, 0), securityPageSize)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	names := map[int64]string{}
	if ms, err := a.Store.Members(ctx, p.Org); err == nil {
		for _, mm := range ms {
			if u, err := a.Store.UserByID(ctx, mm.UserID); err == nil {
				names[u.ID] = u.Name
			}
		}
	}
	rows := make([]securityEventView, 0, len(evs))
	for _, e := range evs {
		v := securityEventView{SecurityEvent: e, Name: names[e.UserID], Detail: e.Detail}
		switch {
		case e.Kind == store.EventPolicy:
			v.Detail = p.T("require." + e.Detail)
		case e.Kind == store.EventLogin && e.Detail != "":
			v.Detail = site.SignInMethod(p, e.Detail, "")
		}
		rows = append(rows, v)
	}
	p.Title = p.T("seclog.title")
	p.Data = map[string]any{"Events": rows, "Next": next, "Paged": before > 0,
		"KeepDays": store.SecurityLogKeepDays, "Max": store.SecurityLogMax}
	a.Render(w, http.StatusOK, "securitylog", p)
}
