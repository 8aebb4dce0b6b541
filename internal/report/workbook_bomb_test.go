package report

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"github.com/cloudisms/cloudisms/internal/gate"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudisms/cloudisms/internal/i18n"
)

// BombWorkbook makes a small .xlsx whose one sheet starts with the SoA
// title (so that an importer reads it as an SoA sheet) and then holds rows
// of the given number of cells in total, compressing about a
// thousandfold: issue 10's item 10, where a 175 KB upload cost 850 MB and
// 27 s. soa false makes the sheet any other sheet.
func BombWorkbook(cells int, soa bool) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	put := func(name, body string) {
		w, _ := zw.Create(name)
		w.Write([]byte(body))
	}
	put("[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`)
	put("_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`)
	put("xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="SoA" sheetId="1" r:id="rId1"/></sheets></workbook>`)
	put("xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`)
	w, _ := zw.Create("xl/worksheets/sheet1.xml")
	title := "x"
	if soa {
		title = i18n.M("report.title.soa").In(i18n.JA)
	}
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>%s</t></is></c></row>`, title)
	row := "<row>" + strings.Repeat(`<c t="inlineStr"><is><t>x</t></is></c>`, 100) + "</row>"
	for range cells / 100 {
		w.Write([]byte(row))
	}
	w.Write([]byte(`</sheetData></worksheet>`))
	zw.Close()
	return buf.Bytes()
}

// TestWorkbookBombRefused performs the attack: a workbook of a few hundred
// kilobytes that unpacks to hundreds of megabytes of cells, as an SoA
// sheet and as another sheet, and one within the unpacked size but over
// the cell count. Each is refused before it is parsed, quickly and in
// little memory.
func TestWorkbookBombRefused(t *testing.T) {
	m := sample(t)
	for _, c := range []struct {
		name  string
		src   []byte
		want  string
		limit time.Duration
	}{
		{"SoA sheet, 10M cells", BombWorkbook(10_000_000, true), "report.import.too_large_unzipped", 2 * time.Second},
		{"other sheet, 10M cells", BombWorkbook(10_000_000, false), "report.import.too_large_unzipped", 2 * time.Second},
		{"SoA sheet, 1.2M cells", BombWorkbook(1_200_000, true), "report.import.too_many_cells", 10 * time.Second},
		{"SoA sheet, 400k cells", BombWorkbook(400_000, true), "report.import.too_many_cells", 20 * time.Second},
	} {
		t.Run(c.name, func(t *testing.T) {
			runtime.GC()
			stop := peakHeap()
			start := time.Now()
			_, err := ReadSoAWorkbook(context.Background(), c.src, m, nil)
			took := time.Since(start)
			peak := stop()
			var errs ImportErrors
			if !errors.As(err, &errs) || len(errs) != 1 || errs[0].Msg.Key != c.want {
				t.Fatalf("want %s, got %v", c.want, err)
			}
			t.Logf("%d KB upload: refused in %v, peak heap %d MB: %s", len(c.src)>>10, took.Round(time.Millisecond), peak>>20, errs[0].In(i18n.JA))
			if took > c.limit {
				t.Errorf("took %v (limit %v)", took, c.limit)
			}
			if peak > 200<<20 {
				t.Errorf("peak heap %d MB", peak>>20)
			}
		})
	}
}

// peakHeap samples the live heap until the returned function is called,
// which gives the largest sample.
func peakHeap() func() uint64 {
	done := make(chan struct{})
	res := make(chan uint64)
	go func() {
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		var peak uint64
		for {
			metrics.Read(s)
			peak = max(peak, s[0].Value.Uint64())
			select {
			case <-done:
				res <- peak
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	return func() uint64 { close(done); return <-res }
}

// TestWorkbookParsesBounded: no more than MaxParses workbooks are read at
// once; beyond the queue a read is refused with ErrBusy.
func TestWorkbookParsesBounded(t *testing.T) {
	saved := parses
	defer func() { parses = saved }()
	parses = gate.New(1, 1, 5*time.Second)
	inProgress, _ := parses.Enter(context.Background()) // one read in progress
	m := sample(t)
	src := BombWorkbook(100, true)
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range 2 {
		wg.Add(1)
		go func() { defer wg.Done(); _, errs[i] = ReadSoAWorkbook(context.Background(), src, m, nil) }()
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond)
	inProgress() // the read in progress ends; the waiting one goes on
	wg.Wait()
	busy := 0
	for _, err := range errs {
		if errors.Is(err, ErrBusy) {
			busy++
		}
	}
	if busy != 1 {
		t.Errorf("want one read refused as busy, got %v", errs)
	}
}

// A read waiting for its turn whose caller goes away leaves the queue at
// once, for the next one.
func TestWorkbookParseWaitEndsWithCaller(t *testing.T) {
	saved := parses
	defer func() { parses = saved }()
	parses = gate.New(1, 1, 10*time.Second)
	inProgress, _ := parses.Enter(context.Background()) // one read in progress
	defer inProgress()
	m := sample(t)
	src := BombWorkbook(100, true)
	for _, read := range []func(ctx context.Context) error{
		func(ctx context.Context) error { _, err := ReadSoAWorkbook(ctx, src, m, nil); return err },
		func(ctx context.Context) error {
			_, err := ReadRegisterWorkbook(ctx, src, m, ImportTrainings)
			return err
		},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		start := time.Now()
		err := read(ctx)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 5*time.Second {
			t.Errorf("waiting read whose caller left: %v after %v", err, time.Since(start))
		}
		if w := parses.Waiting(); w != 0 {
			t.Errorf("%d still waiting", w)
		}
	}
}
