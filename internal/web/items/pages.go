package items

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/cloudisms/cloudisms/internal/authz"
	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/web/site"
)

// Item pages: a list, a form and a change history for every list kind of
// the bundle, built from the field descriptions in schema.go.

//go:embed templates/*.html
var templateFS embed.FS

// handlers are the item pages over the site.
type handlers struct{ *site.App }

func init() {
	site.AddTemplates(templateFS)
	// Findings about an item of a kind with a generic form lead to its
	// form; the kinds whose findings have a page of their own (cloud
	// services, backups, risks) are registered by their areas.
	for _, k := range []string{"assets", "documents", "legal", "monitoring", "units", "people", "sites", "systems", "suppliers"} {
		site.AddSubjectLink(k, func(org string, parts []string) string {
			if len(parts) < 2 || parts[1] == "" {
				return ""
			}
			return URL(org, k, parts[1])
		})
	}
	site.AddRoutes(func(app *site.App, m *http.ServeMux) {
		a := &handlers{app}
		m.HandleFunc("GET /orgs/{org}/items/{kind}", a.InOrg("items", a.itemsList))
		m.HandleFunc("POST /orgs/{org}/items/{kind}", a.InOrg("items", a.itemCreate))
		m.HandleFunc("GET /orgs/{org}/items/{kind}/{key...}", a.InOrg("items", a.itemShow))
		m.HandleFunc("POST /orgs/{org}/items/{kind}/{key...}", a.InOrg("items", a.itemPost))
		m.HandleFunc("GET /orgs/{org}/history/{kind}/{key...}", a.InOrg("items", a.itemHistory))
	})
}

// NewURL is the form for a new item of a kind, its fields filled in
// from prefill (field path → values). The form is a query of the list
// rather than a path below it, so that every id, "new" included, names
// an item.
func NewURL(org, kind string, prefill url.Values) string {
	u := "/orgs/" + url.PathEscape(org) + "/items/" + kind + "?new=1"
	if len(prefill) > 0 {
		u += "&" + prefill.Encode()
	}
	return u
}

// URL is the form of a stored item.
func URL(org, kind, key string) string {
	return "/orgs/" + url.PathEscape(org) + "/items/" + kind + "/" + escapeKey(key)
}

// escapeKey escapes a key for a path, keeping the slashes of soa_rows keys.
func escapeKey(key string) string {
	parts := strings.Split(key, "/")
	for i, s := range parts {
		parts[i] = url.PathEscape(s)
	}
	return strings.Join(parts, "/")
}

// kindFor resolves {kind} and places the page in its section.
func (a *handlers) kindFor(w http.ResponseWriter, r *http.Request, p *site.Page) (*kindDef, bool) {
	def, ok := kindOf(r.PathValue("kind"))
	if !ok {
		a.NotFound(w, r, p)
		return nil, false
	}
	p.Nav = def.Section
	return def, true
}

// mayWrite asks authz whether the member may write an item of the kind
// whose owners (before and after the change) are given; a risk owner
// writes only risks that are theirs on both sides.
func mayWrite(m store.Membership, kind string, owners ...string) bool {
	isOwner := m.Person != ""
	for _, o := range owners {
		isOwner = isOwner && o == m.Person
	}
	return authz.Can(m.Role, authz.Write, authz.Subject{Kind: kind, IsOwner: isOwner})
}

// listRow is one item in a list page.
type listRow struct {
	Key, Label, UpdatedAt, UpdatedBy, URL string
	Cells                                 []listCell
}

// listCell is one value of a list row; short values (choices, names,
// numbers, dates) stay on one line rather than break inside a word.
type listCell struct {
	Text   string
	NoWrap bool
}

// columns are the fields a kind's list shows.
func (d *kindDef) columns() []fieldDef {
	var out []fieldDef
	for _, c := range d.Columns {
		for _, f := range d.Fields {
			if f.Name == c {
				out = append(out, f)
			}
		}
	}
	return out
}

const perPage = 50

var listSorts = []string{"pos", "key", "label", "updated_at", "-updated_at"}

func (a *handlers) itemsList(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) {
	def, ok := a.kindFor(w, r, p)
	if !ok {
		return
	}
	q := r.URL.Query()
	if def.Single {
		http.Redirect(w, r, URL(p.Org, def.Kind, def.Kind), http.StatusSeeOther)
		return
	}
	if q.Has("new") {
		a.itemNew(w, r, p, m, def)
		return
	}
	if def.ListPath != "" {
		// One register per kind: the kind's own page, with the search.
		v := url.Values{}
		for _, k := range []string{"q", "deleted"} {
			if s := q.Get(k); s != "" {
				v.Set(k, s)
			}
		}
		http.Redirect(w, r, listURL(p.Org, def)+map[bool]string{true: "?" + v.Encode()}[len(v) > 0], http.StatusSeeOther)
		return
	}
	opts := store.ListOptions{Query: strings.TrimSpace(q.Get("q")), Sort: q.Get("sort"), Limit: perPage}
	if !contains(listSorts, opts.Sort) {
		opts.Sort = "pos"
	}
	opts0, err := a.refOptions(r.Context(), p, def)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	rl := labelsOf(opts0)
	cols := def.columns()
	heads := make([]string, len(cols))
	for i, c := range cols {
		heads[i] = p.T(c.LabelKey())
	}
	filters := filtersOf(p, def, opts0, q)
	if site.WantsCSV(r) {
		a.itemsCSV(w, r, p, def, opts, rl, heads, filters)
		return
	}
	pageNo, _ := strconv.Atoi(q.Get("page"))
	pageNo = max(pageNo, 1)
	opts.Offset = (pageNo - 1) * perPage
	var pg store.Page
	if active(filters) {
		// Filtered: the matching items, a page of them.
		all, err := a.filtered(r.Context(), p.Org, def, opts, filters)
		if err != nil {
			a.ServerError(w, r, p, err)
			return
		}
		pg.Total = len(all)
		pg.Items = all[min(opts.Offset, len(all)):min(opts.Offset+perPage, len(all))]
	} else {
		var err error
		if pg, err = a.Store.List(r.Context(), p.Org, def.Kind, opts); err != nil {
			a.ServerError(w, r, p, err)
			return
		}
	}
	rows := make([]listRow, 0, len(pg.Items))
	for _, it := range pg.Items {
		rows = append(rows, a.listRowOf(p, def, rl, it))
	}
	link := func(sort string, page int) string {
		v := url.Values{}
		if opts.Query != "" {
			v.Set("q", opts.Query)
		}
		for _, f := range filters {
			if f.Value != "" {
				v.Set(f.Param, f.Value)
			}
		}
		if sort != "pos" {
			v.Set("sort", sort)
		}
		if page > 1 {
			v.Set("page", strconv.Itoa(page))
		}
		if len(v) == 0 {
			return "?"
		}
		return "?" + v.Encode()
	}
	sorts := make([]option, len(listSorts))
	for i, s := range listSorts {
		sorts[i] = option{Value: s, Label: p.T("items.sort." + strings.TrimPrefix(s, "-") + map[bool]string{true: "_desc"}[strings.HasPrefix(s, "-")]), Selected: s == opts.Sort}
	}
	data := map[string]any{"Kind": def.Kind, "Keyed": def.Keyed, "Rows": rows, "Total": pg.Total, "Query": opts.Query, "Sorts": sorts,
		"From": min(opts.Offset+1, pg.Total), "To": opts.Offset + len(rows),
		"CanCreate": mayWrite(m, def.Kind), "NewURL": NewURL(p.Org, def.Kind, nil), "Heads": heads, "Span": len(heads) + 3,
		"Saved": q.Get("deleted"), "Filters": filters, "Filtered": active(filters)}
	if pageNo > 1 {
		data["Prev"] = link(opts.Sort, pageNo-1)
	}
	if opts.Offset+len(rows) < pg.Total {
		data["Next"] = link(opts.Sort, pageNo+1)
	}
	if d := q.Get("deleted"); d != "" {
		p.Flash = p.T("items.deleted", "key", d)
	}
	p.Title = p.T("items.kind." + def.Kind)
	p.Data = data
	p.CSV = site.CSVLink(r)
	a.Render(w, http.StatusOK, "items", p)
}

// listRowOf is one stored item as its list shows it.
func (a *handlers) listRowOf(p *site.Page, def *kindDef, rl refLabels, it store.StoredItem) listRow {
	row := listRow{Key: it.Key, Label: it.Label, UpdatedAt: shortTime(it.UpdatedAt),
		UpdatedBy: it.UpdatedBy, URL: URL(p.Org, def.Kind, it.Key)}
	data := decodeObj(it.Data)
	for _, c := range def.columns() {
		cell := ""
		if v, ok := data[c.Name]; ok {
			cell = showValue(p, rl, c, v)
		}
		row.Cells = append(row.Cells, listCell{Text: cell, NoWrap: c.short()})
	}
	return row
}

// itemsCSV sends every item of the list as filtered, a store page at a time.
func (a *handlers) itemsCSV(w http.ResponseWriter, r *http.Request, p *site.Page, def *kindDef, opts store.ListOptions, rl refLabels, heads []string, filters []listFilter) {
	first := p.T("items.entry")
	if def.Keyed {
		first = "ID"
	}
	all := append(append([]string{first}, heads...), p.T("items.updated_at"), p.T("items.updated_by"))
	var rows [][]string
	opts.Limit, opts.Offset = store.MaxPage, 0
	for len(rows) <= site.MaxCSVRows {
		pg, err := a.Store.List(r.Context(), p.Org, def.Kind, opts)
		if err != nil {
			a.ServerError(w, r, p, err)
			return
		}
		for _, it := range pg.Items {
			if !matches(decodeObj(it.Data), filters) {
				continue
			}
			lr := a.listRowOf(p, def, rl, it)
			name := lr.Key
			if !def.Keyed && lr.Label != "" {
				name = lr.Label
			}
			row := []string{name}
			for _, c := range lr.Cells {
				row = append(row, c.Text)
			}
			rows = append(rows, append(row, lr.UpdatedAt, lr.UpdatedBy))
		}
		opts.Offset += len(pg.Items)
		if len(pg.Items) == 0 || opts.Offset >= pg.Total {
			break
		}
	}
	site.WriteCSV(w, p, a.Now(), def.Kind, all, rows)
}

// shortTime shows a stored timestamp to the minute, in JST.
func shortTime(ts string) string {
	t, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return ts
	}
	return t.In(isms.JST).Format("2006-01-02 15:04 MST")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// itemPage is what item.html gets.
type itemPage struct {
	Kind, Key     string
	KindLabel     string
	New           bool
	Version       int64
	Action        string // where the form posts
	Fields        []*formField
	Errors        []fieldError
	CanWrite      bool
	CanApprove    bool     // the member may record their approval of it here
	Single        bool     // the one item of its kind: not deleted
	UploadTargets []option // where a file can be attached ("" the item itself)
	Conflict      []diffLine
	Approval      *store.Approval
	HistoryURL    string
	ListURL       string
	UpdatedAt     string
	UpdatedBy     string
	Findings      []itemFinding
	// Panels are the sections other areas add to an item's page (its
	// comment thread, a request for approval).
	Panels  []template.HTML
	Related []Link      // pages about this item elsewhere ("add a risk for this asset")
	Assess  *assessView // a risk's level as the form's values give it
}

// formState is an item's values being edited and what is known about it.
type formState struct {
	def      *kindDef
	key      string // "" for a new item
	version  int64
	data     obj
	stored   *store.StoredItem
	focus    string
	status   int
	probs    []Problem
	conflict []diffLine
	about    string // the finding a new item is made for (rule and subject)
}

// renderForm shows an item's form with its values, errors beside fields
// and, after a stale save, both versions side by side.
func (a *handlers) renderForm(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership, st formState) {
	ctx := r.Context()
	opts, err := a.refOptions(ctx, p, st.def)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	owner := ""
	if st.stored != nil {
		owner = st.stored.Owner
	}
	canWrite := mayWrite(m, st.def.Kind)
	if st.stored != nil {
		canWrite = mayWrite(m, st.def.Kind, owner)
	}
	if st.stored != nil {
		// Approvals and fixed fields are shown as stored: the form never
		// changes them.
		old := decodeObj(st.stored.Data)
		for _, f := range st.def.Fields {
			if f.keptAsStored() {
				if v, ok := old[f.Name]; ok {
					st.data[f.Name] = v
				} else {
					delete(st.data, f.Name)
				}
			}
		}
	}
	b := &formBuilder{p: p, options: opts, disabled: !canWrite, stored: st.key != "", focus: st.focus, index: map[string]*formField{}, kind: st.def.Kind}
	var assess *assessView
	if st.def.Kind == bundle.KindRisks || st.def.Kind == bundle.KindAssets {
		model, err := a.Store.ISMS(ctx, p.Org)
		if err != nil {
			a.ServerError(w, r, p, err)
			return
		}
		b.criteria = &model.Criteria
		if st.def.Kind == bundle.KindRisks {
			assess = assessForm(p, model, st.data)
		}
	}
	ip := &itemPage{Kind: st.def.Kind, Key: st.key, KindLabel: p.T("items.kind." + st.def.Kind), New: st.key == "", Version: st.version,
		CanWrite: canWrite, Conflict: st.conflict, ListURL: listURL(p.Org, st.def), Single: st.def.Single}
	if st.def.Single {
		ip.ListURL = "/orgs/" + url.PathEscape(p.Org) + "/" + st.def.Section
	}
	ip.Fields = b.build(st.def.Fields, "", st.data)
	ip.Assess = assess
	ip.Errors = placeErrors(st.def.Kind, st.probs, b.index)
	if st.key != "" && canWrite && st.stored != nil {
		ip.UploadTargets = evidenceTargets(p, st.def, decodeObj(st.stored.Data))
	}
	if st.key == "" {
		ip.Action = "/orgs/" + url.PathEscape(p.Org) + "/items/" + st.def.Kind
		p.Title = p.T("items.new_title", "kind", ip.KindLabel)
		if st.about != "" {
			ip.Findings = a.findingsAbout(r, p, st.about)
		}
	} else {
		ip.Action = URL(p.Org, st.def.Kind, st.key)
		ip.HistoryURL = "/orgs/" + url.PathEscape(p.Org) + "/history/" + st.def.Kind + "/" + escapeKey(st.key)
		label := st.key
		if st.stored != nil {
			ip.UpdatedAt, ip.UpdatedBy = shortTime(st.stored.UpdatedAt), st.stored.UpdatedBy
			if st.stored.Label != "" && st.stored.Label != st.key {
				label = st.key + " " + st.stored.Label
			}
		}
		p.Title = ip.KindLabel + ": " + label
		if ap, err := a.Store.ApprovalOf(ctx, p.Org, st.def.Kind, st.key); err == nil {
			ip.Approval = &ap
		}
		// Approving is offered where there is something to approve: an
		// item never approved, one changed since its approval, or one
		// whose approval came with an import (nobody approved it here).
		ip.CanApprove = st.stored != nil && mayApproveHere(m, st.def.Kind) && (ip.Approval == nil || ip.Approval.Stale || ip.Approval.Imported)
		if st.stored != nil {
			ip.Related = relatedLinks(p, st.def.Kind, st.key, decodeObj(st.stored.Data))
		}
		ip.Findings = a.itemFindings(r, p, st)
		if st.stored != nil {
			ip.Panels = a.ItemPanels(r, p, m, st.def.Kind, st.key)
		}
	}
	if len(ip.Errors) > 0 && p.Error == "" {
		p.Error = p.T("items.has_errors", "n", len(ip.Errors))
	}
	if r.URL.Query().Get("saved") != "" && r.Method == http.MethodGet {
		p.Flash = p.T("items.saved")
	}
	if r.URL.Query().Get("approved") != "" && r.Method == http.MethodGet {
		p.Flash = p.T("fix.approved")
	}
	if r.URL.Query().Get("requested") != "" && r.Method == http.MethodGet {
		p.Flash = p.T("comments.requested")
	}
	p.Data = ip
	status := st.status
	if status == 0 {
		status = http.StatusOK
	}
	a.Render(w, status, "item", p)
}

// itemNew shows the form for a new item, filled in from the query (a
// finding's link names the service the missing item is about).
func (a *handlers) itemNew(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership, def *kindDef) {
	if !mayWrite(m, def.Kind) {
		a.Forbidden(w, r, p)
		return
	}
	data := prune(parseForm(def.Fields, "", r.URL.Query()))
	for _, f := range def.Fields {
		if f.keptAsStored() {
			delete(data, f.Name)
		}
	}
	a.renderForm(w, r, p, m, formState{def: def, data: data, about: r.URL.Query().Get(AboutParam)})
}

func (a *handlers) itemShow(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) {
	def, ok := a.kindFor(w, r, p)
	if !ok {
		return
	}
	key := r.PathValue("key")
	it, err := a.Store.Get(r.Context(), p.Org, def.Kind, key)
	if errors.Is(err, store.ErrNotFound) && key == "new" && !def.Single {
		// Links written before the new-item form moved to ?new=1 still
		// lead to it, as long as no item is called "new".
		http.Redirect(w, r, NewURL(p.Org, def.Kind, r.URL.Query()), http.StatusSeeOther)
		return
	}
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	a.renderForm(w, r, p, m, formState{def: def, key: key, version: it.Version, data: decodeObj(it.Data), stored: &it})
}

// maxFormBody bounds a submitted form, an evidence upload included.
const maxFormBody = store.MaxEvidence + 1<<20

func (a *handlers) itemCreate(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) {
	def, ok := a.kindFor(w, r, p)
	if !ok {
		return
	}
	if def.Single {
		a.NotFound(w, r, p)
		return
	}
	if !mayWrite(m, def.Kind) {
		a.Forbidden(w, r, p)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	st := formState{def: def, data: parseForm(def.Fields, "", r.PostForm)}
	if a.rowAction(w, r, p, m, &st) {
		return
	}
	a.save(w, r, p, m, st)
}

// rowAction handles "add row" and "remove row": the form comes back with
// the user's values and one row more or less, nothing saved.
func (a *handlers) rowAction(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership, st *formState) bool {
	act := r.PostFormValue("_action")
	switch {
	case strings.HasPrefix(act, "add:"):
		path := strings.TrimPrefix(act, "add:")
		if isRowList(st.def.Fields, path) && addRow(st.data, path) {
			list, _ := rowsAt(st.data, path)
			st.focus = path + "[" + strconv.Itoa(len(list)-1) + "]"
		}
	case act == "assess":
		// Without script: the level of the values in the form, nothing saved.
	case strings.HasPrefix(act, "remove:"):
		path := strings.TrimPrefix(act, "remove:")
		if i := strings.LastIndexByte(path, '['); i > 0 && isRowList(st.def.Fields, path[:i]) {
			removeRow(st.data, path)
		}
	default:
		return false
	}
	a.renderForm(w, r, p, m, *st)
	return true
}

// isRowList reports whether a path (plan, findings[0].x) names a list of
// rows in the kind's fields, so that a crafted action cannot turn another
// field into rows.
func isRowList(defs []fieldDef, path string) bool {
	parts := strings.Split(path, ".")
	for i, part := range parts {
		name, _, _ := strings.Cut(part, "[")
		var d *fieldDef
		for j := range defs {
			if defs[j].Name == name {
				d = &defs[j]
			}
		}
		if d == nil {
			return false
		}
		if i == len(parts)-1 {
			return d.Type == fGroups && !strings.Contains(part, "[")
		}
		defs = d.Fields
	}
	return false
}

// rowsAt is the list of rows at a path.
func rowsAt(m obj, path string) ([]any, bool) {
	holder, key, ok := rowList(m, path)
	if !ok {
		return nil, false
	}
	list, ok := holder[key].([]any)
	return list, ok
}

func (a *handlers) itemPost(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) {
	def, ok := a.kindFor(w, r, p)
	if !ok {
		return
	}
	ctx := r.Context()
	key := r.PathValue("key")
	cur, err := a.Store.Get(ctx, p.Org, def.Kind, key)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
	} else if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	// The "why" of the change, when given, goes with the history record
	// of whatever this post writes.
	note := r.PostFormValue("_note")
	if err := store.CheckNote(note); err != nil {
		p.Error = p.T("comments.note_too_long", "max", store.MaxNote)
		a.renderForm(w, r, p, m, formState{def: def, key: key, version: cur.Version, data: decodeObj(cur.Data), stored: &cur, status: http.StatusBadRequest})
		return
	}
	r = r.WithContext(store.WithNote(ctx, note))
	if r.PostFormValue("_action") == "approve" {
		// Approving is a permission of its own: an executive approves a
		// document they may not edit.
		a.approveItem(w, r, p, m, def, cur)
		return
	}
	if !mayWrite(m, def.Kind, cur.Owner) {
		a.Forbidden(w, r, p)
		return
	}
	version, _ := strconv.ParseInt(r.PostFormValue("_version"), 10, 64)
	act := r.PostFormValue("_action")
	if def.Single && (act == "delete" || act == "delete-confirm") {
		a.Forbidden(w, r, p) // the organization's one item stays
		return
	}
	switch act {
	case "delete":
		a.renderDelete(w, r, p, def, cur, nil, http.StatusOK)
		return
	case "delete-confirm":
		a.deleteItem(w, r, p, def, cur, version)
		return
	case "upload":
		a.uploadEvidence(w, r, p, m, def, cur, version)
		return
	}
	st := formState{def: def, key: key, version: version, data: parseForm(def.Fields, "", r.PostForm), stored: &cur}
	if def.Keyed {
		st.data["id"] = key
	}
	if a.rowAction(w, r, p, m, &st) {
		return
	}
	a.save(w, r, p, m, st)
}

// save validates the form's item with the bundle decoder and writes it at
// the version it was loaded at.
func (a *handlers) save(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership, st formState) {
	ctx := r.Context()
	clean := prune(copyObj(st.data))
	if st.stored != nil {
		// Approvals are recorded by the approver's own action, never
		// through this form, and fixed fields change only by import: the
		// stored values are kept as they are.
		old := decodeObj(st.stored.Data)
		for _, f := range st.def.Fields {
			if f.keptAsStored() {
				if v, ok := old[f.Name]; ok {
					clean[f.Name] = v
				} else {
					delete(clean, f.Name)
				}
			}
		}
	}
	key := st.key
	if key == "" && !st.def.Keyed {
		key = fmt.Sprintf("k%d", a.Now().UnixNano())
	}
	body, err := json.Marshal(clean)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	edition, err := a.Store.Edition(ctx, p.Org)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	it, refs, err := bundle.DecodeItem(st.def.Kind, key, body, edition)
	if err != nil {
		probs, ok := ProblemsOf(err, p.Lang)
		if !ok {
			probs = []Problem{{Msg: err.Error()}}
		}
		st.probs, st.status = probs, http.StatusBadRequest
		a.renderForm(w, r, p, m, st)
		return
	}
	if st.def.Kind == bundle.KindRisks || st.def.Kind == bundle.KindAssets {
		// Values on a scale must be levels of the organization's criteria.
		c, err := a.Store.Criteria(ctx, p.Org)
		if err != nil {
			a.ServerError(w, r, p, err)
			return
		}
		if errs := bundle.CheckScales(st.def.Kind, it.Data, c); len(errs) > 0 {
			st.probs, st.status = problemsOfErrors(errs, p.Lang), http.StatusBadRequest
			a.renderForm(w, r, p, m, st)
			return
		}
	}
	owners := []string{it.Owner}
	if st.stored != nil {
		owners = append(owners, st.stored.Owner)
	}
	if !mayWrite(m, st.def.Kind, owners...) {
		a.Forbidden(w, r, p)
		return
	}
	out, err := a.Store.Put(ctx, p.Org, it, refs, st.version, p.User.Email)
	var refErr *store.RefError
	switch {
	case err == nil:
		http.Redirect(w, r, URL(p.Org, st.def.Kind, out.Key)+"?saved=1", http.StatusSeeOther)
	case errors.Is(err, store.ErrExists) && st.stored == nil:
		st.probs, st.status = []Problem{{Path: st.def.Kind + ".id", Msg: p.T("api.exists")}}, http.StatusConflict
		a.renderForm(w, r, p, m, st)
	case errors.Is(err, store.ErrConflict), errors.Is(err, store.ErrNotFound) && st.stored != nil,
		errors.Is(err, store.ErrExists) && st.stored != nil: // a form without its version

		a.conflict(w, r, p, m, st, clean)
	case errors.As(err, &refErr):
		st.probs, st.status = []Problem{{Path: refErr.Path, Msg: refErr.Message().In(p.Lang)}}, http.StatusBadRequest
		a.renderForm(w, r, p, m, st)
	default:
		a.ServerError(w, r, p, err)
	}
}

// conflict shows a stale save: the user's values stay in the form, the
// stored version beside them; nothing was written. Saving again replaces
// the current version with what the form then holds.
func (a *handlers) conflict(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership, st formState, mine obj) {
	cur, err := a.Store.Get(r.Context(), p.Org, st.def.Kind, st.key)
	var current obj
	switch {
	case err == nil:
		current = decodeObj(cur.Data)
		st.version, st.stored = cur.Version, &cur
	case errors.Is(err, store.ErrNotFound):
		p.Error = p.T("items.gone")
		st.status = http.StatusConflict
		a.renderForm(w, r, p, m, st)
		return
	default:
		a.ServerError(w, r, p, err)
		return
	}
	opts, err := a.refOptions(r.Context(), p, st.def)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	rl := labelsOf(opts)
	st.conflict = diff(flatten(p, rl, st.def.Fields, "", "", current), flatten(p, rl, st.def.Fields, "", "", mine), false)
	st.status = http.StatusConflict
	p.Error = p.T("items.conflict", "by", cur.UpdatedBy, "at", shortTime(cur.UpdatedAt))
	a.renderForm(w, r, p, m, st)
}

func copyObj(m obj) obj {
	b, _ := json.Marshal(m)
	return decodeObj(b)
}

// deletePage is what itemdelete.html gets.
type deletePage struct {
	Kind, Key, Label, Action, Back string
	Version                        int64
	Referrers                      []referrer
}

type referrer struct{ Text, URL string }

func (a *handlers) renderDelete(w http.ResponseWriter, r *http.Request, p *site.Page, def *kindDef, cur store.StoredItem, refs []referrer, status int) {
	p.Title = p.T("items.delete_title", "kind", p.T("items.kind."+def.Kind), "key", cur.Key)
	p.Data = deletePage{Kind: def.Kind, Key: cur.Key, Label: cur.Label, Version: cur.Version, Referrers: refs,
		Action: URL(p.Org, def.Kind, cur.Key), Back: URL(p.Org, def.Kind, cur.Key)}
	a.Render(w, status, "itemdelete", p)
}

// deleteItem deletes after the confirmation step; an item others refer to
// stays, and the page lists who refers to it.
func (a *handlers) deleteItem(w http.ResponseWriter, r *http.Request, p *site.Page, def *kindDef, cur store.StoredItem, version int64) {
	err := a.Store.Delete(r.Context(), p.Org, def.Kind, cur.Key, version, p.User.Email)
	var refErr *store.RefError
	switch {
	case err == nil:
		http.Redirect(w, r, listURL(p.Org, def)+"?deleted="+url.QueryEscape(cur.Key), http.StatusSeeOther)
	case errors.As(err, &refErr):
		var refs []referrer
		for _, by := range refErr.ReferencedBy {
			ref := referrer{Text: by}
			if kind, key, ok := strings.Cut(by, "/"); ok {
				if _, known := kindOf(kind); known {
					ref.URL = URL(p.Org, kind, key)
				}
				ref.Text = p.T("items.kind."+kind) + " " + key
			}
			refs = append(refs, ref)
		}
		p.Error = p.T("items.referenced", "n", len(refs))
		a.renderDelete(w, r, p, def, cur, refs, http.StatusConflict)
	case errors.Is(err, store.ErrConflict):
		p.Error = p.T("items.delete_stale")
		a.renderDelete(w, r, p, def, cur, nil, http.StatusConflict)
	default:
		a.ServerError(w, r, p, err)
	}
}

// uploadEvidence stores an uploaded file by content and adds it to the
// item's evidence at the version the page was loaded at.
func (a *handlers) uploadEvidence(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership, def *kindDef, cur store.StoredItem, version int64) {
	st := formState{def: def, key: cur.Key, version: cur.Version, data: decodeObj(cur.Data), stored: &cur}
	at := r.PostFormValue("at")
	targets := evidenceTargets(p, def, st.data)
	if !hasOption(targets, at) {
		st.probs, st.status = []Problem{{Msg: p.T("api.evidence_at", "at", at)}}, http.StatusBadRequest
		a.renderForm(w, r, p, m, st)
		return
	}
	file, hdr, err := r.FormFile("file")
	if err != nil {
		st.probs, st.status = []Problem{{Path: joinPath(def.Kind, at, "evidence"), Msg: p.T("items.no_file")}}, http.StatusBadRequest
		a.renderForm(w, r, p, m, st)
		return
	}
	defer file.Close()
	name := path.Base(strings.ReplaceAll(hdr.Filename, `\`, "/"))
	if name == "." || name == "/" || len(name) > 255 {
		name = "evidence"
	}
	if version != cur.Version {
		a.conflict(w, r, p, m, st, st.data)
		return
	}
	ev, err := a.Store.SaveEvidence(r.Context(), p.Org, p.User.Email, file)
	sum := ev.SHA256
	if err != nil {
		if errors.Is(err, store.ErrTooLarge) {
			st.probs, st.status = []Problem{{Path: joinPath(def.Kind, at, "evidence"), Msg: p.T("api.too_large", "max", store.MaxEvidence)}}, http.StatusRequestEntityTooLarge
			a.renderForm(w, r, p, m, st)
			return
		}
		a.ServerError(w, r, p, err)
		return
	}
	data := decodeObj(cur.Data)
	target, ok := descendTo(data, at)
	if !ok {
		a.ServerError(w, r, p, fmt.Errorf("evidence target %q vanished", at))
		return
	}
	list, _ := target["evidence"].([]any)
	target["evidence"] = append(list, obj{"name": name, "sha256": sum})
	body, _ := json.Marshal(data)
	edition, err := a.Store.Edition(r.Context(), p.Org)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	it, refs, err := bundle.DecodeItem(def.Kind, cur.Key, body, edition)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	if _, err := a.Store.Put(r.Context(), p.Org, it, refs, version, p.User.Email); err != nil {
		if errors.Is(err, store.ErrConflict) {
			a.conflict(w, r, p, m, st, st.data)
			return
		}
		a.ServerError(w, r, p, err)
		return
	}
	http.Redirect(w, r, URL(p.Org, def.Kind, cur.Key)+"?saved=1", http.StatusSeeOther)
}

// joinPath joins the non-empty parts of a field path with dots.
func joinPath(parts ...string) string {
	var keep []string
	for _, s := range parts {
		if s != "" {
			keep = append(keep, s)
		}
	}
	return strings.Join(keep, ".")
}

// historyEntry is one version of an item in its history.
type historyEntry struct {
	N                 int64
	At, Actor, Action string
	Note              string // why, as the author said
	Lines             []diffLine
}

func (a *handlers) itemHistory(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) {
	def, ok := historyKindOf(r.PathValue("kind"))
	if !ok {
		a.NotFound(w, r, p)
		return
	}
	p.Nav = def.Section
	key := r.PathValue("key")
	changes, err := a.Store.History(r.Context(), p.Org, store.HistoryFilter{Kind: def.Kind, Key: key})
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	if len(changes) == 0 {
		a.NotFound(w, r, p)
		return
	}
	opts, err := a.refOptions(r.Context(), p, def)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	rl := labelsOf(opts)
	entries := make([]historyEntry, 0, len(changes))
	for i := len(changes) - 1; i >= 0; i-- { // newest first
		c := changes[i]
		var before, after []flatLine
		if c.Before != nil {
			before = flatten(p, rl, def.Fields, "", "", decodeObj([]byte(*c.Before)))
		}
		if c.After != nil {
			after = flatten(p, rl, def.Fields, "", "", decodeObj([]byte(*c.After)))
		}
		entries = append(entries, historyEntry{N: c.N, At: shortTime(c.At), Actor: c.Actor, Action: c.Action, Note: c.Note, Lines: diff(before, after, false)})
	}
	_, gerr := a.Store.Get(r.Context(), p.Org, def.Kind, key)
	p.Title = p.T("items.history_title", "kind", p.T("items.kind."+def.Kind), "key", key)
	itemURL := URL(p.Org, def.Kind, key)
	if _, generic := kindOf(def.Kind); !generic {
		itemURL = listURL(p.Org, def) // the kind's own page
	}
	p.Data = map[string]any{"Entries": entries, "ItemURL": itemURL, "Exists": gerr == nil,
		"ListURL": listURL(p.Org, def)}
	a.Render(w, http.StatusOK, "itemhistory", p)
}
