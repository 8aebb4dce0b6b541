package oscal

import (
	"slices"
	"strings"

	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/store"
)

// FrameworkSSP writes the statement of applicability an organization keeps
// for an imported framework as a system security plan against that
// catalog: one implemented requirement per control with a row, using the
// catalog's own control ids.
func FrameworkSSP(m *isms.ISMS, fw store.Framework, rows map[string]store.FrameworkRow, o Options) SSPDoc {
	o = o.norm()
	org := m.Organization
	key := org.ID + "/framework/" + fw.ID
	name := orgName(m, o.Lang)
	desc := org.ISMSScope
	if strings.TrimSpace(desc) == "" {
		desc = name
	}
	self := UUID("component/" + key)
	doc := SSPDoc{SSP{
		UUID:          UUID("ssp/" + key),
		Metadata:      o.metadata(o.t("report.oscal.ssp_title", "name", name+" — "+fw.Title), m),
		ImportProfile: Href{Href: "urn:uuid:" + fw.SourceUUID, Remarks: fw.Title},
		SystemCharacteristics: SystemCharacteristics{
			SystemIDs:             []SystemID{{IdentifierType: NS + "/ids", ID: org.ID}},
			SystemName:            name,
			Description:           desc,
			SystemInformation:     SystemInformation{InformationTypes: []InformationType{{UUID: UUID("info/" + key), Title: o.t("report.oscal.info_title"), Description: desc}}},
			Status:                Status{State: "operational"},
			AuthorizationBoundary: Description{Description: desc},
		},
		SystemImplementation: SystemImplementation{
			Users:      []User{{UUID: UUID("user/" + key), Title: o.t("report.oscal.user_title"), RoleIDs: []string{roleISMSManager}}},
			Components: []Component{{UUID: self, Type: "this-system", Title: name, Description: desc, Status: Status{State: "operational"}}},
		},
		ControlImplementation: ControlImplementation{Description: o.t("report.oscal.ci_description")},
	}}
	// The imported catalog, as stored, embedded behind a profile: the
	// plan resolves without the file it was imported from.
	if err := embedImport(&doc, key, fw.Title, []CatalogDoc{FrameworkCatalog(fw, o)}, []string{"catalog-" + fw.ID + ".json"}, o); err != nil {
		doc.SSP.ImportProfile.Remarks = err.Error()
	}
	for _, c := range fw.Controls {
		r, ok := rows[c.ID]
		if !ok || r.Applicable == "" || !c.InSoA() {
			continue
		}
		applicable := r.Applicable == "true"
		row := isms.SoARow{Control: c.ID, Applicable: &applicable, Reasons: r.Reasons, Implementation: r.Implementation,
			Justification: r.Justification, Notes: r.Notes}
		req := ImplementedRequirement{UUID: UUID("req/" + key + "/" + c.ID), ControlID: c.ID}
		for _, x := range r.Reasons {
			req.Props = append(req.Props, Prop{Name: "reason", NS: NS, Value: x})
		}
		for _, p := range c.Params {
			if v := r.Params[p.ID]; v != "" {
				req.SetParameters = append(req.SetParameters, SetParameter{ParamID: p.ID, Values: []string{v}})
			}
		}
		if !applicable {
			req.Remarks = o.t("report.oscal.justification", "text", r.Justification)
		}
		desc := r.Notes
		if desc == "" {
			desc = o.t("state." + stateKey(&row))
		}
		req.ByComponents = []ByComponent{{ComponentUUID: self, UUID: UUID("by/" + key + "/" + c.ID), Description: desc,
			ImplementationStatus: &Status{State: implState(&row)}}}
		doc.SSP.ControlImplementation.ImplementedRequirements = append(doc.SSP.ControlImplementation.ImplementedRequirements, req)
	}
	if i := slices.IndexFunc(fw.Controls, store.FrameworkControl.InSoA); len(doc.SSP.ControlImplementation.ImplementedRequirements) == 0 && i >= 0 {
		c := fw.Controls[i]
		doc.SSP.ControlImplementation.ImplementedRequirements = []ImplementedRequirement{{UUID: UUID("req/" + key + "/" + c.ID), ControlID: c.ID, Remarks: o.t("report.oscal.no_rows")}}
	}
	return doc
}
