// Package sso is the OpenID Connect relying party: it discovers an
// organization's provider, sends the browser there with the authorization
// code flow and PKCE, and turns the code that comes back into a verified
// identity. The ID token is checked for its issuer, audience, signature
// by the issuer's published keys, expiry and nonce; the email must be
// verified by the provider.
//
// Everything fetched from a provider is bounded: each request in time and
// response size, how many run at once, and how long a discovered
// configuration is kept.
package sso

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/cloudisms/cloudisms/internal/gate"
)

// Bounds of the requests to providers.
const (
	// RequestTimeout bounds each request to a provider (discovery, keys,
	// the code exchange, userinfo).
	RequestTimeout = 10 * time.Second
	// MaxResponse bounds the body of each provider response.
	MaxResponse = 1 << 20
	// discoveryTTL is how long a discovered configuration (and its key
	// set, which go-oidc refreshes itself when a new key id appears) is
	// kept before it is fetched again.
	discoveryTTL = 15 * time.Minute
	// maxCached bounds the providers kept at once.
	maxCached = 256
)

// calls bounds how many sign-ins talk to providers at once.
var calls = gate.New(8, 32, 10*time.Second)

// Settings name an organization's client at its provider.
type Settings struct {
	Issuer       string
	ClientID     string
	ClientSecret string
	RedirectURL  string // this server's callback, registered at the provider
}

// Identity is who the provider vouched for.
type Identity struct {
	Subject       string
	Email         string
	EmailVerified bool
	Name          string
}

// Failure kinds, for the security log and the page: each wraps the
// cause.
var (
	ErrProvider   = errors.New("the provider could not be reached or answered wrongly")
	ErrExchange   = errors.New("the provider refused the authorization code")
	ErrIDToken    = errors.New("the ID token failed verification")
	ErrNonce      = errors.New("the ID token's nonce is not the one sent")
	ErrUnverified = errors.New("the provider has not verified the email")
)

// Client talks to providers; the zero value is not usable, use New.
type Client struct {
	http *http.Client
	now  func() time.Time

	mu        sync.Mutex
	providers map[string]cached
}

type cached struct {
	p  *oidc.Provider
	at time.Time
}

// New returns a client whose requests are bounded in time and size.
func New(now func() time.Time) *Client {
	return &Client{
		http: &http.Client{
			Timeout:   RequestTimeout,
			Transport: boundedTransport{http.DefaultTransport},
			CheckRedirect: func(req *http.Request, via []*http.Request) error {
				if len(via) >= 3 {
					return errors.New("more than 3 redirects")
				}
				return nil
			},
		},
		now:       now,
		providers: map[string]cached{},
	}
}

// boundedTransport cuts every response body at MaxResponse: go-oidc reads
// bodies whole.
type boundedTransport struct{ next http.RoundTripper }

func (t boundedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	resp.Body = &limitedBody{r: io.LimitReader(resp.Body, MaxResponse+1), c: resp.Body}
	return resp, nil
}

type limitedBody struct {
	r io.Reader
	c io.Closer
	n int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	b.n += int64(n)
	if b.n > MaxResponse {
		return 0, fmt.Errorf("provider response larger than %d bytes", MaxResponse)
	}
	return n, err
}

func (b *limitedBody) Close() error { return b.c.Close() }

// context carries the bounded client to go-oidc and oauth2.
func (c *Client) context(ctx context.Context) context.Context {
	return oidc.ClientContext(ctx, c.http)
}

// Discover fetches (or reuses) an issuer's configuration; the issuer it
// states must be the one asked for.
func (c *Client) Discover(ctx context.Context, issuer string) (*oidc.Provider, error) {
	now := c.now()
	c.mu.Lock()
	if e, ok := c.providers[issuer]; ok && now.Sub(e.at) < discoveryTTL {
		c.mu.Unlock()
		return e.p, nil
	}
	c.mu.Unlock()
	leave, err := calls.Enter(ctx)
	if err != nil {
		return nil, err
	}
	defer leave()
	// The provider keeps the client for its key fetches, which outlive
	// this request: its context is not the request's.
	p, err := oidc.NewProvider(c.context(context.WithoutCancel(ctx)), issuer)
	if err != nil {
		return nil, fmt.Errorf("%w: discovery of %s: %v", ErrProvider, issuer, err)
	}
	c.mu.Lock()
	if len(c.providers) >= maxCached {
		for k, e := range c.providers {
			if now.Sub(e.at) >= discoveryTTL || len(c.providers) >= maxCached {
				delete(c.providers, k)
			}
		}
	}
	c.providers[issuer] = cached{p: p, at: now}
	c.mu.Unlock()
	return p, nil
}

// Forget drops an issuer's cached configuration (its settings changed).
func (c *Client) Forget(issuer string) {
	c.mu.Lock()
	delete(c.providers, issuer)
	c.mu.Unlock()
}

func (s Settings) oauth2(p *oidc.Provider) *oauth2.Config {
	return &oauth2.Config{
		ClientID:     s.ClientID,
		ClientSecret: s.ClientSecret,
		Endpoint:     p.Endpoint(),
		RedirectURL:  s.RedirectURL,
		Scopes:       []string{oidc.ScopeOpenID, "email", "profile"},
	}
}

// Secret returns a fresh random value for a nonce or a PKCE verifier.
func Secret() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// AuthURL is where the browser goes to sign in at the provider.
func (c *Client) AuthURL(ctx context.Context, s Settings, state, nonce, verifier string) (string, error) {
	p, err := c.Discover(ctx, s.Issuer)
	if err != nil {
		return "", err
	}
	to := s.oauth2(p).AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier))
	if u, err := url.Parse(to); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", fmt.Errorf("%w: authorization endpoint %q is not an http(s) URL", ErrProvider, p.Endpoint().AuthURL)
	}
	return to, nil
}

// Finish exchanges the code (with the PKCE verifier), verifies the ID
// token and returns the identity it names, completed from the userinfo
// endpoint when the token carries no email. An email the provider has
// not verified gives ErrUnverified (with the identity, to be logged).
func (c *Client) Finish(ctx context.Context, s Settings, code, verifier, nonce string) (Identity, error) {
	p, err := c.Discover(ctx, s.Issuer)
	if err != nil {
		return Identity{}, err
	}
	leave, err := calls.Enter(ctx)
	if err != nil {
		return Identity{}, err
	}
	defer leave()
	ctx, cancel := context.WithTimeout(c.context(ctx), 3*RequestTimeout)
	defer cancel()
	conf := s.oauth2(p)
	tok, err := conf.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		return Identity{}, fmt.Errorf("%w: %v", ErrExchange, err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return Identity{}, fmt.Errorf("%w: the token response has no id_token", ErrIDToken)
	}
	idt, err := p.Verifier(&oidc.Config{ClientID: s.ClientID, Now: c.now}).Verify(ctx, raw)
	if err != nil {
		return Identity{}, fmt.Errorf("%w: %v", ErrIDToken, err)
	}
	if nonce == "" || subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(nonce)) != 1 {
		return Identity{}, ErrNonce
	}
	var claims struct {
		Email         string `json:"email"`
		EmailVerified any    `json:"email_verified"`
		Name          string `json:"name"`
	}
	if err := idt.Claims(&claims); err != nil {
		return Identity{}, fmt.Errorf("%w: claims: %v", ErrIDToken, err)
	}
	id := Identity{Subject: idt.Subject, Email: claims.Email, EmailVerified: truthy(claims.EmailVerified), Name: claims.Name}
	if id.Email == "" {
		// Providers may keep the email out of the ID token and answer it
		// at userinfo; the subject there must be the token's.
		ui, err := p.UserInfo(ctx, conf.TokenSource(ctx, tok))
		if err != nil {
			return Identity{}, fmt.Errorf("%w: userinfo: %v", ErrProvider, err)
		}
		if ui.Subject != idt.Subject {
			return Identity{}, fmt.Errorf("%w: userinfo is of subject %q, the ID token of %q", ErrIDToken, ui.Subject, idt.Subject)
		}
		var more struct {
			Name string `json:"name"`
		}
		ui.Claims(&more)
		id.Email, id.EmailVerified = ui.Email, ui.EmailVerified
		if id.Name == "" {
			id.Name = more.Name
		}
	}
	id.Email = strings.ToLower(strings.TrimSpace(id.Email))
	if id.Email == "" || !id.EmailVerified {
		// The identity goes back with the error for the security log
		// only: it must not sign anyone in.
		return id, ErrUnverified
	}
	return id, nil
}

// truthy reads email_verified, which some providers send as a string.
func truthy(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case string:
		return x == "true"
	}
	return false
}
