package isms

import "slices"

// Linked records: what an asset, a risk or a cloud service is
// linked with elsewhere in the ISMS, each group of one kind, so that a page
// can show every link both ways (a risk names its assets; the asset's page
// shows those risks too).

// LinkedItem is an item another one is linked with: its kind and id (for
// an SoA row its control, with its SoA; for backups and monitoring, which
// have no id, their position among their kind and their service).
type LinkedItem struct {
	Kind    string
	ID      string
	Seq     int
	SoA     *SoA
	Name    string // the item's own title where the model has one
	Service string // the service the item belongs to, where the page names it
}

// LinkGroup is the linked items of one kind.
type LinkGroup struct {
	Kind  string // risks, assets, cloud_services, systems, soa_rows, soa, verifications, monitoring, backups, incidents
	Items []LinkedItem
}

type linker struct{ groups []LinkGroup }

func (l *linker) add(kind string, it LinkedItem) {
	it.Kind = kind
	for i := range l.groups {
		if l.groups[i].Kind == kind {
			l.groups[i].Items = append(l.groups[i].Items, it)
			return
		}
	}
	l.groups = append(l.groups, LinkGroup{Kind: kind, Items: []LinkedItem{it}})
}

// AssetLinks are an asset's risks, services and systems.
func AssetLinks(m *ISMS, id string) []LinkGroup {
	var l linker
	for _, r := range m.Risks {
		if slices.Contains(r.Assets, id) {
			l.add("risks", LinkedItem{ID: r.ID, Name: r.Title})
		}
	}
	for _, a := range m.Assets {
		if a.ID != id {
			continue
		}
		for _, s := range a.Services {
			l.add("cloud_services", LinkedItem{ID: s})
		}
		for _, s := range a.Systems {
			l.add("systems", LinkedItem{ID: s})
		}
	}
	return l.groups
}

// RiskLinks are a risk's controls as the SoA rows that carry them (of the
// organization's SoA and of the SoAs of the risk's services), its assets
// and services, and the provider verifications that name it.
func RiskLinks(m *ISMS, id string) []LinkGroup {
	var l linker
	i := slices.IndexFunc(m.Risks, func(r *Risk) bool { return r.ID == id })
	if i < 0 {
		return nil
	}
	r := m.Risks[i]
	for _, c := range r.Controls {
		for j := range m.SoAs {
			s := &m.SoAs[j]
			if (s.IsOrganization() || slices.Contains(r.Services, s.Service)) && slices.ContainsFunc(s.Rows, func(row SoARow) bool { return row.Control == c }) {
				l.add("soa_rows", LinkedItem{ID: c, SoA: s})
			}
		}
	}
	for _, a := range r.Assets {
		l.add("assets", LinkedItem{ID: a})
	}
	for _, s := range r.Services {
		l.add("cloud_services", LinkedItem{ID: s})
	}
	for _, v := range m.Verifications {
		if v.Risk == id {
			l.add("verifications", LinkedItem{ID: v.ID, Name: v.Control})
		}
	}
	return l.groups
}

// ServiceLinks are a cloud service's SoAs, assets, risks, systems,
// verifications, monitoring, backups and incidents.
func ServiceLinks(m *ISMS, id string) []LinkGroup {
	var l linker
	for i := range m.SoAs {
		if s := &m.SoAs[i]; s.Service == id {
			l.add("soa", LinkedItem{ID: s.Role, SoA: s})
		}
	}
	for _, a := range m.Assets {
		if slices.Contains(a.Services, id) {
			l.add("assets", LinkedItem{ID: a.ID, Name: a.Name})
		}
	}
	for _, r := range m.Risks {
		if slices.Contains(r.Services, id) {
			l.add("risks", LinkedItem{ID: r.ID, Name: r.Title})
		}
	}
	for _, s := range m.Systems {
		if slices.Contains(s.Supports, id) {
			l.add("systems", LinkedItem{ID: s.ID, Name: s.Name})
		}
	}
	for _, v := range m.Verifications {
		if v.Service == id {
			l.add("verifications", LinkedItem{ID: v.ID, Name: v.Control})
		}
	}
	for i, mo := range m.Monitoring {
		if mo.Service == id {
			l.add("monitoring", LinkedItem{ID: id, Seq: i})
		}
	}
	for i, b := range m.Backups {
		if b.Service == id {
			l.add("backups", LinkedItem{ID: id, Seq: i})
		}
	}
	for _, x := range m.Incidents {
		if slices.Contains(x.Services, id) {
			l.add("incidents", LinkedItem{ID: x.ID, Name: x.Title})
		}
	}
	return l.groups
}

// SoARowLinks are what one row of an SoA is linked with: the risks that
// chose its control, the responsibilities documented for the control and
// the provider verifications of it. For the organization's SoA these are
// every risk, responsibility and verification of the control (the
// organization's SoA covers them all, as RiskLinks links every risk to
// it); for a service's SoA those of that service. Responsibilities have
// no id: their position in the list is the Seq and their service the ID.
func SoARowLinks(m *ISMS, s SoA, control string) []LinkGroup {
	var l linker
	ofService := func(service string) bool { return s.IsOrganization() || service == s.Service }
	for _, r := range m.Risks {
		if slices.Contains(r.Controls, control) && (s.IsOrganization() || slices.Contains(r.Services, s.Service)) {
			l.add("risks", LinkedItem{ID: r.ID, Name: r.Title})
		}
	}
	for i, x := range m.Responsibilities {
		if x.Control == control && ofService(x.Service) {
			l.add("responsibilities", LinkedItem{ID: x.Service, Seq: i, Name: x.Area})
		}
	}
	for _, v := range m.Verifications {
		if v.Control == control && ofService(v.Service) {
			l.add("verifications", LinkedItem{ID: v.ID, Service: v.Service})
		}
	}
	return l.groups
}
