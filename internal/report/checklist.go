package report

import (
	"github.com/cloudisms/cloudisms/internal/isms"
)

// checkItem is one question of an internal audit checklist: an applicable
// control of an audited SoA.
type checkItem struct {
	view *isms.SoAView
	row  isms.EffectiveRow
}

// checklistSheets make the internal audit checklists (内部監査チェックリスト):
// one per audit, from the SoAs of the services it covers (the
// organization's SoA for an audit of units only). With --service, or when
// no audit is planned yet, one checklist for the SoAs in view.
func (b *builder) checklistSheets() []*sheet {
	views := isms.SoAViews(b.m)
	var out []*sheet
	for i := range b.m.Audits {
		a := &b.m.Audits[i]
		if b.o.Service != "" && !contains(a.Services, b.o.Service) {
			continue
		}
		var in []*isms.SoAView
		for j := range views {
			v := &views[j]
			if (len(a.Services) == 0 && v.Service == "") || contains(a.Services, v.Service) {
				in = append(in, v)
			}
		}
		meta := append(b.commonMeta(),
			[2]string{b.t("report.col.audit"), a.ID + " " + a.Title},
			[2]string{b.t("report.meta.period"), a.Start.String() + " – " + a.End.String()},
			[2]string{b.t("report.meta.auditors"), b.peopleList(a.Auditors)},
			[2]string{b.t("report.meta.criteria"), b.list(a.Criteria)})
		out = append(out, b.checklistSheet(b.t("report.sheet.checklist", "id", a.ID), meta, in))
	}
	if len(out) == 0 {
		var in []*isms.SoAView
		for j := range views {
			if b.o.Service == "" || views[j].Service == b.o.Service {
				in = append(in, &views[j])
			}
		}
		out = append(out, b.checklistSheet(b.t("report.sheet.checklist", "id", b.o.Service), b.commonMeta(), in))
	}
	return out
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

func (b *builder) checklistSheet(name string, meta [][2]string, views []*isms.SoAView) *sheet {
	var items []checkItem
	for _, v := range views {
		for _, er := range orderedRows(*v, b.m.Organization.AnnexA) {
			if er.Row != nil && er.Row.IsApplicable() {
				items = append(items, checkItem{v, er})
			}
		}
	}
	results := []string{b.t("report.result.conform"), b.t("finding.major"), b.t("finding.minor"), b.t("finding.observation"), b.t("finding.good-practice")}
	cols := []column{{Header: b.t("report.col.no"), Width: 6}, {Header: b.t("report.col.soa"), Width: 20},
		{Header: b.t("report.col.control_id"), Width: 12}, {Header: b.t("report.col.control_title"), Width: 30},
		{Header: b.t("report.col.question"), Width: 44}, {Header: b.t("ui.notes"), Width: 32},
		{Header: b.t("report.col.evidence"), Width: 30}, {Header: b.t("report.col.result"), Width: 14, Choices: results},
		{Header: b.t("report.col.remarks"), Width: 28}}
	return &sheet{Name: name, Title: b.title(KindAuditChecklist), Meta: meta, Cols: cols, N: len(items),
		Rows: func(emit func([]any) error) error {
			for i, it := range items {
				title := b.controlTitle(it.row.Control)
				if err := emit([]any{i + 1, b.soaName(it.view), it.row.Control.ID, title,
					b.t("report.question", "control", it.row.Control.ID, "title", title), it.row.Row.Notes, "", "", ""}); err != nil {
					return err
				}
			}
			return nil
		}}
}

// soaName names an SoA for a reader: the organization's, or service and role.
func (b *builder) soaName(v *isms.SoAView) string {
	if v.Service == "" {
		return b.t("report.sheet.soa_org")
	}
	return v.Service + " " + b.t("role."+v.Role)
}
