package isms

// RiskControls tells which controls the risk register names, per SoA: a
// row may give "risk" as its reason only when a risk names its control
// (JIS Q 27001 6.1.3 c)–d)). For the organization's SoA any risk counts;
// for a service's SoA a risk of that service, or one that names no
// service (an organization-wide risk reaches every service).
type RiskControls struct {
	any     map[string]bool // control named by any risk
	orgWide map[string]bool // control named by a risk of no service
	bySvc   map[string]bool // service + "|" + control
}

// RiskControlsOf indexes the controls the ISMS's risks name.
func RiskControlsOf(m *ISMS) RiskControls {
	rc := RiskControls{any: map[string]bool{}, orgWide: map[string]bool{}, bySvc: map[string]bool{}}
	for _, r := range m.Risks {
		for _, ctl := range r.Controls {
			rc.any[ctl] = true
			if len(r.Services) == 0 {
				rc.orgWide[ctl] = true
			}
			for _, s := range r.Services {
				rc.bySvc[s+"|"+ctl] = true
			}
		}
	}
	return rc
}

// Named reports whether a risk names the control for the SoA.
func (rc RiskControls) Named(soa *SoA, control string) bool {
	if soa.IsOrganization() {
		return rc.any[control]
	}
	return rc.orgWide[control] || rc.bySvc[soa.Service+"|"+control]
}
