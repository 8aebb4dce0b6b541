package names

import (
	"testing"

	"github.com/cloudisms/cloudisms/internal/isms"
)

func TestNames(t *testing.T) {
	m := &isms.ISMS{People: []isms.Person{{ID: "p-ceo", Name: "山田 太郎"}}, Services: []isms.CloudService{{ID: "svc-kintai", Name: "サンプル勤怠"}},
		Documents: []isms.Document{{ID: "doc-wp", Title: "ホワイトペーパー"}}, Suppliers: []isms.Supplier{{ID: "sup-n", Name: "ニンバス"}},
		Objectives: []isms.Objective{{ID: "obj-1", Title: "稼働率 99.9%"}}, Incidents: []isms.Incident{{ID: "inc-1", Title: "ログイン障害"}},
		Certificates: []isms.Certificate{{ID: "cert-isms", Number: "IS 123456"}, {ID: "cert-nonum"}},
		Risks:        []*isms.Risk{{ID: "r-01", Title: "設定ミスによる漏えい"}}, Assets: []isms.Asset{{ID: "a-01", Name: "顧客データベース"}}}
	ja, en := Of(m, "ja"), Of(m, "en")
	for _, c := range []struct{ got, want string }{
		{ja.Person("p-ceo"), "山田 太郎"},
		{ja.Person("p-gone"), "p-gone"},
		{ja.SoA("organization"), "組織全体"},
		{ja.SoA("svc-kintai:provider"), "サンプル勤怠（プロバイダ）"},
		{en.SoA("svc-kintai:customer"), "サンプル勤怠 (customer)"},
		{ja.Document("doc-wp"), "ホワイトペーパー"},
		{ja.Ref("provider", "sup-n"), "ニンバス"},
		{ja.Refs("cloud_services", []string{"svc-kintai", "svc-x"}), "サンプル勤怠、svc-x"},
		{(*Names)(nil).Person("p-ceo"), "p-ceo"},
		{ja.Ref("objectives", "obj-1"), "稼働率 99.9%"},
		{ja.Ref("incidents", "inc-1"), "ログイン障害"},
		{ja.Ref("certificates", "cert-isms"), "IS 123456"},
		{ja.Ref("certificates", "cert-nonum"), "cert-nonum"},
		{ja.Ref("risks", "r-01"), "設定ミスによる漏えい"},
		{en.In("ja").Ref("risks", "r-01"), "設定ミスによる漏えい"},
		{ja.Ref("risks", "r-99"), "r-99"},
		{ja.Asset("a-01"), "顧客データベース"},
		{ja.Ref("soa", "svc-kintai:provider"), "サンプル勤怠（プロバイダ）"},
		{ja.Ref("organization", "organization"), "組織"},
		{ja.Ref("assets", "a-02"), "a-02"},
		{(&Names{}).Asset("a-01"), "a-01"},
		{(*Names)(nil).Ref("risks", "r-01"), "r-01"},
	} {
		if c.got != c.want {
			t.Errorf("%q, want %q", c.got, c.want)
		}
	}
}

func TestSubject(t *testing.T) {
	m := &isms.ISMS{People: []isms.Person{{ID: "p-ceo", Name: "山田 太郎"}}, Services: []isms.CloudService{{ID: "svc-kintai", Name: "サンプル勤怠"}}}
	n := Of(m, "ja")
	for _, c := range []struct{ in, want string }{
		{"organization", "組織"},
		{"soa/organization", "組織全体"},
		{"soa/organization/5.1", "組織全体 › 5.1"},
		{"soa/svc-kintai/provider/CLD.6.3.1", "サンプル勤怠（プロバイダ） › CLD.6.3.1"},
		{"people/p-ceo", "山田 太郎"},
		{"cloud_services/svc-kintai/uses", "サンプル勤怠 › uses"},
		{"risks/r-gone", "r-gone"},
		{"plain", "plain"},
	} {
		if got := n.Subject(c.in); got != c.want {
			t.Errorf("Subject(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if got := (*Names)(nil).Subject("risks/r-01"); got != "risks/r-01" {
		t.Errorf("nil names: %q", got)
	}
}
