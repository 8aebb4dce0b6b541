package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/cloudisms/cloudisms/internal/authz"
	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/conformity"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/store"
)

// Where each conformity finding is fixed, and the actions the fixes need
// that no other page offers: creating a missing SoA, approving an SoA and
// approving a document. A finding's link leads to the page and, where one
// exists, the field that changes what its rule looks at; a finding about
// something missing leads to the form that creates it, filled in with
// what the finding names.

func init() {
	addRoutes(func(a *App, m *http.ServeMux) {
		m.HandleFunc("POST /orgs/{org}/soa/create", a.inOrg("soa", a.soaCreate))
		m.HandleFunc("POST /orgs/{org}/soa/approve", a.inOrg("soa", a.soaApprove))
	})
	// A missing item is supplied by a new one about the finding's service.
	newFor := func(kind, field string) func(org string, f conformity.Finding, parts []string) string {
		return func(org string, f conformity.Finding, parts []string) string {
			if len(parts) < 2 || parts[0] != "cloud_services" {
				return ""
			}
			return newItemURL(org, kind, url.Values{field: {parts[1]}, aboutParam: {aboutOf(f)}})
		}
	}
	addRuleLink("RISK-01", newFor("risks", "services"))
	addRuleLink("RISK-08", newFor("legal", "services"))
	addRuleLink("RESP-01", newFor("responsibilities", "service"))
	addRuleLink("OPS-01", newFor("backups", "service"))
	addRuleLink("OPS-03", newFor("monitoring", "service"))
	addRuleLink("AUD-01", newFor("audits", "services"))
	// Organization-wide findings: the field or page that fixes them.
	addRuleLink("SCOPE-01", func(org string, f conformity.Finding, parts []string) string {
		return "/orgs/" + url.PathEscape(org) + "/scope#sv-h" // the services, each with in_scope
	})
	addRuleLink("SCOPE-08", func(org string, f conformity.Finding, parts []string) string {
		return itemURL(org, bundle.KindOrganization, bundle.KindOrganization) + "#" + htmlID("cloud_scope")
	})
	addRuleLink("POL-01", func(org string, f conformity.Finding, parts []string) string {
		// A new cloud policy covering the missing topics; an existing
		// policy can be revised from the documents list instead.
		v := url.Values{"kind": {"policy"}, aboutParam: {aboutOf(f)}}
		for _, arg := range f.Message.Args {
			if topics, ok := arg.Value.([]string); ok && arg.Name == "topics" {
				v["cloud_topics"] = topics
			}
		}
		return newItemURL(org, "documents", v)
	})
	addRuleLink("MR-01", func(org string, f conformity.Finding, parts []string) string {
		return "/orgs/" + url.PathEscape(org) + "/reviews/new"
	})
	// A source nobody assessed: assess it in a risk, or record why it
	// does not apply.
	addRuleLink("RISK-02", func(org string, f conformity.Finding, parts []string) string {
		if len(parts) < 2 {
			return ""
		}
		return newItemURL(org, "risk_sources_not_applicable", url.Values{"source": {parts[1]}, aboutParam: {aboutOf(f)}})
	})
	// A used service out of scope is brought into scope on its own form;
	// a system at an out-of-scope site, by the site's scope flag.
	addRuleLink("SCOPE-03", func(org string, f conformity.Finding, parts []string) string {
		if len(parts) < 4 || parts[2] != "uses" {
			return ""
		}
		return itemURL(org, "cloud_services", parts[3]) + "#" + htmlID("in_scope")
	})
	addRuleLink("SCOPE-05", func(org string, f conformity.Finding, parts []string) string {
		for _, arg := range f.Message.Args {
			if s, ok := arg.Value.(string); ok && arg.Name == "site" && s != "" {
				return itemURL(org, "sites", s) + "#" + htmlID("in_isms_scope")
			}
		}
		return ""
	})
	// Risk fields the form edits: the factors and owner, the controls.
	addRuleLink("RISK-03", riskFieldLink(""))
	addRuleLink("RISK-05", riskFieldLink("controls"))
	// A control the risk relies on that its SoA excludes: the SoA row.
	// risks/R/controls/C/soa/organization or .../soa/SERVICE/ROLE.
	addRuleLink("RISK-06", func(org string, f conformity.Finding, parts []string) string {
		if len(parts) < 6 || parts[4] != "soa" {
			return ""
		}
		return subjectLink(org, append(append([]string{}, parts[4:]...), parts[3]))
	})
}

// aboutParam names the finding a new-item form was opened for, so that
// the form shows what it fixes; no field of any kind has this name.
const aboutParam = "finding"

// aboutOf is a finding as aboutParam carries it: rule and subject.
func aboutOf(f conformity.Finding) string { return f.Rule + " " + f.Subject }

// findingsAbout are the current findings that a new-item form was opened
// for (none once they are fixed).
func (a *App) findingsAbout(r *http.Request, p *page, about string) []itemFinding {
	rule, subject, ok := strings.Cut(about, " ")
	if !ok {
		return nil
	}
	checked, _, err := a.store.Findings(r.Context(), p.Org, isms.DateOf(a.now()))
	if err != nil {
		a.log.Warn("findings about", "org", p.Org, "err", err)
		return nil
	}
	var out []itemFinding
	for _, f := range checked {
		if f.Rule == rule && f.Subject == subject {
			out = append(out, newItemFinding(f, p.Lang))
		}
	}
	return out
}

// riskFieldLink points a risk finding at the risk's form, at a field.
func riskFieldLink(field string) func(org string, f conformity.Finding, parts []string) string {
	return func(org string, f conformity.Finding, parts []string) string {
		if len(parts) < 2 {
			return ""
		}
		u := itemURL(org, "risks", parts[1])
		if field != "" {
			u += "#" + htmlID(field)
		}
		return u
	}
}

// mayApproveHere reports whether the member may approve an item of a kind
// on its form: documents and the scope statements. Risks are approved by
// their owners on the risk register, with the residual acceptance.
func mayApproveHere(m store.Membership, kind string) bool {
	return kind != "risks" && slices.Contains(bundle.Approvable, kind) && m.Person != "" &&
		authz.Can(m.Role, authz.Approve, authz.Subject{Kind: kind})
}

// approveItem records the member's approval of the item at the version
// they saw; a changed item is not approved unseen.
func (a *App) approveItem(w http.ResponseWriter, r *http.Request, p *page, m store.Membership, def *kindDef, cur store.StoredItem) {
	if !mayApproveHere(m, def.Kind) {
		a.forbidden(w, r, p)
		return
	}
	version, _ := strconv.ParseInt(r.PostFormValue("_version"), 10, 64)
	err := a.recordApproval(r, p, m, cur, version, nil)
	switch {
	case errors.Is(err, store.ErrConflict), errors.Is(err, store.ErrExists): // version 0 asks to create: stale too
		p.Error = p.T("api.conflict")
		st := formState{def: def, key: cur.Key, version: cur.Version, data: decodeObj(cur.Data), stored: &cur, status: http.StatusConflict}
		a.renderForm(w, r, p, m, st)
	case err != nil:
		a.serverError(w, r, p, err)
	default:
		http.Redirect(w, r, itemURL(p.Org, def.Kind, cur.Key)+"?approved=1", http.StatusSeeOther)
	}
}

// soaHeader is the state of the SoA shown on the SoA page: whether it
// exists, its approval, and what the member may do about either.
type soaHeader struct {
	Key        string
	Exists     bool
	Version    int64
	Approval   *isms.Approval
	Stale      bool
	CanCreate  bool
	CanApprove bool
	NoPerson   bool
}

// soaHeaderOf is the header of the SoA a view shows (sa nil: missing).
func (a *App) soaHeaderOf(r *http.Request, p *page, m store.Membership, key string, sa *isms.SoA) (soaHeader, error) {
	h := soaHeader{Key: key}
	if sa == nil {
		h.CanCreate = authz.Can(m.Role, authz.Write, authz.Subject{Kind: bundle.KindSoA})
		return h, nil
	}
	it, err := a.store.Get(r.Context(), p.Org, bundle.KindSoA, key)
	if err != nil {
		return h, err
	}
	h.Exists, h.Version, h.Approval = true, it.Version, sa.Approval
	if ap, err := a.store.ApprovalOf(r.Context(), p.Org, bundle.KindSoA, key); err == nil {
		h.Stale = ap.Stale
	} else if !errors.Is(err, store.ErrNotFound) {
		return h, err
	}
	may := authz.Can(m.Role, authz.Approve, authz.Subject{Kind: bundle.KindSoA})
	h.CanApprove = may && m.Person != ""
	h.NoPerson = may && m.Person == ""
	return h, nil
}

// soaItemData is the stored form of a new SoA: its service and role.
func soaItemData(key string) ([]byte, bool) {
	if key == "organization" {
		return []byte(`{}`), true
	}
	svc, role, ok := strings.Cut(key, ":")
	if !ok || svc == "" || role == "" {
		return nil, false
	}
	return []byte(`{"service":` + strconv.Quote(svc) + `,"role":` + strconv.Quote(role) + `}`), true
}

// soaCreate creates a missing SoA (SOA-01), after which its rows can be
// filled in on the same page.
func (a *App) soaCreate(w http.ResponseWriter, r *http.Request, p *page, m store.Membership) {
	if !authz.Can(m.Role, authz.Write, authz.Subject{Kind: bundle.KindSoA}) {
		a.forbidden(w, r, p)
		return
	}
	key := r.PostFormValue("soa")
	data, ok := soaItemData(key)
	if !ok {
		a.notFound(w, r, p)
		return
	}
	edition, err := a.store.Edition(r.Context(), p.Org)
	if err != nil {
		a.serverError(w, r, p, err)
		return
	}
	it, refs, err := bundle.DecodeItem(bundle.KindSoA, key, data, edition)
	if err != nil {
		p.Error = problemText(err, p.Lang)
		a.renderSoA(w, r, p, m, http.StatusBadRequest, nil)
		return
	}
	_, err = a.store.Put(r.Context(), p.Org, it, refs, 0, p.User.Email)
	var refErr *store.RefError
	switch {
	case err == nil, errors.Is(err, store.ErrExists): // created, or by someone else just now
	case errors.As(err, &refErr):
		p.Error = problemText(err, p.Lang)
		a.renderSoA(w, r, p, m, http.StatusBadRequest, nil)
		return
	default:
		a.serverError(w, r, p, err)
		return
	}
	http.Redirect(w, r, "/orgs/"+url.PathEscape(p.Org)+"/soa?soa="+url.QueryEscape(key)+"&created=1#soa-state", http.StatusSeeOther)
}

// soaApprove records the member's approval of an SoA (SOA-07) at the
// version they saw.
func (a *App) soaApprove(w http.ResponseWriter, r *http.Request, p *page, m store.Membership) {
	if m.Person == "" || !authz.Can(m.Role, authz.Approve, authz.Subject{Kind: bundle.KindSoA}) {
		a.forbidden(w, r, p)
		return
	}
	ctx := r.Context()
	key := r.PostFormValue("soa")
	cur, err := a.store.Get(ctx, p.Org, bundle.KindSoA, key)
	if err != nil {
		a.serverError(w, r, p, err)
		return
	}
	version, _ := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	back := "/orgs/" + url.PathEscape(p.Org) + "/soa?soa=" + url.QueryEscape(key)
	err = a.recordApproval(r, p, m, cur, version, nil)
	switch {
	case errors.Is(err, store.ErrConflict), errors.Is(err, store.ErrExists): // version 0 asks to create: stale too
		http.Redirect(w, r, back+"&conflict=1#soa-state", http.StatusSeeOther)
	case err != nil:
		a.serverError(w, r, p, err)
	default:
		http.Redirect(w, r, back+"&approved=1#soa-state", http.StatusSeeOther)
	}
}
