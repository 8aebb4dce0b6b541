// Package registers is the area of the web UI for the version 2 registers:
// the context of the organization (issues, interested parties,
// opportunities, planned changes, communication), objectives, competence
// and awareness, monitoring and measurement, nonconformities, incidents,
// and the certificates with the certification body's audits. Their lists
// and forms are the generic item pages; this package places them in the
// navigation and points the findings about them at the form that fixes
// them.
package registers

import (
	"net/url"

	"github.com/cloudisms/cloudisms/internal/conformity"
	"github.com/cloudisms/cloudisms/internal/web/items"
	"github.com/cloudisms/cloudisms/internal/web/site"
)

// navEntries are the registers in the navigation, in the order an ISMS
// office works through them; site.navAreas groups them under headings.
var navEntries = []struct {
	order int
	kind  string
}{
	{22, "context_issues"}, {23, "interested_parties"}, {24, "opportunities"}, {25, "changes"}, {26, "communications"},
	{85, "objectives"}, {86, "competence_requirements"}, {87, "trainings"},
	{115, "measurements"}, {116, "nonconformities"}, {117, "incidents"},
	{135, "certificates"}, {136, "external_audits"},
}

func init() {
	for _, n := range navEntries {
		site.AddNav(site.NavItem{Order: n.order, Section: n.kind, Path: "items/" + n.kind, Label: "items.nav." + n.kind})
		kind := n.kind
		// A finding about an item leads to its form; one about an
		// external audit's finding, to the audit's form.
		site.AddSubjectLink(kind, func(org string, parts []string) string {
			if len(parts) < 2 || parts[1] == "" {
				return ""
			}
			return items.URL(org, kind, parts[1])
		})
	}
	// What is missing is supplied by a new item, filled in from the finding.
	site.AddRuleLink("CERT-02", func(org string, f conformity.Finding, parts []string) string {
		if len(parts) < 2 {
			return ""
		}
		return newItem(org, "external_audits", f, url.Values{"kind": {"recertification"}, "certificate": {parts[1]}})
	})
	site.AddRuleLink("CTX-01", func(org string, f conformity.Finding, parts []string) string {
		return newItem(org, "context_issues", f, nil)
	})
	site.AddRuleLink("CTX-02", func(org string, f conformity.Finding, parts []string) string {
		return items.URL(org, "organization", "organization")
	})
	site.AddRuleLink("CTX-03", func(org string, f conformity.Finding, parts []string) string {
		return "/orgs/" + url.PathEscape(org) + "/items/interested_parties"
	})
	site.AddRuleLink("CTX-04", func(org string, f conformity.Finding, parts []string) string {
		if len(parts) < 2 {
			return ""
		}
		return newItem(org, "interested_parties", f, url.Values{"kind": {parts[1]}})
	})
	site.AddRuleLink("OPP-01", func(org string, f conformity.Finding, parts []string) string {
		return newItem(org, "opportunities", f, nil)
	})
	site.AddRuleLink("OBJ-01", func(org string, f conformity.Finding, parts []string) string {
		if parts[0] == "objectives" && len(parts) > 1 {
			return items.URL(org, "objectives", parts[1])
		}
		return newItem(org, "objectives", f, nil)
	})
	site.AddRuleLink("COMP-01", func(org string, f conformity.Finding, parts []string) string {
		// people/<id>/competence/<requirement>: a training the person
		// attends, on the requirement's topic.
		if len(parts) < 4 {
			return ""
		}
		v := url.Values{"kind": {"competence"}, "attendees": {parts[1]}}
		for _, a := range f.Message.Args {
			if t, ok := a.Value.(string); ok && a.Name == "topic" {
				v.Set("topics", t)
			}
		}
		return newItem(org, "trainings", f, v)
	})
	site.AddRuleLink("COMP-02", func(org string, f conformity.Finding, parts []string) string {
		return newItem(org, "competence_requirements", f, url.Values{"applies_to": {"cloud-security-personnel"}})
	})
	site.AddRuleLink("AWARE-01", func(org string, f conformity.Finding, parts []string) string {
		if len(parts) < 2 {
			return ""
		}
		return newItem(org, "trainings", f, url.Values{"kind": {"awareness"}, "topics": {"awareness"}, "attendees": {parts[1]}})
	})
	site.AddRuleLink("DOC-01", func(org string, f conformity.Finding, parts []string) string {
		v := url.Values{}
		for _, a := range f.Message.Args {
			if cl, ok := a.Value.([]string); ok && a.Name == "clauses" {
				for _, c := range cl {
					v.Add("clauses", c)
				}
			}
		}
		return newItem(org, "documents", f, v)
	})
	site.AddRuleLink("MEAS-01", func(org string, f conformity.Finding, parts []string) string {
		return "/orgs/" + url.PathEscape(org) + "/items/measurements"
	})
	// NC-01…03 on an external audit's finding: the audit's form.
	for _, rule := range []string{"NC-01", "NC-02", "NC-03"} {
		site.AddRuleLink(rule, func(org string, f conformity.Finding, parts []string) string {
			if len(parts) >= 2 {
				return items.URL(org, parts[0], parts[1])
			}
			return ""
		})
	}
}

// newItem is the form for a new item of kind, about finding f, filled in
// from prefill.
func newItem(org, kind string, f conformity.Finding, prefill url.Values) string {
	v := url.Values{items.AboutParam: {items.AboutOf(f)}}
	for k, vs := range prefill {
		v[k] = vs
	}
	return items.NewURL(org, kind, v)
}
