package server

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/cloudisms/cloudisms/internal/api"
)

func TestParseTrustedProxy(t *testing.T) {
	for _, c := range []struct {
		header, from string
		ok           bool
		n            int
	}{
		{"", "", true, 0},
		{"X-Forwarded-For", "10.0.0.0/8, 127.0.0.1", true, 2},
		{"x-real-ip", "::1", true, 1},
		{"X-Forwarded-For", "", false, 0},
		{"", "10.0.0.1", false, 0},
		{"X-Forwarded-For", "10.0.0.300", false, 0},
		{"X-Forwarded-For", "10.0.0.0/99", false, 0},
	} {
		p, err := ParseTrustedProxy(c.header, c.from)
		if (err == nil) != c.ok || len(p.From) != c.n {
			t.Errorf("%q %q: %+v %v", c.header, c.from, p, err)
		}
	}
}

// A client picks its own address only through a trusted proxy: the header
// of any other peer is ignored, and within the header only the entries the
// trusted proxies wrote count.
func TestTrustedProxyClient(t *testing.T) {
	p, err := ParseTrustedProxy("X-Forwarded-For", "10.0.0.0/8")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, peer, header, want string }{
		{"no proxy, spoofed header", "203.0.113.9:5000", "198.51.100.1", "203.0.113.9"},
		{"proxy, one hop", "10.0.0.2:443", "198.51.100.1", "198.51.100.1"},
		{"proxy, client forged the left entries", "10.0.0.2:443", "1.2.3.4, 198.51.100.1", "198.51.100.1"},
		{"two trusted proxies", "10.0.0.2:443", "198.51.100.1, 10.0.0.7", "198.51.100.1"},
		{"proxy, no header", "10.0.0.2:443", "", "10.0.0.2"},
		{"proxy, garbage", "10.0.0.2:443", "not-an-address", "10.0.0.2"},
		{"IPv6 client", "10.0.0.2:443", "2001:db8::1", "2001:db8::1"},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = c.peer
		if c.header != "" {
			r.Header.Set("X-Forwarded-For", c.header)
		}
		var got string
		p.Wrap(httpHandlerFunc(func(addr string) { got = addr })).ServeHTTP(httptest.NewRecorder(), r)
		if got != c.want {
			t.Errorf("%s: client %s, want %s", c.name, got, c.want)
		}
	}
}

// httpHandlerFunc reports the client address a handler sees, as the login
// throttle reads it.
func httpHandlerFunc(f func(string)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { f(api.ClientAddress(r)) })
}
