package items

import (
	"strings"

	"github.com/cloudisms/cloudisms/internal/names"
	"github.com/cloudisms/cloudisms/internal/web/site"
)

// DisplayText is an item as its form reads, on one line: each field's
// label and value, choices by their labels and references by the names of
// what they point at ("リスク所有者: 山田 太郎"), never the keys and ids the
// data holds. Nested rows and files are left out. A kind the item engine
// does not define gives "".
func DisplayText(p *site.Page, kind string, data []byte, nm *names.Names) string {
	def, ok := kindOf(kind)
	if !ok {
		return ""
	}
	d := decodeObj(data)
	rl := refLabels{}
	var parts []string
	for _, f := range def.Fields {
		v, ok := d[f.Name]
		if !ok || f.Name == "id" {
			continue
		}
		switch f.Type {
		case fGroup, fGroups, fEvidence, fApproval:
			continue
		case fRef, fRefs:
			ids := textList(v)
			if f.Type == fRef {
				ids = []string{scalarText(v)}
			}
			if rl[f.Ref] == nil {
				rl[f.Ref] = map[string]string{}
			}
			for _, id := range ids {
				rl[f.Ref][id] = nm.Ref(f.Ref, id)
			}
		}
		if s := strings.TrimSpace(showValue(p, rl, f, v)); s != "" {
			parts = append(parts, p.T(f.LabelKey())+": "+s)
		}
	}
	return strings.Join(parts, " · ")
}
