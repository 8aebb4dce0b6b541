package site

import "testing"

func TestInert(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"=1+2", "'=1+2"},
		{"+81 3", "'+81 3"},
		{"-1.5", "-1.5"},
		{"-", "'-"},
		{"- a list item", "'- a list item"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\tcmd", "'\tcmd"},
		{"リスク", "リスク"},
		{"", ""},
		{"12", "12"},
	} {
		if got := inert([]string{c.in})[0]; got != c.want {
			t.Errorf("inert(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if got := asciiName("sample-リスク-20261101.csv"); got != "sample-___-20261101.csv" {
		t.Errorf("asciiName: %q", got)
	}
}
