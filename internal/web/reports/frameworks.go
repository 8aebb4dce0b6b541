package reports

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/cloudisms/cloudisms/internal/authz"
	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/catalog"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/oscal"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/web/site"
)

func init() {
	site.AddRoutes(func(app *site.App, m *http.ServeMux) {
		a := &handlers{app}
		m.HandleFunc("GET /orgs/{org}/frameworks/{id}", a.InOrg("reports", a.frameworkPage))
		m.HandleFunc("POST /orgs/{org}/frameworks/{id}", a.InOrg("reports", a.frameworkPost))
	})
}

var (
	fwReasons = []string{"risk", "legal", "contract", "business", "best-practice"}
	fwImpl    = []string{isms.ImplImplemented, isms.ImplPartial, isms.ImplPlanned, isms.ImplNotImplemented}
)

// fwRowView is one control of an imported framework with its row: its
// statement rendered with the organization's parameter values, the group
// heading it opens, and the organization's Annex A rows a library maps it to.
type fwRowView struct {
	store.FrameworkControl
	Row       store.FrameworkRow
	State     string
	Name      string // the label, or the id when the catalog gives none
	Statement []fwPartView
	GroupHead string // the group title when this control opens a group
	Depth     int    // nesting under other controls or library headings
	Annex     []annexView
	To        []string // a withdrawn control's successors, by label
}

type fwPartView struct {
	Label string
	Depth int
	Segs  []oscal.Segment
}

// annexView is an Annex A row of the organization's SoA that covers a
// framework requirement.
type annexView struct {
	Control, Title, State string
}

// fwParamView is one parameter in the edit form.
type fwParamView struct {
	ID, Asks, Value string
	Choice          []string
	Selected        []string // a selection's chosen values
	Many            bool
	Guideline       string
}

// fwEdit is the row being edited: what the user sent, the errors beside
// its fields, and on a stale edit the row as stored now.
type fwEdit struct {
	Control string
	Row     store.FrameworkRow
	Errors  map[string]string
	Current *store.FrameworkRow
	// Filled in when the page is rendered.
	View   *fwRowView
	Params []fwParamView
}

// frameworkPage is the statement of applicability of an imported
// framework: every control with its row, and the form for one of them.
func (a *handlers) frameworkPage(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) {
	a.renderFramework(w, r, p, http.StatusOK, nil)
}

func (a *handlers) renderFramework(w http.ResponseWriter, r *http.Request, p *site.Page, status int, edit *fwEdit) {
	fw, err := a.Store.Framework(r.Context(), p.Org, r.PathValue("id"))
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	rows, err := a.Store.FrameworkRows(r.Context(), p.Org, fw.ID)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	annex, err := a.annexRows(r, p, fw)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	showWithdrawn := r.URL.Query().Get("withdrawn") == "1"
	byID := map[string]store.FrameworkControl{}
	for _, c := range fw.Controls {
		byID[c.ID] = c
	}
	nameOf := func(id string) string {
		if c, ok := byID[id]; ok && c.Label != "" {
			return c.Label
		}
		return id
	}
	depthOf := func(c store.FrameworkControl) int {
		d := 0
		for x := c; x.Parent != "" && d < 16; d++ {
			x = byID[x.Parent]
		}
		return d
	}
	var list []fwRowView
	counts := map[string]int{}
	withdrawn, mapped := 0, false
	group := ""
	for _, c := range fw.Controls {
		if c.Withdrawn {
			withdrawn++
			if !showWithdrawn {
				continue
			}
		}
		v := fwRowView{FrameworkControl: c, Row: rows[c.ID], Name: nameOf(c.ID), Depth: depthOf(c)}
		if c.Heading && c.Label == "" {
			v.Name = "" // a library's note: its text says it all
		}
		if c.Group != group {
			v.GroupHead, group = c.Group, c.Group
		}
		if c.InSoA() {
			v.State = fwState(rows[c.ID])
			counts[v.State]++
		}
		for _, to := range c.WithdrawnTo {
			v.To = append(v.To, nameOf(to))
		}
		v.Statement = renderStatement(c, rows[c.ID].Params, p.Lang)
		for _, x := range c.AnnexA {
			mapped = true
			v.Annex = append(v.Annex, annex(x)...)
		}
		list = append(list, v)
	}
	if edit == nil {
		if c := r.URL.Query().Get("control"); c != "" {
			edit = &fwEdit{Control: c, Row: rows[c]}
		}
	}
	if edit != nil {
		c, ok := byID[edit.Control]
		if !ok || !c.InSoA() {
			edit = nil
		} else {
			v := fwRowView{FrameworkControl: c, Row: edit.Row, Name: nameOf(c.ID), Statement: renderStatement(c, edit.Row.Params, p.Lang)}
			for _, x := range c.AnnexA {
				v.Annex = append(v.Annex, annex(x)...)
			}
			edit.View = &v
			for _, prm := range c.Params {
				var choice []string
				for _, x := range prm.Choice {
					choice = append(choice, oscal.RenderText(x, c, edit.Row.Params, p.Lang))
				}
				prm.Choice = choice
				edit.Params = append(edit.Params, fwParamView{ID: prm.ID, Asks: oscal.ParamText(c, prm, p.Lang), Value: edit.Row.Params[prm.ID],
					Choice: prm.Choice, Selected: strings.Split(edit.Row.Params[prm.ID], "; "), Many: prm.HowMany == "one-or-more", Guideline: prm.Guideline})
			}
		}
	}
	p.Title = p.T("report.fw.title", "title", fw.Title)
	p.Data = map[string]any{"FW": fw, "Rows": list, "Edit": edit, "Counts": counts, "Reasons": fwReasons, "Impl": fwImpl,
		"Withdrawn": withdrawn, "ShowWithdrawn": showWithdrawn, "Mapped": mapped,
		"CanEdit": authz.Can(p.Role, authz.Write, authz.Subject{Kind: bundle.KindSoARows})}
	a.Render(w, status, "framework", p)
}

// maxFormParams bounds the parameter values one form may send (NIST's
// controls have at most a few dozen).
const maxFormParams = 200

// renderStatement is a control's statement with its parameters rendered.
func renderStatement(c store.FrameworkControl, values map[string]string, lang string) []fwPartView {
	var out []fwPartView
	for _, part := range c.Statement {
		out = append(out, fwPartView{Label: part.Label, Depth: part.Depth, Segs: oscal.RenderProse(part.Prose, c, values, lang)})
	}
	return out
}

// annexRows returns, for a framework whose requirements a library maps to
// ISO/IEC 27001:2022 Annex A, the organization's SoA rows for an Annex A
// control (in the organization's edition: a 2022 control maps to the 2013
// controls it corresponds to).
func (a *handlers) annexRows(r *http.Request, p *site.Page, fw store.Framework) (func(string) []annexView, error) {
	none := func(string) []annexView { return nil }
	if !slices.ContainsFunc(fw.Controls, func(c store.FrameworkControl) bool { return len(c.AnnexA) > 0 }) {
		return none, nil
	}
	model, err := a.Store.ISMS(r.Context(), p.Org)
	if err != nil {
		return none, err
	}
	texts, err := a.Store.ControlTexts(r.Context(), p.Org)
	if err != nil {
		return none, err
	}
	titleOf := func(c *catalog.Control) string {
		t, _ := p.ControlTitle(c, texts)
		return t
	}
	rows := map[string]annexView{}
	for _, v := range isms.SoAViews(model) {
		if v.Service != "" {
			continue
		}
		for _, e := range v.Rows {
			rows[e.Control.ID] = annexView{Control: e.Control.ID, Title: titleOf(e.Control), State: isms.StateOf(e.Row)}
		}
	}
	cat := catalog.Std()
	edition := model.Organization.AnnexA
	return func(id string) []annexView {
		ids := []string{id}
		if edition == catalog.ISO27001v2013 {
			ids = nil
			if c, ok := cat.Lookup(id); ok {
				ids = c.Maps2013
			}
		}
		var out []annexView
		for _, x := range ids {
			if v, ok := rows[x]; ok {
				out = append(out, v)
			} else if c, ok := cat.Lookup(x); ok {
				out = append(out, annexView{Control: x, Title: titleOf(c), State: isms.StateMissing})
			}
		}
		return out
	}, nil
}

// fwState is the state of an imported framework's row, as SoA rows have.
func fwState(r store.FrameworkRow) string {
	if r.Applicable == "" {
		return isms.StateOf(nil)
	}
	applicable := r.Applicable == "true"
	return isms.StateOf(&isms.SoARow{Applicable: &applicable, Implementation: r.Implementation})
}

// frameworkPost saves one row; errors are shown beside their fields and a
// stale edit shows both values, never overwriting the other change.
func (a *handlers) frameworkPost(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) {
	if !authz.Can(m.Role, authz.Write, authz.Subject{Kind: bundle.KindSoARows}) {
		a.Forbidden(w, r, p)
		return
	}
	if err := r.ParseForm(); err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	f := r.PostForm
	row := store.FrameworkRow{Control: f.Get("control"), Applicable: f.Get("applicable"), Reasons: f["reasons"],
		Implementation: f.Get("implementation"), Justification: strings.TrimSpace(f.Get("justification")), Notes: strings.TrimSpace(f.Get("notes"))}
	version, _ := strconv.ParseInt(f.Get("version"), 10, 64)
	// Parameter values: param.ID, several values of a selection of one or
	// more joined as the catalog's selections are.
	for k, vs := range f {
		id, ok := strings.CutPrefix(k, "param.")
		if !ok {
			continue
		}
		var parts []string
		for _, x := range vs {
			if x = strings.TrimSpace(x); x != "" {
				parts = append(parts, x)
			}
		}
		if row.Params == nil {
			row.Params = map[string]string{}
		}
		row.Params[id] = strings.Join(parts, "; ")
	}
	e := &fwEdit{Control: row.Control, Row: row, Errors: map[string]string{}}
	if len(row.Params) > maxFormParams {
		p.Error = p.T("frameworks.row.too_many_params", "max", maxFormParams)
		a.renderFramework(w, r, p, http.StatusBadRequest, nil)
		return
	}
	for id, v := range row.Params {
		if len(v) > store.MaxParamValue {
			e.Errors["param."+id] = p.T("frameworks.param.too_long", "max", store.MaxParamValue)
		}
	}
	if row.Applicable != "" && row.Applicable != "true" && row.Applicable != "false" {
		e.Errors["applicable"] = p.T("report.fw.bad_value")
	}
	for _, x := range row.Reasons {
		if !slices.Contains(fwReasons, x) {
			e.Errors["reasons"] = p.T("report.fw.bad_value")
		}
	}
	if row.Implementation != "" && !slices.Contains(fwImpl, row.Implementation) {
		e.Errors["implementation"] = p.T("report.fw.bad_value")
	}
	if row.Applicable == "false" && row.Justification == "" {
		e.Errors["justification"] = p.T("report.fw.need_justification")
	}
	if len(e.Errors) > 0 {
		e.Row.Version = version
		p.Error = p.T("report.fw.invalid")
		a.renderFramework(w, r, p, http.StatusBadRequest, e)
		return
	}
	saved, err := a.Store.PutFrameworkRow(r.Context(), p.Org, r.PathValue("id"), row, version, p.User.Email)
	switch {
	case errors.Is(err, store.ErrConflict):
		rows, rerr := a.Store.FrameworkRows(r.Context(), p.Org, r.PathValue("id"))
		if rerr != nil {
			a.ServerError(w, r, p, rerr)
			return
		}
		cur := rows[row.Control]
		e.Current, e.Row.Version = &cur, cur.Version
		p.Error = p.T("ui.conflict", "control", row.Control)
		a.renderFramework(w, r, p, http.StatusConflict, e)
		return
	case errors.Is(err, store.ErrNotFound):
		// A control without a row (withdrawn, a heading) or a parameter
		// it does not have: the form was not made by this page.
		p.Error = p.T("frameworks.row.unknown", "detail", err.Error())
		a.renderFramework(w, r, p, http.StatusBadRequest, nil)
		return
	case err != nil:
		a.ServerError(w, r, p, err)
		return
	}
	name := saved.Control
	if fw, err := a.Store.Framework(r.Context(), p.Org, r.PathValue("id")); err == nil {
		for _, c := range fw.Controls {
			if c.ID == saved.Control && c.Label != "" {
				name = c.Label
			}
		}
	}
	p.Flash = p.T("report.fw.saved", "control", name)
	a.renderFramework(w, r, p, http.StatusOK, nil)
}
