// Package report writes an organization's ISMS in the layouts ISMS
// practitioners work with: Excel workbooks (適用宣言書, 情報資産台帳,
// リスクアセスメント・リスク対応計画, 内部監査チェックリスト, 是正処置一覧)
// in Japanese or English, and reads an edited SoA workbook back. It reads
// the domain model only; callers load it from the store.
package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/names"
	"github.com/xuri/excelize/v2"
)

// Workbook kinds.
const (
	KindSoA               = "soa"
	KindAssets            = "assets"
	KindRisks             = "risks"
	KindAuditChecklist    = "audit-checklist"
	KindCorrectiveActions = "corrective-actions"
	KindAll               = "all"
)

// Kinds lists the workbook kinds in the order the all-in-one workbook holds them.
var Kinds = []string{KindSoA, KindAssets, KindRisks, KindAuditChecklist, KindCorrectiveActions,
	KindParties, KindObjectives, KindCompetence, KindDocuments, KindNonconformities, KindIncidents, KindCertification, KindAll}

// ValidKind reports whether k is a workbook kind.
func ValidKind(k string) bool {
	for _, x := range Kinds {
		if x == k {
			return true
		}
	}
	return false
}

// Options say how a workbook is made.
type Options struct {
	Lang string // ja (default) or en
	// Service limits the SoA and the audit checklist to one cloud service
	// (its SoAs, the audits covering it); "" means the whole organization.
	Service string
	// Version names the state of the ISMS the workbook shows (e.g. the
	// position in the change history); printed in every sheet's header.
	Version string
	// Date is the day the workbook is made (printed as 作成日).
	Date isms.Date
	// Head is the history position of the ISMS the workbook shows (0:
	// unknown). It is kept in the workbook's properties so that an
	// import can tell the rows changed since the workbook was made.
	Head int64
	// Progress, when set, is called as rows are written.
	Progress func(done, total int)
	// ControlTexts are the organization's own texts of controls (a
	// licensed text or translation) by control id; shown beside the rows.
	ControlTexts map[string]string
	// StaleApprovals holds "kind/key" of the items whose recorded
	// approval no longer matches their content (from the store); printed
	// documents and SoA sheets mark such approvals.
	StaleApprovals map[string]bool
	// ImportedApprovals holds, by "kind/key", who imported the items'
	// approvals that came with a bundle (from the store): printed as
	// imported, not as approved here.
	ImportedApprovals map[string]string
}

// Write makes a workbook of a kind and writes it as .xlsx.
func Write(w io.Writer, m *isms.ISMS, kind string, o Options) error {
	f, err := Workbook(m, kind, o)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("write workbook: %w", err)
	}
	return nil
}

// Workbook makes a workbook of a kind. An unknown service is an error.
func Workbook(m *isms.ISMS, kind string, o Options) (*excelize.File, error) {
	if !ValidKind(kind) {
		return nil, fmt.Errorf("unknown workbook kind %q (expected one of %s)", kind, strings.Join(Kinds, ", "))
	}
	if !i18n.Valid(o.Lang) {
		o.Lang = i18n.JA
	}
	if o.Service != "" && serviceOf(m, o.Service) == nil {
		return nil, fmt.Errorf("unknown cloud service %q", o.Service)
	}
	b := newBuilder(m, o)
	var sheets []*sheet
	add := func(k string) {
		switch k {
		case KindSoA:
			sheets = append(sheets, b.soaSheets()...)
		case KindAssets:
			sheets = append(sheets, b.assetSheet())
		case KindRisks:
			sheets = append(sheets, b.riskSheet(), b.heatSheet())
		case KindAuditChecklist:
			sheets = append(sheets, b.checklistSheets()...)
		case KindCorrectiveActions:
			sheets = append(sheets, b.correctiveSheet())
		default:
			if isRegisterReport(k) {
				sheets = append(sheets, b.registerSheets(k)...)
			}
		}
	}
	if kind == KindAll {
		for _, k := range Kinds[:len(Kinds)-1] {
			add(k)
		}
	} else {
		add(kind)
	}
	return b.write(sheets)
}

// builder holds what every sheet needs: the model, the language and
// lookups made once.
type builder struct {
	m     *isms.ISMS
	o     Options
	names *names.Names // people, services, assets… by name
	memo  map[string]string
	st    styles // set when the workbook is made
}

func newBuilder(m *isms.ISMS, o Options) *builder {
	return &builder{m: m, o: o, names: names.Of(m, string(o.Lang))}
}

// t renders a message in the workbook's language. Messages without
// arguments (column labels, states) are looked up once per workbook: a
// large register asks for the same few tens of thousands of times.
func (b *builder) t(key string, args ...any) string {
	tpl, ok := b.memo[key]
	if !ok {
		tpl = i18n.M(key).In(b.o.Lang) // the template, placeholders intact
		if b.memo == nil {
			b.memo = map[string]string{}
		}
		b.memo[key] = tpl
	}
	if len(args) == 0 {
		return tpl
	}
	return i18n.M(key, args...).In(b.o.Lang)
}

// person shows a person by name (the id only when the person is not in
// the ISMS): documents name people as their readers know them.
func (b *builder) person(id string) string { return b.names.Person(id) }

// refs names the items of a kind (cloud_services, assets, systems, units)
// as their readers know them, joined as a list of the document's language.
func (b *builder) refs(kind string, ids []string) string { return b.names.Refs(kind, ids) }

func (b *builder) approval(a *isms.Approval) string {
	if a == nil {
		return b.t("ui.not_approved")
	}
	return b.t("ui.approved_by", "who", b.person(a.By), "at", a.Date.String())
}

func (b *builder) orgName() string {
	o := b.m.Organization
	if b.o.Lang == i18n.EN && o.NameEN != "" {
		return o.NameEN
	}
	return o.Name
}

func serviceOf(m *isms.ISMS, id string) *isms.CloudService {
	for i := range m.Services {
		if m.Services[i].ID == id {
			return &m.Services[i]
		}
	}
	return nil
}

// commonMeta is the header every sheet carries.
func (b *builder) commonMeta() [][2]string {
	return [][2]string{
		{b.t("report.meta.org"), b.orgName() + " (" + b.m.Organization.ID + ")"},
		{b.t("report.meta.version"), b.o.Version},
		{b.t("report.meta.date"), b.o.Date.String()},
	}
}

func (b *builder) title(kind string) string { return b.t("report.title." + kind) }

// list joins values for one cell.
func (b *builder) list(xs []string) string {
	return strings.Join(xs, i18n.List(b.o.Lang))
}

func (b *builder) peopleList(ids []string) string { return b.refs("people", ids) }

func yesNo(b *builder, v *bool) string {
	if v == nil {
		return ""
	}
	if *v {
		return b.t("report.yes")
	}
	return b.t("report.no")
}
