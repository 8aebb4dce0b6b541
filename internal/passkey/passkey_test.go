package passkey_test

import (
	"testing"

	"github.com/cloudisms/cloudisms/internal/passkey"
)

// The relying party comes from the configured public URL alone: its host
// name is the id, its scheme, host and port the one origin. Addresses
// browsers refuse passkeys for are refused with the reason.
func TestNew(t *testing.T) {
	cases := []struct {
		url, id, origin string // id "" when refused
	}{
		{"https://isms.example.jp", "isms.example.jp", "https://isms.example.jp"},
		{"https://isms.example.jp:8443/some/path", "isms.example.jp", "https://isms.example.jp:8443"},
		{" http://localhost:8080 ", "localhost", "http://localhost:8080"},
		{"http://isms.localhost:8080", "isms.localhost", "http://isms.localhost:8080"},
		{"http://isms.example.jp", "", ""}, // http away from localhost
		{"https://10.0.0.5:8443", "", ""},  // an IP address
		{"http://127.0.0.1:8080", "", ""},  // an IP address
		{"https://[::1]:8443", "", ""},     // an IP address
		{"isms.example.jp", "", ""},        // no scheme
		{"ftp://isms.example.jp", "", ""},  // another scheme
		{"", "", ""},
	}
	for _, c := range cases {
		rp, err := passkey.New(c.url, nil)
		if c.id == "" {
			if err == nil {
				t.Errorf("New(%q) accepted: %s %s", c.url, rp.ID, rp.Origin)
			}
			continue
		}
		if err != nil {
			t.Errorf("New(%q): %v", c.url, err)
			continue
		}
		if rp.ID != c.id || rp.Origin != c.origin {
			t.Errorf("New(%q) = %s %s, want %s %s", c.url, rp.ID, rp.Origin, c.id, c.origin)
		}
	}
}
