package bundle

import (
	"bytes"
	"encoding/json"
	"slices"

	"github.com/cloudisms/cloudisms/internal/isms"
)

// ApprovalKey is the field of an item that holds its approval:
// scope_approval for the organization, approval for the other approvable
// kinds, "" for kinds that are never approved.
func ApprovalKey(kind string) string {
	switch {
	case kind == KindOrganization:
		return "scope_approval"
	case slices.Contains(Approvable, kind):
		return "approval"
	}
	return ""
}

// ApprovalField is the approval an item's data carries, as compact JSON
// (nil when it has none).
func ApprovalField(kind string, data []byte) []byte {
	k := ApprovalKey(kind)
	if k == "" {
		return nil
	}
	var v map[string]json.RawMessage
	if json.Unmarshal(data, &v) != nil {
		return nil
	}
	raw, ok := v[k]
	if !ok || string(raw) == "null" {
		return nil
	}
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return raw
	}
	return b.Bytes()
}

// KeepApproval makes an edited item carry the approval stored with it
// (prev nil: a new item, which carries none), whatever approval the edit
// itself carries: an approval is the act of the signed-in approver,
// recorded by approving, never by editing the item. An edit that repeats
// the stored approval, leaves it out or sends another one is written with
// the stored one.
func KeepApproval(it Item, prev []byte) (Item, error) {
	if ApprovalKey(it.Kind) == "" {
		return it, nil
	}
	in, was := ApprovalField(it.Kind, it.Data), ApprovalField(it.Kind, prev)
	if bytes.Equal(in, was) {
		return it, nil
	}
	m, _, err := decodeItemModel(it.Kind, it.Data, "")
	if err != nil {
		return it, err
	}
	old := &isms.ISMS{}
	if prev != nil {
		if old, _, err = decodeItemModel(it.Kind, prev, ""); err != nil {
			return it, err
		}
	}
	switch it.Kind {
	case KindOrganization:
		m.Organization.ScopeApproval = old.Organization.ScopeApproval
	case "risks":
		keepFirst(m.Risks, old.Risks, func(x **isms.Risk) **isms.RiskApproval { return &(*x).Approval })
	case KindSoA:
		keepFirst(m.SoAs, old.SoAs, func(x *isms.SoA) **isms.Approval { return &x.Approval })
	case "documents":
		keepFirst(m.Documents, old.Documents, func(x *isms.Document) **isms.Approval { return &x.Approval })
	case KindChanges:
		keepFirst(m.Changes, old.Changes, func(x *isms.Change) **isms.Approval { return &x.Approval })
	}
	out, _, err := itemOf(m, it.Kind, it.Key)
	if err != nil {
		return it, err
	}
	return out, nil
}

// keepFirst gives the one item of cur the field at of the one item of old
// (the zero value when old has none).
func keepFirst[T, A any](cur, old []T, at func(*T) *A) {
	var v A
	if len(old) > 0 {
		v = *at(&old[0])
	}
	*at(&cur[0]) = v
}

// ApprovalOfItem is the approver and date an item's data carries (ok
// false when it carries no approval).
func ApprovalOfItem(kind string, data []byte) (by string, on isms.Date, ok bool) {
	raw := ApprovalField(kind, data)
	if raw == nil {
		return "", isms.Date{}, false
	}
	var a struct {
		By   string `json:"by"`
		Date string `json:"date"`
	}
	if json.Unmarshal(raw, &a) != nil || a.By == "" {
		return "", isms.Date{}, false
	}
	d, err := isms.ParseDate(a.Date)
	if err != nil {
		return a.By, isms.Date{}, true
	}
	return a.By, d, true
}
