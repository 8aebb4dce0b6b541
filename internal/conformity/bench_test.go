package conformity_test

import (
	"testing"

	"github.com/cloudisms/cloudisms/internal/conformity"
	"github.com/cloudisms/cloudisms/internal/generate"
	"github.com/cloudisms/cloudisms/internal/isms"
)

// BenchmarkCheckLarge: every rule on 200 services, 20,000 assets and
// 50,000 risks with full SoAs.
func BenchmarkCheckLarge(b *testing.B) {
	asOf := isms.MustDate("2026-11-01")
	m, err := generate.ISMS(generate.Large(asOf))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if fs := conformity.Check(m, asOf); len(fs) != 0 {
			b.Fatalf("generated ISMS has findings: %v", fs[0])
		}
	}
}
