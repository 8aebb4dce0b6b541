package web_test

import (
	"bytes"
	"context"
	"html"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/cloudisms/cloudisms/internal/api"
	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/report"
	"github.com/xuri/excelize/v2"
)

// registersDate reads a date of the test registers.
func registersDate(t *testing.T, s string) isms.Date {
	t.Helper()
	d, err := isms.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// withRegisters imports the SaaS sample with registers of its own (the
// sample's, if any, replaced), so that the pages joining them have known
// content at testNow (2026-11-01).
func withRegisters(t *testing.T, st *site) *isms.ISMS {
	t.Helper()
	m := sampleWithRegisters(t)
	if _, err := st.s.Import(context.Background(), "sample", m, "t"); err != nil {
		t.Fatal(err)
	}
	return m
}

// sampleWithRegisters is the SaaS sample with the registers of these tests.
func sampleWithRegisters(t *testing.T) *isms.ISMS {
	t.Helper()
	src, err := os.ReadFile("../../examples/sample-saas.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m, err := bundle.Decode("sample-saas.yaml", src)
	if err != nil {
		t.Fatal(err)
	}
	d := func(s string) isms.Date { return registersDate(t, s) }
	yes := true
	// The sample's own registers go, so that none refers to one replaced.
	m.Certificates, m.ExternalAudits, m.ContextIssues, m.InterestedParties, m.Opportunities = nil, nil, nil, nil, nil
	m.Objectives, m.CompetenceRequirements, m.Trainings, m.Communications, m.Changes = nil, nil, nil, nil, nil
	m.Measurements, m.Nonconformities, m.Incidents = nil, nil, nil
	m.CompetenceRequirements = []isms.CompetenceRequirement{
		{ID: "cr-cloud", AppliesTo: isms.AppliesCloudSecurityPersonnel, Topic: "cloud-security"},
		{ID: "cr-isms", AppliesTo: isms.AppliesISMSPersonnel, Topic: "isms-basics"}}
	m.Trainings = []isms.Training{
		{ID: "tr-cloud", Title: "クラウドセキュリティ研修 2026", Kind: isms.TrainingCompetence, Topics: []string{"cloud-security"}, Date: d("2026-05-10"), Attendees: []string{"p-isms", "p-cto"}},
		{ID: "tr-aware", Title: "情報セキュリティ意識向上研修", Kind: isms.TrainingAwareness, Topics: []string{"isms-basics"}, Date: d("2026-04-15"), Attendees: []string{"p-isms"}}}
	m.Objectives = []isms.Objective{{ID: "ob-1", Title: "重大障害ゼロ", Measure: "重大障害の件数", Target: "年 0 件", Owner: "p-isms", Due: d("2027-03-31"),
		Results: []isms.ObjectiveResult{{Date: d("2026-03-31"), Value: "1", Met: new(bool)}, {Date: d("2026-09-30"), Value: "0", Met: &yes, Note: "上期"}}}}
	m.Certificates = []isms.Certificate{
		{ID: "c-isms", Kind: isms.CertISMS, Standard: "iso27001:2022", Body: "審査機関A", Number: "IS 000001", Issued: d("2024-01-10"), Expires: d("2027-01-09")},
		{ID: "c-cloud", Kind: isms.CertCloud, Standard: "jip-isms517", Number: "CLOUD 000001", Issued: d("2024-01-10"), Expires: d("2027-01-09"), Base: "c-isms"}}
	m.ExternalAudits = []isms.ExternalAudit{
		{ID: "ea-2025", Kind: isms.ExtAuditSurveillance, Certificate: "c-isms", Body: "審査機関A", Date: d("2025-12-01"),
			Findings: []isms.ExternalFinding{{ID: "f1", Kind: isms.FindingMinor, Clause: "7.5", Description: "文書の版管理が不十分",
				CorrectiveAction: &isms.CorrectiveAction{Action: "版管理の手順を定める", Owner: "p-isms", Due: d("2026-01-31")}}}},
		{ID: "ea-2026", Kind: isms.ExtAuditRecertification, Certificate: "c-isms", Body: "審査機関A", Date: d("2026-12-07")}}
	m.Nonconformities = []isms.Nonconformity{{ID: "nc-1", Source: isms.NCIncident, Date: d("2026-07-01"), Description: "手順どおりに通知されなかった",
		CorrectiveAction: &isms.CorrectiveAction{Action: "通知手順を周知する", Owner: "p-ops", Due: d("2026-08-01")}}}
	return m
}

// A person's page shows their roles, the trainings they attended and
// whether each competence requirement that applies to them is met.
func TestPersonPage(t *testing.T) {
	eachBackend(t, func(t *testing.T, st *site) {
		withRegisters(t, st)
		body := st.get("manager@example.com", "/orgs/sample/people/p-isms")
		mustContain(t, "p-isms's page", body, "鈴木 一郎", "ISMS 要員", "クラウドセキュリティ要員",
			"クラウドセキュリティ研修 2026", "情報セキュリティ意識向上研修",
			`data-topic="cloud-security" data-met="true"`, `data-topic="isms-basics" data-met="true"`,
			"2027-05-10", "版管理の手順を定める", "重大障害ゼロ", "/orgs/sample/items/trainings/tr-cloud")
		// p-dev attended nothing: both requirements unmet, with the form to record one.
		body = st.get("manager@example.com", "/orgs/sample/people/p-dev")
		mustContain(t, "p-dev's page", body, `data-topic="cloud-security" data-met="false"`, "満たしていない",
			"/orgs/sample/items/trainings?new=1&amp;attendees=p-dev&amp;kind=competence&amp;topics=cloud-security")
		// A viewer reads the page but is not offered to record.
		body = st.get("viewer@example.com", "/orgs/sample/people/p-dev")
		if strings.Contains(body, "items/trainings?new=1") {
			t.Error("a viewer is offered to record a training")
		}
		if code, _, _ := st.do("manager@example.com", "GET", "/orgs/sample/people/nobody", nil); code != http.StatusNotFound {
			t.Errorf("unknown person: %d", code)
		}
		// The person's form leads to the page.
		mustContain(t, "p-isms's form", st.get("manager@example.com", "/orgs/sample/items/people/p-isms"), `href="/orgs/sample/people/p-isms"`)
		// English.
		st.s.SetUserLang(context.Background(), st.users["manager@example.com"].ID, "en")
		mustContain(t, "p-dev's page in English", st.get("manager@example.com", "/orgs/sample/people/p-dev"), "Not met (no training within 365 days)", "Trainings attended")
		st.s.SetUserLang(context.Background(), st.users["manager@example.com"].ID, "ja")
	})
}

// The dashboard shows the objectives with their latest results, the
// corrective actions overdue from every source, the certificates with the
// days to their expiry and the next certification audit.
func TestDashboardRegisterBlocks(t *testing.T) {
	eachBackend(t, func(t *testing.T, st *site) {
		withRegisters(t, st)
		body := st.get("viewer@example.com", "/orgs/sample/")
		mustContain(t, "dashboard", body, `id="dash-registers"`,
			// the latest of two results, met
			"重大障害ゼロ", "2026-09-30", "年 0 件", `<span class="chip ok">達成</span>`,
			// overdue from a certification audit and from a nonconformity
			"版管理の手順を定める", "274 日超過", "通知手順を周知する", "92 日超過", "審査（認証機関）",
			// 2027-01-09 is 69 days after 2026-11-01
			"IS 000001", "あと 69 日", "CLOUD 000001",
			// the recertification audit of 2026-12-07
			`href="/orgs/sample/items/external_audits/ea-2026"`, "再認証審査", "あと 36 日")
		if strings.Contains(body, "2026-03-31") {
			t.Error("the dashboard shows an objective's older result")
		}
		if i, j := strings.Index(body, "版管理の手順を定める"), strings.Index(body, "通知手順を周知する"); i > j {
			t.Error("the longest overdue action is not first")
		}
	})
}

// The reports page offers every register report printed and as a
// workbook; each prints from the stored ISMS and downloads.
func TestRegisterReportsPage(t *testing.T) {
	eachBackend(t, func(t *testing.T, st *site) {
		withRegisters(t, st)
		page := st.get("viewer@example.com", "/orgs/sample/reports")
		for _, doc := range []string{"interested-parties", "objectives", "competence", "documents", "nonconformities", "incidents", "certification"} {
			mustContain(t, "reports page", page, `href="/orgs/sample/print/`+doc+`"`, `/reports/xlsx?kind=`+doc)
			st.get("viewer@example.com", "/orgs/sample/print/"+doc)
		}
		mustContain(t, "competence record", st.get("viewer@example.com", "/orgs/sample/print/competence"), "クラウドセキュリティ研修 2026", "鈴木 一郎", "力量・教育訓練記録")
		mustContain(t, "nonconformities", st.get("viewer@example.com", "/orgs/sample/print/nonconformities"), "版管理の手順を定める", "通知手順を周知する")
		mustContain(t, "certification", st.get("viewer@example.com", "/orgs/sample/print/certification"), "IS 000001", "再認証審査")
	})
}

// The trainings workbook, with an attendee added in Excel, is previewed
// and applied from the reports page; the person's page then shows the
// training and the requirement met.
func TestRegisterImportPage(t *testing.T) {
	eachBackend(t, func(t *testing.T, st *site) {
		m := withRegisters(t, st)
		var buf bytes.Buffer
		if err := report.Write(&buf, m, report.KindCompetence, report.Options{Lang: "ja"}); err != nil {
			t.Fatal(err)
		}
		x, err := excelize.OpenReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := x.GetRows("出席記録")
		x.SetCellValue("出席記録", "C"+strconv.Itoa(len(rows)+1), "tr-cloud")
		x.SetCellValue("出席記録", "D"+strconv.Itoa(len(rows)+1), "p-dev")
		buf.Reset()
		x.WriteTo(&buf)
		x.Close()
		upload := func(as string) (int, string) {
			var body bytes.Buffer
			mw := multipart.NewWriter(&body)
			mw.WriteField("kind", "trainings")
			fw, _ := mw.CreateFormFile("workbook", "研修.xlsx")
			fw.Write(buf.Bytes())
			mw.Close()
			req := httptest.NewRequest("POST", "/orgs/sample/reports/register-import", &body)
			req.Header.Set("Content-Type", mw.FormDataContentType())
			req.AddCookie(&http.Cookie{Name: api.SessionCookie, Value: st.sessions[as]})
			rec := httptest.NewRecorder()
			st.h.ServeHTTP(rec, req)
			return rec.Code, rec.Body.String()
		}
		if code, _ := upload("viewer@example.com"); code != http.StatusForbidden {
			t.Errorf("a viewer imports: %d", code)
		}
		code, page := upload("manager@example.com")
		if code != 200 || !strings.Contains(page, `id="register-import-apply"`) || !strings.Contains(page, "tr-cloud") {
			t.Fatalf("preview: %d\n%s", code, page)
		}
		if strings.Contains(st.get("manager@example.com", "/orgs/sample/people/p-dev"), "クラウドセキュリティ研修 2026") {
			t.Fatal("the preview wrote")
		}
		form := url.Values{}
		for _, f := range regexp.MustCompile(`<input type="hidden" name="([a-z]+)" value="([^"]*)">`).FindAllStringSubmatch(page, -1) {
			form.Set(f[1], html.UnescapeString(f[2]))
		}
		code, applied, _ := st.do("manager@example.com", "POST", "/orgs/sample/reports/register-import/apply", form)
		if code != 200 || !strings.Contains(applied, "1 件を反映しました") {
			t.Fatalf("apply: %d\n%s", code, applied)
		}
		mustContain(t, "p-dev after the import", st.get("manager@example.com", "/orgs/sample/people/p-dev"),
			"クラウドセキュリティ研修 2026", `data-topic="cloud-security" data-met="true"`)
		mustContain(t, "reports page", st.get("manager@example.com", "/orgs/sample/reports"), `id="register-import-link"`)
	})
}
