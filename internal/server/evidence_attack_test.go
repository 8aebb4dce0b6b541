package server_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/cloudisms/cloudisms/internal/store/storetest"
)

// TestAttackEvidenceAcrossOrganizations is issue 10's item 4 performed as
// an attacker would, against a real serve process on each database: the
// admin of one organization names the SHA-256 of another organization's
// evidence file in an item of their own, through the API (an item, a whole
// bundle) and through the web form (its hidden evidence field), then asks
// to download it. Before evidence was owned per organization the item was
// accepted and the other organization's file was served. Now every write
// is refused as invalid and the download is a 404; the file's rightful
// organization still reads it, and an organization that uploads the same
// content itself may name it.
func TestAttackEvidenceAcrossOrganizations(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped in -short mode: it builds cloudisms and runs a server")
	}
	bin := buildCLI(t)
	for _, db := range attackDatabases(t) {
		t.Run(db.name, func(t *testing.T) {
			if db.skip != "" {
				t.Skip(db.skip)
			}
			srv := launch(t, bin, db.args)
			srv.waitReady(t)
			victim := attackOrg(t, bin, db.args, "victim")
			attacker := attackOrg(t, bin, db.args, "attacker")
			base := srv.url + "/api/v1/orgs/"

			// The victim attaches a confidential file to a document.
			secret := []byte("社外秘: 顧客一覧と契約金額 " + db.name)
			sum := sha256.Sum256(secret)
			hash := hex.EncodeToString(sum[:])
			_, tag := attackItem(t, srv.url, victim, "victim", "documents", "doc-pol-001")
			st, body := attackDo(t, "POST", base+"victim/evidence/documents/doc-pol-001?name=secret.pdf", victim, secret, "Content-Type", "application/octet-stream", "If-Match", tag)
			if st != http.StatusCreated {
				t.Fatalf("the victim's upload: %d %s", st, body)
			}

			t.Run("API item", func(t *testing.T) {
				data, tag := attackItem(t, srv.url, attacker, "attacker", "documents", "doc-pol-001")
				data["evidence"] = []any{map[string]any{"name": "盗んだ.pdf", "sha256": hash}}
				st, body := attackDo(t, "PUT", base+"attacker/items/documents/doc-pol-001", attacker, data, "If-Match", tag)
				if st != http.StatusBadRequest || !strings.Contains(string(body), `"path":"documents.evidence[0].sha256"`) || !strings.Contains(string(body), hash) {
					t.Errorf("an item naming another organization's file: %d %s", st, body)
				}
				if _, after := attackItem(t, srv.url, attacker, "attacker", "documents", "doc-pol-001"); after != tag {
					t.Errorf("the refused write changed the item (ETag %s → %s)", tag, after)
				}
			})
			// Risks, monitoring entries and management reviews carry
			// evidence too: the same refusal holds there.
			t.Run("API item of the newer evidence kinds", func(t *testing.T) {
				stolen := []any{map[string]any{"name": "盗んだ.pdf", "sha256": hash}}
				for _, c := range []struct {
					kind, key, path string
					plant           func(data map[string]any)
				}{
					{"risks", "r-01", "risks.evidence[0].sha256", func(d map[string]any) { d["evidence"] = stolen }},
					{"monitoring", "000001", "monitoring.items[0].evidence[0].sha256", func(d map[string]any) {
						d["items"].([]any)[0].(map[string]any)["evidence"] = stolen
					}},
					{"reviews", "mr-2026", "reviews.evidence[0].sha256", func(d map[string]any) { d["evidence"] = stolen }},
				} {
					data, tag := attackItem(t, srv.url, attacker, "attacker", c.kind, c.key)
					c.plant(data)
					st, body := attackDo(t, "PUT", base+"attacker/items/"+c.kind+"/"+c.key, attacker, data, "If-Match", tag)
					if st != http.StatusBadRequest || !strings.Contains(string(body), `"path":"`+c.path+`"`) {
						t.Errorf("%s/%s naming another organization's file: %d %s", c.kind, c.key, st, body)
					}
					if _, after := attackItem(t, srv.url, attacker, "attacker", c.kind, c.key); after != tag {
						t.Errorf("%s/%s: the refused write changed the item", c.kind, c.key)
					}
				}
			})
			t.Run("API bundle", func(t *testing.T) {
				st, b := attackDo(t, "GET", base+"attacker/bundle", attacker, nil, "Accept", "application/json")
				if st != http.StatusOK {
					t.Fatalf("export: %d", st)
				}
				var doc map[string]any
				json.Unmarshal(b, &doc)
				docs := doc["documents"].([]any)
				docs[0].(map[string]any)["evidence"] = []any{map[string]any{"name": "盗んだ.pdf", "sha256": hash}}
				st, body := attackDo(t, "PUT", base+"attacker/bundle", attacker, doc)
				if st != http.StatusBadRequest || !strings.Contains(string(body), `"path":"documents[0].evidence[0].sha256"`) {
					t.Errorf("a bundle naming another organization's file: %d %s", st, body)
				}
			})
			t.Run("web form", func(t *testing.T) {
				c := attackBrowser(t, srv.url, "attacker")
				page := srv.url + "/orgs/attacker/items/documents/doc-pol-001"
				form := attackForm(t, c, page)
				form.Set("evidence", fmt.Sprintf(`[{"name":"盗んだ.pdf","sha256":%q}]`, hash))
				form.Set("_action", "save")
				res, err := c.PostForm(page, form)
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), "アップロードされていません") {
					t.Errorf("the form naming another organization's file: %d\n%s", res.StatusCode, b)
				}
				// The download link the page would show, with the session.
				res, err = c.Get(base + "attacker/evidence/" + hash + "?name=x.pdf")
				if err != nil {
					t.Fatal(err)
				}
				b, _ = io.ReadAll(res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusNotFound || bytes.Contains(b, secret) {
					t.Errorf("download with the attacker's session: %d %q", res.StatusCode, b)
				}
			})
			t.Run("download", func(t *testing.T) {
				for _, org := range []string{"attacker", "victim"} {
					st, b := attackDo(t, "GET", base+org+"/evidence/"+hash, attacker, nil)
					if st != http.StatusNotFound || bytes.Contains(b, secret) {
						t.Errorf("the attacker downloads through %s: %d %q", org, st, b)
					}
				}
				if st, b := attackDo(t, "GET", base+"victim/evidence/"+hash, victim, nil); st != http.StatusOK || !bytes.Equal(b, secret) {
					t.Errorf("the victim's own download: %d", st)
				}
			})
			t.Run("the same content uploaded by the attacker", func(t *testing.T) {
				// Holding the file is what gives a right to it: uploading
				// the same bytes makes it the attacker's too.
				st, body := attackDo(t, "POST", base+"attacker/evidence", attacker, secret, "Content-Type", "application/octet-stream")
				if st != http.StatusCreated || !strings.Contains(string(body), hash) {
					t.Fatalf("upload without attaching: %d %s", st, body)
				}
				data, tag := attackItem(t, srv.url, attacker, "attacker", "documents", "doc-pol-001")
				data["evidence"] = []any{map[string]any{"name": "自分の.pdf", "sha256": hash}}
				if st, body := attackDo(t, "PUT", base+"attacker/items/documents/doc-pol-001", attacker, data, "If-Match", tag); st != http.StatusOK {
					t.Errorf("naming a file the organization uploaded: %d %s", st, body)
				}
			})
		})
	}
}

type attackDB struct {
	name string
	args []string
	skip string
}

// attackDatabases lists SQLite and PostgreSQL, each with its own data
// directory (temporary files never go to the working directory).
func attackDatabases(t *testing.T) []attackDB {
	dbs := []attackDB{{name: "sqlite", args: []string{"--data", t.TempDir()}}}
	if storetest.PostgresURL() == "" {
		return append(dbs, attackDB{name: "postgres", skip: "CLOUDISMS_TEST_POSTGRES is not set: set it to a PostgreSQL URL to run the attack on PostgreSQL"})
	}
	return append(dbs, attackDB{name: "postgres", args: []string{"--database", storetest.FreshSchema(t), "--data", t.TempDir()}})
}

const attackPassword = "attack-test-password"

// attackOrg makes an organization from the sample with an admin,
// ORG@example.com, and returns the admin's API token.
func attackOrg(t *testing.T, bin string, storeArgs []string, org string) string {
	t.Helper()
	email := org + "@example.com"
	env := []string{"CLOUDISMS_PASSWORD=" + attackPassword}
	for _, args := range [][]string{
		{"import", filepath.Join("..", "..", "examples", "sample-saas.yaml"), "--org", org},
		{"user", "add", email, "--name", org},
		{"member", "add", "--org", org, "--email", email, "--role", "admin"},
	} {
		if out, err := runCLI(bin, env, append(args, storeArgs...)...); err != nil {
			t.Fatalf("cloudisms %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	out, err := exec.Command(bin, append([]string{"token", "create", "--email", email, "--name", "attack"}, storeArgs...)...).Output()
	token := strings.TrimSpace(string(out))
	if err != nil || !strings.HasPrefix(token, "cis_") {
		t.Fatalf("token create for %s: %v %q", org, err, token)
	}
	return token
}

// attackDo sends one API request with a bearer token; a body that is not
// bytes is sent as JSON.
func attackDo(t *testing.T, method, url, token string, body any, header ...string) (int, []byte) {
	t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		r = bytes.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		r = bytes.NewReader(j)
		header = append([]string{"Content-Type", "application/json"}, header...)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

// attackItem reads an item's data and ETag.
func attackItem(t *testing.T, base, token, org, kind, key string) (map[string]any, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", base+"/api/v1/orgs/"+org+"/items/"+kind+"/"+key, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var it struct{ Data map[string]any }
	if err := json.NewDecoder(res.Body).Decode(&it); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s/%s in %s: %d %v", kind, key, org, res.StatusCode, err)
	}
	return it.Data, res.Header.Get("ETag")
}

// attackBrowser signs in to the web UI as ORG@example.com and returns a
// client that keeps the session cookie, as a browser would.
func attackBrowser(t *testing.T, base, org string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	res, err := c.PostForm(base+"/login", url.Values{"email": {org + "@example.com"}, "password": {attackPassword}, "next": {"/"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	u, _ := url.Parse(base)
	if len(jar.Cookies(u)) == 0 {
		t.Fatalf("no session after signing in as %s: %d", org, res.StatusCode)
	}
	return c
}

// attackForm reads the values the item form on a page would send: its
// inputs (checked boxes only), text areas and selected options.
func attackForm(t *testing.T, c *http.Client, page string) url.Values {
	t.Helper()
	res, err := c.Get(page)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	doc, err := html.Parse(res.Body)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v", page, res.StatusCode, err)
	}
	attr := func(n *html.Node, name string) (string, bool) {
		for _, a := range n.Attr {
			if a.Key == name {
				return a.Val, true
			}
		}
		return "", false
	}
	var form *html.Node
	var find func(*html.Node)
	find = func(n *html.Node) {
		if cls, _ := attr(n, "class"); n.Type == html.ElementNode && n.Data == "form" && strings.Contains(cls, "item-form") && form == nil {
			form = n
		}
		for k := n.FirstChild; k != nil; k = k.NextSibling {
			find(k)
		}
	}
	find(doc)
	if form == nil {
		t.Fatalf("no item form on %s", page)
	}
	v := url.Values{}
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			name, named := attr(n, "name")
			_, disabled := attr(n, "disabled")
			if named && !disabled {
				switch n.Data {
				case "input":
					typ, _ := attr(n, "type")
					val, _ := attr(n, "value")
					_, checked := attr(n, "checked")
					if (typ != "checkbox" && typ != "radio" && typ != "submit" && typ != "file") || checked {
						v.Add(name, val)
					}
				case "textarea":
					var b strings.Builder
					for k := n.FirstChild; k != nil; k = k.NextSibling {
						b.WriteString(k.Data)
					}
					v.Add(name, b.String())
				case "select":
					var walkOpt func(*html.Node)
					walkOpt = func(o *html.Node) {
						if o.Type == html.ElementNode && o.Data == "option" {
							if _, sel := attr(o, "selected"); sel {
								val, _ := attr(o, "value")
								v.Add(name, val)
							}
						}
						for k := o.FirstChild; k != nil; k = k.NextSibling {
							walkOpt(k)
						}
					}
					walkOpt(n)
				}
			}
		}
		for k := n.FirstChild; k != nil; k = k.NextSibling {
			walk(k)
		}
	}
	walk(form)
	return v
}
