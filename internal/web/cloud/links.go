package cloud

import (
	"net/url"

	"github.com/cloudisms/cloudisms/internal/conformity"
	"github.com/cloudisms/cloudisms/internal/web/items"
	"github.com/cloudisms/cloudisms/internal/web/site"
)

// Where findings about cloud services, responsibilities and
// verifications are fixed: the exact row.
func init() {
	site.AddSubjectLink("cloud_services", func(org string, parts []string) string {
		if len(parts) >= 4 && parts[2] == "verifications" {
			return "/orgs/" + org + "/verifications#need-" + parts[1] + "-" + parts[3]
		}
		if len(parts) >= 2 {
			return items.URL(org, "cloud_services", parts[1]) // the form shows the item's findings
		}
		return ""
	})
	site.AddSubjectLink("verifications", site.RowLink("verifications", "ver-"))
	// A gap linked to a risk of another service (v2): the verification's
	// risk field.
	site.AddRuleLink("VERIFY-02", func(org string, f conformity.Finding, parts []string) string {
		if len(parts) < 2 || f.Message.Key != "rule.VERIFY-02.unrelated" {
			return ""
		}
		return items.URL(org, "verifications", parts[1]) + "#" + items.HTMLID("risk")
	})
	// A service without a documented allocation: a new one for it.
	site.AddRuleLink("RESP-01", func(org string, f conformity.Finding, parts []string) string {
		if len(parts) < 2 || parts[0] != "cloud_services" {
			return ""
		}
		return items.NewURL(org, "responsibilities", url.Values{"service": {parts[1]}, items.AboutParam: {items.AboutOf(f)}})
	})
}
