package site

import "testing"

// TestSafeNext is item 12's open redirect: after signing in, only a path
// of this site is followed, judged as a browser reads the URL.
func TestSafeNext(t *testing.T) {
	for next, want := range map[string]string{
		"/orgs/sample/risks?q=a#x": "/orgs/sample/risks?q=a#x",
		"/":                        "/",
		"":                         "/",
		"/\t/evil.example":         "/",
		"/\n/evil.example":         "/",
		"/\r\n/evil.example":       "/",
		"//evil.example":           "/",
		"/\\evil.example":          "/",
		"\\/evil.example":          "/",
		"https://evil.example/":    "/",
		"http:/evil.example":       "/",
		"javascript:alert(1)":      "/",
		" /x":                      "/",
		"/%2F/evil.example":        "/",
		"/\x00/evil.example":       "/",
		"/\x7f/evil.example":       "/",
		"evil.example":             "/",
	} {
		if got := safeNext(next); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", next, got, want)
		}
	}
}

// FuzzSafeNext: whatever comes in, what comes out is "/" or a path that
// no browser could read as another host.
func FuzzSafeNext(f *testing.F) {
	for _, s := range []string{"/a", "/\t/x", "//x", "/\\x", "/%2F%2Fx", "/?next=//x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, next string) {
		got := safeNext(next)
		if got == "/" {
			return
		}
		if got[0] != '/' || len(got) > 1 && (got[1] == '/' || got[1] == '\\') {
			t.Fatalf("safeNext(%q) = %q", next, got)
		}
		for i := 0; i < len(got); i++ {
			if got[i] < 0x20 || got[i] == 0x7f || got[i] == '\\' {
				t.Fatalf("safeNext(%q) = %q keeps %q", next, got, got[i])
			}
		}
	})
}
