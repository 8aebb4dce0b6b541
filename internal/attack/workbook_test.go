package attack

import (
	"archive/zip"
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// zipBomb is an .xlsx of a few hundred kilobytes whose sheet, headed like
// an SoA sheet, unpacks to the given number of numeric cells.
func zipBomb(cells int) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	put := func(name, body string) {
		w, _ := zw.Create(name)
		w.Write([]byte(body))
	}
	const rel = "http://schemas.openxmlformats.org/"
	put("[Content_Types].xml", `<Types xmlns="`+rel+`package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`)
	put("_rels/.rels", `<Relationships xmlns="`+rel+`package/2006/relationships"><Relationship Id="rId1" Type="`+rel+`officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`)
	put("xl/workbook.xml", `<workbook xmlns="`+rel+`spreadsheetml/2006/main" xmlns:r="`+rel+`officeDocument/2006/relationships"><sheets><sheet name="適用宣言書" sheetId="1" r:id="rId1"/></sheets></workbook>`)
	put("xl/_rels/workbook.xml.rels", `<Relationships xmlns="`+rel+`package/2006/relationships"><Relationship Id="rId1" Type="`+rel+`officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`)
	w, _ := zw.Create("xl/worksheets/sheet1.xml")
	fmt.Fprint(w, `<worksheet xmlns="`+rel+`spreadsheetml/2006/main"><sheetData><row><c t="inlineStr"><is><t>適用宣言書</t></is></c></row>`)
	row := []byte("<row>" + strings.Repeat("<c><v>1</v></c>", 200) + "</row>")
	for range cells / 200 {
		w.Write(row)
	}
	fmt.Fprint(w, `</sheetData></worksheet>`)
	zw.Close()
	return buf.Bytes()
}

// TestAttackWorkbookBomb is item 10: SoA workbook uploads that unpack to
// millions of cells (before: a 175 KB upload cost about 850 MB and 27 s)
// through the API and the web form, then a burst of them at once. Each is
// refused with 400 (or 503 with Retry-After when the reads are all taken)
// within seconds, and the server stays up under the ceiling.
func TestAttackWorkbookBomb(t *testing.T) {
	needServer(t)
	db := sqlite(t)
	token := org(t, db, "victim")
	srv := serve(t, db, nil)
	api := srv.url + "/api/v1/orgs/victim/soa-import?dry_run=true"
	for _, cells := range []int{10_000_000, 2_000_000, 400_000} {
		bomb := zipBomb(cells)
		start := time.Now()
		st, _, body := call(t, nil, "POST", api, token, bomb, "Content-Type", "application/octet-stream")
		took := time.Since(start)
		t.Logf("%d cells in %d KB: %d in %v: %.200s", cells, len(bomb)>>10, st, took.Round(time.Millisecond), body)
		if st != http.StatusBadRequest || !strings.Contains(string(body), "invalid") {
			t.Errorf("%d cells: %d %.300s", cells, st, body)
		}
		if took > 20*time.Second {
			t.Errorf("%d cells: took %v", cells, took)
		}
		srv.survived(t, fmt.Sprintf("workbook of %d cells", cells))
	}

	// A burst: more bombs at once than reads are allowed.
	bomb := zipBomb(2_000_000)
	var wg sync.WaitGroup
	var mu sync.Mutex
	counts := map[int]int{}
	for range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, h, _ := call(t, nil, "POST", api, token, bomb, "Content-Type", "application/octet-stream")
			mu.Lock()
			counts[st]++
			mu.Unlock()
			if st == http.StatusServiceUnavailable && h.Get("Retry-After") == "" {
				t.Error("503 without Retry-After")
			}
			if st != http.StatusBadRequest && st != http.StatusServiceUnavailable {
				t.Errorf("burst: %d", st)
			}
		}()
	}
	wg.Wait()
	t.Logf("burst of 12 bombs: %v", counts)
	srv.survived(t, "burst of 12 workbook bombs")
}
