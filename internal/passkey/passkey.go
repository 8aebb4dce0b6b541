// Package passkey registers and checks passkeys (WebAuthn credentials)
// with github.com/go-webauthn/webauthn, keeping every ceremony's state
// and every credential in the store.
//
// The relying party (the site a passkey belongs to) comes from the
// server's configured public URL, never from a request's Host header: a
// passkey made for https://isms.example.jp works there and nowhere else,
// whatever name a request arrives under.
//
// A ceremony has two steps. Begin makes a challenge, keeps the library's
// session data server-side for CeremonyTTL under a random token and
// returns the options for the browser with that token; Finish takes the
// session back (once: the row is deleted as it is read) and checks the
// browser's answer against it. Any instance of the server can finish
// what another began.
package passkey

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/cloudisms/cloudisms/internal/store"
)

// CeremonyTTL is how long a begun ceremony can be finished: the browser's
// dialog times out sooner (Timeout).
const (
	CeremonyTTL = 5 * time.Minute
	Timeout     = 3 * time.Minute
	// MaxBody bounds the JSON a browser sends to finish a ceremony: an
	// attestation without certificates is under 1 KiB, one with a chain
	// a few KiB.
	MaxBody = 64 << 10
)

// ErrRejected is an answer that does not verify: a wrong signature, a
// challenge or origin that does not match, an unknown credential, a
// ceremony expired or used. The detail is for the log, never the page.
var ErrRejected = errors.New("passkey not accepted")

// RP is the relying party: this server, as passkeys know it.
type RP struct {
	wa     *webauthn.WebAuthn
	store  *store.Store
	Origin string // e.g. https://isms.example.jp
	ID     string // the relying party id, the origin's host name
}

// New makes the relying party of a public URL (scheme, host and port;
// a path is ignored). Passkeys need a host name, not an IP address, and
// HTTPS except on localhost, where browsers allow them over HTTP.
func New(publicURL string, s *store.Store) (*RP, error) {
	u, err := url.Parse(strings.TrimSpace(publicURL))
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("passkeys: public URL %q: expected https://HOST[:PORT]", publicURL)
	}
	host := u.Hostname()
	if net.ParseIP(host) != nil {
		return nil, fmt.Errorf("passkeys: public URL %q: browsers accept passkeys only for a host name, not an IP address", publicURL)
	}
	if u.Scheme == "http" && host != "localhost" && !strings.HasSuffix(host, ".localhost") {
		return nil, fmt.Errorf("passkeys: public URL %q: browsers accept passkeys only over https (or http on localhost)", publicURL)
	}
	origin := u.Scheme + "://" + u.Host
	wa, err := webauthn.New(&webauthn.Config{
		RPID:          host,
		RPDisplayName: "cloudisms",
		RPOrigins:     []string{origin},
		Timeouts: webauthn.TimeoutsConfig{
			Login:        webauthn.TimeoutConfig{Enforce: true, Timeout: Timeout, TimeoutUVD: Timeout},
			Registration: webauthn.TimeoutConfig{Enforce: true, Timeout: Timeout, TimeoutUVD: Timeout},
		},
	})
	if err != nil {
		return nil, fmt.Errorf("passkeys: relying party %s: %w", origin, err)
	}
	return &RP{wa: wa, store: s, Origin: origin, ID: host}, nil
}

// user is a store user as the library sees it.
type user struct {
	u      store.User
	handle []byte
	creds  []webauthn.Credential
}

func (u *user) WebAuthnID() []byte                         { return u.handle }
func (u *user) WebAuthnName() string                       { return u.u.Email }
func (u *user) WebAuthnDisplayName() string                { return displayName(u.u) }
func (u *user) WebAuthnCredentials() []webauthn.Credential { return u.creds }

func displayName(u store.User) string {
	if u.Name != "" {
		return u.Name
	}
	return u.Email
}

// load reads a user's handle and credentials.
func (rp *RP) load(ctx context.Context, u store.User) (*user, error) {
	handle, err := rp.store.PasskeyHandle(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	keys, err := rp.store.Passkeys(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	wu := &user{u: u, handle: handle}
	for _, k := range keys {
		var c webauthn.Credential
		if err := json.Unmarshal(k.Credential, &c); err != nil {
			return nil, fmt.Errorf("passkey %d of user %d: stored credential: %w", k.ID, u.ID, err)
		}
		wu.creds = append(wu.creds, c)
	}
	return wu, nil
}

// Options is what Begin hands the browser: the token that finishes the
// ceremony and the options for navigator.credentials.
type Options struct {
	Token     string `json:"token"`
	PublicKey any    `json:"publicKey"`
}

// BeginRegistration starts adding a passkey for a signed-in user:
// store.ErrPasskeyLimit when the user has the most allowed. The
// passkey is discoverable (it can sign in without an email) and asks the
// authenticator to verify its holder (PIN, biometrics).
func (rp *RP) BeginRegistration(ctx context.Context, u store.User, address string) (Options, error) {
	n, err := rp.store.PasskeyCount(ctx, u.ID)
	if err != nil {
		return Options{}, err
	}
	if n >= store.MaxPasskeys {
		return Options{}, store.ErrPasskeyLimit
	}
	wu, err := rp.load(ctx, u)
	if err != nil {
		return Options{}, err
	}
	creation, session, err := rp.wa.BeginRegistration(wu,
		webauthn.WithAuthenticatorSelection(protocol.AuthenticatorSelection{
			ResidentKey:      protocol.ResidentKeyRequirementRequired,
			UserVerification: protocol.VerificationRequired,
		}),
		webauthn.WithResidentKeyRequirement(protocol.ResidentKeyRequirementRequired),
		webauthn.WithExclusions(webauthn.Credentials(wu.creds).CredentialDescriptors()),
		webauthn.WithConveyancePreference(protocol.PreferNoAttestation),
	)
	if err != nil {
		return Options{}, fmt.Errorf("passkeys: begin registration for user %d: %w", u.ID, err)
	}
	return rp.keep(ctx, store.CeremonyRegister, u.ID, address, session, creation.Response)
}

// keep stores a ceremony's session data and returns the browser's part.
func (rp *RP) keep(ctx context.Context, kind string, userID int64, address string, session *webauthn.SessionData, publicKey any) (Options, error) {
	data, err := json.Marshal(session)
	if err != nil {
		return Options{}, fmt.Errorf("passkeys: %s session: %w", kind, err)
	}
	token, err := rp.store.BeginCeremony(ctx, kind, userID, address, data, CeremonyTTL)
	if err != nil {
		return Options{}, err
	}
	return Options{Token: token, PublicKey: publicKey}, nil
}

// take reads a ceremony's session back, or ErrRejected.
func (rp *RP) take(ctx context.Context, kind, token string) (int64, webauthn.SessionData, error) {
	var session webauthn.SessionData
	userID, data, err := rp.store.TakeCeremony(ctx, kind, token)
	if errors.Is(err, store.ErrNotFound) {
		return 0, session, fmt.Errorf("%w: %s ceremony unknown, used or expired", ErrRejected, kind)
	}
	if err != nil {
		return 0, session, err
	}
	if err := json.Unmarshal(data, &session); err != nil {
		return 0, session, fmt.Errorf("passkeys: %s session: %w", kind, err)
	}
	return userID, session, nil
}

// FinishRegistration checks the browser's answer to a registration the
// same user began and stores the new passkey under name. A bad answer is
// ErrRejected; a name store.CheckPasskeyName refuses is checked before
// the ceremony is used up.
func (rp *RP) FinishRegistration(ctx context.Context, u store.User, token, name string, credential []byte) (store.Passkey, error) {
	if _, err := store.CheckPasskeyName(name); err != nil {
		return store.Passkey{}, err
	}
	userID, session, err := rp.take(ctx, store.CeremonyRegister, token)
	if err != nil {
		return store.Passkey{}, err
	}
	if userID != u.ID {
		return store.Passkey{}, fmt.Errorf("%w: registration begun by user %d, finished by user %d", ErrRejected, userID, u.ID)
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes(credential)
	if err != nil {
		return store.Passkey{}, fmt.Errorf("%w: %v", ErrRejected, detail(err))
	}
	wu, err := rp.load(ctx, u)
	if err != nil {
		return store.Passkey{}, err
	}
	cred, err := rp.wa.CreateCredential(wu, session, parsed)
	if err != nil {
		return store.Passkey{}, fmt.Errorf("%w: %v", ErrRejected, detail(err))
	}
	data, err := json.Marshal(cred)
	if err != nil {
		return store.Passkey{}, fmt.Errorf("passkeys: credential: %w", err)
	}
	return rp.store.AddPasskey(ctx, u.ID, name, cred.ID, data)
}

// BeginLogin starts a passwordless sign-in: no email is asked, the
// browser offers the passkeys it holds for this site.
func (rp *RP) BeginLogin(ctx context.Context, address string) (Options, error) {
	assertion, session, err := rp.wa.BeginDiscoverableLogin(webauthn.WithUserVerification(protocol.VerificationRequired))
	if err != nil {
		return Options{}, fmt.Errorf("passkeys: begin sign-in: %w", err)
	}
	return rp.keep(ctx, store.CeremonyLogin, 0, address, session, assertion.Response)
}

// FinishLogin checks the browser's answer to a passwordless sign-in and
// returns the user it proves (on ErrRejected, the user the answer named,
// when it named a known one, for the security log). Each attempt is counted against the client
// address before it is checked (store.ReservePasskey: a *ThrottleError
// once too many failed); a failure is ErrRejected. The passkey's sign
// count and last use are recorded; a sign count that went backwards (a
// cloned authenticator) is refused.
func (rp *RP) FinishLogin(ctx context.Context, token string, credential []byte, address string) (store.User, store.Passkey, error) {
	if err := rp.store.ReservePasskey(ctx, address); err != nil {
		return store.User{}, store.Passkey{}, err
	}
	u, key, err := rp.finishLogin(ctx, token, credential)
	if err != nil {
		key = store.Passkey{}
	}
	if err == nil || !errors.Is(err, ErrRejected) {
		// Only a rejected answer stays counted.
		rp.store.PasskeySucceeded(ctx, address)
	}
	return u, key, err
}

func (rp *RP) finishLogin(ctx context.Context, token string, credential []byte) (store.User, store.Passkey, error) {
	_, session, err := rp.take(ctx, store.CeremonyLogin, token)
	if err != nil {
		return store.User{}, store.Passkey{}, err
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes(credential)
	if err != nil {
		return store.User{}, store.Passkey{}, fmt.Errorf("%w: %v", ErrRejected, detail(err))
	}
	var found *user
	handler := func(rawID, userHandle []byte) (webauthn.User, error) {
		u, err := rp.store.UserByPasskeyHandle(ctx, userHandle)
		if err != nil {
			return nil, err
		}
		found, err = rp.load(ctx, u)
		if err != nil {
			return nil, err
		}
		return found, nil
	}
	_, cred, err := rp.wa.ValidatePasskeyLogin(handler, session, parsed)
	if err != nil {
		if store.Unavailable(err) {
			return store.User{}, store.Passkey{}, err
		}
		return named(found), store.Passkey{}, fmt.Errorf("%w: %v", ErrRejected, detail(err))
	}
	if cred.Authenticator.CloneWarning {
		return found.u, store.Passkey{}, fmt.Errorf("%w: sign count of user %d's passkey went backwards (cloned authenticator?)", ErrRejected, found.u.ID)
	}
	key, err := rp.store.PasskeyByCredentialID(ctx, cred.ID)
	if err != nil || key.UserID != found.u.ID {
		return found.u, store.Passkey{}, fmt.Errorf("%w: credential not registered to user %d", ErrRejected, found.u.ID)
	}
	data, err := json.Marshal(cred)
	if err != nil {
		return store.User{}, store.Passkey{}, fmt.Errorf("passkeys: credential: %w", err)
	}
	if err := rp.store.PasskeyUsed(ctx, key.ID, data); err != nil {
		return store.User{}, store.Passkey{}, err
	}
	return found.u, key, nil
}

// named is the user a rejected answer named, if any.
func named(u *user) store.User {
	if u == nil {
		return store.User{}
	}
	return u.u
}

// detail is the library's own explanation of a failed check, for the log.
func detail(err error) string {
	var pe *protocol.Error
	if errors.As(err, &pe) && pe.DevInfo != "" {
		return pe.Details + ": " + pe.DevInfo
	}
	return err.Error()
}
