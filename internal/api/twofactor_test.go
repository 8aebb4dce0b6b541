package api_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cloudisms/cloudisms/internal/api"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/totp"
)

// The API's password sign-in of an account with TOTP takes a recovery
// code as its second factor as well as the app's code: each recovery
// code once (typed in any case, with or without its dashes), each use in
// the security log.
func TestAPISignInWithRecoveryCode(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		u, err := e.store.UserByEmail(ctx, "viewer@example.com")
		if err != nil {
			t.Fatal(err)
		}
		secret, err := e.store.BeginTOTP(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		codes, err := e.store.ConfirmTOTP(ctx, u.ID, totp.Code(secret, time.Now()), "192.0.2.9")
		if err != nil {
			t.Fatal(err)
		}
		post := func(code string) (int, string, bool) {
			t.Helper()
			body, _ := json.Marshal(map[string]string{"email": "viewer@example.com", "password": "correct horse battery", "code": code})
			res, err := http.Post(e.srv.URL+"/api/v1/session", "application/json", strings.NewReader(string(body)))
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			session := false
			for _, c := range res.Cookies() {
				session = session || (c.Name == api.SessionCookie && c.Value != "")
			}
			return res.StatusCode, string(b), session
		}
		if st, body, session := post(""); st != http.StatusUnauthorized || !strings.Contains(body, "second_factor_required") || session {
			t.Fatalf("without a code: %d %s", st, body)
		}
		if st, body, session := post(codes[0]); st != http.StatusOK || !session {
			t.Fatalf("with a recovery code: %d %s", st, body)
		}
		if st, body, session := post(codes[0]); st != http.StatusUnauthorized || !strings.Contains(body, "bad_code") || session {
			t.Fatalf("the same recovery code again: %d %s", st, body)
		}
		typed := " " + strings.ToUpper(strings.ReplaceAll(codes[1], "-", " ")) + " "
		if st, body, session := post(typed); st != http.StatusOK || !session {
			t.Fatalf("a recovery code typed %q: %d %s", typed, st, body)
		}
		f, err := e.store.FactorsOf(ctx, u.ID)
		if err != nil || f.RecoveryLeft != store.RecoveryCodes-2 || !f.TOTP {
			t.Fatalf("factors after two recovery codes: %+v, %v", f, err)
		}
		evs, _, err := e.store.SecurityLogOf(ctx, u.ID, 0, 50)
		if err != nil {
			t.Fatal(err)
		}
		count := map[string]int{}
		for _, ev := range evs {
			count[ev.Kind+"/"+ev.Detail]++
		}
		if count[store.EventRecoveryUsed+"/"] != 2 || count[store.EventLogin+"/password+recovery"] != 2 || count[store.EventSecondFailed+"/recovery"] != 1 {
			t.Fatalf("security log: %v", count)
		}
	})
}
