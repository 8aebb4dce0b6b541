package bundle

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// ErrNoAction is a corrective action asked for where the item holds none:
// no such finding, or a finding or nonconformity whose corrective action
// has not been decided.
var ErrNoAction = errors.New("no corrective action there")

// ActionKinds are the item kinds that hold corrective actions with an
// owner: internal audits and the certification body's audits (on their
// findings) and the nonconformities register (on the item itself).
var ActionKinds = []string{"audits", "external_audits", "nonconformities"}

// SetActionOwner gives one corrective action in an item's stored data to
// owner: the action of the finding findingID of an audit, or of the item
// itself for a nonconformity (findingID ""). It returns the new data and
// the previous owner; every other field is kept as it was. The result is
// still to be decoded (DecodeItem) before it is stored, which checks it.
func SetActionOwner(kind string, data []byte, findingID, owner string) ([]byte, string, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var item map[string]any
	if err := dec.Decode(&item); err != nil {
		return nil, "", fmt.Errorf("%s data: %w", kind, err)
	}
	holder := item
	switch kind {
	case "nonconformities":
		if findingID != "" {
			return nil, "", fmt.Errorf("nonconformity %v has no findings (asked for %q): %w", item["id"], findingID, ErrNoAction)
		}
	case "audits", "external_audits":
		holder = nil
		list, _ := item["findings"].([]any)
		for _, f := range list {
			if fm, ok := f.(map[string]any); ok && fm["id"] == findingID {
				holder = fm
				break
			}
		}
		if holder == nil {
			return nil, "", fmt.Errorf("%s %v has no finding %q: %w", kind, item["id"], findingID, ErrNoAction)
		}
	default:
		return nil, "", fmt.Errorf("%s holds no corrective actions (expected one of %v): %w", kind, ActionKinds, ErrNoAction)
	}
	ca, ok := holder["corrective_action"].(map[string]any)
	if !ok {
		return nil, "", fmt.Errorf("%s %v %s: %w", kind, item["id"], findingID, ErrNoAction)
	}
	before, _ := ca["owner"].(string)
	ca["owner"] = owner
	out, err := json.Marshal(item)
	if err != nil {
		return nil, "", fmt.Errorf("%s data: %w", kind, err)
	}
	return out, before, nil
}
