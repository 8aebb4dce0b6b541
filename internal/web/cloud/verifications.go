package cloud

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/cloudisms/cloudisms/internal/authz"
	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/names"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/web/items"
	"github.com/cloudisms/cloudisms/internal/web/site"
)

// verRow is one verification with what the page offers for it.
type verRow struct {
	isms.Verification
	ServiceName string
	Version     int64
	Findings    []string
	RiskExists  bool
}

// verNeed is a verification the rules ask for and nobody has made yet.
type verNeed struct {
	Service, Control, Text string
	New                    string // the new verification's form, filled in
}

// gapRiskForm is the "create the linked risk" form of one verification.
type gapRiskForm struct {
	Verification string
	ID, Title    string
	Owner        string
	Treatment    string
	Errors       map[string][]string
}

var riskNumber = regexp.MustCompile(`^r-(\d+)$`)

// nextRiskID proposes the next free id of the r-NN pattern.
func nextRiskID(m *isms.ISMS) string {
	n, width := 0, 2
	taken := map[string]bool{}
	for _, r := range m.Risks {
		taken[r.ID] = true
		if x := riskNumber.FindStringSubmatch(r.ID); x != nil {
			v, _ := strconv.Atoi(x[1])
			n, width = max(n, v), max(width, len(x[1]))
		}
	}
	for {
		n++
		id := fmt.Sprintf("r-%0*d", width, n)
		if !taken[id] {
			return id
		}
	}
}

func (a *handlers) verificationsPage(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) {
	a.renderVerifications(w, r, p, m, http.StatusOK, nil)
}

// renderVerifications shows the verifications; form is a rejected "create
// the linked risk" form to show again with its problems.
func (a *handlers) renderVerifications(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership, status int, form *gapRiskForm) {
	ctx := r.Context()
	checked, model, err := a.Store.Findings(ctx, p.Org, isms.DateOf(a.Now()))
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	stored, err := a.StoredItems(ctx, p.Org, "verifications")
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	versions := map[string]int64{}
	for _, it := range stored {
		versions[it.Key] = it.Version
	}
	nm := names.Of(model, p.Lang)
	risks := map[string]bool{}
	for _, rk := range model.Risks {
		risks[rk.ID] = true
	}
	findings := site.FindingsBySubject(checked, p.Lang, nm)
	var rows []verRow
	for _, v := range model.Verifications {
		rows = append(rows, verRow{Verification: v, ServiceName: nm.Service(v.Service), Version: versions[v.ID], Findings: findings["verifications/"+v.ID], RiskExists: risks[v.Risk]})
	}
	var needs []verNeed
	for _, f := range checked {
		subj := f.Subject
		parts := strings.Split(subj, "/")
		if len(parts) == 4 && parts[0] == "cloud_services" && parts[2] == "verifications" {
			needs = append(needs, verNeed{Service: parts[1], Control: parts[3], Text: site.FindingText(f, p.Lang, nm),
				New: items.NewURL(p.Org, "verifications", url.Values{"service": {parts[1]}, "control": {parts[3]}, items.AboutParam: {items.AboutOf(f)}})})
		}
	}
	if site.WantsCSV(r) {
		heads := []string{"ID", p.T("risk.col.service"), p.T("ui.control"), p.T("ver.csv.date"), p.T("ver.csv.result"), p.T("views.ver.statement"),
			p.T("views.ver.gap_text"), p.T("views.ver.risk"), p.T("ui.approval"), p.T("ui.findings")}
		var out [][]string
		for _, v := range rows {
			result := p.T("views.ver.meets")
			if v.Result == isms.ResultGap {
				result = p.T("views.ver.gap")
			}
			date, approval := "", p.T("ui.not_approved")
			if !v.Date.IsZero() {
				date = v.Date.String()
			}
			if v.Approval != nil {
				approval = p.T("views.approved_on", "who", nm.Person(v.Approval.By), "date", v.Approval.Date)
			}
			out = append(out, []string{v.ID, v.ServiceName, v.Control, date, result, v.ProviderStatement, v.Gap, v.Risk, approval, strings.Join(v.Findings, "\n")})
		}
		site.WriteCSV(w, p, a.Now(), "verifications", heads, out)
		return
	}
	p.CSV = site.CSVLink(r)
	if form == nil {
		form = &gapRiskForm{}
	}
	next := nextRiskID(model)
	p.Names = nm
	p.Title = p.T("views.ver.title")
	p.Data = map[string]any{"Rows": rows, "Needs": needs, "People": model.People, "Form": form, "NextID": next, "Self": m.Person,
		"CanCreate":  authz.Can(p.Role, authz.Write, authz.Subject{Kind: "verifications"}) && (authz.Can(p.Role, authz.Write, authz.Subject{Kind: "risks"}) || authz.Can(p.Role, authz.Write, authz.Subject{Kind: "risks", IsOwner: true})),
		"Treatments": []string{isms.TreatModify, isms.TreatShare, isms.TreatAvoid, isms.TreatRetain},
		"Edit":       func(key string) string { return items.URL(p.Org, "verifications", key) }, "New": items.NewURL(p.Org, "verifications", nil),
		"Created": r.URL.Query().Get("created")}
	a.Render(w, status, "verifications", p)
}

// verificationRisk creates a risk from a verification's gap and links the
// verification to it, both in one transaction: a failure leaves neither.
func (a *handlers) verificationRisk(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) {
	ctx := r.Context()
	vid := r.PathValue("id")
	form := &gapRiskForm{Verification: vid, ID: strings.TrimSpace(r.PostFormValue("id")), Title: strings.TrimSpace(r.PostFormValue("title")),
		Owner: r.PostFormValue("owner"), Treatment: r.PostFormValue("treatment"), Errors: map[string][]string{}}
	isOwner := m.Person != "" && form.Owner == m.Person
	if !authz.Can(m.Role, authz.Write, authz.Subject{Kind: "verifications"}) || !authz.Can(m.Role, authz.Write, authz.Subject{Kind: "risks", IsOwner: isOwner}) {
		a.Forbidden(w, r, p)
		return
	}
	cur, err := a.Store.Get(ctx, p.Org, "verifications", vid)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	version, _ := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	var ver map[string]any
	if err := json.Unmarshal(cur.Data, &ver); err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	if ver["result"] != isms.ResultGap {
		form.Errors[""] = []string{p.T("views.ver.not_gap")}
		p.Error = p.T("views.form_errors")
		a.renderVerifications(w, r, p, m, http.StatusBadRequest, form)
		return
	}
	edition, err := a.Store.Edition(ctx, p.Org)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	model, err := a.Store.ISMS(ctx, p.Org)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	risk := map[string]any{"id": form.ID, "title": form.Title, "sources": []string{"cloud.supply-chain"}, "owner": form.Owner, "treatment": form.Treatment}
	if s, ok := ver["service"].(string); ok && s != "" {
		risk["services"] = []string{s}
	}
	if gap, ok := ver["gap"].(string); ok && gap != "" && model.Criteria.Method != isms.MethodATV {
		risk["vulnerability"] = gap // free text under likelihood × impact
	}
	if c, ok := ver["control"].(string); ok && c != "" && form.Treatment == isms.TreatModify {
		risk["controls"] = []string{c}
	}
	if isms.IsBlank(form.Title) {
		form.Errors["title"] = []string{p.T("views.required")}
	}
	if form.Owner == "" {
		form.Errors["owner"] = []string{p.T("views.required")}
	}
	if len(form.Errors) > 0 {
		p.Error = p.T("views.form_errors")
		a.renderVerifications(w, r, p, m, http.StatusBadRequest, form)
		return
	}
	rdata, _ := json.Marshal(risk)
	rit, rrefs, err := bundle.DecodeItem("risks", form.ID, rdata, edition)
	if err != nil {
		form.Errors = items.FieldErrors(err, "risks", []string{"id", "title", "owner", "treatment", "controls"}, p.Lang)
		p.Error = p.T("views.form_errors")
		a.renderVerifications(w, r, p, m, http.StatusBadRequest, form)
		return
	}
	ver["risk"] = form.ID
	vdata, _ := json.Marshal(ver)
	vit, vrefs, err := bundle.DecodeItem("verifications", vid, vdata, edition)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	_, err = a.Store.PutItems(ctx, p.Org, []store.ItemWrite{{Item: rit, Refs: rrefs}, {Item: vit, Refs: vrefs, IfVersion: version}}, p.User.Email)
	var refErr *store.RefError
	switch {
	case errors.Is(err, store.ErrExists):
		form.Errors["id"] = []string{p.T("views.ver.id_taken", "id", form.ID)}
	case errors.Is(err, store.ErrConflict):
		form.Errors[""] = []string{p.T("api.conflict")}
	case errors.As(err, &refErr):
		field := ""
		if refErr.List == "people" {
			field = "owner"
		}
		form.Errors[field] = []string{p.T("views.ver.unknown_ref", "id", refErr.ID)}
	case err != nil:
		a.ServerError(w, r, p, err)
		return
	default:
		http.Redirect(w, r, "/orgs/"+p.Org+"/verifications?created="+form.ID+"#ver-"+vid, http.StatusSeeOther)
		return
	}
	p.Error = p.T("views.form_errors")
	status := http.StatusBadRequest
	if errors.Is(err, store.ErrConflict) {
		status = http.StatusConflict
	}
	a.renderVerifications(w, r, p, m, status, form)
}
