package web_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/cloudisms/cloudisms/internal/store/storetest"
)

// TestImportNamesUnownedEvidence: a bundle whose evidence names a file
// this organization never uploaded (one moved from elsewhere, or one that
// tries another organization's hash) is refused on the import page with
// the line and path of each such reference, and nothing is imported.
func TestImportNamesUnownedEvidence(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			e := newItemEnv(t, b)
			src, err := os.ReadFile("../../examples/sample-saas.yaml")
			if err != nil {
				t.Fatal(err)
			}
			hash := strings.Repeat("ab", 32)
			changed := strings.Replace(string(src), "    title: 情報セキュリティ基本方針\n",
				"    title: 情報セキュリティ基本方針（改）\n    evidence:\n      - {name: 持ち込み.pdf, sha256: "+hash+"}\n", 1)
			line := strings.Count(changed[:strings.Index(changed, hash)], "\n") + 1
			var buf bytes.Buffer
			mw := multipart.NewWriter(&buf)
			fw, _ := mw.CreateFormFile("bundle", "moved.yaml")
			fw.Write([]byte(changed))
			mw.Close()
			req := httptest.NewRequest("POST", "/orgs/sample/import", &buf)
			req.Header.Set("Content-Type", mw.FormDataContentType())
			st, _, body := e.send(manager, req)
			if st != http.StatusBadRequest || !strings.Contains(body, "documents[0].evidence[0].sha256") ||
				!strings.Contains(body, "この組織にアップロードされていません") || !strings.Contains(body, ">"+itoaInt(line)+" 行") {
				t.Fatalf("import naming an unknown file: %d (want the problem on line %d)\n%s", st, line, problemsOf(body))
			}
			if d := e.data("documents", "doc-pol-001"); d["title"] != "情報セキュリティ基本方針" {
				t.Errorf("the refused import changed the document: %v", d["title"])
			}
		})
	}
}

func problemsOf(body string) string {
	if i := strings.Index(body, `id="problems"`); i >= 0 {
		return body[i:min(len(body), i+1500)]
	}
	return body[:min(len(body), 1500)]
}
