package bundle

import (
	"github.com/cloudisms/cloudisms/internal/catalog"
	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/isms"
)

// resolve checks every recorded reference once all lists are read, so that
// a list may refer to one that comes later in the document.
func (d *decoder) resolve(m *isms.ISMS) {
	edition := m.Organization.AnnexA
	for _, r := range d.refs {
		switch r.kind {
		case "control":
			d.checkControl(r, edition)
		case "source":
			if _, ok := d.cat.Source(r.id); ok {
				continue
			}
			if _, ok := d.seen[sourceListFields][r.id]; ok {
				continue
			}
			d.errs = append(d.errs, Problem{File: d.file, Line: r.line, Path: r.path, Msg: i18n.M("bundle.unknown_source", "id", r.id)})
		case "provider":
			if r.id == isms.ProviderSelf {
				continue
			}
			if _, ok := d.seen["suppliers"][r.id]; ok {
				continue
			}
			d.errs = append(d.errs, Problem{File: d.file, Line: r.line, Path: r.path, Msg: i18n.M("bundle.unknown_provider", "id", r.id)})
		default:
			if _, ok := d.seen[r.kind][r.id]; ok {
				continue
			}
			d.errs = append(d.errs, Problem{File: d.file, Line: r.line, Path: r.path,
				Msg: i18n.M("bundle.unknown_ref", "id", r.id, "list", r.kind)})
		}
	}
}

// checkControl accepts an Annex A control of the organization's edition, an
// ISO/IEC 27017 item or a CLD control. An id of the other edition gets its
// own message, since mixing editions is the usual slip.
func (d *decoder) checkControl(r ref, edition string) {
	ctl, ok := d.cat.Lookup(r.id)
	switch {
	case !ok:
		d.errs = append(d.errs, Problem{File: d.file, Line: r.line, Path: r.path, Msg: i18n.M("bundle.unknown_control", "id", r.id)})
	case ctl.Framework == catalog.ISO27017:
	case edition != "" && ctl.Framework != edition:
		d.errs = append(d.errs, Problem{File: d.file, Line: r.line, Path: r.path,
			Msg: i18n.M("bundle.control_edition", "id", r.id, "framework", ctl.Framework, "edition", edition)})
	}
}
