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
	Org         string `json:"organization"`
	OrgName     string `json:"organization_name"`
	Service     string `json:"service"`
	ServiceName string `json:"service_name"`
	Lang        string `json:"lang"`
	// InCertifiedScope is false for a service outside the cloud security
	// certification's scope: its page says so and shows no scope as if
	// it were certified (Scope is then empty).
	InCertifiedScope bool              `json:"in_certified_scope"`
	Scope            string            `json:"certification_scope,omitempty"`
	Facts            DisclosureFacts   `json:"facts"`
	Items            []DisclosureItem  `json:"items"`
	General          []DisclosureShare `json:"general"`
	// Unallocated lists the items with neither an allocation of their
	// own nor the provider's implementation text: a publisher is warned.
	Unallocated   []string `json:"unallocated,omitempty"`
	AsOf          string   `json:"as_of"`
	SoAApprovedOn string   `json:"soa_approved_on,omitempty"`
}

// DisclosureFacts are what ISO/IEC 27017 asks a provider to tell its
// customers beside the allocation of responsibilities.
type DisclosureFacts struct {
	DataLocations      []string         `json:"data_locations"`
	Jurisdictions      []string         `json:"jurisdictions"`
	ChangeNotification string           `json:"change_notification,omitempty"`
	IncidentReporting  string           `json:"incident_reporting,omitempty"`
	Backup             string           `json:"backup,omitempty"`
	Monitoring         []string         `json:"monitoring"`
	Exit               string           `json:"exit,omitempty"`
	SLA                string           `json:"sla,omitempty"`
	SLAFigures         []isms.SLAFigure `json:"sla_figures"`
}

// DisclosureItem is one 27017 item or CLD control.
type DisclosureItem struct {
	Control string            `json:"control"`
	Title   string            `json:"title"`
	Kind    string            `json:"kind"` // guidance or cld
	Shares  []DisclosureShare `json:"shares"`
	Adopted *bool             `json:"adopted,omitempty"`
	// Implementation is the provider's SoA text for the item (実施内容),
	// shown where the item has no allocation of its own.
	Implementation string `json:"implementation,omitempty"`
	// General: the item has no allocation of its own; the general
	// allocation applies.
	General bool `json:"general_allocation,omitempty"`
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
		InCertifiedScope: svc.InScope, AsOf: asOf.String(), Items: []DisclosureItem{}, General: []DisclosureShare{}, Facts: facts(m, svc)}
	if svc.InScope {
		d.Scope = m.Organization.CloudScope
	}
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
			if r.IsApplicable() {
				it.Implementation = r.Notes
			}
		}
		if len(it.Shares) == 0 {
			it.General = len(d.General) > 0
			if it.Implementation == "" {
				d.Unallocated = append(d.Unallocated, c.ID)
			}
		}
		d.Items = append(d.Items, it)
	}
	return d, nil
}

// facts gathers what a provider tells its customers about a service: its
// own disclosure fields, with the backup policy and monitoring items of
// the ISMS where the disclosure says nothing of them.
func facts(m *isms.ISMS, svc *isms.CloudService) DisclosureFacts {
	f := DisclosureFacts{DataLocations: svc.DataLocations, SLA: svc.SLA, Jurisdictions: []string{}, Monitoring: []string{}, SLAFigures: []isms.SLAFigure{}}
	if f.DataLocations == nil {
		f.DataLocations = []string{}
	}
	if x := svc.Disclosure; x != nil {
		if x.Jurisdictions != nil {
			f.Jurisdictions = x.Jurisdictions
		}
		f.ChangeNotification, f.IncidentReporting, f.Backup, f.Exit = x.ChangeNotification, x.IncidentReporting, x.Backup, x.Exit
		if x.Monitoring != "" {
			f.Monitoring = []string{x.Monitoring}
		}
		if x.SLAFigures != nil {
			f.SLAFigures = x.SLAFigures
		}
	}
	for _, bk := range m.Backups {
		if bk.Service == svc.ID && f.Backup == "" {
			f.Backup = bk.Policy
		}
	}
	if len(f.Monitoring) == 0 {
		for _, mo := range m.Monitoring {
			if mo.Service != svc.ID {
				continue
			}
			for _, it := range mo.Items {
				line := it.What
				if it.Method != "" {
					line += " — " + it.Method
				}
				f.Monitoring = append(f.Monitoring, line)
			}
		}
	}
	return f
}
