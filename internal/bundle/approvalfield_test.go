package bundle

import (
	"strings"
	"testing"
)

// An edit carries the stored approval whatever approval it sends itself.
func TestKeepApproval(t *testing.T) {
	const stored = `{"by":"p1","date":"2026-04-01"}`
	for _, tc := range []struct {
		kind, key, edit, prev, want string // want: the approval field of the result ("" none)
	}{
		{"documents", "d1", `{"id":"d1","title":"Policy v2","approval":{"by":"p9","date":"2026-05-01"}}`,
			`{"id":"d1","title":"Policy","approval":` + stored + `}`, stored},
		{"documents", "d1", `{"id":"d1","title":"Policy v2"}`,
			`{"id":"d1","title":"Policy","approval":` + stored + `}`, stored},
		{"documents", "d1", `{"id":"d1","title":"New","approval":{"by":"p9","date":"2026-05-01"}}`, "", ""},
		{KindChanges, "ch1", `{"id":"ch1","description":"Move","approval":{"by":"p9","date":"2026-05-01"}}`,
			`{"id":"ch1","description":"Move","approval":` + stored + `}`, stored},
		{KindSoA, "organization", `{"approval":{"by":"p9","date":"2026-05-01"}}`, `{}`, ""},
		{"risks", "r1", `{"id":"r1","title":"Leak","treatment":"modify","approval":{"by":"p9","date":"2026-05-01"}}`,
			`{"id":"r1","title":"Leak","treatment":"modify","approval":{"by":"p1","date":"2026-04-01","residual_accepted":true}}`,
			`{"by":"p1","date":"2026-04-01","residual_accepted":true}`},
	} {
		var prev []byte
		if tc.prev != "" {
			prev = []byte(tc.prev)
		}
		it, _, err := DecodeItem(tc.kind, tc.key, []byte(tc.edit), "")
		if err != nil {
			t.Fatalf("%s %s: %v", tc.kind, tc.edit, err)
		}
		out, err := KeepApproval(it, prev)
		if err != nil {
			t.Fatalf("%s %s: %v", tc.kind, tc.edit, err)
		}
		if got := string(ApprovalField(tc.kind, out.Data)); got != tc.want {
			t.Errorf("%s edit %s over %s: approval %s, want %s", tc.kind, tc.edit, tc.prev, got, tc.want)
		}
		if !strings.Contains(string(out.Data), `"id"`) && tc.kind != KindSoA {
			t.Errorf("%s: the item lost its fields: %s", tc.kind, out.Data)
		}
	}
}
