// Package names renders the ids of an ISMS as the names people read:
// 山田 太郎 rather than p-ceo, サンプル勤怠（プロバイダ） rather than
// svc-kintai:provider, 組織全体 rather than organization. Pages show the
// name and keep the id for a tooltip or the URL. It is pure: an ISMS and a
// language in, text out.
package names

import (
	"strings"
	"sync"

	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/isms"
)

// Names looks up the names of one ISMS's items in one language. A nil
// *Names names nothing: every id is shown as it is.
type Names struct {
	lang     string
	people   map[string]string
	services map[string]string
	docs     map[string]string
	assets   *lazyIndex
	other    map[string]map[string]string // by kind
	// risks (and assets) are indexed on first use: few pages name them by
	// id, and a 50,000-risk register with its 20,000 assets is most of the
	// cost of indexing an ISMS, made again after every edit.
	risks *lazyIndex
}

// lazyIndex finds the name of an item of a long list (risks, assets) by
// id. It indexes the list's positions when first read, by whichever
// goroutine reads it first (Names are shared between requests), and can
// take the index of an earlier version of the list (Carry): an edit
// replaces or appends an item and leaves the others where they were, so
// the positions stay right for every item but a changed one, and every
// lookup checks the id at the position it finds. An index that fails a
// lookup is made again from this version's list, once.
type lazyIndex struct {
	n    int
	id   func(i int) string
	name func(i int) string

	mu  sync.Mutex
	pos *posIndex
	own bool // pos was made from this list
}

// posIndex is the position of each id in one version of a list.
type posIndex struct {
	once  sync.Once
	build func() map[string]int
	m     map[string]int
}

func (p *posIndex) get(id string) (int, bool) {
	p.once.Do(func() { p.m, p.build = p.build(), nil })
	i, ok := p.m[id]
	return i, ok
}

func newLazyIndex(n int, id, name func(i int) string, carried *lazyIndex) *lazyIndex {
	l := &lazyIndex{n: n, id: id, name: name}
	if carried != nil {
		carried.mu.Lock()
		l.pos = carried.pos
		carried.mu.Unlock()
	}
	if l.pos == nil {
		l.pos, l.own = l.positions(), true
	}
	return l
}

func (l *lazyIndex) positions() *posIndex {
	n, id := l.n, l.id
	return &posIndex{build: func() map[string]int {
		out := make(map[string]int, n)
		for i := range n {
			out[id(i)] = i
		}
		return out
	}}
}

func (l *lazyIndex) get(id string) string {
	if l == nil {
		return ""
	}
	l.mu.Lock()
	pos, own := l.pos, l.own
	l.mu.Unlock()
	if i, ok := pos.get(id); ok && i < l.n && l.id(i) == id {
		return l.name(i)
	}
	if own {
		return "" // this version's own index: the id is not in the list
	}
	l.mu.Lock()
	if !l.own {
		l.pos, l.own = l.positions(), true
	}
	pos = l.pos
	l.mu.Unlock()
	if i, ok := pos.get(id); ok {
		return l.name(i)
	}
	return ""
}

// Of indexes the names of an ISMS for pages in lang.
func Of(m *isms.ISMS, lang string) *Names { return Carry(m, lang, nil) }

// Carry is Of for the ISMS after a change of the one prev named: the
// positions of its risks and assets, the long lists, are taken over
// instead of indexed again (prev nil: none to take).
func Carry(m *isms.ISMS, lang string, prev *Names) *Names {
	n := &Names{lang: lang, people: map[string]string{}, services: map[string]string{}, docs: map[string]string{},
		other: map[string]map[string]string{}}
	if m == nil {
		return n
	}
	for _, p := range m.People {
		n.people[p.ID] = p.Name
	}
	for _, s := range m.Services {
		n.services[s.ID] = s.Name
	}
	for _, d := range m.Documents {
		n.docs[d.ID] = d.Title
	}
	var prevAssets, prevRisks *lazyIndex
	if prev != nil {
		prevAssets, prevRisks = prev.assets, prev.risks
	}
	assets := m.Assets
	n.assets = newLazyIndex(len(assets), func(i int) string { return assets[i].ID }, func(i int) string { return assets[i].Name }, prevAssets)
	add := func(kind, id, name string) {
		if n.other[kind] == nil {
			n.other[kind] = map[string]string{}
		}
		n.other[kind][id] = name
	}
	for _, u := range m.Units {
		add("units", u.ID, u.Name)
	}
	for _, s := range m.Sites {
		add("sites", s.ID, s.Name)
	}
	for _, s := range m.Systems {
		add("systems", s.ID, s.Name)
	}
	for _, s := range m.Suppliers {
		add("suppliers", s.ID, s.Name)
	}
	risks := m.Risks
	n.risks = newLazyIndex(len(risks), func(i int) string { return risks[i].ID }, func(i int) string { return risks[i].Title }, prevRisks)
	for _, l := range m.Legal {
		add("legal", l.ID, l.Name)
	}
	for _, a := range m.Audits {
		add("audits", a.ID, a.Title)
	}
	for _, o := range m.Objectives {
		add("objectives", o.ID, o.Title)
	}
	for _, x := range m.Incidents {
		add("incidents", x.ID, x.Title)
	}
	// A certificate is known by its registration number.
	for _, c := range m.Certificates {
		add("certificates", c.ID, c.Number)
	}
	return n
}

// In is the same names for pages in another language. The indexes are
// shared, not copied: they depend on the ISMS alone, so a caller that keeps
// the names of a model may index it once and serve every language from it.
func (n *Names) In(lang string) *Names {
	if n == nil {
		return nil
	}
	c := *n
	c.lang = lang
	return &c
}

// or is name, else the id itself (an id that names nothing is shown as
// it is, so that a dangling reference is visible).
func or(name, id string) string {
	if strings.TrimSpace(name) == "" {
		return id
	}
	return name
}

// Person is a person's name.
func (n *Names) Person(id string) string {
	if n == nil {
		return id
	}
	return or(n.people[id], id)
}

// Service is a cloud service's name.
func (n *Names) Service(id string) string {
	if n == nil {
		return id
	}
	return or(n.services[id], id)
}

// Document is a document's title.
func (n *Names) Document(id string) string {
	if n == nil {
		return id
	}
	return or(n.docs[id], id)
}

// Asset is an asset's name.
func (n *Names) Asset(id string) string {
	if n == nil {
		return id
	}
	return or(n.assets.get(id), id)
}

// Role is a service role in words: プロバイダ, customer.
func (n *Names) Role(role string) string {
	if n == nil {
		return role
	}
	return i18n.M("role." + role).In(n.lang)
}

// ServiceRole is a service in a role: サンプル勤怠（プロバイダ）.
func (n *Names) ServiceRole(service, role string) string {
	return i18n.M("names.service_role", "service", n.Service(service), "role", n.Role(role)).In(n.lang)
}

// SoA names a statement of applicability by its key: 組織全体 for
// "organization", サンプル勤怠（プロバイダ） for "svc-kintai:provider".
func (n *Names) SoA(key string) string {
	if n == nil {
		return key
	}
	if key == "organization" || key == "" {
		return i18n.M("names.org_soa").In(n.lang)
	}
	svc, role, ok := strings.Cut(key, ":")
	if !ok {
		return key
	}
	return n.ServiceRole(svc, role)
}

// Ref is the name of an item of a kind ("provider": self or a supplier;
// an SoA by its key, organization or service:role).
func (n *Names) Ref(kind, id string) string {
	if n == nil {
		return id
	}
	switch kind {
	case "people":
		return n.Person(id)
	case "cloud_services":
		return n.Service(id)
	case "documents":
		return n.Document(id)
	case "assets":
		return n.Asset(id)
	case "provider":
		if id == isms.ProviderSelf {
			return i18n.M("items.self").In(n.lang)
		}
		return or(n.other["suppliers"][id], id)
	case "risks":
		return or(n.risks.get(id), id)
	case "soa":
		return n.SoA(id)
	case "organization":
		return n.Subject(id)
	}
	return or(n.other[kind][id], id)
}

// Refs joins the names of several items of a kind with the language's
// list separator.
func (n *Names) Refs(kind string, ids []string) string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = n.Ref(kind, id)
	}
	return strings.Join(out, i18n.List(n.lang))
}

// Subject names a finding's subject, a path such as risks/r-01,
// soa/svc-kintai/provider/5.23 or cloud_services/svc-iaas/uses: the item it
// points at by name (the SoA by its name, then the row's control), and
// what follows the item as it is. The path itself stays for tooltips.
func (n *Names) Subject(subject string) string {
	if n == nil {
		return subject
	}
	if subject == "organization" {
		return i18n.M("names.organization").In(n.lang)
	}
	parts := strings.Split(subject, "/")
	if len(parts) < 2 {
		return subject
	}
	var head string
	var rest []string
	if parts[0] == "soa" {
		if parts[1] == "organization" {
			head, rest = n.SoA("organization"), parts[2:]
		} else if len(parts) >= 3 {
			head, rest = n.SoA(parts[1]+":"+parts[2]), parts[3:]
		} else {
			return subject
		}
	} else {
		head, rest = n.Ref(parts[0], parts[1]), parts[2:]
	}
	if len(rest) == 0 {
		return head
	}
	return head + " › " + strings.Join(rest, " › ")
}
