package bundle

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/cloudisms/cloudisms/internal/catalog"
	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/isms"
)

// Item kinds: the bundle's top-level keys, plus soa_rows (the rows of all
// SoAs, kept apart so that one row is edited, versioned and approved
// without touching its neighbours).
const (
	KindOrganization = "organization"
	KindCriteria     = "risk_criteria"
	KindSoA          = "soa"
	KindSoARows      = "soa_rows"
)

// Kinds lists every item kind in bundle order.
var Kinds = []string{
	KindOrganization, "units", "people", "sites", "systems", "suppliers", "cloud_services", "documents", "assets",
	KindCriteria, "risk_sources", "risk_sources_not_applicable", "risks", KindSoA, KindSoARows, "responsibilities",
	"verifications", "legal", "backups", "monitoring", "audits", "reviews",
	// Version 2 registers.
	KindCertificates, KindExternalAudits, KindContextIssues, KindInterestedParties, KindOpportunities,
	KindObjectives, KindCompetenceRequirements, KindTrainings, KindCommunications, KindChanges,
	KindMeasurements, KindNonconformities, KindIncidents,
}

// IsKind reports whether k is an item kind.
func IsKind(k string) bool {
	for _, x := range Kinds {
		if x == k {
			return true
		}
	}
	return false
}

// Item is one stored piece of an ISMS: the unit of editing, versioning and
// history. Data is the item in bundle form, as JSON.
type Item struct {
	Kind  string
	Key   string
	Data  []byte
	Label string // a name or title, for lists and sorting
	Owner string // a person id, where the item has an owner
}

// SoAKey names an SoA: "organization", or "service:role".
func SoAKey(s isms.SoA) string {
	if s.IsOrganization() {
		return "organization"
	}
	return s.Service + ":" + s.Role
}

// SeqKey is the key of the i-th item (from 0) of a kind whose items have
// no id of their own (backups, monitoring, responsibilities): 000001, ...
func SeqKey(i int) string { return fmt.Sprintf("%06d", i+1) }

// Split cuts an ISMS into items in document order. Items without an id of
// their own get a key from their position (000001, 000002, ...).
func Split(m *isms.ISMS) []Item {
	var out []Item
	add := func(kind, key, label, owner string, n *enode) {
		if n == nil {
			n = &enode{kind: mapNode}
		}
		out = append(out, Item{Kind: kind, Key: key, Data: toJSON(n), Label: label, Owner: owner})
	}
	add(KindOrganization, KindOrganization, m.Organization.Name, "", organization(m.Organization))
	for _, x := range m.Units {
		add("units", x.ID, x.Name, "", unit(x))
	}
	for _, x := range m.People {
		add("people", x.ID, x.Name, "", person(x))
	}
	for _, x := range m.Sites {
		add("sites", x.ID, x.Name, "", site(x))
	}
	for _, x := range m.Systems {
		add("systems", x.ID, x.Name, "", system(x))
	}
	for _, x := range m.Suppliers {
		add("suppliers", x.ID, x.Name, "", supplier(x))
	}
	for _, x := range m.Services {
		add("cloud_services", x.ID, x.Name, "", service(x))
	}
	for _, x := range m.Documents {
		add("documents", x.ID, x.Title, "", document(x))
	}
	for _, x := range m.Assets {
		add("assets", x.ID, x.Name, x.Owner, asset(x))
	}
	add(KindCriteria, KindCriteria, m.Criteria.Method, "", criteria(m.Criteria))
	for _, x := range m.RiskSources {
		add("risk_sources", x.ID, x.Title, "", riskSource(x))
	}
	for i, x := range m.SourcesNotApplicable {
		add("risk_sources_not_applicable", SeqKey(i), x.Source, "", notApplicable(x))
	}
	for _, x := range m.Risks {
		add("risks", x.ID, x.Title, x.Owner, risk(x))
	}
	for _, x := range m.SoAs {
		add(KindSoA, SoAKey(x), SoAKey(x), "", soaHeader(x).node())
	}
	for _, x := range m.SoAs {
		for _, r := range x.Rows {
			add(KindSoARows, SoAKey(x)+"/"+r.Control, r.Control, "", soaRow(r))
		}
	}
	for i, x := range m.Responsibilities {
		add("responsibilities", SeqKey(i), x.Area, "", responsibility(x))
	}
	for _, x := range m.Verifications {
		add("verifications", x.ID, x.Service+" "+x.Control, "", verification(x))
	}
	for _, x := range m.Legal {
		add("legal", x.ID, x.Name, "", legal(x))
	}
	for i, x := range m.Backups {
		add("backups", SeqKey(i), x.Service, "", backup(x))
	}
	for i, x := range m.Monitoring {
		add("monitoring", SeqKey(i), x.Service, "", monitoring(x))
	}
	for _, x := range m.Audits {
		add("audits", x.ID, x.Title, "", audit(x))
	}
	for _, x := range m.Reviews {
		add("reviews", x.ID, x.Date.String(), x.Chair, review(x))
	}
	splitRegisters(m, add)
	return out
}

// Join rebuilds an ISMS from items (in kind and position order) and
// validates it as a whole, exactly as Decode validates a bundle. name
// labels error messages.
func Join(name string, items []Item) (*isms.ISMS, error) {
	root := &node{kind: mapNode}
	put := func(key string, v *node) {
		root.kids = append(root.kids, &node{kind: scalarNode, tag: "str", value: key}, v)
	}
	put("format", &node{kind: scalarNode, tag: "str", value: isms.Format})
	lists := map[string]*node{}
	soas := map[string]*node{}
	var order []string
	for i, it := range items {
		n, err := parseJSON(it.Data)
		if err != nil {
			return nil, Errors{{File: name, Path: it.Kind + "/" + it.Key, Msg: i18n.M("bundle.syntax", "detail", err.Error())}}
		}
		switch it.Kind {
		case KindOrganization, KindCriteria:
			put(it.Kind, n)
			continue
		case KindSoARows:
			soaKey, _, _ := strings.Cut(it.Key, "/")
			s := soas[soaKey]
			if s == nil {
				return nil, Errors{{File: name, Path: it.Kind + "/" + it.Key, Msg: i18n.M("bundle.unknown_ref", "id", soaKey, "list", KindSoA)}}
			}
			rows := mapValue(s, "rows")
			if rows == nil {
				rows = &node{kind: seqNode}
				s.kids = append(s.kids, &node{kind: scalarNode, tag: "str", value: "rows"}, rows)
			}
			rows.kids = append(rows.kids, n)
			continue
		case KindSoA:
			soas[it.Key] = n
		}
		if !IsKind(it.Kind) {
			return nil, fmt.Errorf("item %d: unknown kind %q", i, it.Kind)
		}
		l := lists[it.Kind]
		if l == nil {
			l = &node{kind: seqNode}
			lists[it.Kind] = l
			order = append(order, it.Kind)
		}
		l.kids = append(l.kids, n)
	}
	for _, k := range Kinds {
		if l := lists[k]; l != nil {
			put(k, l)
		}
	}
	if lists["cloud_services"] == nil {
		put("cloud_services", &node{kind: seqNode})
	}
	d := &decoder{file: name, cat: catalog.Std(), seen: map[string]map[string]int{}}
	m := d.top(root)
	d.resolve(m)
	if len(d.errs) > 0 {
		for i := range d.errs {
			d.errs[i].Line = 0 // lines within one item's JSON mean nothing here
		}
		return nil, d.errs
	}
	return m, nil
}

func mapValue(n *node, key string) *node {
	for i := 0; i+1 < len(n.kids); i += 2 {
		if n.kids[i].value == key {
			return n.kids[i+1]
		}
	}
	return nil
}

// Ref is a reference from an item to an id of another list (people,
// cloud_services, ...; "provider" is self or a supplier; "source" a risk
// source of the library or of risk_sources).
type Ref struct {
	List string
	ID   string
	Path string
	Line int // in the document, where known (0: unknown)
}

// DecodeItem reads one item of a kind from JSON with the same strict checks
// as a bundle: fields, types, enumerations, dates, and control ids against
// the catalogs of the organization's Annex A edition. References to other
// items are returned for the caller, which knows what the store holds. key
// names items without an id of their own; an item with an id is keyed by it.
func DecodeItem(kind, key string, data []byte, edition string) (Item, []Ref, error) {
	m, refs, err := decodeItemModel(kind, data, edition)
	if err != nil {
		return Item{}, nil, err
	}
	it, _, err := itemOf(m, kind, key)
	return it, refs, err
}

// decodeItemModel reads one item into an otherwise empty ISMS.
func decodeItemModel(kind string, data []byte, edition string) (*isms.ISMS, []Ref, error) {
	n, err := parseJSON(data)
	if err != nil {
		return nil, nil, Errors{{File: kind, Msg: i18n.M("bundle.syntax", "detail", err.Error())}}
	}
	d := &decoder{file: kind, cat: catalog.Std(), seen: map[string]map[string]int{}}
	m := &isms.ISMS{}
	p := kind
	if n.kind != mapNode {
		d.wrongType(n, p, "object")
		return nil, nil, d.errs
	}
	switch kind {
	case KindOrganization:
		d.organization(n, p, &m.Organization)
	case KindCriteria:
		d.criteria(n, p, &m.Criteria)
	case "units":
		m.Units = append(m.Units, d.unit(n, p))
	case "people":
		m.People = append(m.People, d.person(n, p))
	case "sites":
		m.Sites = append(m.Sites, d.site(n, p))
	case "systems":
		m.Systems = append(m.Systems, d.system(n, p))
	case "suppliers":
		m.Suppliers = append(m.Suppliers, d.supplier(n, p))
	case "cloud_services":
		m.Services = append(m.Services, d.service(n, p))
	case "documents":
		m.Documents = append(m.Documents, d.document(n, p))
	case "assets":
		m.Assets = append(m.Assets, d.asset(n, p))
	case "risk_sources":
		m.RiskSources = append(m.RiskSources, d.riskSource(n, p))
	case "risk_sources_not_applicable":
		var s isms.SourceNotApplicable
		d.object(n, p, []field{
			{"source", true, func(v *node, p string) { s.Source = d.refTo(v, p, "source") }},
			{"reason", false, func(v *node, p string) { s.Reason = d.str(v, p) }},
		})
		m.SourcesNotApplicable = append(m.SourcesNotApplicable, s)
	case "risks":
		r := d.risk(n, p)
		m.Risks = append(m.Risks, &r)
	case KindSoA:
		s := d.soa(n, p)
		if len(s.Rows) > 0 {
			d.fail(n, p+".rows", i18n.M("bundle.unknown_key", "key", "rows", "allowed", "service, role, approval"))
		}
		m.SoAs = append(m.SoAs, s)
	case KindSoARows:
		m.SoAs = []isms.SoA{{Rows: []isms.SoARow{d.soaRow(n, p)}}}
	case "responsibilities":
		m.Responsibilities = append(m.Responsibilities, d.responsibility(n, p))
	case "verifications":
		m.Verifications = append(m.Verifications, d.verification(n, p))
	case "legal":
		m.Legal = append(m.Legal, d.legal(n, p))
	case "backups":
		m.Backups = append(m.Backups, d.backup(n, p))
	case "monitoring":
		m.Monitoring = append(m.Monitoring, d.monitoring(n, p))
	case "audits":
		m.Audits = append(m.Audits, d.audit(n, p))
	case "reviews":
		m.Reviews = append(m.Reviews, d.review(n, p))
	default:
		if !d.decodeRegister(kind, n, p, m) {
			return nil, nil, fmt.Errorf("unknown kind %q", kind)
		}
	}
	var refs []Ref
	for _, r := range d.refs {
		if r.kind == "control" {
			d.checkControl(r, edition)
			continue
		}
		if r.kind == "source" {
			if _, ok := d.cat.Source(r.id); ok {
				continue
			}
		}
		refs = append(refs, Ref{List: r.kind, ID: r.id, Path: r.path})
	}
	if len(d.errs) > 0 {
		return nil, nil, d.errs
	}
	return m, refs, nil
}

// itemOf cuts the one item of a kind out of an ISMS that holds only it.
func itemOf(m *isms.ISMS, kind, key string) (Item, []Ref, error) {
	for _, it := range Split(m) {
		if it.Kind != kind {
			continue
		}
		switch kind {
		case KindSoARows, "responsibilities", "risk_sources_not_applicable", "backups", "monitoring":
			it.Key = key
		}
		return it, nil, nil
	}
	return Item{}, nil, fmt.Errorf("decode item %s: nothing decoded", kind)
}

// Approvable kinds: what an approval can be recorded on.
var Approvable = []string{KindOrganization, "risks", KindSoA, "documents", KindChanges}

// SetApproval records an approval in an item: the scope approval of the
// organization, or the approval of a risk (with the residual acceptance),
// an SoA or a document. The item's data is otherwise unchanged. The
// reference it returns is the approver, for the store to check.
func SetApproval(kind, key string, data []byte, by string, on isms.Date, residualAccepted *bool) (Item, []Ref, error) {
	m, _, err := decodeItemModel(kind, data, "")
	if err != nil {
		return Item{}, nil, err
	}
	refs := []Ref{{List: "people", ID: by, Path: "approval.by"}}
	a := &isms.Approval{By: by, Date: on}
	switch kind {
	case KindOrganization:
		m.Organization.ScopeApproval = a
		refs[0].Path = "scope_approval.by"
	case "risks":
		m.Risks[0].Approval = &isms.RiskApproval{By: by, Date: on, ResidualAccepted: residualAccepted}
	case KindSoA:
		m.SoAs[0].Approval = a
	case "documents":
		m.Documents[0].Approval = a
	case KindChanges:
		m.Changes[0].Approval = a
	default:
		return Item{}, nil, fmt.Errorf("%s cannot be approved", kind)
	}
	it, _, err := itemOf(m, kind, key)
	return it, refs, err
}

// ApprovedContent is what an approval covers: the item without its
// approval fields, as canonical JSON. A change to it makes the approval
// stale; recording the approval itself does not.
func ApprovedContent(data []byte) []byte {
	var v map[string]any
	if err := json.Unmarshal(data, &v); err != nil {
		return data
	}
	delete(v, "approval")
	delete(v, "scope_approval")
	out, _ := json.Marshal(v) // map keys come out sorted: a stable form
	return out
}

// toJSON writes an enode as compact JSON.
func toJSON(n *enode) []byte {
	var b bytes.Buffer
	writeJSONNode(&b, n)
	return b.Bytes()
}

func writeJSONNode(b *bytes.Buffer, n *enode) {
	switch n.kind {
	case mapNode:
		b.WriteByte('{')
		for i := 0; i+1 < len(n.kids); i += 2 {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSONString(b, n.kids[i].value)
			b.WriteByte(':')
			writeJSONNode(b, n.kids[i+1])
		}
		b.WriteByte('}')
	case seqNode:
		b.WriteByte('[')
		for i, k := range n.kids {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSONNode(b, k)
		}
		b.WriteByte(']')
	default:
		if !n.text && n.json != jsonString {
			b.WriteString(n.value)
			return
		}
		writeJSONString(b, n.value)
	}
}

func writeJSONString(b *bytes.Buffer, s string) {
	enc, _ := json.Marshal(s)
	b.Write(enc)
}

// EncodeJSON writes an ISMS as a JSON bundle (the same content and key
// order as the canonical YAML).
func EncodeJSON(m *isms.ISMS) []byte { return toJSON(top(m)) }
