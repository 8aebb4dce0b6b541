// Package totp computes and checks time-based one-time passwords (RFC 6238,
// over the HOTP of RFC 4226) as authenticator apps make them: HMAC-SHA1,
// six digits, 30-second steps. It is pure: the time and the secret are
// given, nothing is read or stored here.
package totp

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"strings"
	"time"
)

const (
	// Step is how long one code is valid (RFC 6238's default, what every
	// authenticator app uses).
	Step = 30 * time.Second
	// Digits is the length of a code.
	Digits = 6
	// Skew is how many steps before or after now a code is accepted: a
	// phone's clock a little off, a code typed as it changes.
	Skew = 1
	// SecretBytes is the length of a new secret: 160 bits, as RFC 4226
	// recommends for HMAC-SHA1.
	SecretBytes = 20
)

// b32 is the encoding authenticator apps read: base32 without padding.
var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// Encode writes a secret as the key a person types into an app.
func Encode(secret []byte) string { return b32.EncodeToString(secret) }

// Decode reads a key written by Encode (spaces and case ignored).
func Decode(key string) ([]byte, error) {
	k := strings.ToUpper(strings.NewReplacer(" ", "", "-", "").Replace(key))
	b, err := b32.DecodeString(strings.TrimRight(k, "="))
	if err != nil {
		return nil, fmt.Errorf("totp key: not base32: %w", err)
	}
	return b, nil
}

// Counter is the step number of a time (T in RFC 6238).
func Counter(t time.Time) int64 { return t.Unix() / int64(Step/time.Second) }

// HOTP is the code of a counter (RFC 4226 section 5.3): the HMAC-SHA1 of
// the counter, dynamically truncated, modulo 10^digits.
func HOTP(secret []byte, counter int64, digits int) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(counter))
	mac := hmac.New(sha1.New, secret)
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	bin := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	mod := uint32(1)
	for range digits {
		mod *= 10
	}
	return fmt.Sprintf("%0*d", digits, bin%mod)
}

// Code is the six-digit code of a secret at a time.
func Code(secret []byte, t time.Time) string { return HOTP(secret, Counter(t), Digits) }

// Match finds the step whose code is the given one, within Skew steps of
// now, and only a step after last (the last step accepted before, 0 for
// none): a code is good once. ok is false when nothing matches; a code
// that is not six digits never matches. Every step in the window is
// compared in constant time, so timing does not tell which one matched.
func Match(secret []byte, code string, now time.Time, last int64) (step int64, ok bool) {
	code = strings.ReplaceAll(strings.TrimSpace(code), " ", "")
	if len(code) != Digits {
		return 0, false
	}
	for _, c := range code {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	c := Counter(now)
	for s := c - Skew; s <= c+Skew; s++ {
		good := subtle.ConstantTimeCompare([]byte(HOTP(secret, s, Digits)), []byte(code)) == 1
		if good && s > last && !ok {
			step, ok = s, true
		}
	}
	return step, ok
}
