package soa

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/cloudisms/cloudisms/internal/authz"
	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/catalog"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/names"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/web/items"
	"github.com/cloudisms/cloudisms/internal/web/site"
)

//go:embed templates/*.html
var templateFS embed.FS

// handlers are the SoA pages over the site.
type handlers struct{ *site.App }

func init() {
	site.AddTemplates(templateFS)
	site.AddNav(site.NavItem{Order: 60, Section: "soa", Path: "soa", Label: "ui.soa"})
	site.AddRoutes(func(app *site.App, m *http.ServeMux) {
		a := &handlers{app}
		m.HandleFunc("GET /orgs/{org}/soa", a.InOrg("soa", a.soaPage))
		m.HandleFunc("POST /orgs/{org}/soa", a.InOrg("soa", a.soaPost))
		m.HandleFunc("POST /orgs/{org}/soa/create", a.InOrg("soa", a.soaCreate))
		m.HandleFunc("POST /orgs/{org}/soa/approve", a.InOrg("soa", a.soaApprove))
	})
	// soa/organization[/CONTROL] and soa/SERVICE/ROLE[/CONTROL]: the SoA,
	// at the control's row.
	site.AddSubjectLink("soa", func(org string, parts []string) string {
		if len(parts) < 2 {
			return ""
		}
		soa := parts[1]
		if len(parts) >= 3 && parts[1] != "organization" {
			soa = parts[1] + ":" + parts[2]
		}
		anchor := ""
		if n := len(parts); (soa == "organization" && n >= 3) || n >= 4 {
			anchor = "#row-" + parts[n-1]
		}
		return "/orgs/" + org + "/soa?soa=" + soa + anchor
	})
}

// soaRow is one row of the SoA table.
type soaRow struct {
	Control, TitleJA, TitleEN string
	Cloud                     bool // a 27017 item or CLD control
	Base                      string
	From                      string // service, organization, none
	Applicable                *bool
	Reasons                   []string
	Implementation            string
	Justification, Notes      string
	Version                   int64 // of the row item that governs the state (0: none)
	Findings                  []string
	State                     string // implemented, partial, planned, not-implemented, excluded, missing
	OwnText                   string // the organization's own text of the control
	// TitleUnconfirmed: the Japanese title is the catalog's and no
	// published list confirmed it (marked on the page).
	TitleUnconfirmed bool

	// Display strings and form choices, rendered once in Go (soalabels.go).
	StateLabel, FromLabel, BaseLabel, ReasonsText string
	// The SoA page's excerpts of the long texts (the row's page has them whole).
	JustificationExcerpt, NotesExcerpt string
	ReasonOpts, ImplOpts               []soaOpt
	Adopted, Excluded                  bool
	Owner                              string // the SoA whose row is shown
}

// soaConflict is a stale edit: what the user sent and what is stored now.
type soaConflict struct {
	Control       string
	Mine, Current map[string]any
}

// soaKeys lists the SoAs of the organization: its own, then one per
// service and role, as the views compute them.
func soaKeys(views []isms.SoAView) []string {
	var out []string
	for _, v := range views {
		if v.Service == "" {
			out = append(out, "organization")
		} else {
			out = append(out, v.Service+":"+v.Role)
		}
	}
	return out
}

func (a *handlers) soaPage(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) {
	a.renderSoA(w, r, p, m, http.StatusOK)
}

// soaPageRows is how many rows one page of an SoA shows: every SoA of the
// standard catalogs fits on one; a larger framework's is paged.
const soaPageRows = 200

// renderSoA shows an SoA read-only, one line per control; a row's edit
// form is fetched on demand (row.go), so that the page stays small.
func (a *handlers) renderSoA(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership, status int) {
	ctx := r.Context()
	model, head, err := a.Store.ISMSAt(ctx, p.Org)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	views, err := a.Store.SoAViewsFor(ctx, p.Org, head, model)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	keys := soaKeys(views)
	sel := r.URL.Query().Get("soa")
	if sel == "" {
		sel = r.PostFormValue("soa")
	}
	idx := 0
	for i, k := range keys {
		if k == sel {
			idx = i
		}
	}
	v := views[idx]
	sel = keys[idx]
	asOf := isms.DateOf(a.Now())
	filter := r.URL.Query().Get("state")
	if site.WantsCSV(r) {
		rows, _, err := a.soaRows(ctx, p, head, model, sel, v.Rows, filter, asOf)
		if err != nil {
			a.ServerError(w, r, p, err)
			return
		}
		heads, cells := soaCSV(p, rows)
		site.WriteCSV(w, p, a.Now(), "soa-"+strings.ReplaceAll(sel, ":", "-"), heads, cells)
		return
	}
	shownCount := 0
	for _, er := range v.Rows {
		if effectiveShown(er, filter) {
			shownCount++
		}
	}
	pager := site.Paginate(r, shownCount, soaPageRows)
	nm := a.NamesAt(p.Org, head, model, p.Lang)
	p.Names = nm
	canEdit := authz.Can(p.Role, authz.Write, authz.Subject{Kind: bundle.KindSoARows}) && v.SoA != nil
	// The page's rows are the same for every reader of this change, SoA,
	// filter, page and edit permission: made once and kept (a page of
	// 200 rows cost more than the rest of the request).
	var rerr error
	// A filter value that is no state shows no row: one key for them all,
	// so that made-up values cannot fill the cache.
	rowsFilter := filter
	if filter != "" && !slices.Contains(soaFilters, filter) {
		rowsFilter = "(none)"
	}
	rv := a.PartIf(p.Org, head, p.Lang, fmt.Sprintf("soa rows %s|%s|%d-%d|edit=%t", sel, rowsFilter, pager.From, pager.To, canEdit), func() (any, bool) {
		rows, anyUnconfirmed, err := a.soaRows(ctx, p, head, model, sel, v.Rows, rowsFilter, asOf)
		if err != nil {
			rerr = err
			return nil, false
		}
		rows = rows[pager.From:pager.To]
		return soaRowsView{
			HTML:           rowsHTML(rows, p.Lang, newSoALabels(p), rowHref(sel), v.SoA != nil, canEdit, p.T("ui.no_rows")),
			AnyUnconfirmed: anyUnconfirmed,
		}, true
	})
	if rerr != nil {
		a.ServerError(w, r, p, rerr)
		return
	}
	rowsView := rv.(soaRowsView)
	header, err := a.soaHeaderOf(r, p, m, sel, v.SoA)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	switch q := r.URL.Query(); {
	case q.Get("copied") != "":
		p.Flash = p.T("copy.done", "n", q.Get("copied"))
	case q.Get("bulk") != "":
		p.Flash = p.T("bulk.done", "n", q.Get("bulk"))
	case q.Get("added") != "":
		p.Flash = p.T("web.group.added", "n", q.Get("added"))
	case q.Get("created") != "":
		p.Flash = p.T("fix.soa.created")
	case q.Get("approved") != "":
		p.Flash = p.T("fix.approved")
	case q.Get("conflict") != "" && p.Error == "":
		p.Error = p.T("api.conflict")
	}
	p.Title = p.T("ui.soa")
	keyOptions, err := a.soaOptions(p, head, nm, keys)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	p.Data = map[string]any{"AnyUnconfirmed": rowsView.AnyUnconfirmed, "KeyOptions": keyOptions.With(sel), "Selected": sel, "View": v, "Counts": v.Counts, "Filter": filter,
		"CanEdit": canEdit, "CanCopy": mayCopy(m), "Header": header, "Pager": pager.View(r, p),
		"RowsHTML": rowsView.HTML}
	p.CSV = site.CSVLink(r)
	a.Render(w, status, "soa", p)
}

// soaOptions are the options of the SoA selector, made once per change of
// the ISMS and language: a large ISMS has hundreds of SoAs (one per
// service and role), and naming each through the page's template was a
// tenth of the server's CPU at 50,000 risks.
func (a *handlers) soaOptions(p *site.Page, head int64, nm *names.Names, keys []string) (site.Options, error) {
	var err error
	// A failed rendering is not kept (ViewIf): the next request tries again.
	v := a.ViewIf(p.Org, head, p.Lang, "soa options", func() (any, bool) {
		cs := make([]site.Choice, len(keys))
		for i, k := range keys {
			cs[i] = site.Choice{Value: k, Label: nm.SoA(k)}
		}
		var o site.Options
		o, err = site.ChoiceOptions(a.App, p, "soa", "soa-option", site.MaxRegisterLines, cs)
		return o, err == nil
	})
	if err != nil {
		return site.Options{}, err
	}
	return v.(site.Options), nil
}

// soaFilters are the values of the page's state filter that show rows: the
// states of a row (isms.StateOf) and "applicable".
var soaFilters = []string{"applicable", isms.ImplImplemented, isms.ImplPartial, isms.ImplPlanned, isms.ImplNotImplemented, isms.StateExcluded, isms.StateMissing}

// soaRowsView is a page of an SoA's rows as HTML, kept per change of the
// ISMS (site.App.View).
type soaRowsView struct {
	HTML           template.HTML
	AnyUnconfirmed bool
}

// soaRows are the rows of an SoA that filter shows, with their labels and
// the findings on each, and whether any shows a Japanese title no
// published list confirmed.
func (a *handlers) soaRows(ctx context.Context, p *site.Page, head int64, model *isms.ISMS, sel string, all []isms.EffectiveRow, filter string, asOf isms.Date) ([]soaRow, bool, error) {
	checked, err := a.Store.FindingsFor(ctx, p.Org, head, model, asOf)
	if err != nil {
		return nil, false, err
	}
	nm := a.NamesAt(p.Org, head, model, p.Lang)
	findings := map[string][]string{}
	prefix := "soa/" + strings.Replace(sel, ":", "/", 1) + "/"
	for _, f := range checked {
		if strings.HasPrefix(f.Subject, prefix) {
			c := strings.TrimPrefix(f.Subject, prefix)
			findings[c] = append(findings[c], f.Rule+": "+site.FindingText(f, p.Lang, nm))
		}
	}
	texts, err := a.Store.ControlTexts(ctx, p.Org)
	if err != nil {
		return nil, false, err
	}
	labels := &labelCache{p: p, seen: map[string]string{}}
	var rows []soaRow
	anyUnconfirmed := false
	for _, er := range all {
		if !effectiveShown(er, filter) {
			continue
		}
		row := soaRowOf(er, texts)
		row.Findings, row.OwnText = findings[er.Control.ID], texts[er.Control.ID]
		anyUnconfirmed = anyUnconfirmed || row.TitleUnconfirmed
		labels.dress(&row, sel)
		rows = append(rows, row)
	}
	return rows, anyUnconfirmed, nil
}

// soaCSV is the SoA as shown (filtered by state), one row per control with
// every field a spreadsheet keeps apart: applicability, reasons,
// justification, implementation and notes, where the row comes from, and
// the findings on it.
func soaCSV(p *site.Page, rows []soaRow) ([]string, [][]string) {
	heads := []string{p.T("ui.control"), p.T("ui.title"), p.T("soa.csv.base"), p.T("ui.applicable_q"), p.T("ui.reasons"),
		p.T("ui.justification"), p.T("ui.state"), p.T("ui.notes"), p.T("ui.from"), p.T("ui.findings")}
	out := make([][]string, 0, len(rows))
	for _, r := range rows {
		title := r.TitleJA
		if r.TitleUnconfirmed {
			title += p.T("catalog.unconfirmed_mark")
		}
		if p.Lang != "ja" || r.TitleJA == "" {
			title = r.TitleEN
		}
		applicable := ""
		switch {
		case r.Adopted:
			applicable = p.T("ui.adopt")
		case r.Excluded:
			applicable = p.T("ui.exclude")
		}
		out = append(out, []string{r.Control, title, r.Base, applicable, r.ReasonsText, r.Justification, r.StateLabel,
			r.Notes, r.FromLabel, strings.Join(r.Findings, "\n")})
	}
	return heads, out
}

// soaPost saves one row of an SoA. Editing an inherited row in a service
// SoA creates the service's own row (an override), as the format defines.
func (a *handlers) soaPost(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) {
	if !authz.Can(m.Role, authz.Write, authz.Subject{Kind: bundle.KindSoARows}) {
		a.Forbidden(w, r, p)
		return
	}
	ctx := r.Context()
	soaKey, control := r.PostFormValue("soa"), r.PostFormValue("control")
	version, _ := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	owner := r.PostFormValue("owner") // the SoA whose row was shown
	row := map[string]any{"control": control}
	switch r.PostFormValue("applicable") {
	case "true":
		row["applicable"] = true
	case "false":
		row["applicable"] = false
	}
	if rs := r.PostForm["reasons"]; len(rs) > 0 {
		row["reasons"] = rs
	}
	for _, f := range []string{"implementation", "justification", "notes"} {
		if v := strings.TrimSpace(r.PostFormValue(f)); v != "" {
			row[f] = v
		}
	}
	key := soaKey + "/" + control
	if owner == soaKey {
		// The form does not carry the row's evidence: it stays with the row.
		cur, err := a.Store.Get(ctx, p.Org, bundle.KindSoARows, key)
		switch {
		case err == nil:
			var stored map[string]any
			if json.Unmarshal(cur.Data, &stored) == nil && stored["evidence"] != nil {
				row["evidence"] = stored["evidence"]
			}
		case !errors.Is(err, store.ErrNotFound):
			a.ServerError(w, r, p, err)
			return
		}
	}
	data, _ := json.Marshal(row)
	it, refs, err := a.decodeRow(ctx, p.Org, key, data)
	if err != nil {
		p.Error = items.ProblemText(err, p.Lang)
		a.renderRow(w, r, p, http.StatusBadRequest, soaKey, control, nil)
		return
	}
	refs = append(refs, bundle.Ref{List: bundle.KindSoA, ID: soaKey, Path: "soa"})
	ifVersion := version
	if owner != soaKey {
		ifVersion = 0 // a new override row
	}
	_, err = a.Store.Put(ctx, p.Org, it, refs, ifVersion, p.User.Email)
	switch {
	case errors.Is(err, store.ErrConflict), errors.Is(err, store.ErrExists):
		cur, gerr := a.Store.Get(ctx, p.Org, bundle.KindSoARows, key)
		var current map[string]any
		if gerr == nil {
			json.Unmarshal(cur.Data, &current)
		}
		var mine map[string]any
		json.Unmarshal(it.Data, &mine)
		p.Error = p.T("api.conflict")
		a.renderRow(w, r, p, http.StatusConflict, soaKey, control, &soaConflict{Control: control, Mine: mine, Current: current})
		return
	case err != nil:
		var ref *store.RefError
		if errors.As(err, &ref) {
			p.Error = err.Error()
			a.renderRow(w, r, p, http.StatusBadRequest, soaKey, control, nil)
			return
		}
		a.ServerError(w, r, p, err)
		return
	}
	http.Redirect(w, r, "/orgs/"+p.Org+"/soa?soa="+soaKey+"&saved="+control+"#row-"+control, http.StatusSeeOther)
}

// decodeRow validates a row against the organization's edition.
func (a *handlers) decodeRow(ctx context.Context, org, key string, data []byte) (bundle.Item, []bundle.Ref, error) {
	edition, err := a.Store.Edition(ctx, org)
	if err != nil {
		return bundle.Item{}, nil, err
	}
	return bundle.DecodeItem(bundle.KindSoARows, key, data, edition)
}

// soaRowOf is an effective row with its state, before the page's labels.
func soaRowOf(er isms.EffectiveRow, texts map[string]string) soaRow {
	titleJA, unconfirmed := catalog.JATitle(er.Control, texts)
	row := soaRow{Control: er.Control.ID, TitleJA: titleJA, TitleUnconfirmed: unconfirmed, TitleEN: er.Control.TitleEN, Cloud: er.Control.Is27017(), Base: er.Control.Base2013, From: er.From}
	if er.Row != nil {
		row.Applicable, row.Reasons, row.Implementation = er.Row.Applicable, er.Row.Reasons, er.Row.Implementation
		row.Justification, row.Notes = er.Row.Justification, er.Row.Notes
	}
	row.State = isms.StateOf(er.Row)
	row.Adopted = row.Applicable != nil && *row.Applicable
	return row
}

// shownBy reports whether the row is among those a state filter shows:
// rows in that state, or with "applicable" every adopted row ("" shows all).
func (r soaRow) shownBy(filter string) bool { return stateShown(r.State, r.Adopted, filter) }

// effectiveShown is shownBy for a row not yet made into a soaRow.
func effectiveShown(er isms.EffectiveRow, filter string) bool {
	return stateShown(isms.StateOf(er.Row), er.Row != nil && er.Row.Applicable != nil && *er.Row.Applicable, filter)
}

func stateShown(state string, adopted bool, filter string) bool {
	return filter == "" || state == filter || filter == "applicable" && adopted
}

// rowHref is the start of a row page's address, relative to the SoA page
// (the control's id is appended): the organization's SoA is the row
// page's default, so its rows name only the control. Every row carries
// this address twice, and the shorter form keeps the page small.
func rowHref(sel string) string {
	if sel == bundle.KindOrganization {
		return "soa/row?control="
	}
	return "soa/row?soa=" + url.QueryEscape(sel) + "&control="
}
