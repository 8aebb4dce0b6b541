package server

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"

	"github.com/cloudisms/cloudisms/internal/api"
)

// TrustedProxy says where the client's address comes from behind a
// reverse proxy. Only a request that arrives from one of From (the
// proxies' own addresses) has its Header believed; every other request is
// known by the address it came from, so a client cannot pick the address
// that login throttling counts its failures against.
type TrustedProxy struct {
	Header string         // X-Forwarded-For, X-Real-IP, …; "" trusts no header
	From   []netip.Prefix // the proxies' addresses
}

// ParseTrustedProxy reads the serve flags --client-ip-header and
// --trusted-proxy (comma-separated addresses or CIDR prefixes). A header
// without proxies, or proxies without a header, is an error: either would
// silently do nothing, or trust every client.
func ParseTrustedProxy(header, from string) (TrustedProxy, error) {
	p := TrustedProxy{Header: http.CanonicalHeaderKey(strings.TrimSpace(header))}
	for _, f := range strings.Split(from, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !strings.Contains(f, "/") {
			a, err := netip.ParseAddr(f)
			if err != nil {
				return TrustedProxy{}, fmt.Errorf("--trusted-proxy %q: not an address or CIDR prefix", f)
			}
			p.From = append(p.From, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		pf, err := netip.ParsePrefix(f)
		if err != nil {
			return TrustedProxy{}, fmt.Errorf("--trusted-proxy %q: not an address or CIDR prefix", f)
		}
		p.From = append(p.From, pf.Masked())
	}
	switch {
	case p.Header == "" && len(p.From) > 0:
		return TrustedProxy{}, fmt.Errorf("--trusted-proxy needs --client-ip-header (the header the proxy writes the client's address into)")
	case p.Header != "" && len(p.From) == 0:
		return TrustedProxy{}, fmt.Errorf("--client-ip-header %s needs --trusted-proxy (the proxies whose header is believed)", p.Header)
	}
	return p, nil
}

func (p TrustedProxy) trusts(a netip.Addr) bool {
	a = a.Unmap()
	for _, pf := range p.From {
		if pf.Contains(a) {
			return true
		}
	}
	return false
}

// client is the client's address of a request: the nearest address in the
// header that is not itself a trusted proxy when the request came from a
// trusted proxy, else the address it came from.
func (p TrustedProxy) client(r *http.Request) (netip.Addr, bool) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil || p.Header == "" || !p.trusts(peer) {
		return netip.Addr{}, false
	}
	// Proxies append: the rightmost entries are the nearest, and only
	// those written by trusted proxies can be believed.
	var hops []string
	for _, v := range r.Header.Values(p.Header) {
		for _, h := range strings.Split(v, ",") {
			hops = append(hops, strings.TrimSpace(h))
		}
	}
	if len(hops) > 64 {
		hops = hops[len(hops)-64:]
	}
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(hops[i])
		if err != nil {
			return netip.Addr{}, false // garbage: keep the proxy's address
		}
		if i == 0 || !p.trusts(a) {
			return a.Unmap(), true
		}
	}
	return netip.Addr{}, false
}

// Wrap makes RemoteAddr the client's address (per client) for everything
// behind it: login throttling, logs.
func (p TrustedProxy) Wrap(h http.Handler) http.Handler {
	if p.Header == "" {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		https := p.saysHTTPS(r)
		if a, ok := p.client(r); ok {
			r2 := r.Clone(r.Context())
			r2.RemoteAddr = netip.AddrPortFrom(a, 0).String()
			r = r2
		}
		if https {
			r = api.MarkHTTPS(r)
		}
		h.ServeHTTP(w, r)
	})
}

// saysHTTPS: the request came straight from a trusted proxy that says,
// in X-Forwarded-Proto (its last value, the one it wrote), that the
// client used HTTPS.
func (p TrustedProxy) saysHTTPS(r *http.Request) bool {
	v := r.Header.Values("X-Forwarded-Proto")
	if len(v) == 0 {
		return false
	}
	parts := strings.Split(v[len(v)-1], ",")
	if !strings.EqualFold(strings.TrimSpace(parts[len(parts)-1]), "https") {
		return false
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	return err == nil && p.trusts(peer)
}
