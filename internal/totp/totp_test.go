package totp

import (
	"strings"
	"testing"
	"time"
)

// The test vectors of RFC 6238 appendix B for SHA-1 (eight digits, the
// 20-byte ASCII secret "12345678901234567890").
func TestRFC6238Vectors(t *testing.T) {
	secret := []byte("12345678901234567890")
	for _, c := range []struct {
		unix int64
		want string
	}{
		{59, "94287082"},
		{1111111109, "07081804"},
		{1111111111, "14050471"},
		{1234567890, "89005924"},
		{2000000000, "69279037"},
		{20000000000, "65353130"},
	} {
		if got := HOTP(secret, Counter(time.Unix(c.unix, 0)), 8); got != c.want {
			t.Errorf("T=%d: got %s, want %s", c.unix, got, c.want)
		}
	}
}

// RFC 4226 appendix D: HOTP values for counters 0 to 3.
func TestRFC4226Vectors(t *testing.T) {
	secret := []byte("12345678901234567890")
	for i, want := range []string{"755224", "287082", "359152", "969429"} {
		if got := HOTP(secret, int64(i), 6); got != want {
			t.Errorf("counter %d: got %s, want %s", i, got, want)
		}
	}
}

func TestMatch(t *testing.T) {
	secret := []byte("12345678901234567890")
	now := time.Unix(1111111111, 0)
	c := Counter(now)
	for _, tc := range []struct {
		name string
		code string
		last int64
		want int64
		ok   bool
	}{
		{"now", Code(secret, now), 0, c, true},
		{"one step early", Code(secret, now.Add(-Step)), 0, c - 1, true},
		{"one step late", Code(secret, now.Add(Step)), 0, c + 1, true},
		{"two steps early", Code(secret, now.Add(-2*Step)), 0, 0, false},
		{"reused", Code(secret, now), c, 0, false},
		{"older than last", Code(secret, now.Add(-Step)), c, 0, false},
		{"spaces", Code(secret, now)[:3] + " " + Code(secret, now)[3:], 0, c, true},
		{"letters", "12a456", 0, 0, false},
		{"short", "12345", 0, 0, false},
		{"long", "1234567", 0, 0, false},
		{"empty", "", 0, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			step, ok := Match(secret, tc.code, now, tc.last)
			if ok != tc.ok || step != tc.want {
				t.Errorf("Match(%q, last %d) = %d, %v; want %d, %v", tc.code, tc.last, step, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestEncodeDecode(t *testing.T) {
	secret := []byte("12345678901234567890")
	key := Encode(secret)
	if key != "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" {
		t.Errorf("Encode = %s", key)
	}
	spaced := strings.ToLower(key[:4] + " " + key[4:])
	got, err := Decode(spaced)
	if err != nil || string(got) != string(secret) {
		t.Errorf("Decode(%q) = %q, %v", spaced, got, err)
	}
	if _, err := Decode("not base32!"); err == nil {
		t.Error("Decode accepted a bad key")
	}
}
