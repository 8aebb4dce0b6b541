package audit

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/names"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/web/items"
	"github.com/cloudisms/cloudisms/internal/web/site"
)

// outputRows is how many decision rows the new review form offers.
const outputRows = 5

type reviewOutputForm struct{ Decision, Owner, Due string }

// reviewForm is the new review form: the draft the system pre-filled, or
// what the chair sent back with the problems found.
type reviewForm struct {
	ID, Date, Chair string
	Inputs          map[string]string
	Outputs         []reviewOutputForm
	Errors          map[string][]string
}

type reviewView struct {
	isms.Review
	ChairName string
	ChairTop  bool
	Inputs    []reviewInput
	Findings  []string
}

type reviewInput struct{ Key, Label, Text string }

// inputLabels names the review inputs of an edition with its lettering.
func inputLabels(edition, lang string) map[string]string {
	out := map[string]string{}
	for _, k := range isms.ReviewInputKeysFor(edition) {
		out[k] = isms.ReviewInputLabel(edition, k).In(lang)
	}
	return out
}

func (a *handlers) reviewsPage(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) {
	checked, model, err := a.Store.Findings(r.Context(), p.Org, isms.DateOf(a.Now()))
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	findings := site.FindingsBySubject(checked, p.Lang, names.Of(model, p.Lang))
	people := map[string]isms.Person{}
	for _, pp := range model.People {
		people[pp.ID] = pp
	}
	var reviews []reviewView
	for i := len(model.Reviews) - 1; i >= 0; i-- { // the latest first
		rv := model.Reviews[i]
		v := reviewView{Review: rv, ChairName: people[rv.Chair].Name, ChairTop: isms.IsTrue(people[rv.Chair].TopManagement), Findings: findings["reviews/"+rv.ID]}
		labels := inputLabels(model.Organization.AnnexA, p.Lang)
		for _, k := range isms.ReviewInputKeysFor(model.Organization.AnnexA) {
			v.Inputs = append(v.Inputs, reviewInput{k, labels[k], *rv.Inputs.Field(k)})
		}
		reviews = append(reviews, v)
	}
	p.Names = names.Of(model, p.Lang)
	p.Title = p.T("views.rev.title")
	p.Data = map[string]any{"Reviews": reviews, "CanEdit": p.MayEdit("reviews"), "MR01": findings["organization"],
		"Edit": func(key string) string { return items.URL(p.Org, "reviews", key) }, "Saved": r.URL.Query().Get("saved")}
	a.Render(w, http.StatusOK, "reviews", p)
}

// reviewNew shows a new review pre-filled with what the ISMS knows.
func (a *handlers) reviewNew(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) {
	if !p.MayEdit("reviews") {
		a.Forbidden(w, r, p)
		return
	}
	model, err := a.Store.ISMS(r.Context(), p.Org)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	asOf := isms.DateOf(a.Now())
	draft := isms.DraftReview(model, asOf)
	f := reviewForm{ID: nextReviewID(model, asOf), Date: asOf.String(), Inputs: map[string]string{}, Outputs: make([]reviewOutputForm, outputRows)}
	for _, pp := range model.People {
		if isms.IsTrue(pp.TopManagement) {
			f.Chair = pp.ID
			break
		}
	}
	for k, lines := range draft.Lines {
		f.Inputs[k] = draftText(lines, p.Lang)
	}
	a.renderReviewForm(w, p, model, http.StatusOK, &f, draft)
}

// draftText renders pre-filled lines as a text the chair edits.
func draftText(lines []i18n.Message, lang string) string {
	var b strings.Builder
	bullet := i18n.M("views.bullet").In(lang)
	for _, l := range lines {
		b.WriteString(bullet + l.In(lang) + "\n")
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// nextReviewID proposes mr-YYYY, or mr-YYYY-MM-DD when that is taken.
func nextReviewID(m *isms.ISMS, asOf isms.Date) string {
	taken := map[string]bool{}
	for _, r := range m.Reviews {
		taken[r.ID] = true
	}
	id := "mr-" + asOf.String()[:4]
	if taken[id] {
		id = "mr-" + asOf.String()
	}
	return id
}

func (a *handlers) renderReviewForm(w http.ResponseWriter, p *site.Page, model *isms.ISMS, status int, f *reviewForm, draft isms.ReviewDraft) {
	chair := map[string]bool{}
	for _, k := range isms.ChairKeys {
		chair[k] = true
	}
	since := ""
	if !draft.Since.IsZero() {
		since = draft.Since.String()
	}
	p.Title = p.T("views.rev.new_title")
	edition := model.Organization.AnnexA
	p.Data = map[string]any{"Form": f, "Keys": isms.ReviewInputKeysFor(edition), "Labels": inputLabels(edition, p.Lang), "ChairKeys": chair,
		"People": model.People, "Since": since, "Previous": draft.Previous}
	a.Render(w, status, "review_new", p)
}

// reviewPost saves the chair's review as a new reviews item.
func (a *handlers) reviewPost(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) {
	if !p.MayEdit("reviews") {
		a.Forbidden(w, r, p)
		return
	}
	ctx := r.Context()
	f := reviewForm{ID: strings.TrimSpace(r.PostFormValue("id")), Date: strings.TrimSpace(r.PostFormValue("date")), Chair: r.PostFormValue("chair"),
		Inputs: map[string]string{}, Errors: map[string][]string{}}
	inputs := map[string]any{}
	for _, k := range isms.ReviewInputKeys {
		v := strings.TrimSpace(strings.ReplaceAll(r.PostFormValue("in_"+k), "\r\n", "\n"))
		f.Inputs[k] = v
		if v != "" {
			inputs[k] = v
		}
	}
	var outputs []map[string]any
	for i := 0; i < outputRows; i++ {
		o := reviewOutputForm{strings.TrimSpace(r.PostFormValue("decision" + strconv.Itoa(i))), r.PostFormValue("owner" + strconv.Itoa(i)), strings.TrimSpace(r.PostFormValue("due" + strconv.Itoa(i)))}
		f.Outputs = append(f.Outputs, o)
		if o.Decision == "" && o.Owner == "" && o.Due == "" {
			continue
		}
		out := map[string]any{"decision": o.Decision}
		if o.Owner != "" {
			out["owner"] = o.Owner
		}
		if o.Due != "" {
			out["due"] = o.Due
		}
		outputs = append(outputs, out)
	}
	doc := map[string]any{"id": f.ID, "date": f.Date, "chair": f.Chair, "inputs": inputs}
	if len(outputs) > 0 {
		doc["outputs"] = outputs
	}
	data, _ := json.Marshal(doc)
	model, err := a.Store.ISMS(ctx, p.Org)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	edition, err := a.Store.Edition(ctx, p.Org)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	fields := []string{"id", "date", "chair", "outputs"}
	for _, k := range isms.ReviewInputKeys {
		fields = append(fields, "inputs."+k)
	}
	it, refs, err := bundle.DecodeItem("reviews", f.ID, data, edition)
	if err == nil {
		_, err = a.Store.Put(ctx, p.Org, it, refs, 0, p.User.Email)
	}
	var refErr *store.RefError
	switch {
	case err == nil:
		http.Redirect(w, r, "/orgs/"+p.Org+"/reviews?saved="+f.ID+"#review-"+f.ID, http.StatusSeeOther)
		return
	case errors.Is(err, store.ErrExists):
		f.Errors["id"] = []string{p.T("views.ver.id_taken", "id", f.ID)}
	case errors.As(err, &refErr):
		field := "outputs"
		if strings.HasSuffix(refErr.Path, "chair") {
			field = "chair"
		}
		f.Errors[field] = []string{p.T("views.ver.unknown_ref", "id", refErr.ID)}
	default:
		var errs bundle.Errors
		if !errors.As(err, &errs) {
			a.ServerError(w, r, p, err)
			return
		}
		f.Errors = items.FieldErrors(err, "reviews", fields, p.Lang)
	}
	p.Error = p.T("views.form_errors")
	a.renderReviewForm(w, p, model, http.StatusBadRequest, &f, isms.DraftReview(model, isms.DateOf(a.Now())))
}
