package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/cloudisms/cloudisms/internal/bundle"
)

// TestDashboardCoverageFollowsEdits: the SoA coverage chart is kept while
// what it shows stays the same (site.Memo), and is drawn again when an SoA
// row's state or a service's name changes; after each edit it equals the
// chart of a server that never drew it before, in Japanese and English.
func TestDashboardCoverageFollowsEdits(t *testing.T) {
	eachBackend(t, func(t *testing.T, st *site) {
		ctx := context.Background()
		chart := func(page string) string {
			t.Helper()
			i := strings.Index(page, `id="c-h"`)
			if i < 0 {
				t.Fatal("the dashboard has no coverage chart")
			}
			return page[i : i+strings.Index(page[i:], "</section>")]
		}
		kept := func() string { return chart(st.get("manager@example.com", "/orgs/sample/")) }
		fresh := func() string {
			t.Helper()
			h := st.h
			defer func() { st.h = h }()
			st.h = newApp(t, st.s, testNow)
			return kept()
		}
		same := func(step string) string {
			t.Helper()
			got, want := kept(), fresh()
			if got != want {
				t.Fatalf("%s: the kept chart differs from a fresh one:\n%s\n---\n%s", step, got, want)
			}
			return got
		}
		first := same("after the import")
		st.edit(bundle.KindRisks, "r-01", `"title":"`, `"title":"改訂 `)
		if same("after a risk's edit") != first {
			t.Error("a risk's edit changed the coverage chart")
		}
		st.edit(bundle.KindSoARows, "organization/5.1", `"implementation":"implemented"`, `"implementation":"partial"`)
		if same("after an SoA row's edit") == first {
			t.Error("the chart did not change with an SoA row's state")
		}
		st.edit("cloud_services", "svc-kintai", `"name":"`, `"name":"新 `)
		mustContain(t, "the chart after the service's rename", same("after a service's rename"), "新 クラウド勤怠管理サービス")
		if err := st.s.SetUserLang(ctx, st.users["manager@example.com"].ID, "en"); err != nil {
			t.Fatal(err)
		}
		mustContain(t, "the chart in English", same("in English"), "SoA coverage", "implemented", "新 クラウド勤怠")
	})
}
