// Package admin holds the administration pages of the web UI: members and
// their roles, the signed-in user's account, and the import of a whole
// ISMS bundle.
package admin

import (
	"embed"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/cloudisms/cloudisms/internal/api"
	"github.com/cloudisms/cloudisms/internal/authz"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/web/site"
)

//go:embed templates/*.html
var templateFS embed.FS

// handlers are the administration pages over the site.
type handlers struct{ *site.App }

func init() {
	site.AddTemplates(templateFS)
	site.AddNav(site.NavItem{Order: 900, Section: "admin", Path: "import", Label: "ui.import", Action: authz.Import})
	site.AddNav(site.NavItem{Order: 910, Section: "members", Path: "members", Label: "views.nav.members", Action: authz.Members})
	site.AddNav(site.NavItem{Order: 915, Section: "seclog", Path: "security-log", Label: "seclog.nav", Action: authz.Members})
	site.AddNav(site.NavItem{Order: 920, Section: "account", Path: "account", Label: "views.nav.account"})
	site.AddRoutes(func(app *site.App, m *http.ServeMux) {
		a := &handlers{app}
		m.HandleFunc("GET /orgs/{org}/members", a.InOrg("members", a.membersPage))
		m.HandleFunc("POST /orgs/{org}/members", a.InOrg("members", a.membersPost))
		m.HandleFunc("GET "+site.TwoFactorPath, a.twoFactorPage)
		m.HandleFunc("POST "+site.TwoFactorPath, a.twoFactorPost)
		m.HandleFunc("GET /orgs/{org}/security-log", a.InOrg("seclog", a.securityLogPage))
		m.HandleFunc("GET /account", a.accountPage)
		m.HandleFunc("POST /account", a.accountPost)
		m.HandleFunc("GET /orgs/{org}/account", a.InOrg("account", a.accountInOrg))
		m.HandleFunc("POST /orgs/{org}/account", a.InOrg("account", a.accountInOrgPost))
		m.HandleFunc("GET /orgs/{org}/import", a.InOrg("admin", a.importPage))
		m.HandleFunc("POST /orgs/{org}/import", a.InOrg("admin", a.importPost))
	})
}

// memberView is a member with their account.
type memberView struct {
	store.Membership
	User       store.User
	PersonName string
	Self       bool
	// Block is what keeps the member from signing in after failed
	// attempts; BlockNote says until when and from where.
	Block     store.LoginBlock
	BlockNote string
	// Factors are the member's second factors; MeetsPolicy says whether
	// they satisfy the organization's sign-in requirement.
	Factors     store.Factors
	MeetsPolicy bool
}

// memberConfirm is a destructive action waiting for its confirmation.
type memberConfirm struct {
	Action string // remove, disable
	User   store.User
}

func isAdmin(m store.Membership) bool { return authz.Can(m.Role, authz.Members, authz.Subject{}) }

func (a *handlers) membersPage(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) {
	if !isAdmin(m) {
		a.Forbidden(w, r, p)
		return
	}
	a.renderMembers(w, r, p, http.StatusOK, nil, map[string]string{})
}

func (a *handlers) renderMembers(w http.ResponseWriter, r *http.Request, p *site.Page, status int, confirm *memberConfirm, form map[string]string) {
	ctx := r.Context()
	ms, err := a.Store.Members(ctx, p.Org)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	model, err := a.Store.ISMS(ctx, p.Org)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	names := map[string]string{}
	for _, pp := range model.People {
		names[pp.ID] = pp.Name
	}
	policy, err := a.Store.OrgPolicyOf(ctx, p.Org)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	var rows []memberView
	missing := 0
	for _, mm := range ms {
		u, err := a.Store.UserByID(ctx, mm.UserID)
		if err != nil {
			a.ServerError(w, r, p, err)
			return
		}
		blk, err := a.Store.LoginBlockOf(ctx, u.Email)
		if err != nil {
			a.ServerError(w, r, p, err)
			return
		}
		f, err := a.Store.FactorsOf(ctx, u.ID)
		if err != nil {
			a.ServerError(w, r, p, err)
			return
		}
		v := memberView{Membership: mm, User: u, PersonName: names[mm.Person], Self: u.ID == p.User.ID, Block: blk,
			Factors: f, MeetsPolicy: policy.MetBy(f)}
		if !v.MeetsPolicy {
			missing++
		}
		if blk.Blocked() {
			until := "—"
			if !blk.Until.IsZero() {
				until = blk.Until.UTC().Format("2006-01-02 15:04 UTC")
			}
			addrs := strings.Join(blk.Addresses, ", ")
			if addrs == "" {
				addrs = "—"
			}
			v.BlockNote = p.T("views.mem.blocked_help", "until", until, "addresses", addrs)
		}
		rows = append(rows, v)
	}
	p.Title = p.T("views.mem.title")
	invs, err := a.Store.Invitations(ctx, p.Org)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	p.Data = map[string]any{"Members": rows, "Roles": authz.Roles, "People": model.People, "Confirm": confirm, "Form": form,
		"Done": r.URL.Query().Get("done"), "Invitations": invs, "Policy": policy, "Requirements": store.Requirements, "Missing": missing}
	a.Render(w, status, "members", p)
}

// membersPost adds a member, changes a member's role and person, removes
// a member or disables an account. Removing and disabling ask for a
// confirmation first, on a page of its own when JavaScript does not run.
func (a *handlers) membersPost(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) {
	if !isAdmin(m) {
		a.Forbidden(w, r, p)
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
		if model, err := a.Store.ISMS(ctx, p.Org); err == nil && !hasPerson(model, person) {
			fail("views.ver.unknown_ref", "id", person)
			return
		}
	}
	switch action {
	case "policy":
		req := store.Requirement(r.PostFormValue("require"))
		if !req.Valid() {
			fail("twofactor.policy_bad")
			return
		}
		if err := a.Store.SetOrgPolicy(ctx, p.Org, req, *p.User, api.ClientAddress(r)); err != nil {
			a.ServerError(w, r, p, err)
			return
		}
		http.Redirect(w, r, "/orgs/"+p.Org+"/members?done=policy#policy", http.StatusSeeOther)
	case "add":
		// An admin invites: the person who controls the email sets their
		// own password through the link, or accepts while signed in to
		// the account that email has already. Nobody chooses another
		// person's password here (the operator's CLI still may).
		email := strings.TrimSpace(r.PostFormValue("email"))
		form = map[string]string{"email": email, "role": role, "person": person}
		if !authz.ValidRole(role) {
			fail("views.mem.bad_role")
			return
		}
		token, inv, err := a.Store.CreateInvitation(ctx, p.Org, email, role, person, p.User.Email)
		if err != nil {
			switch {
			case errors.Is(err, store.ErrNotFound):
				a.ServerError(w, r, p, err)
			case errors.Is(err, store.ErrInvitationsExceeded):
				p.Error = p.T("views.mem.too_many_invites", "max", store.MaxInvitationsPerDay)
				a.renderMembers(w, r, p, http.StatusTooManyRequests, nil, form)
			default:
				fail("views.mem.bad_email", "email", email)
			}
			return
		}
		_, uerr := a.Store.UserByEmail(ctx, inv.Email)
		link := invitationURL(r, a.BaseURL, token)
		form := map[string]string{"invited": inv.Email, "link": link, "existing": strconv.FormatBool(uerr == nil), "expires": inv.ExpiresAt[:10]}
		form["mailed"], form["mail_error"] = a.mailInvitation(r, p, inv, link, uerr == nil)
		a.renderMembers(w, r, p, http.StatusOK, nil, form)
	case "uninvite":
		id, _ := strconv.ParseInt(r.PostFormValue("invitation"), 10, 64)
		if err := a.Store.RevokeInvitation(ctx, p.Org, id); err != nil && !errors.Is(err, store.ErrNotFound) {
			a.ServerError(w, r, p, err)
			return
		}
		http.Redirect(w, r, "/orgs/"+p.Org+"/members?done=uninvited", http.StatusSeeOther)
	case "update":
		if !authz.ValidRole(role) {
			fail("views.mem.bad_role")
			return
		}
		if _, err := a.Store.Member(ctx, p.Org, uid); err != nil {
			a.ServerError(w, r, p, err)
			return
		}
		if uid == p.User.ID && role != authz.Admin {
			fail("views.mem.not_self")
			return
		}
		if err := a.Store.AddMember(ctx, p.Org, uid, role, person); err != nil {
			a.ServerError(w, r, p, err)
			return
		}
		http.Redirect(w, r, "/orgs/"+p.Org+"/members?done=updated#member-"+strconv.FormatInt(uid, 10), http.StatusSeeOther)
	case "remove", "disable", "unlock":
		if uid == p.User.ID {
			fail("views.mem.not_self")
			return
		}
		if _, err := a.Store.Member(ctx, p.Org, uid); err != nil {
			a.ServerError(w, r, p, err) // only members of this organization
			return
		}
		u, err := a.Store.UserByID(ctx, uid)
		if err != nil {
			a.ServerError(w, r, p, err)
			return
		}
		if action == "disable" || action == "unlock" {
			// An account is shared by organizations: only an administrator
			// of every organization it belongs to may disable it, or lift
			// its sign-in block (which lets guessing start again).
			theirs, err := a.Store.Memberships(ctx, uid)
			if err != nil {
				a.ServerError(w, r, p, err)
				return
			}
			for _, o := range theirs {
				if mine, err := a.Store.Member(ctx, o.Org, p.User.ID); err != nil || !isAdmin(mine) {
					fail("views.mem.other_orgs", "email", u.Email)
					return
				}
			}
		}
		if action == "unlock" {
			if err := a.Store.ClearLoginThrottle(ctx, u.Email); err != nil {
				a.ServerError(w, r, p, err)
				return
			}
			http.Redirect(w, r, "/orgs/"+p.Org+"/members?done=unlocked#member-"+strconv.FormatInt(uid, 10), http.StatusSeeOther)
			return
		}
		if r.PostFormValue("confirmed") != "yes" {
			a.renderMembers(w, r, p, http.StatusOK, &memberConfirm{Action: action, User: u}, form)
			return
		}
		if action == "remove" {
			err = a.Store.RemoveMember(ctx, p.Org, uid)
		} else {
			err = a.Store.DisableUser(ctx, uid)
		}
		if err != nil {
			a.ServerError(w, r, p, err)
			return
		}
		http.Redirect(w, r, "/orgs/"+p.Org+"/members?done="+action+"d", http.StatusSeeOther)
	default:
		fail("views.mem.bad_action")
	}
}

func hasPerson(m *isms.ISMS, id string) bool {
	for _, pp := range m.People {
		if pp.ID == id {
			return true
		}
	}
	return false
}
