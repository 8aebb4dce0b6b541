package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/cloudisms/cloudisms/internal/api"
	"github.com/cloudisms/cloudisms/internal/authz"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/store"
)

// memberView is a member with their account.
type memberView struct {
	store.Membership
	User       store.User
	PersonName string
	Self       bool
}

// memberConfirm is a destructive action waiting for its confirmation.
type memberConfirm struct {
	Action string // remove, disable
	User   store.User
}

func viewsIsAdmin(m store.Membership) bool { return authz.Can(m.Role, authz.Members, authz.Subject{}) }

func (a *App) membersPage(w http.ResponseWriter, r *http.Request, p *page, m store.Membership) {
	if !viewsIsAdmin(m) {
		a.forbidden(w, r, p)
		return
	}
	a.renderMembers(w, r, p, http.StatusOK, nil, map[string]string{})
}

func (a *App) renderMembers(w http.ResponseWriter, r *http.Request, p *page, status int, confirm *memberConfirm, form map[string]string) {
	ctx := r.Context()
	ms, err := a.store.Members(ctx, p.Org)
	if err != nil {
		a.serverError(w, r, p, err)
		return
	}
	model, err := a.store.ISMS(ctx, p.Org)
	if err != nil {
		a.serverError(w, r, p, err)
		return
	}
	names := map[string]string{}
	for _, pp := range model.People {
		names[pp.ID] = pp.Name
	}
	var rows []memberView
	for _, mm := range ms {
		u, err := a.store.UserByID(ctx, mm.UserID)
		if err != nil {
			a.serverError(w, r, p, err)
			return
		}
		rows = append(rows, memberView{Membership: mm, User: u, PersonName: names[mm.Person], Self: u.ID == p.User.ID})
	}
	p.Title = p.T("views.mem.title")
	p.Data = map[string]any{"Members": rows, "Roles": authz.Roles, "People": model.People, "Confirm": confirm, "Form": form,
		"Done": r.URL.Query().Get("done"), "MinPassword": store.MinPassword}
	a.render(w, status, "members", p)
}

// membersPost adds a member, changes a member's role and person, removes
// a member or disables an account. Removing and disabling ask for a
// confirmation first, on a page of its own when JavaScript does not run.
func (a *App) membersPost(w http.ResponseWriter, r *http.Request, p *page, m store.Membership) {
	if !viewsIsAdmin(m) {
		a.forbidden(w, r, p)
		return
	}
	ctx := r.Context()
	action := r.PostFormValue("action")
	uid, _ := strconv.ParseInt(r.PostFormValue("user"), 10, 64)
	form := map[string]string{}
	fail := func(key string, args ...any) {
		p.Error = p.T(key, args...)
		a.renderMembers(w, r, p, http.StatusBadRequest, nil, form)
	}
	person := strings.TrimSpace(r.PostFormValue("person"))
	role := r.PostFormValue("role")
	if (action == "add" || action == "update") && person != "" {
		if model, err := a.store.ISMS(ctx, p.Org); err == nil && !viewsHasPerson(model, person) {
			fail("views.ver.unknown_ref", "id", person)
			return
		}
	}
	switch action {
	case "add":
		email := strings.TrimSpace(r.PostFormValue("email"))
		form = map[string]string{"email": email, "name": r.PostFormValue("name"), "role": role, "person": person}
		if !authz.ValidRole(role) {
			fail("views.mem.bad_role")
			return
		}
		u, err := a.store.UserByEmail(ctx, email)
		if errors.Is(err, store.ErrNotFound) {
			pw := r.PostFormValue("password")
			if pw == "" {
				fail("views.mem.need_password", "email", email)
				return
			}
			if store.CheckPassword(pw) != nil {
				fail("views.pw.too_short", "n", store.MinPassword)
				return
			}
			name := strings.TrimSpace(r.PostFormValue("name"))
			if name == "" {
				name = email
			}
			u, err = a.store.CreateUser(ctx, email, name, p.Lang, pw)
			if err != nil {
				fail("views.mem.bad_email", "email", email)
				return
			}
		} else if err != nil {
			a.serverError(w, r, p, err)
			return
		}
		if err := a.store.AddMember(ctx, p.Org, u.ID, role, person); err != nil {
			a.serverError(w, r, p, err)
			return
		}
		http.Redirect(w, r, "/orgs/"+p.Org+"/members?done=added#member-"+strconv.FormatInt(u.ID, 10), http.StatusSeeOther)
	case "update":
		if !authz.ValidRole(role) {
			fail("views.mem.bad_role")
			return
		}
		if _, err := a.store.Member(ctx, p.Org, uid); err != nil {
			a.serverError(w, r, p, err)
			return
		}
		if uid == p.User.ID && role != authz.Admin {
			fail("views.mem.not_self")
			return
		}
		if err := a.store.AddMember(ctx, p.Org, uid, role, person); err != nil {
			a.serverError(w, r, p, err)
			return
		}
		http.Redirect(w, r, "/orgs/"+p.Org+"/members?done=updated#member-"+strconv.FormatInt(uid, 10), http.StatusSeeOther)
	case "remove", "disable":
		if uid == p.User.ID {
			fail("views.mem.not_self")
			return
		}
		if _, err := a.store.Member(ctx, p.Org, uid); err != nil {
			a.serverError(w, r, p, err) // only members of this organization
			return
		}
		u, err := a.store.UserByID(ctx, uid)
		if err != nil {
			a.serverError(w, r, p, err)
			return
		}
		if action == "disable" {
			// An account is shared by organizations: only an administrator
			// of every organization it belongs to may disable it.
			theirs, err := a.store.Memberships(ctx, uid)
			if err != nil {
				a.serverError(w, r, p, err)
				return
			}
			for _, o := range theirs {
				if mine, err := a.store.Member(ctx, o.Org, p.User.ID); err != nil || !viewsIsAdmin(mine) {
					fail("views.mem.other_orgs", "email", u.Email)
					return
				}
			}
		}
		if r.PostFormValue("confirmed") != "yes" {
			a.renderMembers(w, r, p, http.StatusOK, &memberConfirm{Action: action, User: u}, form)
			return
		}
		if action == "remove" {
			err = a.store.RemoveMember(ctx, p.Org, uid)
		} else {
			err = a.store.DisableUser(ctx, uid)
		}
		if err != nil {
			a.serverError(w, r, p, err)
			return
		}
		http.Redirect(w, r, "/orgs/"+p.Org+"/members?done="+action+"d", http.StatusSeeOther)
	default:
		fail("views.mem.bad_action")
	}
}

func viewsHasPerson(m *isms.ISMS, id string) bool {
	for _, pp := range m.People {
		if pp.ID == id {
			return true
		}
	}
	return false
}

// accountPage is "change my password", for any signed-in user; inside an
// organization it keeps that organization's navigation.
func (a *App) accountPage(w http.ResponseWriter, r *http.Request) {
	u, err := a.session(r)
	if err != nil {
		http.Redirect(w, r, "/login?next=/account", http.StatusSeeOther)
		return
	}
	p := &page{Lang: langOf(r, u), User: u, Path: r.URL.RequestURI()}
	p.Orgs, _ = a.store.Memberships(r.Context(), u.ID)
	a.renderAccount(w, p, http.StatusOK, nil, r.URL.Query().Get("changed") != "")
}

func (a *App) accountInOrg(w http.ResponseWriter, r *http.Request, p *page, m store.Membership) {
	a.renderAccount(w, p, http.StatusOK, nil, r.URL.Query().Get("changed") != "")
}

func (a *App) renderAccount(w http.ResponseWriter, p *page, status int, errs map[string]string, changed bool) {
	p.Title = p.T("views.pw.title")
	action := "/account"
	if p.Org != "" {
		action = "/orgs/" + p.Org + "/account"
	}
	p.Data = map[string]any{"Errors": errs, "Changed": changed, "MinPassword": store.MinPassword, "Action": action}
	a.render(w, status, "account", p)
}

// accountPost changes the signed-in user's password; every other session
// of the user ends, this one stays.
func (a *App) accountPost(w http.ResponseWriter, r *http.Request) {
	u, err := a.session(r)
	if err != nil {
		http.Redirect(w, r, "/login?next=/account", http.StatusSeeOther)
		return
	}
	p := &page{Lang: langOf(r, u), User: u, Path: r.URL.RequestURI()}
	p.Orgs, _ = a.store.Memberships(r.Context(), u.ID)
	a.changePassword(w, r, p, "/account")
}

func (a *App) accountInOrgPost(w http.ResponseWriter, r *http.Request, p *page, m store.Membership) {
	a.changePassword(w, r, p, "/orgs/"+p.Org+"/account")
}

func (a *App) changePassword(w http.ResponseWriter, r *http.Request, p *page, back string) {
	current, next, again := r.PostFormValue("current"), r.PostFormValue("new"), r.PostFormValue("again")
	errs := map[string]string{}
	switch {
	case store.CheckPassword(next) != nil:
		errs["new"] = p.T("views.pw.too_short", "n", store.MinPassword)
	case next != again:
		errs["again"] = p.T("views.pw.mismatch")
	}
	if len(errs) == 0 {
		ck, _ := r.Cookie(api.SessionCookie)
		err := a.store.ChangePassword(r.Context(), p.User.ID, current, next, ck.Value)
		switch {
		case errors.Is(err, store.ErrWrongPassword):
			errs["current"] = p.T("views.pw.wrong")
		case err != nil:
			a.serverError(w, r, p, err)
			return
		default:
			http.Redirect(w, r, back+"?changed=1", http.StatusSeeOther)
			return
		}
	}
	p.Error = p.T("views.form_errors")
	a.renderAccount(w, p, http.StatusBadRequest, errs, false)
}
