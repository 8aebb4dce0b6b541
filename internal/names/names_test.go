package names

import (
	"math/rand/v2"
	"strings"
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

// TestCarry: names made over an earlier version's index of positions name
// every risk and asset of their own version, after an item's change, an
// append, a removal that moves the items after it, and for ids that no
// version has, in random order; and the earlier names are not changed.
func TestCarry(t *testing.T) {
	risks := func(titles ...string) []*isms.Risk {
		var out []*isms.Risk
		for _, t := range titles {
			id, title, _ := strings.Cut(t, "=")
			out = append(out, &isms.Risk{ID: id, Title: title})
		}
		return out
	}
	v1 := &isms.ISMS{Risks: risks("r-1=one", "r-2=two", "r-3=three"), Assets: []isms.Asset{{ID: "a-1", Name: "A"}, {ID: "a-2", Name: "B"}}}
	n1 := Of(v1, "ja")
	if got := n1.Ref("risks", "r-2"); got != "two" { // builds v1's index
		t.Fatalf("v1 r-2: %q", got)
	}
	versions := []*isms.ISMS{
		{Risks: risks("r-1=one", "r-2=TWO", "r-3=three"), Assets: v1.Assets},                             // a title changed
		{Risks: risks("r-1=one", "r-2=TWO", "r-3=three", "r-4=four"), Assets: v1.Assets},                 // appended
		{Risks: risks("r-2=TWO", "r-3=three", "r-4=four"), Assets: []isms.Asset{{ID: "a-2", Name: "B"}}}, // removed: all moved
		{Risks: risks("r-4=four", "r-9=nine"), Assets: nil},
	}
	prev := n1
	for vi, m := range versions {
		n := Carry(m, "ja", prev)
		want := map[string]string{"r-1": "r-1", "r-2": "r-2", "r-3": "r-3", "r-4": "r-4", "r-9": "r-9", "r-x": "r-x"}
		for _, r := range m.Risks {
			want[r.ID] = r.Title
		}
		ids := make([]string, 0, len(want))
		for id := range want {
			ids = append(ids, id)
		}
		rand.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
		for _, id := range ids {
			if got := n.Ref("risks", id); got != want[id] {
				t.Errorf("version %d: %s is %q, want %q", vi+2, id, got, want[id])
			}
		}
		assets := map[string]string{"a-1": "a-1", "a-2": "a-2"}
		for _, a := range m.Assets {
			assets[a.ID] = a.Name
		}
		for id, name := range assets {
			if got := n.Asset(id); got != name {
				t.Errorf("version %d: asset %s is %q, want %q", vi+2, id, got, name)
			}
		}
		prev = n
	}
	if got := n1.Ref("risks", "r-2"); got != "two" {
		t.Errorf("v1's names changed: r-2 is %q", got)
	}
}
