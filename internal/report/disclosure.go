package report

import (
	"fmt"

	"github.com/cloudisms/cloudisms/internal/catalog"
	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/isms"
)

// DisclosureDoc is what a provider tells its cloud service customers
// (クラウドサービスカスタマへの情報提供): per ISO/IEC 27017 item and CLD
// control that guides a provider, what the provider does and what is left
// to the customer, from the service's responsibilities.
type DisclosureDoc struct {
	Org           string            `json:"organization"`
	OrgName       string            `json:"organization_name"`
	Service       string            `json:"service"`
	ServiceName   string            `json:"service_name"`
	Lang          string            `json:"lang"`
	Scope         string            `json:"certification_scope"`
	Items         []DisclosureItem  `json:"items"`
	General       []DisclosureShare `json:"general"`
	AsOf          string            `json:"as_of"`
	SoAApprovedOn string            `json:"soa_approved_on,omitempty"`
}

// DisclosureItem is one 27017 item or CLD control.
type DisclosureItem struct {
	Control string            `json:"control"`
	Title   string            `json:"title"`
	Kind    string            `json:"kind"` // guidance or cld
	Shares  []DisclosureShare `json:"shares"`
	Adopted *bool             `json:"adopted,omitempty"`
}

// DisclosureShare is one allocation: what the provider does, what the customer does.
type DisclosureShare struct {
	Area         string `json:"area,omitempty"`
	Provider     string `json:"provider"`
	Customer     string `json:"customer"`
	DocumentedIn string `json:"documented_in,omitempty"`
}

// Disclosure builds the disclosure of a provider-role service.
func Disclosure(m *isms.ISMS, service, lang string, asOf isms.Date) (DisclosureDoc, error) {
	if !i18n.Valid(lang) {
		lang = i18n.JA
	}
	svc := serviceOf(m, service)
	if svc == nil || !svc.IsProvider() {
		return DisclosureDoc{}, fmt.Errorf("no provider-role cloud service %q", service)
	}
	b := newBuilder(m, Options{Lang: lang})
	d := DisclosureDoc{Org: m.Organization.ID, OrgName: b.orgName(), Service: svc.ID, ServiceName: svc.Name, Lang: lang,
		Scope: m.Organization.CloudScope, AsOf: asOf.String(), Items: []DisclosureItem{}, General: []DisclosureShare{}}
	var soa *isms.SoA
	for i := range m.SoAs {
		if m.SoAs[i].Service == service && m.SoAs[i].Role == isms.RoleProvider {
			soa = &m.SoAs[i]
		}
	}
	if soa != nil && soa.Approval != nil {
		d.SoAApprovedOn = soa.Approval.Date.String()
	}
	rows := map[string]*isms.SoARow{}
	if soa != nil {
		for i := range soa.Rows {
			rows[soa.Rows[i].Control] = &soa.Rows[i]
		}
	}
	shares := map[string][]DisclosureShare{}
	for _, r := range m.Responsibilities {
		if r.Service != service {
			continue
		}
		sh := DisclosureShare{Area: r.Area, Provider: r.Provider, Customer: r.Customer, DocumentedIn: r.DocumentedIn}
		if r.Control == "" {
			d.General = append(d.General, sh)
		} else {
			shares[r.Control] = append(shares[r.Control], sh)
		}
	}
	for _, c := range catalog.Std().Cloud {
		if !c.GuidesRole(isms.RoleProvider) {
			continue
		}
		it := DisclosureItem{Control: c.ID, Title: b.controlTitle(c), Kind: c.Kind, Shares: shares[c.ID]}
		if it.Shares == nil {
			it.Shares = []DisclosureShare{}
		}
		if r := rows[c.ID]; r != nil {
			it.Adopted = r.Applicable
		}
		d.Items = append(d.Items, it)
	}
	return d, nil
}
