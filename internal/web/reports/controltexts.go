package reports

import (
	"net/http"
	"strings"

	"github.com/cloudisms/cloudisms/internal/authz"
	"github.com/cloudisms/cloudisms/internal/catalog"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/web/site"
)

func init() {
	site.AddNav(site.NavItem{Order: 145, Section: "control-texts", Path: "control-texts", Label: "report.ui.texts_nav"})
	site.AddRoutes(func(app *site.App, m *http.ServeMux) {
		a := &handlers{app}
		m.HandleFunc("GET /orgs/{org}/control-texts", a.InOrg("control-texts", a.controlTextsPage))
		m.HandleFunc("POST /orgs/{org}/control-texts", a.InOrg("control-texts", a.controlTextsPost))
	})
}

// textRow is one control on the control text page.
type textRow struct {
	ID, Title, Text string
}

// controlTextsPage lists the organization's own control texts (a licensed
// text or translation of the standard) and edits one at a time.
func (a *handlers) controlTextsPage(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) {
	a.renderTexts(w, r, p, http.StatusOK, r.URL.Query().Get("control"), "")
}

func (a *handlers) renderTexts(w http.ResponseWriter, r *http.Request, p *site.Page, status int, selected, draft string) {
	edition, err := a.Store.Edition(r.Context(), p.Org)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	texts, err := a.Store.ControlTexts(r.Context(), p.Org)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	cat := catalog.Std()
	var all, with []textRow
	for _, c := range append(append([]*catalog.Control{}, cat.AnnexA(edition)...), cat.Cloud...) {
		t, _ := p.ControlTitle(c, texts)
		row := textRow{c.ID, t, texts[c.ID]}
		all = append(all, row)
		if row.Text != "" {
			with = append(with, row)
		}
	}
	if draft == "" {
		draft = texts[selected]
	}
	p.Title = p.T("report.ui.texts_title")
	p.Data = map[string]any{"All": all, "With": with, "Selected": selected, "Draft": draft,
		"CanEdit": authz.Can(p.Role, authz.Write, authz.Subject{Kind: "control_texts"})}
	a.Render(w, status, "controltexts", p)
}

// maxControlText bounds one control's text.
const maxControlText = 64 << 10

func (a *handlers) controlTextsPost(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) {
	if !authz.Can(m.Role, authz.Write, authz.Subject{Kind: "control_texts"}) {
		a.Forbidden(w, r, p)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 2*maxControlText)
	id, text := r.PostFormValue("control"), strings.TrimSpace(strings.ReplaceAll(r.PostFormValue("text"), "\r\n", "\n"))
	edition, err := a.Store.Edition(r.Context(), p.Org)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	if !catalog.Std().ValidFor(id, edition) {
		p.Error = p.T("report.ui.texts_unknown", "control", id)
		a.renderTexts(w, r, p, http.StatusBadRequest, "", text)
		return
	}
	if len(text) > maxControlText {
		p.Error = p.T("api.too_large", "max", maxControlText)
		a.renderTexts(w, r, p, http.StatusBadRequest, id, text)
		return
	}
	if _, err := a.Store.SetControlTexts(r.Context(), p.Org, map[string]string{id: text}, p.User.Email); err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	p.Flash = p.T("report.ui.texts_saved", "control", id)
	a.renderTexts(w, r, p, http.StatusOK, id, "")
}
