// Package ops is the operations area of the web UI: legal and contractual
// requirements, backups with their restore tests, monitoring and the
// documents. Their lists and forms are the generic item pages; this
// package places them in the navigation and points the findings about
// them at the form that fixes them.
package ops

import (
	"net/url"

	"github.com/cloudisms/cloudisms/internal/conformity"
	"github.com/cloudisms/cloudisms/internal/web/items"
	"github.com/cloudisms/cloudisms/internal/web/site"
)

func init() {
	for _, n := range []struct {
		order int
		kind  string
	}{{80, "legal"}, {90, "backups"}, {100, "monitoring"}, {110, "documents"}} {
		site.AddNav(site.NavItem{Order: n.order, Section: n.kind, Path: "items/" + n.kind, Label: "items.nav." + n.kind})
	}
	// A backup entry is keyed by position; its finding names the service.
	site.AddSubjectLink("backups", func(org string, parts []string) string {
		if len(parts) < 2 {
			return ""
		}
		return "/orgs/" + url.PathEscape(org) + "/items/backups?q=" + url.QueryEscape(parts[1])
	})
	// A missing item is supplied by a new one about the finding's service.
	// RISK-08 (v2) names the service and the data location a law is
	// missing for: cloud_services/SERVICE/data_locations/CODE.
	site.AddRuleLink("RISK-08", func(org string, f conformity.Finding, parts []string) string {
		if len(parts) < 4 || parts[0] != "cloud_services" || parts[2] != "data_locations" {
			return ""
		}
		return items.NewURL(org, "legal", url.Values{"services": {parts[1]}, "jurisdictions": {parts[3]}, items.AboutParam: {items.AboutOf(f)}})
	})
	site.AddRuleLink("OPS-01", newFor("backups", "service"))
	site.AddRuleLink("OPS-03", newFor("monitoring", "service"))
	site.AddRuleLink("POL-01", func(org string, f conformity.Finding, parts []string) string {
		// A new cloud policy covering the missing topics; an existing
		// policy can be revised from the documents list instead.
		v := url.Values{"kind": {"policy"}, items.AboutParam: {items.AboutOf(f)}}
		for _, arg := range f.Message.Args {
			if topics, ok := arg.Value.([]string); ok && arg.Name == "topics" {
				v["cloud_topics"] = topics
			}
		}
		return items.NewURL(org, "documents", v)
	})
}

// newFor links a finding about a service to a new item of kind whose
// field names the service.
func newFor(kind, field string) site.RuleLinkFunc {
	return func(org string, f conformity.Finding, parts []string) string {
		if len(parts) < 2 || parts[0] != "cloud_services" {
			return ""
		}
		return items.NewURL(org, kind, url.Values{field: {parts[1]}, items.AboutParam: {items.AboutOf(f)}})
	}
}
