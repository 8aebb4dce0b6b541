package report

import (
	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/catalog"
	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/isms"
)

// SoA table columns, in order. The importer reads them by position.
const (
	soaColControl = iota
	soaColTitle
	soaColSection
	soaColApplicable
	soaColReasons
	soaColImplementation
	soaColJustification
	soaColNotes
	soaColFrom
	soaCols
)

// Values the SoA columns take, as codes in the bundle.
var (
	reasonCodes = []string{"risk", "legal", "contract", "business", "best-practice"}
	implCodes   = []string{isms.ImplImplemented, isms.ImplPartial, isms.ImplPlanned, isms.ImplNotImplemented}
)

// soaViews are the SoAs a workbook shows: all of them, or those of one service.
func (b *builder) soaViews() []isms.SoAView {
	var out []isms.SoAView
	for _, v := range isms.SoAViews(b.m) {
		if b.o.Service == "" || v.Service == b.o.Service {
			out = append(out, v)
		}
	}
	return out
}

// orderedRows puts each 27017 guidance item right after the Annex A
// control it is attached to (its first base under the organization's
// edition), as practitioners read them; CLD controls and items without a
// base in this SoA follow at the end.
func orderedRows(v isms.SoAView, edition string) []isms.EffectiveRow {
	cat := catalog.Std()
	after := map[string][]isms.EffectiveRow{}
	present := map[string]bool{}
	for _, er := range v.Rows {
		if !er.Control.Is27017() {
			present[er.Control.ID] = true
		}
	}
	var tail []isms.EffectiveRow
	for _, er := range v.Rows {
		if !er.Control.Is27017() {
			continue
		}
		bases := cat.Bases(er.Control, edition)
		if len(bases) > 0 && present[bases[0]] {
			after[bases[0]] = append(after[bases[0]], er)
		} else {
			tail = append(tail, er)
		}
	}
	out := make([]isms.EffectiveRow, 0, len(v.Rows))
	for _, er := range v.Rows {
		if er.Control.Is27017() {
			continue
		}
		out = append(out, er)
		out = append(out, after[er.Control.ID]...)
	}
	return append(out, tail...)
}

func (b *builder) soaSheets() []*sheet {
	var out []*sheet
	for _, v := range b.soaViews() {
		out = append(out, b.soaSheet(v))
	}
	return out
}

func (b *builder) soaColumns() []column {
	cols := make([]column, soaCols)
	cols[soaColControl] = column{Header: b.t("report.col.control_id"), Width: 11}
	cols[soaColTitle] = column{Header: b.t("report.col.control_title"), Width: 30}
	cols[soaColSection] = column{Header: b.t("report.col.section"), Width: 11}
	cols[soaColApplicable] = column{Header: b.t("ui.applicable_q"), Width: 7, Choices: []string{b.t("report.applicable.yes"), b.t("report.applicable.no")}}
	cols[soaColReasons] = column{Header: b.t("ui.reasons"), Width: 20}
	var impl []string
	for _, c := range implCodes {
		impl = append(impl, b.t("state."+c))
	}
	cols[soaColImplementation] = column{Header: b.t("ui.implementation"), Width: 9, Choices: impl}
	cols[soaColJustification] = column{Header: b.t("ui.justification"), Width: 22}
	cols[soaColNotes] = column{Header: b.t("ui.notes"), Width: 56}
	cols[soaColFrom] = column{Header: b.t("report.col.from"), Width: 13}
	if len(b.o.ControlTexts) > 0 {
		// After every column the importer reads, so that it shifts none.
		cols = append(cols, column{Header: b.t("report.col.control_text"), Width: 48})
	}
	return cols
}

// soaMeta is the header block of an SoA sheet; the importer finds the
// service and role by these labels.
func (b *builder) soaMeta(v isms.SoAView) [][2]string {
	svcName, role := "", ""
	if s := serviceOf(b.m, v.Service); s != nil {
		svcName = s.Name
	}
	if v.Role != "" {
		role = b.t("role." + v.Role)
	}
	var appr *isms.Approval
	stale, importedBy := false, ""
	if v.SoA != nil {
		appr, stale = v.SoA.Approval, b.isStale(bundle.KindSoA, bundle.SoAKey(*v.SoA))
		importedBy = b.o.ImportedApprovals[bundle.KindSoA+"/"+bundle.SoAKey(*v.SoA)]
	}
	return [][2]string{
		{b.t("report.meta.org"), b.orgName() + " (" + b.m.Organization.ID + ")"},
		{b.t("report.meta.service"), v.Service},
		{b.t("report.meta.service_name"), svcName},
		{b.t("report.meta.role"), role},
		{b.t("report.meta.annex_a"), b.standard(b.m.Organization.AnnexA)},
		{b.t("report.meta.version"), b.o.Version},
		{b.t("report.meta.approval"), b.approvalLine(appr, stale, importedBy)},
		{b.t("report.meta.date"), b.o.Date.String()},
	}
}

func (b *builder) soaSheet(v isms.SoAView) *sheet {
	name := b.t("report.sheet.soa_org")
	if v.Service != "" {
		name = b.t("report.sheet.soa_service", "service", v.Service, "role", b.t("report.role_short."+v.Role))
	}
	rows := orderedRows(v, b.m.Organization.AnnexA)
	var tail [][]any
	if v.Service != "" {
		tail = [][]any{{b.t("report.note.inherited", "org", b.t("report.from.organization"), "own", b.t("report.from.service"))}}
	}
	if note := b.unconfirmedNote(rows); note != "" {
		tail = append(tail, []any{note})
	}
	return &sheet{Tail: tail,
		Name: name, Title: b.title(KindSoA), Meta: b.soaMeta(v), Cols: b.soaColumns(), N: len(rows),
		Rows: func(emit func([]any) error) error {
			for _, er := range rows {
				if err := emit(b.soaRow(er)); err != nil {
					return err
				}
			}
			return nil
		},
	}
}

// controlTitle is a control's title in the document's language: in
// Japanese the organization's own title where its control texts give one,
// else the catalog's, marked when the catalog has not confirmed it
// (unconfirmedNote explains the mark).
func (b *builder) controlTitle(c *catalog.Control) string {
	if b.o.Lang == i18n.EN && c.TitleEN != "" {
		return c.TitleEN
	}
	t, unconfirmed := catalog.JATitle(c, b.o.ControlTexts)
	if unconfirmed {
		return t + b.t("catalog.unconfirmed_mark")
	}
	return t
}

// unconfirmedNote is the note under a table whose titles carry the mark
// ("" when none does).
func (b *builder) unconfirmedNote(rows []isms.EffectiveRow) string {
	if b.o.Lang == i18n.EN {
		return ""
	}
	for _, er := range rows {
		if _, unconfirmed := catalog.JATitle(er.Control, b.o.ControlTexts); unconfirmed {
			return b.t("catalog.unconfirmed_note", "mark", b.t("catalog.unconfirmed_mark"))
		}
	}
	return ""
}

func (b *builder) section(c *catalog.Control) string {
	switch {
	case c.Kind == "cld":
		return b.t("report.section.cld")
	case c.Is27017():
		return b.t("report.section.27017", "base", c.Base2013)
	}
	return b.t("report.section.annex_a")
}

func (b *builder) soaRow(er isms.EffectiveRow) []any {
	out := make([]any, soaCols, soaCols+1)
	out[soaColControl] = er.Control.ID
	out[soaColTitle] = b.controlTitle(er.Control)
	out[soaColSection] = b.section(er.Control)
	out[soaColFrom] = b.t("report.from." + er.From)
	for _, i := range []int{soaColApplicable, soaColReasons, soaColImplementation, soaColJustification, soaColNotes} {
		out[i] = ""
	}
	if r := er.Row; r != nil {
		out[soaColApplicable] = b.applicable(r.Applicable)
		reasons := make([]string, len(r.Reasons))
		for i, x := range r.Reasons {
			reasons[i] = b.t("reason." + x)
		}
		out[soaColReasons] = b.list(reasons)
		if r.Implementation != "" {
			out[soaColImplementation] = b.t("state." + r.Implementation)
		}
		out[soaColJustification] = r.Justification
		out[soaColNotes] = r.Notes
	}
	if len(b.o.ControlTexts) > 0 {
		out = append(out, b.o.ControlTexts[er.Control.ID])
	}
	return out
}

func (b *builder) applicable(v *bool) string {
	switch {
	case v == nil:
		return ""
	case *v:
		return b.t("report.applicable.yes")
	}
	return b.t("report.applicable.no")
}
