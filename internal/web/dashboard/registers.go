package dashboard

import (
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/names"
	"github.com/cloudisms/cloudisms/internal/web/items"
	"github.com/cloudisms/cloudisms/internal/web/site"
)

// The blocks of the dashboard that join the version 2 registers: the
// objectives with their latest results, the corrective actions overdue
// from every source, the certificates with the days to their expiry and
// the certification body's next audit.

// The lines are values holding everything they show, so that each is
// rendered once per content (site.Lines): a dashboard after an edit
// renders only the lines that changed, not a hundred objectives again.

type objectiveLine struct {
	Title, URL, Target, Owner, Due string
	Value, Date, Note              string // the latest result ("" when none)
	Judged, Met                    bool   // whether the result says it was met, and if so what
}

type actionLine struct {
	Source, What, URL, Owner, Due string
	DaysOver                      int
}

type certLine struct {
	Kind, Standard, Number, URL, Expires string
	DaysLeft                             int
	Soon, Expired, NoExpiry              bool
}

type nextAudit struct {
	Kind, URL, Date, Certificate string
	DaysLeft                     int
}

type registersBlock struct {
	Objectives []objectiveLine
	Overdue    []actionLine
	Certs      []certLine
	Next       *nextAudit
}

func registerBlocks(p *site.Page, m *isms.ISMS, nm *names.Names, asOf isms.Date) registersBlock {
	var b registersBlock
	for _, o := range m.Objectives {
		l := objectiveLine{Title: o.Title, URL: items.URL(p.Org, "objectives", o.ID), Target: o.Target, Owner: nm.Person(o.Owner), Due: o.Due.String()}
		if r := o.Latest(); r != nil {
			l.Value, l.Date, l.Note = r.Value, r.Date.String(), r.Note
			if r.Met != nil {
				l.Judged, l.Met = true, *r.Met
			}
		}
		b.Objectives = append(b.Objectives, l)
	}
	for _, a := range isms.OverdueActions(m, asOf) {
		what := a.Action.Action
		if what == "" {
			what = a.Description
		}
		if what == "" {
			what = a.Key
		}
		l := actionLine{Source: p.T("regui.source." + a.Source), What: what, URL: items.URL(p.Org, a.Kind, a.Key),
			Due: a.Action.Due.String(), DaysOver: asOf.DaysSince(a.Action.Due)}
		if a.Action.Owner != "" {
			l.Owner = nm.Person(a.Action.Owner)
		}
		b.Overdue = append(b.Overdue, l)
	}
	for _, c := range isms.CertificateExpiries(m, asOf) {
		b.Certs = append(b.Certs, certLine{Kind: p.T("regui.cert_kind." + c.Kind), Standard: c.Standard, Number: c.Number, URL: items.URL(p.Org, "certificates", c.ID),
			Expires: c.Expires.String(), DaysLeft: c.DaysLeft, NoExpiry: c.Expires.IsZero(), Expired: c.Expired(), Soon: c.Soon()})
	}
	if a := isms.NextExternalAudit(m, asOf); a != nil {
		b.Next = &nextAudit{Kind: p.T("regui.ext_audit_kind." + a.Kind), URL: items.URL(p.Org, "external_audits", a.ID), Date: a.Date.String(),
			DaysLeft: a.Date.DaysSince(asOf)}
		for _, c := range m.Certificates {
			if c.ID == a.Certificate {
				b.Next.Certificate = p.T("regui.cert_kind."+c.Kind) + " " + c.Number
			}
		}
	}
	return b
}
