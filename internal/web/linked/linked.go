// Package linked shows on the pages of assets, risks, cloud services and SoA rows
// the records linked with them elsewhere in the ISMS, by name, each a link
// to its own page.
package linked

import (
	"bytes"
	"html/template"
	"net/http"
	"net/url"

	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/names"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/web/items"
	"github.com/cloudisms/cloudisms/internal/web/site"
)

func init() { site.AddItemPanel(panel) }

// linksOf are the linked records of the kinds that show them.
var linksOf = map[string]func(m *isms.ISMS, key string) []isms.LinkGroup{
	"assets":         isms.AssetLinks,
	"risks":          isms.RiskLinks,
	"cloud_services": isms.ServiceLinks,
}

type linkView struct{ Name, URL string }

type groupView struct {
	Kind  string
	Links []linkView
}

var panelTemplate = template.Must(template.New("linked").Parse(`<section class="linked-records" id="linked" aria-labelledby="linked-h">
<h2 id="linked-h">{{.Title}}</h2>
<dl class="pairs">{{range .Groups}}<dt>{{.Kind}}</dt><dd><ul class="plain">{{range .Links}}<li><a href="{{.URL}}">{{.Name}}</a></li>{{end}}</ul></dd>{{end}}</dl>
</section>`))

func panel(app *site.App, r *http.Request, p *site.Page, m store.Membership, kind, key string) template.HTML {
	f, ok := linksOf[kind]
	if !ok {
		return ""
	}
	model, err := app.Store.ISMS(r.Context(), p.Org)
	if err != nil {
		app.Log.Error("linked records", "err", err)
		return ""
	}
	return Render(p, names.Of(model, p.Lang), f(model, key))
}

// Render draws linked records as the panel of an item's page: each group
// under its kind, each item by name as a link to its own page ("" when
// there is nothing linked).
func Render(p *site.Page, nm *names.Names, groups []isms.LinkGroup) template.HTML {
	if len(groups) == 0 {
		return ""
	}
	d := struct {
		Title  string
		Groups []groupView
	}{Title: p.T("linked.title")}
	for _, g := range groups {
		gv := groupView{Kind: p.T("linked.kind." + g.Kind)}
		for _, it := range g.Items {
			gv.Links = append(gv.Links, view(p.Org, nm, it))
		}
		d.Groups = append(d.Groups, gv)
	}
	var b bytes.Buffer
	if err := panelTemplate.Execute(&b, d); err != nil {
		return "" // the template is fixed and its data plain text: cannot fail
	}
	return template.HTML(b.String())
}

// view names a linked item and points at its page.
func view(org string, nm *names.Names, it isms.LinkedItem) linkView {
	name := func(s string) string {
		if it.Name != "" {
			return it.Name
		}
		return s
	}
	o := url.PathEscape(org)
	switch it.Kind {
	case "soa_rows":
		key := bundle.SoAKey(*it.SoA)
		return linkView{Name: nm.SoA(key) + " " + it.ID, URL: RowURL(org, key, it.ID)}
	case "soa":
		key := bundle.SoAKey(*it.SoA)
		return linkView{Name: nm.SoA(key), URL: "/orgs/" + o + "/soa?soa=" + url.QueryEscape(key)}
	case "verifications":
		n := name(it.ID)
		if it.Service != "" {
			n = nm.Service(it.Service) + " · " + n
		}
		return linkView{Name: n, URL: "/orgs/" + o + "/verifications#ver-" + url.PathEscape(it.ID)}
	case "responsibilities":
		// Responsibilities have no id: the link opens the service's matrix.
		n := nm.Service(it.ID)
		if it.Name != "" {
			n += " · " + it.Name
		}
		return linkView{Name: n, URL: "/orgs/" + o + "/responsibilities?service=" + url.QueryEscape(it.ID) + "#resp-" + url.PathEscape(it.ID)}
	case "monitoring", "backups":
		return linkView{Name: name(nm.Service(it.ID)), URL: items.URL(org, it.Kind, bundle.SeqKey(it.Seq))}
	case "cloud_services":
		return linkView{Name: nm.Service(it.ID), URL: items.URL(org, it.Kind, it.ID)}
	}
	return linkView{Name: name(nm.Ref(it.Kind, it.ID)), URL: items.URL(org, it.Kind, it.ID)}
}

// RowURL is the page of one SoA row: its facts, linked records, evidence
// and (for those who may edit) its form.
func RowURL(org, soaKey, control string) string {
	return "/orgs/" + url.PathEscape(org) + "/soa/row?soa=" + url.QueryEscape(soaKey) + "&control=" + url.QueryEscape(control)
}
