package items

import (
	"net/url"
	"strings"

	"github.com/cloudisms/cloudisms/internal/conformity"
	"github.com/cloudisms/cloudisms/internal/web/site"
)

// HistoryURL is the change history of an item.
func HistoryURL(org, kind, key string) string {
	return "/orgs/" + url.PathEscape(org) + "/history/" + kind + "/" + escapeKey(key)
}

// HTMLID is the id of a field's element on an item form, so that a link
// can point at the field (…#f-cloud_scope).
func HTMLID(name string) string {
	return "f-" + strings.NewReplacer("[", "-", "]", "", ".", "--").Replace(name)
}

// AboutParam names the finding a new-item form was opened for, so that
// the form shows what it fixes; no field of any kind has this name.
const AboutParam = "finding"

// AboutOf is a finding as AboutParam carries it: rule and subject.
func AboutOf(f conformity.Finding) string { return f.Rule + " " + f.Subject }

// listURL is the list of a kind: its own register where it has one.
func listURL(org string, def *kindDef) string {
	if def.ListPath != "" {
		return "/orgs/" + url.PathEscape(org) + "/" + def.ListPath
	}
	return "/orgs/" + url.PathEscape(org) + "/items/" + def.Kind
}

// Link is a labelled link an item page offers.
type Link struct{ Label, URL string }

// related are the links other areas add to the forms of a kind.
var related = map[string][]RelatedFunc{}

// RelatedFunc is a link about a stored item (its key and values), and
// whether it applies to it.
type RelatedFunc func(p *site.Page, key string, data map[string]any) (Link, bool)

// AddRelated adds a link to the form of every stored item of a kind (an
// asset's form offers "add a risk for this asset").
func AddRelated(kind string, f RelatedFunc) {
	related[kind] = append(related[kind], f)
}

func relatedLinks(p *site.Page, kind, key string, data map[string]any) []Link {
	if key == "" {
		return nil
	}
	var out []Link
	for _, f := range related[kind] {
		if l, ok := f(p, key, data); ok {
			out = append(out, l)
		}
	}
	return out
}
