package report

import (
	"io"
	"testing"

	"github.com/cloudisms/cloudisms/internal/generate"
)

// The workbooks of the large generated ISMS (200 services, 20,000 assets,
// 50,000 risks): every SoA in one workbook, and everything in one.
// Goals: under 10 s and 500 MB each.
func BenchmarkWorkbooksLarge(b *testing.B) {
	m, err := generate.ISMS(generate.Large(asOf))
	if err != nil {
		b.Fatal(err)
	}
	for _, kind := range []string{KindSoA, KindAll} {
		b.Run(kind, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				n := &countWriter{}
				if err := Write(n, m, kind, Options{Date: asOf, Version: "bench"}); err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(n.n)/1e6, "MB-xlsx")
			}
		})
	}
}

type countWriter struct{ n int }

func (c *countWriter) Write(p []byte) (int, error) { c.n += len(p); return len(p), nil }

var _ io.Writer = (*countWriter)(nil)
