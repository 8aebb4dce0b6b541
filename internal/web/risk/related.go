package risk

import (
	"net/url"

	"github.com/cloudisms/cloudisms/internal/authz"
	"github.com/cloudisms/cloudisms/internal/web/items"
	"github.com/cloudisms/cloudisms/internal/web/site"
)

// The forms of assets, cloud services and verifications lead to their
// risks in the register and to a new risk about them, filled in.
func init() {
	items.AddRelated("assets", registerLink("asset"))
	items.AddRelated("assets", newRiskLink("web.risk.new_for_asset", func(key string, _ map[string]any) url.Values {
		return url.Values{"assets": {key}}
	}))
	items.AddRelated("cloud_services", registerLink("service"))
	items.AddRelated("cloud_services", newRiskLink("web.risk.new_for_service", func(key string, _ map[string]any) url.Values {
		return url.Values{"services": {key}}
	}))
	items.AddRelated("verifications", newRiskLink("web.risk.new_for_verification", verificationPrefill))
}

// registerLink shows the register filtered to the item's risks.
func registerLink(filter string) items.RelatedFunc {
	return func(p *site.Page, key string, _ map[string]any) (items.Link, bool) {
		return items.Link{Label: p.T("web.risk.of_this_" + filter), URL: "/orgs/" + url.PathEscape(p.Org) + "/risks?" + url.Values{filter: {key}}.Encode()}, true
	}
}

// newRiskLink offers a new risk filled in from the item, to a member who
// may create risks.
func newRiskLink(label string, prefill func(key string, data map[string]any) url.Values) items.RelatedFunc {
	return func(p *site.Page, key string, data map[string]any) (items.Link, bool) {
		if !mayCreate(p.Role) {
			return items.Link{}, false
		}
		return items.Link{Label: p.T(label), URL: items.NewURL(p.Org, "risks", prefill(key, data))}, true
	}
}

// mayCreate reports whether a role may create some risk (a risk owner
// creates the risks they own).
func mayCreate(role string) bool {
	return authz.Can(role, authz.Write, authz.Subject{Kind: "risks"}) || authz.Can(role, authz.Write, authz.Subject{Kind: "risks", IsOwner: true})
}

// verificationPrefill is a risk about a verification: its service, its
// control as the treatment, its gap as the vulnerability's description.
func verificationPrefill(_ string, data map[string]any) url.Values {
	v := url.Values{"sources": {"cloud.supply-chain"}}
	if s, ok := data["service"].(string); ok && s != "" {
		v.Set("services", s)
	}
	if c, ok := data["control"].(string); ok && c != "" {
		v.Set("controls", c)
	}
	if g, ok := data["gap"].(string); ok && g != "" {
		v.Set("title", g)
	}
	return v
}
