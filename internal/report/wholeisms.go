package report

import (
	"strconv"
	"strings"

	"github.com/cloudisms/cloudisms/internal/isms"
)

// The records of the whole ISMS an auditor asks for besides the cloud
// part, each both a printed document and a workbook made from the same
// tables: 利害関係者一覧, 情報セキュリティ目的と達成状況, 力量・教育訓練記録,
// 文書一覧, 不適合・是正処置一覧 (every source), インシデント一覧 and
// 認証・審査の記録.

// Documents and workbooks of the version 2 registers (the same name is
// the workbook kind and the printed document).
const (
	KindParties         = "interested-parties"
	KindObjectives      = "objectives"
	KindCompetence      = "competence"
	KindDocuments       = "documents"
	KindNonconformities = "nonconformities"
	KindIncidents       = "incidents"
	KindCertification   = "certification"
)

// RegisterReports are the documents of the version 2 registers.
var RegisterReports = []string{KindParties, KindObjectives, KindCompetence, KindDocuments, KindNonconformities, KindIncidents, KindCertification}

// regTable is one table of a register report: a worksheet of a workbook,
// a captioned table of a printed document.
type regTable struct {
	Sheet, Caption string
	Cols           []column
	Rows           [][]string
}

// isRegisterReport reports whether k is one of RegisterReports.
func isRegisterReport(k string) bool {
	for _, x := range RegisterReports {
		if x == k {
			return true
		}
	}
	return false
}

// registerTables makes the tables of a register report.
func (b *builder) registerTables(kind string) []regTable {
	switch kind {
	case KindParties:
		return []regTable{b.partiesTable(), b.issuesTable()}
	case KindObjectives:
		return []regTable{b.objectivesTable(), b.objectiveResultsTable(), b.measurementsTable()}
	case KindCompetence:
		return []regTable{b.competenceTable(), b.trainingsTable(), b.attendanceTable()}
	case KindDocuments:
		return []regTable{b.documentsTable()}
	case KindNonconformities:
		return []regTable{b.ncTable()}
	case KindIncidents:
		return []regTable{b.incidentsTable()}
	case KindCertification:
		return []regTable{b.certificatesTable(), b.extAuditsTable(), b.extFindingsTable()}
	}
	return nil
}

// registerSheets are the worksheets of a register report.
func (b *builder) registerSheets(kind string) []*sheet {
	var out []*sheet
	for _, t := range b.registerTables(kind) {
		rows := t.Rows
		out = append(out, &sheet{Name: t.Sheet, Title: b.title(kind) + " — " + t.Caption, Meta: b.commonMeta(), Cols: t.Cols, N: len(rows),
			Rows: func(emit func([]any) error) error {
				for _, r := range rows {
					row := make([]any, len(r))
					for i, c := range r {
						row[i] = c
					}
					if err := emit(row); err != nil {
						return err
					}
				}
				return nil
			}})
	}
	return out
}

// registerDoc is the printed document of a register report.
func (b *builder) registerDoc(kind string) printDoc {
	d := printDoc{Title: b.title(kind), dated: b.o.Date}
	for _, t := range b.registerTables(kind) {
		pt := printTable{Head: make([]string, len(t.Cols)), Rows: t.Rows}
		for i, c := range t.Cols {
			pt.Head[i] = c.Header
		}
		d.Sections = append(d.Sections, printSection{Heading: t.Caption, Tables: []printTable{pt}})
	}
	return d
}

func (b *builder) cols(widths []float64, keys ...string) []column {
	out := make([]column, len(keys))
	for i, k := range keys {
		out[i] = column{Header: b.t(k), Width: widths[i]}
	}
	return out
}

func (b *builder) partiesTable() regTable {
	t := regTable{Sheet: b.t("regui.rep.sheet.parties"), Caption: b.t("regui.rep.parties"),
		Cols: b.cols([]float64{12, 24, 18, 40, 40, 12}, "report.col.id", "regui.rep.col.party", "ui.kind", "regui.rep.col.requirements", "regui.rep.col.addressed_by", "regui.rep.col.reviewed_on")}
	for _, p := range b.m.InterestedParties {
		t.Rows = append(t.Rows, []string{p.ID, p.Name, b.enum("regui.rep.party_kind.", p.Kind), b.lines(p.Requirements), b.lines(p.AddressedBy), p.ReviewedOn.String()})
	}
	return t
}

func (b *builder) issuesTable() regTable {
	t := regTable{Sheet: b.t("regui.rep.sheet.issues"), Caption: b.t("regui.rep.issues"),
		Cols: b.cols([]float64{12, 14, 60, 12}, "report.col.id", "ui.kind", "regui.rep.col.issue", "regui.rep.col.reviewed_on")}
	for _, c := range b.m.ContextIssues {
		t.Rows = append(t.Rows, []string{c.ID, b.t("regui.rep.issue_kind." + c.Kind), c.Description, c.ReviewedOn.String()})
	}
	if o := b.m.Organization; o.ClimateChangeRelevant != nil {
		t.Rows = append(t.Rows, []string{"", b.t("regui.rep.climate"), b.yes(*o.ClimateChangeRelevant) + " " + o.ClimateChangeNote, ""})
	}
	return t
}

// lines joins a list one item a line.
func (b *builder) lines(xs []string) string { return strings.Join(xs, "\n") }

func (b *builder) objectivesTable() regTable {
	t := regTable{Sheet: b.t("regui.rep.sheet.objectives"), Caption: b.t("regui.rep.objectives"),
		Cols: b.cols([]float64{10, 28, 22, 16, 14, 12, 18, 20, 12, 14}, "report.col.id", "regui.rep.col.objective", "regui.rep.col.measure", "regui.rep.col.target",
			"report.col.person_in_charge", "ui.due", "report.col.services", "regui.rep.col.latest", "regui.rep.col.met", "regui.rep.col.plan")}
	for _, o := range b.m.Objectives {
		latest, met := "", ""
		if r := o.Latest(); r != nil {
			latest, met = r.Date.String()+" "+r.Value, yesNo(b, r.Met)
		} else {
			latest = b.t("regui.no_result")
		}
		done := 0
		for _, p := range o.Plan {
			if !p.DoneOn.IsZero() {
				done++
			}
		}
		plan := ""
		if len(o.Plan) > 0 {
			plan = b.t("regui.rep.plan_done", "done", done, "n", len(o.Plan))
		}
		t.Rows = append(t.Rows, []string{o.ID, o.Title, o.Measure, o.Target, b.person(o.Owner), o.Due.String(), b.refs("cloud_services", o.Services), latest, met, plan})
	}
	return t
}

func (b *builder) objectiveResultsTable() regTable {
	t := regTable{Sheet: b.t("regui.rep.sheet.results"), Caption: b.t("regui.rep.results"),
		Cols: b.cols([]float64{28, 12, 16, 10, 36}, "regui.rep.col.objective", "regui.rep.col.evaluated_on", "regui.rep.col.value", "regui.rep.col.met", "regui.rep.col.note")}
	for _, o := range b.m.Objectives {
		for _, r := range o.Results {
			t.Rows = append(t.Rows, []string{o.ID + " " + o.Title, r.Date.String(), r.Value, yesNo(b, r.Met), r.Note})
		}
	}
	return t
}

func (b *builder) measurementsTable() regTable {
	t := regTable{Sheet: b.t("regui.rep.sheet.measurements"), Caption: b.t("regui.rep.measurements"),
		Cols: b.cols([]float64{26, 22, 12, 14, 14, 20, 12, 14, 28}, "regui.rep.col.measured", "regui.rep.col.method", "regui.rep.col.when", "regui.rep.col.who",
			"regui.rep.col.analyzed_by", "regui.rep.col.objective", "regui.rep.col.measured_on", "regui.rep.col.value", "regui.rep.col.note")}
	obj := map[string]string{}
	for _, o := range b.m.Objectives {
		obj[o.ID] = o.Title
	}
	for _, x := range b.m.Measurements {
		head := []string{x.ID + " " + x.What, x.Method, x.When, b.person(x.Who), b.person(x.AnalyzedBy), obj[x.Objective]}
		if len(x.Results) == 0 {
			t.Rows = append(t.Rows, append(head, "", "", ""))
		}
		for _, r := range x.Results {
			t.Rows = append(t.Rows, append(append([]string(nil), head...), r.Date.String(), r.Value, r.Note))
		}
	}
	return t
}

// competenceTable is per person: each requirement that applies, the last
// training on its topic and whether it is met on the report's date.
func (b *builder) competenceTable() regTable {
	t := regTable{Sheet: b.t("regui.rep.sheet.competence"), Caption: b.t("regui.rep.competence"),
		Cols: b.cols([]float64{18, 16, 20, 18, 30, 12, 14}, "regui.rep.col.person", "regui.rep.col.unit", "regui.rep.col.applies_to", "regui.rep.col.topic",
			"regui.rep.col.last_training", "regui.rep.col.valid_until", "regui.rep.col.state")}
	units := map[string]string{}
	for _, u := range b.m.Units {
		units[u.ID] = u.Name
	}
	for _, p := range b.m.People {
		rec, _ := isms.PersonRecordOf(b.m, p.ID, b.o.Date)
		name := b.person(p.ID)
		for _, c := range rec.Competence {
			last := ""
			if c.Last != nil {
				last = c.Last.Date.String() + " " + c.Last.Title
			}
			state := b.t("regui.met")
			if !c.Met {
				state = b.t("regui.rep.not_met")
			}
			t.Rows = append(t.Rows, []string{name, units[p.Unit], b.t("regui.applies." + c.Requirement.AppliesTo), c.Requirement.Topic, last, c.Until.String(), state})
		}
		if rec.AwarenessDue {
			last := ""
			if rec.LastAwareness != nil {
				last = rec.LastAwareness.Date.String() + " " + rec.LastAwareness.Title
			}
			state := b.t("regui.met")
			if !rec.AwarenessMet {
				state = b.t("regui.rep.not_met")
			}
			t.Rows = append(t.Rows, []string{name, units[p.Unit], b.t("regui.applies.isms-personnel"), b.t("regui.rep.awareness"), last, "", state})
		}
	}
	return t
}

func (b *builder) trainingsTable() regTable {
	t := regTable{Sheet: b.t("regui.rep.sheet.trainings"), Caption: b.t("regui.rep.trainings"),
		Cols: b.cols([]float64{10, 12, 30, 10, 22, 8, 40, 24}, "report.col.id", "regui.rep.col.held_on", "regui.rep.col.training", "ui.kind", "regui.rep.col.topics",
			"regui.rep.col.count", "regui.rep.col.attendees", "regui.rep.col.record")}
	for _, x := range b.m.Trainings {
		var files []string
		for _, e := range x.Evidence {
			files = append(files, e.Name)
		}
		t.Rows = append(t.Rows, []string{x.ID, x.Date.String(), x.Title, b.t("regui.training_kind." + x.Kind), b.list(x.Topics),
			strconv.Itoa(len(x.Attendees)), b.peopleList(x.Attendees), b.list(files)})
	}
	return t
}

// attendanceTable is one row per training and attendee (出席記録).
func (b *builder) attendanceTable() regTable {
	t := regTable{Sheet: b.t("regui.rep.sheet.attendance"), Caption: b.t("regui.rep.attendance"),
		Cols: b.cols([]float64{12, 30, 10, 14, 20}, "regui.rep.col.held_on", "regui.rep.col.training", "report.col.id", "regui.rep.col.person_id", "regui.rep.col.person")}
	for _, x := range b.m.Trainings {
		for _, p := range x.Attendees {
			t.Rows = append(t.Rows, []string{x.Date.String(), x.Title, x.ID, p, b.person(p)})
		}
	}
	return t
}

func (b *builder) documentsTable() regTable {
	t := regTable{Sheet: b.t("regui.rep.sheet.documents"), Caption: b.t("regui.rep.documents"),
		Cols: b.cols([]float64{12, 10, 32, 8, 18, 16, 12, 12, 12, 14}, "report.col.id", "ui.kind", "regui.rep.col.doc_title", "regui.rep.col.version",
			"regui.rep.col.clauses", "regui.rep.col.approved_by", "regui.rep.col.approved_on", "regui.rep.col.reviewed_on", "regui.rep.col.review_due", "regui.rep.col.state")}
	for _, d := range b.m.Documents {
		by, on := "", ""
		if d.Approval != nil {
			by, on = b.person(d.Approval.By), d.Approval.Date.String()
		}
		due, state := "", ""
		if next, ok := d.ReviewDue(); ok {
			due = next.String()
			if !b.o.Date.IsZero() && d.ReviewOverdue(b.o.Date) {
				state = b.t("regui.rep.review_overdue")
			}
		} else {
			state = b.t("regui.rep.never_reviewed")
		}
		if d.Approval == nil {
			state = b.joinNonEmpty(b.t("ui.not_approved"), state)
		}
		t.Rows = append(t.Rows, []string{d.ID, b.enum("field.v.document_kind.", d.Kind), d.Title, d.Version, b.list(d.Clauses), by, on, d.ReviewedOn.String(), due, state})
	}
	return t
}

// ncTable is every nonconformity of every source with its corrective action.
func (b *builder) ncTable() regTable {
	t := regTable{Sheet: b.t("regui.rep.sheet.nc"), Caption: b.t("regui.rep.nc"),
		Cols: b.cols([]float64{14, 22, 12, 14, 10, 32, 24, 30, 14, 12, 12, 10, 14, 12}, "regui.rep.col.source", "regui.rep.col.record_of", "regui.rep.col.found_on",
			"ui.kind", "regui.rep.col.clause", "report.col.description", "report.col.cause", "report.col.action", "report.col.person_in_charge", "ui.due",
			"report.col.done_on", "report.col.effective", "report.col.verified_by", "ui.state")}
	titles := map[string]string{}
	for _, a := range b.m.Audits {
		titles["audits/"+a.ID] = a.ID + " " + a.Title
	}
	for _, a := range b.m.ExternalAudits {
		titles["external_audits/"+a.ID] = a.ID + " " + b.t("regui.ext_audit_kind."+a.Kind)
	}
	for _, r := range isms.Nonconformities(b.m) {
		of := r.Key
		if s, ok := titles[r.Kind+"/"+r.Key]; ok {
			of = s
		}
		if r.FindingID != "" {
			of += " / " + r.FindingID
		}
		grade := b.t("finding." + r.Grade)
		if r.Source == isms.ActionFromNC {
			grade = b.t("regui.rep.nc_source." + r.Grade)
		}
		row := []string{b.t("regui.source." + r.Source), of, r.Date.String(), grade, r.Clause, r.Description}
		if ca := r.Action; ca != nil {
			row = append(row, ca.Cause, ca.Action, b.person(ca.Owner), ca.Due.String(), ca.DoneOn.String(), yesNo(b, ca.Effective), b.person(ca.VerifiedBy), b.caState(ca))
		} else {
			row = append(row, "", "", "", "", "", "", "", b.t("report.ca.none"))
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

func (b *builder) incidentsTable() regTable {
	t := regTable{Sheet: b.t("regui.rep.sheet.incidents"), Caption: b.t("regui.rep.incidents"),
		Cols: b.cols([]float64{10, 12, 30, 8, 20, 14, 14, 32}, "report.col.id", "regui.rep.col.occurred_on", "regui.rep.col.incident", "regui.rep.col.severity",
			"report.col.services", "regui.rep.col.notified", "regui.rep.col.nc", "regui.rep.col.note")}
	for _, x := range b.m.Incidents {
		t.Rows = append(t.Rows, []string{x.ID, x.Date.String(), x.Title, b.t("regui.rep.severity." + x.Severity), b.refs("cloud_services", x.Services),
			yesNo(b, x.CustomersNotified), x.Nonconformity, x.Notes})
	}
	return t
}

func (b *builder) certificatesTable() regTable {
	t := regTable{Sheet: b.t("regui.rep.sheet.certificates"), Caption: b.t("regui.rep.certificates"),
		Cols: b.cols([]float64{10, 22, 16, 18, 16, 12, 12, 10, 36, 14}, "report.col.id", "ui.kind", "regui.rep.col.standard", "regui.rep.col.body", "regui.rep.col.number",
			"regui.rep.col.issued", "regui.rep.col.expires", "regui.rep.col.days_left", "regui.rep.col.scope", "regui.rep.col.base")}
	for _, c := range isms.CertificateExpiries(b.m, b.o.Date) {
		left := ""
		if !c.Expires.IsZero() && !b.o.Date.IsZero() {
			left = strconv.Itoa(c.DaysLeft)
		}
		t.Rows = append(t.Rows, []string{c.ID, b.t("regui.cert_kind." + c.Kind), b.standardName(c.Standard), c.Body, c.Number, c.Issued.String(), c.Expires.String(), left, c.Scope, c.Base})
	}
	return t
}

// standardName names a certificate's standard: a known edition by its
// title, anything else as written.
func (b *builder) standardName(s string) string {
	if s == "" {
		return ""
	}
	return b.standard(s)
}

func (b *builder) extAuditsTable() regTable {
	t := regTable{Sheet: b.t("regui.rep.sheet.ext_audits"), Caption: b.t("regui.rep.ext_audits"),
		Cols: b.cols([]float64{12, 18, 14, 18, 24, 30, 24}, "report.col.id", "ui.kind", "regui.rep.col.certificate", "regui.rep.col.body", "report.meta.period",
			"regui.rep.col.finding_counts", "regui.rep.col.report")}
	for _, a := range b.m.ExternalAudits {
		counts := map[string]int{}
		for _, f := range a.Findings {
			counts[f.Kind]++
		}
		period := a.Date.String()
		if !a.End.IsZero() && a.End != a.Date {
			period += " – " + a.End.String()
		}
		var files []string
		for _, e := range a.Evidence {
			files = append(files, e.Name)
		}
		t.Rows = append(t.Rows, []string{a.ID, b.t("regui.ext_audit_kind." + a.Kind), a.Certificate, a.Body, period,
			b.t("regui.rep.finding_counts", "major", counts[isms.FindingMajor], "minor", counts[isms.FindingMinor], "observation", counts[isms.FindingObservation], "opportunity", counts[isms.FindingOpportunity]),
			b.list(files)})
	}
	return t
}

func (b *builder) extFindingsTable() regTable {
	t := regTable{Sheet: b.t("regui.rep.sheet.ext_findings"), Caption: b.t("regui.rep.ext_findings"),
		Cols: b.cols([]float64{12, 8, 16, 10, 34, 30, 14, 12, 12, 12}, "regui.rep.col.audit", "report.col.finding", "ui.kind", "regui.rep.col.clause", "report.col.description",
			"report.col.action", "report.col.person_in_charge", "ui.due", "report.col.done_on", "ui.state")}
	for _, a := range b.m.ExternalAudits {
		for _, f := range a.Findings {
			kind := b.t("regui.rep.ext_finding." + f.Kind)
			row := []string{a.ID, f.ID, kind, f.Clause, f.Description}
			if ca := f.CorrectiveAction; ca != nil {
				row = append(row, ca.Action, b.person(ca.Owner), ca.Due.String(), ca.DoneOn.String(), b.caState(ca))
			} else if f.IsNonconformity() {
				row = append(row, "", "", "", "", b.t("report.ca.none"))
			} else {
				row = append(row, "", "", "", "", "")
			}
			t.Rows = append(t.Rows, row)
		}
	}
	return t
}

// joinNonEmpty joins two texts as a list in the document's language,
// leaving out an empty one.
func (b *builder) joinNonEmpty(x, y string) string {
	switch {
	case x == "":
		return y
	case y == "":
		return x
	}
	return b.list([]string{x, y})
}
