// Package linked shows on the pages of assets, risks and cloud services
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
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/web/items"
	"github.com/cloudisms/cloudisms/internal/web/names"
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
	groups := f(model, key)
	if len(groups) == 0 {
		return ""
	}
	nm := names.Of(model, p.Lang)
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
		app.Log.Error("linked records", "err", err)
		return ""
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
		return linkView{Name: nm.SoA(key) + " " + it.ID, URL: "/orgs/" + o + "/soa?soa=" + url.QueryEscape(key) + "#row-" + it.ID}
	case "soa":
		key := bundle.SoAKey(*it.SoA)
		return linkView{Name: nm.SoA(key), URL: "/orgs/" + o + "/soa?soa=" + url.QueryEscape(key)}
	case "verifications":
		return linkView{Name: name(it.ID), URL: "/orgs/" + o + "/verifications#ver-" + it.ID}
	case "monitoring", "backups":
		return linkView{Name: name(nm.Service(it.ID)), URL: items.URL(org, it.Kind, bundle.SeqKey(it.Seq))}
	case "cloud_services":
		return linkView{Name: nm.Service(it.ID), URL: items.URL(org, it.Kind, it.ID)}
	}
	return linkView{Name: name(nm.Ref(it.Kind, it.ID)), URL: items.URL(org, it.Kind, it.ID)}
}
