package web_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/cloudisms/cloudisms/internal/store/storetest"
)

// A file attaches to a risk, to an entry of a service's monitoring and to
// a management review through their forms, as to a document: the form
// offers the place, the upload stores the file as the organization's and
// the page links to it.
func TestEvidenceOnRisksMonitoringReviews(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			e := newItemEnv(t, b)
			for _, c := range []struct {
				kind, key, at, file string
				list                func(d map[string]any) []any
			}{
				{"risks", "r-01", "", "リスク評価表.xlsx", func(d map[string]any) []any { l, _ := d["evidence"].([]any); return l }},
				{"monitoring", "000001", "items[0]", "監視月報.pdf", func(d map[string]any) []any {
					l, _ := d["items"].([]any)[0].(map[string]any)["evidence"].([]any)
					return l
				}},
				{"reviews", "mr-2026", "", "議事録.pdf", func(d map[string]any) []any { l, _ := d["evidence"].([]any); return l }},
			} {
				path := "/orgs/sample/items/" + c.kind + "/" + c.key
				if c.at != "" {
					if _, _, body := e.do(manager, "GET", path, nil); !strings.Contains(body, `<option value="`+c.at+`">`) {
						t.Errorf("%s: the form offers no place %s to attach a file", c.kind, c.at)
					}
				}
				it, err := e.get(c.kind, c.key)
				if err != nil {
					t.Fatal(err)
				}
				var buf bytes.Buffer
				mw := multipart.NewWriter(&buf)
				mw.WriteField("_action", "upload")
				mw.WriteField("_version", strconv.FormatInt(it.Version, 10))
				mw.WriteField("at", c.at)
				fw, _ := mw.CreateFormFile("file", c.file)
				fw.Write([]byte("record of " + c.kind))
				mw.Close()
				req := httptest.NewRequest("POST", path, &buf)
				req.Header.Set("Content-Type", mw.FormDataContentType())
				if st, _, body := e.send(manager, req); st != http.StatusSeeOther {
					t.Fatalf("%s: upload %d\n%s", c.kind, st, body)
				}
				ev := c.list(e.data(c.kind, c.key))
				if len(ev) != 1 || ev[0].(map[string]any)["name"] != c.file {
					t.Fatalf("%s: evidence %v", c.kind, ev)
				}
				sum := ev[0].(map[string]any)["sha256"].(string)
				if _, _, body := e.do(manager, "GET", path, nil); !strings.Contains(body, "/api/v1/orgs/sample/evidence/"+sum+"?name=") {
					t.Errorf("%s: the page does not link the file", c.kind)
				}
			}
		})
	}
}
