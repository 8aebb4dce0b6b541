package conformity

import (
	"github.com/cloudisms/cloudisms/internal/catalog"
	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/isms"
)

// --- Context of the organization (CTX, OPP) -------------------------------

// CTX-01: both internal and external issues are determined.
func ctx01(c *ctx, emit emitFn) {
	has := map[string]bool{}
	for _, x := range c.m.ContextIssues {
		has[x.Kind] = true
	}
	var missing []i18n.Message
	for _, k := range []string{isms.IssueInternal, isms.IssueExternal} {
		if !has[k] {
			missing = append(missing, i18n.M("rule.CTX-01."+k))
		}
	}
	if len(missing) > 0 {
		emit(orgSubject, i18n.M("rule.CTX-01", "kinds", missing))
	}
}

// CTX-02: under the 2022 edition, whether climate change is a relevant
// issue is answered (yes or no).
func ctx02(c *ctx, emit emitFn) {
	if c.edition == catalog.ISO27001v2022 && c.m.Organization.ClimateChangeRelevant == nil {
		emit(orgSubject, i18n.M("rule.CTX-02"))
	}
}

// CTX-03: some interested party has requirements. A list of blank lines
// is no requirement.
func ctx03(c *ctx, emit emitFn) {
	for _, p := range c.m.InterestedParties {
		for _, r := range p.Requirements {
			if !isms.IsBlank(r) {
				return
			}
		}
	}
	emit(orgSubject, i18n.M("rule.CTX-03"))
}

// CTX-04: the cloud customers of a provider, and the providers of a
// customer, are among the interested parties.
func ctx04(c *ctx, emit emitFn) {
	provider, customer := false, false
	for _, s := range c.inScope() {
		provider = provider || s.IsProvider()
		customer = customer || s.IsCustomer()
	}
	kinds := map[string]bool{}
	for _, p := range c.m.InterestedParties {
		kinds[p.Kind] = true
	}
	if provider && !kinds[isms.PartyCloudCustomer] {
		emit("interested_parties/"+isms.PartyCloudCustomer, i18n.M("rule.CTX-04.customer"))
	}
	if customer && !kinds[isms.PartyCloudProvider] {
		emit("interested_parties/"+isms.PartyCloudProvider, i18n.M("rule.CTX-04.provider"))
	}
}

// OPP-01: opportunities are determined as well as risks.
func opp01(c *ctx, emit emitFn) {
	if len(c.m.Opportunities) == 0 {
		emit(orgSubject, i18n.M("rule.OPP-01"))
	}
}
