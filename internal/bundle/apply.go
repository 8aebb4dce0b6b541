package bundle

import (
	"slices"

	"github.com/cloudisms/cloudisms/internal/isms"
)

// Apply returns a new ISMS that is m with one item changed: replaced when
// m has it, added after the others of its kind when it does not, removed
// when data is nil. m is not modified; the result shares every unchanged
// element with it. The item must already have been validated (DecodeItem)
// and its references checked, as a store does before writing it.
//
// It saves a store from reloading a large ISMS after each edit: replacing
// one risk among 50,000 costs a copy of the list instead of decoding every
// item again. Apply reports false for changes it does not make
// incrementally (items keyed by position, SoA headers, the risk criteria,
// a change of Annex A edition, data that does not decode); the caller then
// loads the ISMS afresh.
func Apply(m *isms.ISMS, kind, key string, data []byte) (*isms.ISMS, bool) {
	var one *isms.ISMS
	if data != nil {
		var err error
		if one, _, err = decodeItemModel(kind, data, m.Organization.AnnexA); err != nil {
			return nil, false
		}
	}
	out := *m
	ok := true
	switch kind {
	case KindOrganization:
		// A new Annex A edition changes how every control id reads.
		if one == nil || one.Organization.AnnexA != m.Organization.AnnexA {
			return nil, false
		}
		out.Organization = one.Organization
	case "units":
		out.Units, ok = splice(m.Units, key, pick(one, func(x *isms.ISMS) []isms.Unit { return x.Units }), func(x isms.Unit) string { return x.ID })
	case "people":
		out.People, ok = splice(m.People, key, pick(one, func(x *isms.ISMS) []isms.Person { return x.People }), func(x isms.Person) string { return x.ID })
	case "sites":
		out.Sites, ok = splice(m.Sites, key, pick(one, func(x *isms.ISMS) []isms.Site { return x.Sites }), func(x isms.Site) string { return x.ID })
	case "systems":
		out.Systems, ok = splice(m.Systems, key, pick(one, func(x *isms.ISMS) []isms.System { return x.Systems }), func(x isms.System) string { return x.ID })
	case "suppliers":
		out.Suppliers, ok = splice(m.Suppliers, key, pick(one, func(x *isms.ISMS) []isms.Supplier { return x.Suppliers }), func(x isms.Supplier) string { return x.ID })
	case "cloud_services":
		out.Services, ok = splice(m.Services, key, pick(one, func(x *isms.ISMS) []isms.CloudService { return x.Services }), func(x isms.CloudService) string { return x.ID })
	case "documents":
		out.Documents, ok = splice(m.Documents, key, pick(one, func(x *isms.ISMS) []isms.Document { return x.Documents }), func(x isms.Document) string { return x.ID })
	case "assets":
		out.Assets, ok = splice(m.Assets, key, pick(one, func(x *isms.ISMS) []isms.Asset { return x.Assets }), func(x isms.Asset) string { return x.ID })
	case "risk_sources":
		out.RiskSources, ok = splice(m.RiskSources, key, pick(one, func(x *isms.ISMS) []isms.RiskSource { return x.RiskSources }), func(x isms.RiskSource) string { return x.ID })
	case "risks":
		// The decoded risk is a new Risk of a new model: splice puts its pointer
		// in a copy of the pointer list, and the old risk is left as it was.
		out.Risks, ok = splice(m.Risks, key, pick(one, func(x *isms.ISMS) []*isms.Risk { return x.Risks }), func(x *isms.Risk) string { return x.ID })
	case KindSoARows:
		out.SoAs, ok = spliceRow(m.SoAs, key, one)
	default:
		if !applyRegister(&out, m, one, kind, key) {
			return nil, false
		}
	}
	if !ok {
		return nil, false
	}
	return &out, true
}

// pick is the one decoded element of a kind (nil for a deletion).
func pick[T any](one *isms.ISMS, list func(*isms.ISMS) []T) *T {
	if one == nil {
		return nil
	}
	l := list(one)
	if len(l) != 1 {
		return nil
	}
	return &l[0]
}

// splice returns a copy of list with the element keyed key replaced by v,
// v appended when there is none, or the element removed when v is nil.
func splice[T any](list []T, key string, v *T, id func(T) string) ([]T, bool) {
	i := slices.IndexFunc(list, func(x T) bool { return id(x) == key })
	switch {
	case v != nil && id(*v) != key:
		return nil, false // the id moved: not one item's change
	case v == nil && i < 0:
		return nil, false
	case v == nil:
		if len(list) == 1 {
			return nil, true // an emptied list reads as absent, as Join gives it
		}
		return slices.Delete(slices.Clone(list), i, i+1), true
	case i < 0:
		return append(slices.Clip(list), *v), true
	}
	out := slices.Clone(list)
	out[i] = *v
	return out, true
}

// spliceRow changes one row of one SoA ("soa-key/control").
func spliceRow(soas []isms.SoA, key string, one *isms.ISMS) ([]isms.SoA, bool) {
	var row *isms.SoARow
	if one != nil {
		if len(one.SoAs) != 1 || len(one.SoAs[0].Rows) != 1 {
			return nil, false
		}
		row = &one.SoAs[0].Rows[0]
	}
	for i := range soas {
		prefix := SoAKey(soas[i]) + "/"
		if len(key) <= len(prefix) || key[:len(prefix)] != prefix {
			continue
		}
		rows, ok := splice(soas[i].Rows, key[len(prefix):], row, func(r isms.SoARow) string { return r.Control })
		if !ok {
			return nil, false
		}
		out := slices.Clone(soas)
		out[i].Rows = rows
		return out, true
	}
	return nil, false
}
