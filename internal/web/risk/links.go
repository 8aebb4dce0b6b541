package risk

import (
	"net/url"

	"github.com/cloudisms/cloudisms/internal/conformity"
	"github.com/cloudisms/cloudisms/internal/web/items"
	"github.com/cloudisms/cloudisms/internal/web/site"
)

// Where the risk findings are fixed.
func init() {
	site.AddSubjectLink("risks", func(org string, parts []string) string {
		if len(parts) < 2 {
			return ""
		}
		return registerAt(org, parts[1], "risk-")
	})
	// A plan not approved, a residual not accepted: the owner's approve
	// button on the risk's row.
	approve := func(org string, f conformity.Finding, parts []string) string {
		if len(parts) < 2 {
			return ""
		}
		return registerAt(org, parts[1], "approve-")
	}
	site.AddRuleLink("RISK-04", approve)
	site.AddRuleLink("RISK-07", approve)
	// A service without a risk: a new risk about it.
	site.AddRuleLink("RISK-01", func(org string, f conformity.Finding, parts []string) string {
		if len(parts) < 2 || parts[0] != "cloud_services" {
			return ""
		}
		return items.NewURL(org, "risks", url.Values{"services": {parts[1]}, items.AboutParam: {items.AboutOf(f)}})
	})
	// A source nobody assessed: assess it in a risk, or record why it
	// does not apply.
	site.AddRuleLink("RISK-02", func(org string, f conformity.Finding, parts []string) string {
		if len(parts) < 2 {
			return ""
		}
		return items.NewURL(org, "risk_sources_not_applicable", url.Values{"source": {parts[1]}, items.AboutParam: {items.AboutOf(f)}})
	})
	// Risk fields the form edits: the factors and owner, the controls.
	site.AddRuleLink("RISK-03", riskFieldLink(""))
	site.AddRuleLink("RISK-05", riskFieldLink("controls"))
	// A risk not reassessed within the interval: its assessment date.
	site.AddRuleLink("RISK-09", riskFieldLink("assessed_on"))
	// A control the risk relies on that its SoA excludes: the SoA row.
	// risks/R/controls/C/soa/organization or .../soa/SERVICE/ROLE.
	site.AddRuleLink("RISK-06", func(org string, f conformity.Finding, parts []string) string {
		if len(parts) < 6 || parts[4] != "soa" {
			return ""
		}
		return site.SubjectLink(org, append(append([]string{}, parts[4:]...), parts[3]))
	})
}

// riskFieldLink points a risk finding at the risk's form, at a field.
func riskFieldLink(field string) site.RuleLinkFunc {
	return func(org string, f conformity.Finding, parts []string) string {
		if len(parts) < 2 {
			return ""
		}
		u := items.URL(org, "risks", parts[1])
		if field != "" {
			u += "#" + items.HTMLID(field)
		}
		return u
	}
}

// registerAt is the register showing one risk (searched by its id, so
// that it is on the page whatever its place) at an anchor of its row.
func registerAt(org, id, anchor string) string {
	return "/orgs/" + org + "/risks?" + url.Values{"q": {id}}.Encode() + "#" + anchor + id
}
