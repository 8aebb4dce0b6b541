package attack

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestAttackTenancy performs, against a real server on both databases,
// the attacks of issue 10 that reached across organizations or around the
// owner: item 4 (another organization's evidence fetched by putting its
// SHA-256 into one's own item), item 5 (an approval forged in an item
// body), item 6 (an admin approving a risk someone else owns) and item 3
// (an admin choosing a password for an account another organization
// later adds).
func TestAttackTenancy(t *testing.T) {
	needServer(t)
	for _, db := range databases(t) {
		t.Run(db.name, func(t *testing.T) {
			if db.skip != "" {
				t.Skip(db.skip)
			}
			victim := org(t, db, "victim")
			attacker := org(t, db, "attacker")
			srv := serve(t, db, nil)

			// Item 4: the victim uploads a file; the attacker names its hash.
			secret := []byte("victim-only evidence: the penetration test report")
			st, _, body := call(t, nil, "POST", srv.url+"/api/v1/orgs/victim/evidence/documents/doc-pol-001?name=pentest.txt", victim, secret,
				"Content-Type", "application/octet-stream", "If-Match", etagOf(t, srv.url, victim, "victim", "documents/doc-pol-001"))
			if st/100 != 2 {
				t.Fatalf("the victim's upload: %d %.300s", st, body)
			}
			sum := shaIn(t, body)
			doc := itemOf(t, srv.url, attacker, "attacker", "documents/doc-pol-001")
			doc["evidence"] = []map[string]string{{"name": "stolen.txt", "sha256": sum}}
			st, _, body = call(t, nil, "PUT", srv.url+"/api/v1/orgs/attacker/items/documents/doc-pol-001", attacker, doc,
				"If-Match", etagOf(t, srv.url, attacker, "attacker", "documents/doc-pol-001"))
			if st != http.StatusBadRequest {
				t.Errorf("the attacker named the victim's file in an item: %d %.300s", st, body)
			}
			st, _, body = call(t, nil, "GET", srv.url+"/api/v1/orgs/attacker/evidence/"+sum, attacker, nil)
			if st != http.StatusNotFound || strings.Contains(string(body), "penetration") {
				t.Errorf("the attacker downloaded the victim's file: %d %.100s", st, body)
			}

			// Item 5: an approval forged in an item body is not recorded.
			risk := itemOf(t, srv.url, victim, "victim", "risks/r-13")
			before, _ := json.Marshal(risk["approval"])
			risk["approval"] = map[string]any{"by": "p-ceo", "date": "2026-11-01", "residual_accepted": true}
			risk["title"] = risk["title"].(string) + "（改）"
			call(t, nil, "PUT", srv.url+"/api/v1/orgs/victim/items/risks/r-13", victim, risk, "If-Match", etagOf(t, srv.url, victim, "victim", "risks/r-13"))
			after, _ := json.Marshal(itemOf(t, srv.url, victim, "victim", "risks/r-13")["approval"])
			if string(after) != string(before) {
				t.Errorf("a forged approval was stored: %s (was %s)", after, before)
			}

			// Item 6: the admin (p-isms) approves a risk p-cs-lead owns.
			st, _, body = call(t, nil, "POST", srv.url+"/api/v1/orgs/victim/approvals/risks/r-02", victim, map[string]any{"residual_accepted": true},
				"If-Match", etagOf(t, srv.url, victim, "victim", "risks/r-02"))
			if st != http.StatusForbidden {
				t.Errorf("an admin approved another owner's risk: %d %.200s", st, body)
			}

			// Item 3: the attacker's admin tries to choose a password for
			// an email that the victim will add later.
			web := browser(t, srv.url, "attacker")
			form := url.Values{"action": {"add"}, "email": {"ceo@victim.example"}, "name": {"CEO"}, "role": {"admin"}, "password": {"attacker chosen 1"}}
			st, _, _ = call(t, web, "POST", srv.url+"/orgs/attacker/members", "", []byte(form.Encode()), "Content-Type", "application/x-www-form-urlencoded")
			if st >= 500 {
				t.Fatalf("members form: %d", st)
			}
			res, err := http.PostForm(srv.url+"/login", url.Values{"email": {"ceo@victim.example"}, "password": {"attacker chosen 1"}, "next": {"/"}})
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode == http.StatusSeeOther {
				t.Error("the attacker's chosen password signs in")
			}
			srv.survived(t, "tenancy attacks")
		})
	}
}

// itemOf reads an item's data through the API.
func itemOf(t *testing.T, base, token, org, path string) map[string]any {
	t.Helper()
	st, _, body := call(t, nil, "GET", base+"/api/v1/orgs/"+org+"/items/"+path, token, nil)
	if st != http.StatusOK {
		t.Fatalf("GET %s: %d %.200s", path, st, body)
	}
	var out map[string]any
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatal(err)
	}
	if d, ok := out["data"].(map[string]any); ok {
		return d
	}
	return out
}

// etagOf is an item's current ETag.
func etagOf(t *testing.T, base, token, org, path string) string {
	t.Helper()
	st, h, body := call(t, nil, "GET", base+"/api/v1/orgs/"+org+"/items/"+path, token, nil)
	if st != http.StatusOK {
		t.Fatalf("GET %s: %d %.200s", path, st, body)
	}
	return h.Get("ETag")
}

// shaIn finds the SHA-256 an upload answered.
func shaIn(t *testing.T, body []byte) string {
	t.Helper()
	s := string(body)
	for i := 0; i+64 <= len(s); i++ {
		if isHex(s[i : i+64]) {
			return s[i : i+64]
		}
	}
	t.Fatalf("no SHA-256 in %.300s", body)
	return ""
}

func isHex(s string) bool {
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f') {
			return false
		}
	}
	return true
}
