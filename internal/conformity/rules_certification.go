package conformity

import (
	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/isms"
)

// --- Certification (CERT) -------------------------------------------------

// expired reports whether a date of expiry is before the as-of date (no
// date: not expired).
func (c *ctx) expired(expires isms.Date) bool { return !expires.IsZero() && expires.Before(c.asOf) }

// CERT-01: a cloud certificate extends an ISMS certificate that is valid
// while it is.
func cert01(c *ctx, emit emitFn) {
	certs := map[string]*isms.Certificate{}
	for i := range c.m.Certificates {
		certs[c.m.Certificates[i].ID] = &c.m.Certificates[i]
	}
	for _, x := range c.m.Certificates {
		if x.Kind != isms.CertCloud {
			continue
		}
		subject := "certificates/" + x.ID
		base := certs[x.Base]
		switch {
		case x.Base == "":
			emit(subject, i18n.M("rule.CERT-01.no_base", "certificate", x.ID))
		case base == nil || base.Kind != isms.CertISMS:
			emit(subject, i18n.M("rule.CERT-01.not_isms", "certificate", x.ID, "base", x.Base))
		case c.expired(base.Expires) && !c.expired(x.Expires):
			emit(subject, i18n.M("rule.CERT-01.expired", "certificate", x.ID, "base", x.Base, "expires", base.Expires.String()))
		}
	}
}

// CERT-02: a certificate expiring in the next 90 days
// (isms.RenewalWindowDays) has its recertification audit planned.
func cert02(c *ctx, emit emitFn) {
	for _, x := range c.m.Certificates {
		if x.Expires.IsZero() || !x.Expires.After(c.asOf) || x.Expires.DaysSince(c.asOf) > isms.RenewalWindowDays {
			continue
		}
		planned := false
		for _, a := range c.m.ExternalAudits {
			if a.Kind == isms.ExtAuditRecertification && a.Certificate == x.ID && a.Date.After(c.asOf) {
				planned = true
				break
			}
		}
		if !planned {
			emit("certificates/"+x.ID, i18n.M("rule.CERT-02", "certificate", x.ID, "expires", x.Expires.String(),
				"days", x.Expires.DaysSince(c.asOf)))
		}
	}
}
