package isms

import (
	"slices"
	"strings"

	"github.com/cloudisms/cloudisms/internal/catalog"
)

// MoveTo2022 moves an ISMS whose Annex A is of the 2013 edition to the
// 2022 edition, in place, through the 2013↔2022 correspondence of the
// catalog. It changes only what the correspondence decides and leaves the
// rest for people to decide:
//
//   - organization.annex_a becomes iso27001:2022;
//   - each SoA's Annex A rows become rows of the 2022 controls their 2013
//     control maps to; where several 2013 rows meet in one 2022 control,
//     the row is applicable when one of them is, with their reasons
//     merged and the implementation of the first applicable one; a 2022
//     control that no 2013 control maps to gets no row (SOA-02 asks for
//     the decision); 27017 and CLD rows stay;
//   - the SoAs lose their approval (their rows changed: they are approved
//     again after review);
//   - the controls named by risks, audit findings, responsibilities,
//     verifications and external audits' findings are translated the
//     same way.
//
// It reports whether anything was moved (false for an ISMS already of the
// 2022 edition).
func MoveTo2022(m *ISMS, cat *catalog.Catalog) bool {
	if m.Organization.AnnexA != catalog.ISO27001v2013 {
		return false
	}
	m.Organization.AnnexA = catalog.ISO27001v2022
	for i := range m.SoAs {
		m.SoAs[i].Rows = moveRows(m.SoAs[i].Rows, cat)
		m.SoAs[i].Approval = nil
	}
	one := func(id string) string {
		if to := cat.To2022([]string{id}); len(to) > 0 {
			return to[0]
		}
		return id
	}
	for i := range m.Risks {
		m.Risks[i].Controls = cat.To2022(m.Risks[i].Controls)
	}
	for i := range m.Audits {
		for j := range m.Audits[i].Findings {
			if c := m.Audits[i].Findings[j].Control; c != "" {
				m.Audits[i].Findings[j].Control = one(c)
			}
		}
	}
	// An external audit's finding cites a clause (kept) or a control.
	for i := range m.ExternalAudits {
		for j := range m.ExternalAudits[i].Findings {
			if c := m.ExternalAudits[i].Findings[j].Clause; strings.HasPrefix(c, "A.") {
				m.ExternalAudits[i].Findings[j].Clause = one(c)
			}
		}
	}
	for i := range m.Responsibilities {
		if c := m.Responsibilities[i].Control; c != "" {
			m.Responsibilities[i].Control = one(c)
		}
	}
	for i := range m.Verifications {
		if c := m.Verifications[i].Control; c != "" {
			m.Verifications[i].Control = one(c)
		}
	}
	return true
}

// moveRows turns the 2013 Annex A rows of an SoA into 2022 rows, in the
// order the 2013 rows came, keeping the 27017 and CLD rows where they were.
func moveRows(rows []SoARow, cat *catalog.Catalog) []SoARow {
	var out []SoARow
	at := map[string]int{} // 2022 control → index in out
	for _, r := range rows {
		ctl, ok := cat.Lookup(r.Control)
		if !ok || ctl.Framework != catalog.ISO27001v2013 {
			out = append(out, r)
			continue
		}
		for _, id := range ctl.Maps2022 {
			i, seen := at[id]
			if !seen {
				nr := r
				nr.Control = id
				nr.Reasons = slices.Clone(r.Reasons)
				nr.Evidence = slices.Clone(r.Evidence)
				at[id] = len(out)
				out = append(out, nr)
				continue
			}
			merged := &out[i]
			switch {
			case r.IsApplicable() && !merged.IsApplicable():
				merged.Applicable, merged.Implementation, merged.Justification = r.Applicable, r.Implementation, ""
				merged.Reasons = slices.Clone(r.Reasons)
			case r.IsApplicable():
				for _, x := range r.Reasons {
					if !slices.Contains(merged.Reasons, x) {
						merged.Reasons = append(merged.Reasons, x)
					}
				}
			}
			if r.Notes != "" && r.Notes != merged.Notes {
				if merged.Notes != "" {
					merged.Notes += "\n"
				}
				merged.Notes += r.Notes
			}
			for _, e := range r.Evidence {
				if !slices.ContainsFunc(merged.Evidence, func(x Evidence) bool { return x.SHA256 == e.SHA256 }) {
					merged.Evidence = append(merged.Evidence, e)
				}
			}
		}
	}
	return out
}
