package web_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/cloudisms/cloudisms/internal/generate"
	"github.com/cloudisms/cloudisms/internal/isms"
)

// TestRiskAssetFilterScales: past a few hundred assets, the register's
// asset filter is a field for an asset id, not a list of every asset (at
// 20,000 assets the list made the page megabytes long), and it filters the
// same way.
func TestRiskAssetFilterScales(t *testing.T) {
	eachBackend(t, func(t *testing.T, st *site) {
		ctx := context.Background()
		m, err := generate.ISMS(generate.Options{Services: 2, Assets: 400, Risks: 300, Seed: 3, AsOf: isms.DateOf(testNow)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.s.Import(ctx, "big", m, "setup"); err != nil {
			t.Fatal(err)
		}
		if err := st.s.AddMember(ctx, "big", st.users["manager@example.com"].ID, "isms-manager", ""); err != nil {
			t.Fatal(err)
		}
		small := st.get("manager@example.com", "/orgs/sample/risks")
		mustContain(t, "the sample's register", small, `<select id="asset" name="asset">`)
		big := st.get("manager@example.com", "/orgs/big/risks")
		mustContain(t, "a 400-asset register", big, `<input type="search" id="asset" name="asset" value=""`, "資産 ID")
		if strings.Contains(big, `value="as-000399"`) {
			t.Error("the 400 assets are listed as options")
		}
		// Filtering by a typed id shows exactly the risks of that asset.
		asset := m.Risks[7].Assets[0]
		page := st.get("manager@example.com", "/orgs/big/risks?asset="+asset)
		mustContain(t, "the filtered register", page, `value="`+asset+`"`)
		for _, r := range m.Risks {
			has := strings.Contains(page, ">"+r.ID+"<") || strings.Contains(page, "/risks/"+r.ID+`"`)
			if want := slices.Contains(r.Assets, asset); has != want {
				t.Errorf("risk %s (assets %v) shown: %v, want %v", r.ID, r.Assets, has, want)
			}
		}
	})
}
