package isms_test

import (
	"strings"
	"testing"

	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/isms"
)

func text(msgs []i18n.Message, lang string) string {
	var parts []string
	for _, m := range msgs {
		parts = append(parts, m.In(lang))
	}
	return strings.Join(parts, "\n")
}

func TestDraftReviewFromSample(t *testing.T) {
	m := load(t, "../../examples/sample-saas.yaml")
	d := isms.DraftReview(m, isms.MustDate("2027-02-15"))
	if d.Previous == nil || d.Previous.ID != "mr-2026" || d.Since.String() != "2026-10-20" {
		t.Fatalf("previous review: %+v since %s", d.Previous, d.Since)
	}
	want := map[string][]string{
		// The first decision was due 2027-01-31: overdue on 2027-02-15.
		"previous_actions": {"IaaS 操作ログの長期保存（r-06）", "期限 2027-01-31、期限超過", "期限 2027-03-31、未了"},
		// f-01 is minor and closed, verified effective.
		"nonconformities": {"是正処置が未了 0 件、完了 1 件（うち有効性の確認が未了 0 件）"},
		// Only the tests after the previous review count: none.
		"monitoring_results": {"svc-kintai のリストアテスト：合格 0 回、不合格 0 回", "svc-iaas の監視項目：3 件"},
		// Both 2026 audits ended before the previous review.
		"audit_results": {"2026-10-20 以降に終了した内部監査はありません。"},
		"risk_status":   {"リスク 14 件"},
	}
	for key, parts := range want {
		got := text(d.Lines[key], i18n.JA)
		for _, p := range parts {
			if !strings.Contains(got, p) {
				t.Errorf("%s: %q lacks %q", key, got, p)
			}
		}
	}
	for _, k := range isms.ChairKeys {
		if len(d.Lines[k]) != 0 {
			t.Errorf("%s is the chair's to write, pre-filled with %v", k, d.Lines[k])
		}
	}
}

func TestDraftReviewCounts(t *testing.T) {
	asOf := isms.MustDate("2026-12-01")
	m := &isms.ISMS{
		Criteria: isms.RiskCriteria{Method: isms.MethodLikelihoodImpact, Acceptance: 4,
			Scales: map[string][]isms.ScaleLevel{"likelihood": {{1, "l"}, {2, "m"}, {3, "h"}}, "impact": {{1, "l"}, {2, "m"}, {3, "h"}}}},
		Risks: []*isms.Risk{
			{ID: "r1", Owner: "p", Likelihood: lv(3), Impact: lv(3), Residual: &isms.Residual{Likelihood: lv(1)},
				Plan: []isms.PlanAction{{Action: "a", Due: isms.MustDate("2026-11-01")}, {Action: "b", DoneOn: isms.MustDate("2026-10-01")}, {Action: "c", Due: isms.MustDate("2027-01-01")}}},
			{ID: "r2", Owner: "p", Likelihood: lv(1), Impact: lv(2), Approval: &isms.RiskApproval{By: "p"}},
			{ID: "r3", Owner: "p"},
		},
		Audits: []isms.Audit{{ID: "a1", Title: "監査", End: isms.MustDate("2026-06-01"), Findings: []isms.AuditFinding{
			{ID: "f1", Kind: isms.FindingMajor, Description: "未対応"},
			{ID: "f2", Kind: isms.FindingMinor, Description: "対応中", CorrectiveAction: &isms.CorrectiveAction{Due: isms.MustDate("2026-11-30")}},
			{ID: "f3", Kind: isms.FindingMinor, CorrectiveAction: &isms.CorrectiveAction{DoneOn: isms.MustDate("2026-07-01")}},
			{ID: "f4", Kind: isms.FindingObservation},
		}}},
		Backups: []isms.Backup{{Service: "s", Tests: []isms.RestoreTest{{Date: isms.MustDate("2026-03-01"), Result: "pass"}, {Date: isms.MustDate("2026-04-01"), Result: "fail"}, {Date: isms.MustDate("2025-01-01"), Result: "pass"}}}},
	}
	d := isms.DraftReview(m, asOf)
	if d.Previous != nil || d.Since.String() != "2025-12-01" {
		t.Fatalf("without a previous review the period is a year: %s", d.Since)
	}
	cases := map[string][]string{
		"previous_actions":   {"No earlier management review"},
		"nonconformities":    {"2 with corrective action open, 1 closed (1 of them without a verified effectiveness)", "a1 f1 (major nonconformity): 未対応 — no corrective action", "f2 (minor nonconformity): 対応中 — corrective action due 2026-11-30, overdue"},
		"monitoring_results": {"s restore tests: 1 passed, 1 failed"},
		"audit_results":      {`a1 "監査" (ended 2026-06-01): 1 major and 2 minor nonconformities, 1 observations, 0 good practices`},
		"risk_status":        {"3 risks: 1 above the acceptance level, 0 with residual risk above it, 1 not assessed, 2 not approved", "1 done, 1 in progress, 1 overdue"},
	}
	for key, parts := range cases {
		got := text(d.Lines[key], i18n.EN)
		for _, p := range parts {
			if !strings.Contains(got, p) {
				t.Errorf("%s: %q lacks %q", key, got, p)
			}
		}
	}
}

func lv(n int) isms.Factor { return isms.Factor{Set: true, IsInt: true, Int: n} }

// Every input of the edition is drafted from the registers: the SaaS
// sample without its review, drafted on the as-of date of the samples,
// looks back a year.
func TestDraftReviewFromRegisters(t *testing.T) {
	m := load(t, "../../examples/sample-saas.yaml")
	m.Reviews = nil
	d := isms.DraftReview(m, isms.MustDate("2026-11-01"))
	if d.Since.String() != "2025-11-01" {
		t.Fatalf("since %s", d.Since)
	}
	want := map[string][]string{
		"issue_changes": {"内部の課題「サンプル勤怠の利用企業の増加", "外部の課題「豪雨・台風", "計画した変更「内部監査室の要員を 1 名増やし"},
		"interested_party_needs": {"サンプル勤怠の利用企業（クラウドサービスカスタマ）（2026-10-20 に見直し）：勤怠データを日本国内にのみ保存すること",
			"個人情報保護委員会"},
		"interested_parties": {"利害関係者 5 件、定めたコミュニケーション 3 件", "インシデント 2 件のうち、カスタマに報告したもの 1 件",
			"認証機関の サーベイランス審査（ea-2025-sv1、2025-12-08）：指摘 2 件"},
		"nonconformities": {"インシデント・監視・外部審査などによる不適合：是正処置が未了 0 件、完了 2 件（うち有効性の確認が未了 0 件）"},
		"monitoring_results": {"サンプル勤怠の月間稼働率：期間中の結果 4 件、最新は 99.96%（9 月）（2026-10-01）",
			"情報セキュリティインシデント 2 件（高 0、中 1、低 1）"},
		"audit_results":             {"軽微な不適合 1 件、観察事項 0 件、改善の機会 1 件", "次回の審査：サーベイランス審査（2026-12-07）"},
		"objectives":                {"情報セキュリティ目的 4 件のうち、最新の結果で達成しているもの 3 件", "IaaS 操作ログを 1 年間保存する（目標 全アカウントで 365 日以上、期限 2027-01-31）：90 日（現状）（2026-09-30）、未達"},
		"improvement_opportunities": {"セキュリティ情報の開示ページによる営業効率の向上（担当 p-cs-lead、期限 2027-03-31）", "IaaS のマネージド監視機能の活用"},
	}
	for key, parts := range want {
		got := text(d.Lines[key], i18n.JA)
		for _, p := range parts {
			if !strings.Contains(got, p) {
				t.Errorf("%s: %q lacks %q", key, got, p)
			}
		}
		if en := text(d.Lines[key], i18n.EN); en == got || strings.Contains(en, "{") {
			t.Errorf("%s: English text %q", key, en)
		}
	}
	// Every input of the 2022 edition has something to start from.
	for _, k := range isms.ReviewInputKeysFor("iso27001:2022") {
		if len(d.Lines[k]) == 0 {
			t.Errorf("%s: nothing drafted", k)
		}
	}
}

// Empty registers say so rather than leaving an input blank.
func TestDraftReviewEmptyRegisters(t *testing.T) {
	d := isms.DraftReview(&isms.ISMS{}, isms.MustDate("2026-11-01"))
	for key, want := range map[string]string{
		"issue_changes":             "見直した課題・計画した変更はありません",
		"interested_party_needs":    "要求事項を見直した利害関係者はありません",
		"objectives":                "情報セキュリティ目的が登録されていません",
		"improvement_opportunities": "改善の機会が登録されていません",
	} {
		if got := text(d.Lines[key], i18n.JA); !strings.Contains(got, want) {
			t.Errorf("%s: %q lacks %q", key, got, want)
		}
	}
}
