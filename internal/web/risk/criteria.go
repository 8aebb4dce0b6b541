package risk

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/web/items"
	"github.com/cloudisms/cloudisms/internal/web/site"
)

// allFactors are the scale factors of both methods, in the order the form
// shows them.
var allFactors = []string{isms.FactorLikelihood, isms.FactorImpact, isms.FactorAssetValue, isms.FactorThreat, isms.FactorVulnerability}

// criteriaForm is what the edit form shows: the values and, after a
// rejected save, the problems beside each field.
type criteriaForm struct {
	Method     string
	Scales     map[string]string // one label per line, level = line number
	Acceptance string
	// Reassessment is reassessment_interval_days ("" when the default
	// applies).
	Reassessment string
	Version      int64
	Errors       map[string][]string
}

// acceptCell is one cell of the acceptance matrix.
type acceptCell struct {
	Level int
	Over  bool
}

// acceptMatrix is the risk levels of two factors against the acceptance
// level, the highest row on top.
type acceptMatrix struct {
	Caption          string
	RowName, ColName string
	Rows             []int // from the highest level down
	RowLabels        map[int]string
	Cols             []int
	ColLabels        map[int]string
	Cells            map[int][]acceptCell // by row level
}

// formOf is the edit form filled with stored criteria.
func formOf(c isms.RiskCriteria, version int64) criteriaForm {
	f := criteriaForm{Method: c.Method, Scales: map[string]string{}, Acceptance: strconv.Itoa(c.Acceptance), Version: version}
	if c.ReassessmentIntervalDays != nil {
		f.Reassessment = strconv.Itoa(*c.ReassessmentIntervalDays)
	}
	for _, fac := range allFactors {
		var lines []string
		for _, l := range c.Scales[fac] {
			lines = append(lines, l.Label)
		}
		f.Scales[fac] = strings.Join(lines, "\n")
	}
	return f
}

// matrices draw the acceptance level: for likelihood × impact one table;
// for asset value × threat × vulnerability one table of threat ×
// vulnerability per asset value.
func matrices(c isms.RiskCriteria, p *site.Page) []acceptMatrix {
	labels := func(f string) map[int]string {
		out := map[int]string{}
		for _, l := range c.Scales[f] {
			out[l.Level] = l.Label
		}
		return out
	}
	build := func(caption, rowF, colF string, times int) acceptMatrix {
		mx := acceptMatrix{Caption: caption, RowName: p.T("views.factor." + rowF), ColName: p.T("views.factor." + colF),
			RowLabels: labels(rowF), ColLabels: labels(colF), Cells: map[int][]acceptCell{}}
		for r := c.Max(rowF); r >= 1; r-- {
			mx.Rows = append(mx.Rows, r)
			for col := 1; col <= c.Max(colF); col++ {
				lv := r * col * times
				mx.Cells[r] = append(mx.Cells[r], acceptCell{Level: lv, Over: lv > c.Acceptance})
			}
		}
		for col := 1; col <= c.Max(colF); col++ {
			mx.Cols = append(mx.Cols, col)
		}
		return mx
	}
	if c.Method == isms.MethodATV {
		var out []acceptMatrix
		for _, v := range c.Scales[isms.FactorAssetValue] {
			out = append(out, build(p.T("views.criteria.for_value", "level", v.Level, "label", v.Label), isms.FactorThreat, isms.FactorVulnerability, v.Level))
		}
		return out
	}
	return []acceptMatrix{build("", isms.FactorImpact, isms.FactorLikelihood, 1)}
}

func (a *handlers) criteriaPage(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) {
	a.renderCriteria(w, r, p, http.StatusOK, nil, nil)
}

// renderCriteria shows the criteria; form is the rejected form to show
// again (nil: the stored values), current the stored values of a conflict.
func (a *handlers) renderCriteria(w http.ResponseWriter, r *http.Request, p *site.Page, status int, form *criteriaForm, current *criteriaForm) {
	ctx := r.Context()
	model, err := a.Store.ISMS(ctx, p.Org)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	it, err := a.Store.Get(ctx, p.Org, bundle.KindCriteria, bundle.KindCriteria)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		a.ServerError(w, r, p, err)
		return
	}
	c := model.Criteria
	if form == nil {
		f := formOf(c, it.Version)
		form = &f
	}
	type scaleView struct {
		Factor string
		Levels []isms.ScaleLevel
	}
	var scales []scaleView
	for _, f := range c.Factors() {
		scales = append(scales, scaleView{f, c.Scales[f]})
	}
	p.Title = p.T("views.criteria.title")
	p.Data = map[string]any{"Criteria": c, "Scales": scales, "Matrices": matrices(c, p), "Form": form, "Current": current,
		"Factors": allFactors, "Methods": []string{isms.MethodLikelihoodImpact, isms.MethodATV},
		"CanEdit": p.MayEdit(bundle.KindCriteria), "Saved": r.URL.Query().Get("saved") != "",
		"History": items.HistoryURL(p.Org, bundle.KindCriteria, bundle.KindCriteria)}
	a.Render(w, status, "criteria", p)
}

// criteriaPost validates and saves the criteria at the version the form
// was read at; problems are shown beside their fields, a stale form next
// to the stored values.
func (a *handlers) criteriaPost(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) {
	if !p.MayEdit(bundle.KindCriteria) {
		a.Forbidden(w, r, p)
		return
	}
	ctx := r.Context()
	form := criteriaForm{Method: r.PostFormValue("method"), Scales: map[string]string{}, Acceptance: strings.TrimSpace(r.PostFormValue("acceptance")),
		Reassessment: strings.TrimSpace(r.PostFormValue("reassessment_interval_days"))}
	form.Version, _ = strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	scales := map[string]any{}
	for _, f := range allFactors {
		text := strings.ReplaceAll(r.PostFormValue("scale_"+f), "\r\n", "\n")
		form.Scales[f] = text
		var levels []map[string]any
		for _, line := range strings.Split(text, "\n") {
			if line = strings.TrimSpace(line); line != "" {
				levels = append(levels, map[string]any{"level": len(levels) + 1, "label": line})
			}
		}
		if len(levels) > 0 {
			scales[f] = levels
		}
	}
	doc := map[string]any{"method": form.Method, "scales": scales}
	if n, err := strconv.Atoi(form.Acceptance); err == nil {
		doc["acceptance"] = n
	} else if form.Acceptance != "" {
		doc["acceptance"] = form.Acceptance // the decoder says what is wrong with it
	}
	if n, err := strconv.Atoi(form.Reassessment); err == nil {
		doc["reassessment_interval_days"] = n
	} else if form.Reassessment != "" {
		doc["reassessment_interval_days"] = form.Reassessment
	}
	data, _ := json.Marshal(doc)
	edition, err := a.Store.Edition(ctx, p.Org)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	it, refs, err := bundle.DecodeItem(bundle.KindCriteria, bundle.KindCriteria, data, edition)
	if err != nil {
		form.Errors = items.FieldErrors(err, bundle.KindCriteria, []string{"method", "scales.likelihood", "scales.impact", "scales.asset_value", "scales.threat", "scales.vulnerability", "scales", "acceptance", "reassessment_interval_days"}, p.Lang)
		p.Error = p.T("views.form_errors")
		a.renderCriteria(w, r, p, http.StatusBadRequest, &form, nil)
		return
	}
	_, err = a.Store.Put(ctx, p.Org, it, refs, form.Version, p.User.Email)
	switch {
	case errors.Is(err, store.ErrConflict), errors.Is(err, store.ErrExists), errors.Is(err, store.ErrNotFound):
		cur, gerr := a.Store.Get(ctx, p.Org, bundle.KindCriteria, bundle.KindCriteria)
		if gerr != nil {
			a.ServerError(w, r, p, gerr)
			return
		}
		current := formOf(criteriaOf(cur.Data), cur.Version)
		p.Error = p.T("api.conflict")
		a.renderCriteria(w, r, p, http.StatusConflict, &form, &current)
		return
	case err != nil:
		a.ServerError(w, r, p, err)
		return
	}
	http.Redirect(w, r, "/orgs/"+p.Org+"/criteria?saved=1", http.StatusSeeOther)
}

// criteriaOf reads stored criteria JSON for the conflict view.
func criteriaOf(data []byte) isms.RiskCriteria { return bundle.CriteriaOf(data) }
