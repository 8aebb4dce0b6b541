package scope

import (
	"net/url"

	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/conformity"
	"github.com/cloudisms/cloudisms/internal/web/items"
	"github.com/cloudisms/cloudisms/internal/web/site"
)

// Where the scope findings are fixed.
func init() {
	site.AddSubjectLink("organization", func(org string, parts []string) string { return "/orgs/" + org + "/scope#statements" })
	site.AddRuleLink("SCOPE-01", func(org string, f conformity.Finding, parts []string) string {
		return "/orgs/" + url.PathEscape(org) + "/scope#sv-h" // the services, each with in_scope
	})
	site.AddRuleLink("SCOPE-08", func(org string, f conformity.Finding, parts []string) string {
		return items.URL(org, bundle.KindOrganization, bundle.KindOrganization) + "#" + items.HTMLID("cloud_scope")
	})
	// A used service out of scope is brought into scope on its own form;
	// a system at an out-of-scope site, by the site's scope flag.
	site.AddRuleLink("SCOPE-03", func(org string, f conformity.Finding, parts []string) string {
		if len(parts) < 4 || parts[2] != "uses" {
			return ""
		}
		return items.URL(org, "cloud_services", parts[3]) + "#" + items.HTMLID("in_scope")
	})
	// The supply chain read from the infrastructure (SCOPE-09,
	// cloud_services/SERVICE/suppliers/SUPPLIER): the supplier's cloud
	// service, used as a customer and in scope.
	site.AddRuleLink("SCOPE-09", func(org string, f conformity.Finding, parts []string) string {
		if len(parts) < 4 || parts[2] != "suppliers" {
			return ""
		}
		return items.NewURL(org, "cloud_services", url.Values{"role": {"customer"}, "provider": {parts[3]}, "in_scope": {"true"},
			items.AboutParam: {items.AboutOf(f)}})
	})
	// A 2013 ISMS after the transition: the move to the 2022 edition.
	site.AddRuleLink("EDITION-01", func(org string, f conformity.Finding, parts []string) string {
		return "/orgs/" + url.PathEscape(org) + "/scope#edition"
	})
	site.AddRuleLink("SCOPE-05", func(org string, f conformity.Finding, parts []string) string {
		for _, arg := range f.Message.Args {
			if s, ok := arg.Value.(string); ok && arg.Name == "site" && s != "" {
				return items.URL(org, "sites", s) + "#" + items.HTMLID("in_isms_scope")
			}
		}
		return ""
	})
}
