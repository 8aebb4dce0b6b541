package web

import (
	"net/http"
	"strings"

	"github.com/cloudisms/cloudisms/internal/authz"
	"github.com/cloudisms/cloudisms/internal/catalog"
	"github.com/cloudisms/cloudisms/internal/store"
)

func init() {
	addNav(navItem{Order: 145, Section: "control-texts", Path: "control-texts", Label: "report.ui.texts_nav"})
	addRoutes(func(a *App, m *http.ServeMux) {
		m.HandleFunc("GET /orgs/{org}/control-texts", a.inOrg("control-texts", a.controlTextsPage))
		m.HandleFunc("POST /orgs/{org}/control-texts", a.inOrg("control-texts", a.controlTextsPost))
	})
}

// textRow is one control on the control text page.
type textRow struct {
	ID, Title, Text string
}

// controlTextsPage lists the organization's own control texts (a licensed
// text or translation of the standard) and edits one at a time.
func (a *App) controlTextsPage(w http.ResponseWriter, r *http.Request, p *page, m store.Membership) {
	a.renderTexts(w, r, p, http.StatusOK, r.URL.Query().Get("control"), "")
}

func (a *App) renderTexts(w http.ResponseWriter, r *http.Request, p *page, status int, selected, draft string) {
	edition, err := a.store.Edition(r.Context(), p.Org)
	if err != nil {
		a.serverError(w, r, p, err)
		return
	}
	texts, err := a.store.ControlTexts(r.Context(), p.Org)
	if err != nil {
		a.serverError(w, r, p, err)
		return
	}
	cat := catalog.Std()
	var all, with []textRow
	for _, c := range append(append([]*catalog.Control{}, cat.AnnexA(edition)...), cat.Cloud...) {
		t := c.TitleJA
		if p.Lang == "en" {
			t = c.TitleEN
		}
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
	a.render(w, status, "controltexts", p)
}

// maxControlText bounds one control's text.
const maxControlText = 64 << 10

func (a *App) controlTextsPost(w http.ResponseWriter, r *http.Request, p *page, m store.Membership) {
	if !authz.Can(m.Role, authz.Write, authz.Subject{Kind: "control_texts"}) {
		a.forbidden(w, r, p)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 2*maxControlText)
	id, text := r.PostFormValue("control"), strings.TrimSpace(strings.ReplaceAll(r.PostFormValue("text"), "\r\n", "\n"))
	edition, err := a.store.Edition(r.Context(), p.Org)
	if err != nil {
		a.serverError(w, r, p, err)
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
	if _, err := a.store.SetControlTexts(r.Context(), p.Org, map[string]string{id: text}, p.User.Email); err != nil {
		a.serverError(w, r, p, err)
		return
	}
	p.Flash = p.T("report.ui.texts_saved", "control", id)
	a.renderTexts(w, r, p, http.StatusOK, id, "")
}
