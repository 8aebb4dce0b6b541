// Package evidence holds the evidence list: every file the organization's
// ISMS names, with what it proves, who uploaded it and when, and whether
// it is older than the interval of what it proves.
package evidence

import (
	"cmp"
	"embed"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/names"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/web/items"
	"github.com/cloudisms/cloudisms/internal/web/linked"
	"github.com/cloudisms/cloudisms/internal/web/site"
)

//go:embed templates/*.html
var templateFS embed.FS

type handlers struct{ *site.App }

func init() {
	site.AddTemplates(templateFS)
	site.AddNav(site.NavItem{Order: 135, Section: "evidence", Path: "evidence", Label: "evlist.nav"})
	site.AddRoutes(func(app *site.App, m *http.ServeMux) {
		a := &handlers{app}
		m.HandleFunc("GET /orgs/{org}/evidence", a.InOrg("evidence", a.listPage))
	})
}

// pageSize is how many files one page shows.
const pageSize = 50

// The bounds of the default interval a reader may choose, in days.
const (
	minDays = 30
	maxDays = 5 * 366
)

// Row is one evidence file where an item names it.
type Row struct {
	isms.EvidencePlace
	ItemKind, ItemName, ItemURL, PartText string
	Download                              string
	UploadedAt                            time.Time
	Uploaded                              string // when, in Japan time, as the page shows it
	// Reuploaded is when the same content was last uploaded again, as the
	// page shows it ("" when uploaded once): the file stays as old as its
	// first upload.
	Reuploaded string
	Uploader   string
	Size       int64
	Old        bool
	Age        int // days since it was uploaded
}

// Filter is what the list shows.
type Filter struct {
	Q, Kind, Sort string
	OldOnly       bool
	Days          int // the default interval
}

func filterOf(q url.Values) Filter {
	f := Filter{Q: strings.TrimSpace(q.Get("q")), Kind: q.Get("kind"), Sort: q.Get("sort"), OldOnly: q.Get("old") != "", Days: isms.DefaultEvidenceInterval}
	if n, err := strconv.Atoi(q.Get("days")); err == nil {
		f.Days = min(max(n, minDays), maxDays)
	}
	if !slices.Contains(sorts, strings.TrimPrefix(f.Sort, "-")) {
		f.Sort = "-uploaded"
	}
	return f
}

var sorts = []string{"uploaded", "name", "item", "size"}

// Rows lists the organization's evidence files as of a date, every place
// each is named, filtered and sorted. The store is read for who uploaded
// each file and when; lang names the items.
func Rows(r *http.Request, s *store.Store, org, lang string, asOf isms.Date, f Filter) ([]Row, []string, error) {
	model, err := s.ISMS(r.Context(), org)
	if err != nil {
		return nil, nil, err
	}
	recs, err := s.EvidenceRecords(r.Context(), org)
	if err != nil {
		return nil, nil, err
	}
	who, err := uploaders(r, s, org, model, lang)
	if err != nil {
		return nil, nil, err
	}
	nm := names.Of(model, lang)
	label := itemLabels(model, nm, lang)
	var rows []Row
	kinds := []string{}
	for _, pl := range isms.EvidencePlaces(model, f.Days) {
		if !slices.Contains(kinds, pl.Kind) {
			kinds = append(kinds, pl.Kind)
		}
		rec := recs[pl.SHA256]
		row := Row{EvidencePlace: pl, ItemKind: tr(lang, "items.kind."+pl.Kind), Size: rec.Size, UploadedAt: rec.UploadedAt,
			Uploader: or(who[rec.UploadedBy], rec.UploadedBy),
			Download: "/api/v1/orgs/" + url.PathEscape(org) + "/evidence/" + url.PathEscape(pl.SHA256) + "?name=" + url.QueryEscape(pl.Name)}
		row.ItemName, row.ItemURL = label(pl), itemURL(org, pl)
		row.PartText = partText(model, pl, lang)
		if !rec.UploadedAt.IsZero() {
			up := isms.DateOf(rec.UploadedAt.In(isms.JST))
			row.Old, row.Age = pl.Old(up, asOf), asOf.DaysSince(up)
			row.Uploaded = rec.UploadedAt.In(isms.JST).Format("2006-01-02 15:04")
			if rec.LastUploadedAt.After(rec.UploadedAt) {
				row.Reuploaded = tr(lang, "evlist.reuploaded", "at", rec.LastUploadedAt.In(isms.JST).Format("2006-01-02 15:04"),
					"by", or(who[rec.LastUploadedBy], rec.LastUploadedBy))
			}
		}
		if keep(row, f) {
			rows = append(rows, row)
		}
	}
	sortRows(rows, f.Sort)
	return rows, kinds, nil
}

// partText names the part of an item a file proves: a finding, a
// restore test, a result; a corrective action by the finding it answers,
// or, for a nonconformity's own corrective action, by what it does.
func partText(m *isms.ISMS, pl isms.EvidencePlace, lang string) string {
	switch {
	case pl.Part == "":
		return ""
	case pl.Part == isms.PartCorrectiveAction && pl.PartID == "":
		for _, n := range m.Nonconformities {
			if pl.Kind == "nonconformities" && n.ID == pl.ID && n.CorrectiveAction != nil && strings.TrimSpace(n.CorrectiveAction.Action) != "" {
				return tr(lang, "evlist.part.own-corrective-action", "action", excerpt(n.CorrectiveAction.Action, 60))
			}
		}
		return tr(lang, "evlist.part.own-corrective-action-unnamed")
	}
	return tr(lang, "evlist.part."+pl.Part, "id", pl.PartID)
}

// excerpt is the first line of a text, cut at n characters.
func excerpt(s string, n int) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = strings.TrimSpace(s[:i]) + "…"
	}
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

func tr(lang, key string, args ...any) string { return i18n.M(key, args...).In(lang) }

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func keep(r Row, f Filter) bool {
	q := strings.ToLower(f.Q)
	switch {
	case f.Kind != "" && r.Kind != f.Kind, f.OldOnly && !r.Old:
		return false
	case q != "" && !strings.Contains(strings.ToLower(r.Name), q) && !strings.Contains(strings.ToLower(r.ItemName), q) && !strings.Contains(strings.ToLower(r.PartText), q):
		return false
	}
	return true
}

func sortRows(rows []Row, by string) {
	desc := strings.HasPrefix(by, "-")
	slices.SortStableFunc(rows, func(a, b Row) int {
		var c int
		switch strings.TrimPrefix(by, "-") {
		case "uploaded":
			c = a.UploadedAt.Compare(b.UploadedAt)
		case "name":
			c = cmp.Compare(a.Name, b.Name)
		case "item":
			c = cmp.Or(cmp.Compare(a.ItemKind, b.ItemKind), cmp.Compare(a.ItemName, b.ItemName))
		case "size":
			c = cmp.Compare(a.Size, b.Size)
		}
		if desc {
			return -c
		}
		return c
	})
}

// uploaders names the members by the address their uploads are recorded
// under: the person they are in the ISMS, else their account's name.
func uploaders(r *http.Request, s *store.Store, org string, m *isms.ISMS, lang string) (map[string]string, error) {
	members, err := s.Members(r.Context(), org)
	if err != nil {
		return nil, err
	}
	nm := names.Of(m, lang)
	out := map[string]string{}
	for _, mb := range members {
		u, err := s.UserByID(r.Context(), mb.UserID)
		if err != nil {
			return nil, err
		}
		out[u.Email] = u.Name
		if mb.Person != "" {
			out[u.Email] = nm.Person(mb.Person)
		}
	}
	return out, nil
}

// itemLabels names the item a file belongs to, by the names the pages use.
func itemLabels(m *isms.ISMS, nm *names.Names, lang string) func(isms.EvidencePlace) string {
	other := map[string]string{}
	for _, r := range m.Reviews {
		other["reviews/"+r.ID] = tr(lang, "evlist.review_of", "date", r.Date.String())
	}
	for _, v := range m.Verifications {
		other["verifications/"+v.ID] = nm.Service(v.Service) + " " + v.Control
	}
	for _, a := range m.ExternalAudits {
		other["external_audits/"+a.ID] = a.Date.String() + " " + tr(lang, "regui.ext_audit_kind."+a.Kind)
	}
	for _, t := range m.Trainings {
		other["trainings/"+t.ID] = t.Title
	}
	for _, x := range m.Measurements {
		other["measurements/"+x.ID] = x.What
	}
	for _, n := range m.Nonconformities {
		other["nonconformities/"+n.ID] = n.Description
	}
	return func(p isms.EvidencePlace) string {
		switch p.Kind {
		case "soa_rows":
			return nm.SoA(bundle.SoAKey(*p.SoA)) + " " + p.ID
		case "backups", "monitoring":
			return nm.Service(p.ID)
		}
		if s, ok := other[p.Kind+"/"+p.ID]; ok && s != "" {
			return s
		}
		return nm.Ref(p.Kind, p.ID)
	}
}

// itemURL is the page where the item is edited (an SoA row: its row).
func itemURL(org string, p isms.EvidencePlace) string {
	switch p.Kind {
	case "soa_rows":
		return linked.RowURL(org, bundle.SoAKey(*p.SoA), p.ID)
	case "backups", "monitoring":
		return items.URL(org, p.Kind, bundle.SeqKey(p.Seq))
	}
	return items.URL(org, p.Kind, p.ID)
}

// Size is a file size for people (KB and MB by 1024).
func Size(n int64) string {
	switch {
	case n == 0:
		return "—"
	case n < 1024:
		return fmt.Sprintf("%d B", n)
	case n < 1024*1024:
		return fmt.Sprintf("%.1f KB", float64(n)/1024)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1024*1024))
}

func (a *handlers) listPage(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) {
	asOf := isms.DateOf(a.Now().In(isms.JST))
	f := filterOf(r.URL.Query())
	rows, kinds, err := Rows(r, a.Store, p.Org, p.Lang, asOf, f)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	if site.WantsCSV(r) {
		heads, out := csvRows(p, rows)
		site.WriteCSV(w, p, a.Now(), "evidence", heads, out)
		return
	}
	old := 0
	for _, r := range rows {
		if r.Old {
			old++
		}
	}
	pg := site.Paginate(r, len(rows), pageSize)
	kindChoices := make([]choice, 0, len(kinds))
	for _, k := range kinds {
		kindChoices = append(kindChoices, choice{Value: k, Label: p.T("items.kind." + k), Selected: k == f.Kind})
	}
	p.CSV = site.CSVLink(r)
	p.Title = p.T("evlist.title")
	p.Data = map[string]any{"Rows": rows[pg.From:pg.To], "Total": len(rows), "Old": old, "F": f, "Kinds": kindChoices, "Pager": pg.View(r, p),
		"AsOf": asOf, "Sorts": sortLinks(r, p, f), "Size": Size}
	a.Render(w, http.StatusOK, "evidence-list", p)
}

type choice struct {
	Value, Label string
	Selected     bool
}

// sortLinks are the column headings' links: each sorts by its column, the
// current one the other way round.
func sortLinks(r *http.Request, p *site.Page, f Filter) map[string]string {
	out := map[string]string{}
	for _, s := range sorts {
		q := url.Values{}
		for k, v := range r.URL.Query() {
			q[k] = v
		}
		q.Del("page")
		next := s
		if f.Sort == s {
			next = "-" + s
		}
		q.Set("sort", next)
		out[s] = "/orgs/" + url.PathEscape(p.Org) + "/evidence?" + q.Encode()
	}
	return out
}

func csvRows(p *site.Page, rows []Row) ([]string, [][]string) {
	heads := []string{p.T("evlist.col.file"), p.T("evlist.col.kind"), p.T("evlist.col.item"), p.T("evlist.col.part"), p.T("evlist.col.uploaded"),
		p.T("evlist.col.uploader"), p.T("evlist.col.size"), p.T("evlist.col.interval"), p.T("evlist.col.state"), "SHA-256"}
	out := make([][]string, 0, len(rows))
	for _, r := range rows {
		state := p.T("evlist.current")
		if r.Old {
			state = p.T("evlist.old")
		}
		out = append(out, []string{r.Name, r.ItemKind, r.ItemName, r.PartText, r.Uploaded, r.Uploader, strconv.FormatInt(r.Size, 10),
			p.T("evlist.interval", "days", r.Interval, "basis", p.T("evlist.basis."+r.Basis)), state, r.SHA256})
	}
	return heads, out
}
