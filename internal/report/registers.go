package report

import (
	"fmt"
	"strings"

	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/xuri/excelize/v2"
)

func intCell(p *int) any {
	if p == nil {
		return ""
	}
	return *p
}

// assetSheet is the information asset inventory (情報資産台帳).
func (b *builder) assetSheet() *sheet {
	cols := []column{
		{Header: b.t("report.col.id"), Width: 14}, {Header: b.t("ui.title"), Width: 32}, {Header: b.t("ui.kind"), Width: 14},
		{Header: b.t("report.col.owner"), Width: 22}, {Header: b.t("report.col.services"), Width: 30}, {Header: b.t("report.col.systems"), Width: 30},
		{Header: b.t("report.col.c"), Width: 8}, {Header: b.t("report.col.i"), Width: 8}, {Header: b.t("report.col.a"), Width: 8},
		{Header: b.t("factor.asset_value"), Width: 10},
	}
	assets := b.m.Assets
	return &sheet{Name: b.t("report.sheet.assets"), Title: b.title(KindAssets), Meta: b.commonMeta(), Cols: cols, N: len(assets),
		Rows: func(emit func([]any) error) error {
			for _, a := range assets {
				kind := a.Kind
				if kind != "" {
					kind = b.t("field.v.asset_kind." + kind)
				}
				if err := emit([]any{a.ID, a.Name, kind, b.person(a.Owner), b.refs("cloud_services", a.Services), b.refs("systems", a.Systems),
					intCell(a.Confidentiality), intCell(a.Integrity), intCell(a.Availability), a.Value()}); err != nil {
					return err
				}
			}
			return nil
		}}
}

// factorCell shows a factor as its level, or its text where the method
// does not use it as a level.
func factorCell(f isms.Factor) any {
	if v, ok := f.Level(); ok {
		return v
	}
	return f.Text
}

// riskSheet is the risk assessment and treatment plan
// (リスクアセスメント・リスク対応計画).
func (b *builder) riskSheet() *sheet {
	factors := b.m.Criteria.Factors()
	cols := []column{{Header: b.t("report.col.id"), Width: 8}, {Header: b.t("report.col.risk"), Width: 30},
		{Header: b.t("report.col.sources"), Width: 14}, {Header: b.t("report.col.services"), Width: 20}, {Header: b.t("report.col.assets"), Width: 18}}
	for _, f := range factors {
		cols = append(cols, column{Header: b.t("factor." + f), Width: 7})
	}
	cols = append(cols, column{Header: b.t("ui.level"), Width: 6}, column{Header: b.t("report.col.acceptable"), Width: 10},
		column{Header: b.t("ui.treatment"), Width: 9}, column{Header: b.t("report.col.controls"), Width: 14})
	for _, f := range factors {
		cols = append(cols, column{Header: b.t("report.col.residual_factor", "factor", b.t("factor."+f)), Width: 7})
	}
	cols = append(cols, column{Header: b.t("report.col.residual_level"), Width: 7}, column{Header: b.t("report.col.residual_acceptable"), Width: 10},
		column{Header: b.t("ui.owner"), Width: 12}, column{Header: b.t("report.col.plan"), Width: 40}, column{Header: b.t("ui.approval"), Width: 18})
	views := isms.RiskViews(b.m)
	return &sheet{Name: b.t("report.sheet.risks"), Title: b.title(KindRisks), Meta: append(b.commonMeta(),
		[2]string{b.t("report.meta.method"), b.t("report.method." + b.m.Criteria.Method)},
		[2]string{b.t("report.meta.acceptance"), fmt.Sprint(b.m.Criteria.Acceptance)}),
		Cols: cols, N: len(views),
		Rows: func(emit func([]any) error) error {
			for _, v := range views {
				if err := emit(b.riskRow(v, factors)); err != nil {
					return err
				}
			}
			return nil
		}}
}

func (b *builder) riskRow(v isms.RiskView, factors []string) []any {
	r := v.Risk
	row := []any{r.ID, r.Title, b.list(r.Sources), b.refs("cloud_services", r.Services), b.refs("assets", r.Assets)}
	before := map[string]isms.Factor{isms.FactorLikelihood: r.Likelihood, isms.FactorImpact: r.Impact,
		isms.FactorThreat: r.Threat, isms.FactorVulnerability: r.Vulnerability}
	for _, f := range factors {
		if v.OK {
			row = append(row, v.Before[f])
		} else {
			row = append(row, factorCell(before[f]))
		}
	}
	level, acc, rlevel, racc := any(""), b.t("ui.unassessed"), any(""), b.t("ui.unassessed")
	if v.OK {
		level, rlevel = v.Level, v.Residual
		acc, racc = b.acceptable(v.Acceptable), b.acceptable(v.ResidualAcceptable)
	}
	treat := ""
	if r.Treatment != "" {
		treat = b.t("treatment." + r.Treatment)
	}
	row = append(row, level, acc, treat, b.list(r.Controls))
	for _, f := range factors {
		if v.OK {
			row = append(row, v.After[f])
		} else {
			row = append(row, "")
		}
	}
	var plan []string
	for _, p := range r.Plan {
		line := b.t("report.plan_line", "action", p.Action, "owner", b.person(p.Owner), "due", p.Due.String())
		if !p.DoneOn.IsZero() {
			line += " " + b.t("report.plan_done", "date", p.DoneOn.String())
		}
		plan = append(plan, line)
	}
	appr := b.t("ui.not_approved")
	if a := r.Approval; a != nil {
		appr = b.t("ui.approved_by", "who", b.person(a.By), "at", a.Date.String())
		if r.ResidualAcceptedByOwner() {
			appr += "\n" + b.t("report.residual_accepted")
		}
	}
	return append(row, rlevel, racc, b.person(r.Owner), strings.Join(plan, "\n"), appr)
}

func (b *builder) acceptable(ok bool) string {
	if ok {
		return b.t("report.within")
	}
	return b.t("ui.above")
}

// heatSheet is the heat map as a table: one row per level of the row
// factor (highest first), before and after treatment.
func (b *builder) heatSheet() *sheet {
	h := isms.NewHeatMap(b.m, isms.RiskViews(b.m))
	cols := []column{{Header: b.t("report.col.stage"), Width: 12},
		{Header: b.t("report.col.axes", "rows", b.t("factor."+h.RowFactor), "cols", b.t("factor."+h.ColFactor)), Width: 22}}
	for c := 1; c <= h.Cols; c++ {
		cols = append(cols, column{Header: fmt.Sprint(c), Width: 6})
	}
	acc := b.m.Criteria.Acceptance
	meta := append(b.commonMeta(), [2]string{b.t("report.meta.acceptance"), fmt.Sprint(acc)},
		[2]string{b.t("ui.unassessed"), fmt.Sprint(h.Unassessed)})
	legend := [][]any{{b.t("docs13.heat.legend", "acceptance", acc, "twice", 2*acc)}}
	return &sheet{Name: b.t("report.sheet.heat"), Title: b.t("ui.heat"), Meta: meta, Cols: cols, N: 2 * h.Rows, Tail: legend,
		Rows: func(emit func([]any) error) error {
			for _, stage := range []struct {
				label string
				grid  [][]int
			}{{b.t("ui.heat_before"), h.Before}, {b.t("ui.heat_after"), h.After}} {
				for r := h.Rows; r >= 1; r-- {
					row := []any{stage.label, r}
					for c := 1; c <= h.Cols; c++ {
						row = append(row, excelize.Cell{Value: stage.grid[r-1][c-1], StyleID: b.st.heat[heatClass(r*c, acc)]})
					}
					if err := emit(row); err != nil {
						return err
					}
				}
			}
			return nil
		}}
}

// heatClass places a level (row level × column level, as the web UI's
// heat map computes it) against the acceptance criterion: 0 within it, 1
// above it, 2 above twice it.
func heatClass(level, acceptance int) int {
	switch {
	case level > 2*acceptance:
		return 2
	case level > acceptance:
		return 1
	}
	return 0
}

// correctiveSheet lists the findings of every internal audit that need or
// have a corrective action (是正処置一覧).
func (b *builder) correctiveSheet() *sheet {
	type entry struct {
		a *isms.Audit
		f *isms.AuditFinding
	}
	var list []entry
	for i := range b.m.Audits {
		a := &b.m.Audits[i]
		for j := range a.Findings {
			f := &a.Findings[j]
			if f.CorrectiveAction != nil || f.Kind == isms.FindingMajor || f.Kind == isms.FindingMinor {
				list = append(list, entry{a, f})
			}
		}
	}
	cols := []column{{Header: b.t("report.col.audit"), Width: 22}, {Header: b.t("report.col.finding"), Width: 10},
		{Header: b.t("ui.kind"), Width: 14}, {Header: b.t("ui.control"), Width: 12}, {Header: b.t("report.col.description"), Width: 36},
		{Header: b.t("report.col.cause"), Width: 28}, {Header: b.t("report.col.action"), Width: 36}, {Header: b.t("report.col.person_in_charge"), Width: 18},
		{Header: b.t("ui.due"), Width: 12}, {Header: b.t("report.col.done_on"), Width: 12}, {Header: b.t("report.col.effective"), Width: 10},
		{Header: b.t("report.col.verified_by"), Width: 18}, {Header: b.t("ui.state"), Width: 12}}
	return &sheet{Name: b.t("report.sheet.corrective"), Title: b.title(KindCorrectiveActions), Meta: b.commonMeta(), Cols: cols, N: len(list),
		Rows: func(emit func([]any) error) error {
			for _, e := range list {
				row := []any{e.a.ID + " " + e.a.Title, e.f.ID, b.t("finding." + e.f.Kind), e.f.Control, e.f.Description}
				ca := e.f.CorrectiveAction
				if ca == nil {
					row = append(row, "", "", "", "", "", "", "", b.t("report.ca.none"))
				} else {
					row = append(row, ca.Cause, ca.Action, b.person(ca.Owner), ca.Due.String(), ca.DoneOn.String(),
						yesNo(b, ca.Effective), b.person(ca.VerifiedBy), b.caState(ca))
				}
				if err := emit(row); err != nil {
					return err
				}
			}
			return nil
		}}
}

func (b *builder) caState(ca *isms.CorrectiveAction) string {
	switch {
	case !ca.DoneOn.IsZero() && isms.IsTrue(ca.Effective):
		return b.t("report.ca.closed")
	case !ca.DoneOn.IsZero():
		return b.t("report.ca.done")
	case !ca.Due.IsZero() && !b.o.Date.IsZero() && ca.Due.Before(b.o.Date):
		return b.t("ui.overdue")
	}
	return b.t("report.ca.open")
}
