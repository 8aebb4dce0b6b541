package attack

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/fxamacker/cbor/v2"
)

// Attacks on passkeys (issue 15 part B): replaying a valid assertion,
// an assertion made for another site or sent under another Host, a
// registration begun by one user and finished by another, floods of
// ceremonies and of failed assertions, oversized bodies, and a
// registration without a session or from another site. A software
// authenticator (ES256, "none" attestation) plays the browser's part.

var b64 = base64.RawURLEncoding

// authenticator is a software passkey authenticator holding one
// discoverable credential.
type authenticator struct {
	key    *ecdsa.PrivateKey
	id     []byte
	handle []byte // the user handle given at registration
	count  uint32
}

func newAuthenticator(t *testing.T) *authenticator {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id := make([]byte, 16)
	rand.Read(id)
	return &authenticator{key: key, id: id}
}

// options is what the server hands out to begin a ceremony.
type options struct {
	Token     string `json:"token"`
	PublicKey struct {
		Challenge string `json:"challenge"`
		RPID      string `json:"rpId"`
		RP        struct {
			ID string `json:"id"`
		} `json:"rp"`
		User struct {
			ID string `json:"id"`
		} `json:"user"`
	} `json:"publicKey"`
}

func clientData(typ, challenge, origin string) []byte {
	b, _ := json.Marshal(map[string]any{"type": typ, "challenge": challenge, "origin": origin, "crossOrigin": false})
	return b
}

func (a *authenticator) authData(rpID string, flags byte, attested bool) []byte {
	h := sha256.Sum256([]byte(rpID))
	a.count++
	var b bytes.Buffer
	b.Write(h[:])
	b.WriteByte(flags)
	binary.Write(&b, binary.BigEndian, a.count)
	if attested {
		b.Write(make([]byte, 16)) // AAGUID
		binary.Write(&b, binary.BigEndian, uint16(len(a.id)))
		b.Write(a.id)
		pub, _ := a.key.PublicKey.ECDH()
		raw := pub.Bytes() // 0x04 || X || Y
		cose, _ := cbor.Marshal(map[int]any{1: 2, 3: -7, -1: 1, -2: raw[1:33], -3: raw[33:65]})
		b.Write(cose)
	}
	return b.Bytes()
}

const (
	flagUP = 0x01
	flagUV = 0x04
	flagAT = 0x40
)

// register answers registration options for rpID at origin.
func (a *authenticator) register(o options, rpID, origin string) map[string]any {
	a.handle, _ = b64.DecodeString(o.PublicKey.User.ID)
	cd := clientData("webauthn.create", o.PublicKey.Challenge, origin)
	att, _ := cbor.Marshal(map[string]any{"fmt": "none", "attStmt": map[string]any{}, "authData": a.authData(rpID, flagUP|flagUV|flagAT, true)})
	return map[string]any{"id": b64.EncodeToString(a.id), "rawId": b64.EncodeToString(a.id), "type": "public-key", "clientExtensionResults": map[string]any{},
		"response": map[string]any{"clientDataJSON": b64.EncodeToString(cd), "attestationObject": b64.EncodeToString(att), "transports": []string{"internal"}}}
}

// assert answers sign-in options for rpID at origin.
func (a *authenticator) assert(t *testing.T, challenge, rpID, origin string) map[string]any {
	cd := clientData("webauthn.get", challenge, origin)
	ad := a.authData(rpID, flagUP|flagUV, false)
	h := sha256.Sum256(cd)
	signed := sha256.Sum256(append(append([]byte{}, ad...), h[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, a.key, signed[:])
	if err != nil {
		t.Fatal(err)
	}
	return map[string]any{"id": b64.EncodeToString(a.id), "rawId": b64.EncodeToString(a.id), "type": "public-key", "clientExtensionResults": map[string]any{},
		"response": map[string]any{"clientDataJSON": b64.EncodeToString(cd), "authenticatorData": b64.EncodeToString(ad),
			"signature": b64.EncodeToString(sig), "userHandle": b64.EncodeToString(a.handle)}}
}

// origin is where the server says it is: http://localhost with the port
// it listens on (serve's default without --base-url).
func (s *server) origin() string { return strings.Replace(s.url, "127.0.0.1", "localhost", 1) }

func beginOptions(t *testing.T, c *http.Client, url string, body any) options {
	t.Helper()
	st, _, b := call(t, c, "POST", url, "", body)
	if st != http.StatusOK {
		t.Fatalf("POST %s: %d %s", url, st, b)
	}
	var o options
	if err := json.Unmarshal(b, &o); err != nil || o.Token == "" || o.PublicKey.Challenge == "" {
		t.Fatalf("options from %s: %v %s", url, err, b)
	}
	return o
}

// registerPasskey adds a's credential to the signed-in user of c.
func registerPasskey(t *testing.T, srv *server, c *http.Client, a *authenticator, name string) {
	t.Helper()
	o := beginOptions(t, c, srv.url+"/account/passkeys/options", map[string]string{"password": password})
	st, _, b := call(t, c, "POST", srv.url+"/account/passkeys", "", map[string]any{"token": o.Token, "name": name, "credential": a.register(o, "localhost", srv.origin())})
	if st != http.StatusCreated {
		t.Fatalf("register a passkey: %d %s", st, b)
	}
}

// sessionCookie is the session a passwordless sign-in set, "" for none.
func sessionCookie(h http.Header) string {
	for _, c := range (&http.Response{Header: h}).Cookies() {
		if c.Name == "cloudisms_session" && c.Value != "" {
			return c.Value
		}
	}
	return ""
}

func TestAttackPasskeys(t *testing.T) {
	needServer(t)
	db := sqlite(t)
	org(t, db, "victim")
	org(t, db, "mallory")
	srv := serve(t, db, nil)
	victim := browser(t, srv.url, "victim")
	mallory := browser(t, srv.url, "mallory")
	a := newAuthenticator(t)
	registerPasskey(t, srv, victim, a, "victim's laptop")

	// A valid sign-in works once; the same answer sent again (its
	// ceremony used up), or under a fresh ceremony (another challenge),
	// is refused.
	o := beginOptions(t, nil, srv.url+"/login/passkey/options", map[string]any{})
	good := map[string]any{"token": o.Token, "credential": a.assert(t, o.PublicKey.Challenge, "localhost", srv.origin()), "next": "/"}
	st, h, b := call(t, nil, "POST", srv.url+"/login/passkey", "", good)
	if st != http.StatusOK || sessionCookie(h) == "" {
		t.Fatalf("a valid passkey sign-in: %d %s\n%s", st, b, srv.log.tail())
	}
	if st, h, _ := call(t, nil, "POST", srv.url+"/login/passkey", "", good); st != http.StatusUnauthorized || sessionCookie(h) != "" {
		t.Errorf("the same assertion replayed: %d, want 401 and no session", st)
	}
	o2 := beginOptions(t, nil, srv.url+"/login/passkey/options", map[string]any{})
	replay := map[string]any{"token": o2.Token, "credential": good["credential"]}
	if st, h, _ := call(t, nil, "POST", srv.url+"/login/passkey", "", replay); st != http.StatusUnauthorized || sessionCookie(h) != "" {
		t.Errorf("an old assertion under a new ceremony: %d, want 401", st)
	}

	// An assertion made for another site, even sent with that site as
	// the Host header, is refused: the relying party is the configured
	// one, not the request's.
	for _, c := range []struct{ name, rpID, origin, host string }{
		{"another origin", "localhost", "http://evil.example", ""},
		{"another relying party", "evil.example", srv.origin(), ""},
		{"another site as Host", "evil.example", "https://evil.example", "evil.example"},
	} {
		o := beginOptions(t, nil, srv.url+"/login/passkey/options", map[string]any{})
		j, _ := json.Marshal(map[string]any{"token": o.Token, "credential": a.assert(t, o.PublicKey.Challenge, c.rpID, c.origin)})
		req, _ := http.NewRequest("POST", srv.url+"/login/passkey", bytes.NewReader(j))
		req.Header.Set("Content-Type", "application/json")
		if c.host != "" {
			req.Host = c.host // what a request names the site as, not what the server is
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusUnauthorized || sessionCookie(res.Header) != "" {
			t.Errorf("%s: %d, want 401", c.name, res.StatusCode)
		}
	}

	// A registration mallory begins cannot be finished by the victim's
	// session (a passkey planted on another account), nor the reverse.
	om := beginOptions(t, mallory, srv.url+"/account/passkeys/options", map[string]string{"password": password})
	other := newAuthenticator(t)
	if st, _, b := call(t, victim, "POST", srv.url+"/account/passkeys", "", map[string]any{"token": om.Token, "name": "x", "credential": other.register(om, "localhost", srv.origin())}); st != http.StatusUnauthorized {
		t.Errorf("mallory's registration finished by the victim: %d %s, want 401", st, b)
	}
	// Registration needs a session, the current password, and a request
	// from this site.
	if st, _, _ := call(t, nil, "POST", srv.url+"/account/passkeys/options", "", map[string]string{"password": password}); st != http.StatusUnauthorized {
		t.Errorf("registration without a session: %d, want 401", st)
	}
	if st, _, _ := call(t, victim, "POST", srv.url+"/account/passkeys/options", "", map[string]string{"password": "not the password"}); st != http.StatusUnauthorized {
		t.Errorf("registration with a wrong password: %d, want 401", st)
	}
	if st, _, _ := call(t, victim, "POST", srv.url+"/account/passkeys/options", "", map[string]string{"password": password},
		"Origin", "http://evil.example", "Sec-Fetch-Site", "cross-site"); st != http.StatusForbidden {
		t.Errorf("registration from another site: %d, want 403", st)
	}
	// Removing another user's passkey: not found, nothing removed.
	if st, _, _ := call(t, mallory, "POST", srv.url+"/account/passkeys/1/delete", "", []byte("password="+password), "Content-Type", "application/x-www-form-urlencoded"); st != http.StatusNotFound {
		t.Errorf("mallory removes the victim's passkey: %d, want 404", st)
	}

	// Oversized and malformed bodies are refused before any work.
	big := bytes.Repeat([]byte("x"), 1<<20)
	body := []byte(`{"token":"t","credential":"` + string(big) + `"}`)
	if st, _, _ := call(t, nil, "POST", srv.url+"/login/passkey", "", body, "Content-Type", "application/json"); st != http.StatusRequestEntityTooLarge {
		t.Errorf("a 1 MiB assertion: %d, want 413", st)
	}
	if st, _, _ := call(t, nil, "POST", srv.url+"/login/passkey", "", []byte(`{"token":`), "Content-Type", "application/json"); st != http.StatusBadRequest {
		t.Errorf("a malformed body: %d, want 400", st)
	}

	// A flood of begun sign-ins from one address: 20 may be open, the
	// rest wait (429 with Retry-After), so the table stays small.
	codes := map[int]int{}
	for range 25 {
		st, h, _ := call(t, nil, "POST", srv.url+"/login/passkey/options", "", map[string]any{})
		if st == http.StatusTooManyRequests && h.Get("Retry-After") == "" {
			t.Error("429 without Retry-After")
		}
		codes[st]++
	}
	t.Logf("25 begun passkey sign-ins beside those above: %v", codes)
	if codes[http.StatusTooManyRequests] == 0 || codes[http.StatusOK] > 20 {
		t.Errorf("ceremony flood: %v, want at most 20 open then 429", codes)
	}
	srv.survived(t, "passkey attacks")
}

// Forged assertions from one address are judged ten times in fifteen
// minutes, then refused with 429 before any check.
func TestAttackPasskeyGuessing(t *testing.T) {
	needServer(t)
	db := sqlite(t)
	org(t, db, "victim")
	srv := serve(t, db, nil)
	codes := map[int]int{}
	for i := range 14 {
		st, h, _ := call(t, nil, "POST", srv.url+"/login/passkey", "", map[string]any{"token": fmt.Sprint("forged-", i), "credential": map[string]any{"id": "AAAA", "type": "public-key"}})
		if st == http.StatusTooManyRequests && h.Get("Retry-After") == "" {
			t.Error("429 without Retry-After")
		}
		codes[st]++
	}
	t.Logf("14 forged passkey assertions: %v", codes)
	if codes[http.StatusUnauthorized] != 10 || codes[http.StatusTooManyRequests] != 4 {
		t.Errorf("forged assertions: %v, want 10 × 401 then 429", codes)
	}
	srv.survived(t, "forged passkey assertions")
}
