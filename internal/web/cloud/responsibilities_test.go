package cloud

import "testing"

func TestAllocation(t *testing.T) {
	for _, c := range []struct{ provider, customer, want string }{
		{"IaaS 事業者が管理する。", "責任なし。", "provider"},
		{"責任なし", "利用者を管理する。", "customer"},
		{"管理する", "設定する", "shared"},
		{"", "  ", "none"},
		{"N/A", "None.", "none"},
		{"基盤を管理する", "", "provider"},
	} {
		if got := allocation(c.provider, c.customer); got != c.want {
			t.Errorf("%q / %q: %s, want %s", c.provider, c.customer, got, c.want)
		}
	}
}
