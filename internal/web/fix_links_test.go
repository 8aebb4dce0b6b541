package web

import (
	"testing"

	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/conformity"
	"github.com/cloudisms/cloudisms/internal/i18n"
)

// Findings whose subject alone does not say where they are fixed lead to
// the field or the new item that fixes them.
func TestRuleLinks(t *testing.T) {
	for _, c := range []struct {
		rule, subject string
		msg           i18n.Message
		want          string
	}{
		{"SCOPE-01", "organization", i18n.M("rule.SCOPE-01"), "/orgs/o/scope#sv-h"},
		{"SCOPE-03", "cloud_services/svc-a/uses/svc-b", i18n.Message{}, "/orgs/o/items/cloud_services/svc-b#f-in_scope"},
		{"SCOPE-05", "systems/sys-1", i18n.M("rule.SCOPE-05", "system", "sys-1", "site", "site-hq"), "/orgs/o/items/sites/site-hq#f-in_isms_scope"},
		{"SCOPE-05", "systems/sys-1", i18n.Message{}, "/orgs/o/items/systems/sys-1"},
		{"SCOPE-08", "cloud_services/svc-a", i18n.Message{}, "/orgs/o/items/organization/organization#f-cloud_scope"},
		{"RISK-01", "cloud_services/svc-a", i18n.Message{}, "/orgs/o/items/risks?new=1&finding=RISK-01+cloud_services%2Fsvc-a&services=svc-a"},
		{"RISK-02", "risk_sources/cloud.backup", i18n.Message{}, "/orgs/o/items/risk_sources_not_applicable?new=1&finding=RISK-02+risk_sources%2Fcloud.backup&source=cloud.backup"},
		{"RISK-03", "risks/r-1", i18n.Message{}, "/orgs/o/items/risks/r-1"},
		{"RISK-04", "risks/r-1", i18n.Message{}, "/orgs/o/risks#risk-r-1"},
		{"RISK-05", "risks/r-1", i18n.Message{}, "/orgs/o/items/risks/r-1#f-controls"},
		{"RISK-06", "risks/r-1/controls/5.36/soa/organization", i18n.Message{}, "/orgs/o/soa?soa=organization#row-5.36"},
		{"RISK-06", "risks/r-1/controls/27017:9.2.4/soa/svc-a/customer", i18n.Message{}, "/orgs/o/soa?soa=svc-a:customer#row-27017:9.2.4"},
		{"RISK-08", "cloud_services/svc-a", i18n.Message{}, "/orgs/o/items/legal?new=1&finding=RISK-08+cloud_services%2Fsvc-a&services=svc-a"},
		{"SOA-01", "soa/svc-a/customer", i18n.Message{}, "/orgs/o/soa?soa=svc-a:customer"},
		{"RESP-01", "cloud_services/svc-a", i18n.Message{}, "/orgs/o/items/responsibilities?new=1&finding=RESP-01+cloud_services%2Fsvc-a&service=svc-a"},
		{"OPS-01", "cloud_services/svc-a", i18n.Message{}, "/orgs/o/items/backups?new=1&finding=OPS-01+cloud_services%2Fsvc-a&service=svc-a"},
		{"OPS-03", "cloud_services/svc-a", i18n.Message{}, "/orgs/o/items/monitoring?new=1&finding=OPS-03+cloud_services%2Fsvc-a&service=svc-a"},
		{"POL-01", "organization", i18n.M("rule.POL-01", "topics", []string{"virtualization", "data-location"}),
			"/orgs/o/items/documents?new=1&cloud_topics=virtualization&cloud_topics=data-location&finding=POL-01+organization&kind=policy"},
		{"AUD-01", "cloud_services/svc-a", i18n.Message{}, "/orgs/o/items/audits?new=1&finding=AUD-01+cloud_services%2Fsvc-a&services=svc-a"},
		{"MR-01", "organization", i18n.M("rule.MR-01"), "/orgs/o/reviews/new"},
		{"MR-02", "reviews/mr-1", i18n.Message{}, "/orgs/o/reviews#review-mr-1"},
	} {
		f := conformity.Finding{Rule: c.rule, Subject: c.subject, Message: c.msg}
		if got := link("o", f); got != c.want {
			t.Errorf("%s %s: link %q, want %q", c.rule, c.subject, got, c.want)
		}
	}
}

// A missing SoA is created as the bundle would hold it: the
// organization's with neither service nor role, a service's with both.
func TestSoAItemData(t *testing.T) {
	for key, want := range map[string]string{"organization": "organization", "svc-a:customer": "svc-a:customer", "svc-a": "", ":customer": "", "svc-a:": ""} {
		data, ok := soaItemData(key)
		if ok != (want != "") {
			t.Errorf("%q: ok %v", key, ok)
			continue
		}
		if !ok {
			continue
		}
		it, refs, err := bundle.DecodeItem(bundle.KindSoA, key, data, "iso27001:2022")
		if err != nil || it.Key != want {
			t.Errorf("%q: %s %v", key, it.Key, err)
		}
		if key != "organization" && (len(refs) != 1 || refs[0].ID != "svc-a") {
			t.Errorf("%q: refs %v", key, refs)
		}
	}
	if _, _, err := bundle.DecodeItem(bundle.KindSoA, "svc-a:x", []byte(`{"service":"svc-a","role":"x"}`), ""); err == nil {
		t.Error("a role that is none is accepted")
	}
}
