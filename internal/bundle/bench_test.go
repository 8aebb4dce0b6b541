package bundle

import (
	"sync"
	"testing"

	"github.com/cloudisms/cloudisms/internal/generate"
	"github.com/cloudisms/cloudisms/internal/isms"
)

// The large ISMS of the issue: 200 services, 20,000 assets, 50,000 risks,
// full SoAs. Built once per test binary.
var large struct {
	once sync.Once
	m    *isms.ISMS
	src  []byte
}

func largeISMS(b *testing.B) (*isms.ISMS, []byte) {
	large.once.Do(func() {
		m, err := generate.ISMS(generate.Large(isms.MustDate("2026-11-01")))
		if err != nil {
			b.Fatal(err)
		}
		src, err := Encode(m)
		if err != nil {
			b.Fatal(err)
		}
		large.m, large.src = m, src
	})
	return large.m, large.src
}

// BenchmarkParseLarge: syntax only (the fast block-YAML path).
func BenchmarkParseLarge(b *testing.B) {
	_, src := largeISMS(b)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parse("large.yaml", src); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeLarge: parse, validate every field and reference, build
// the model.
func BenchmarkDecodeLarge(b *testing.B) {
	_, src := largeISMS(b)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode("large.yaml", src); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseLargeGeneralParser: syntax only through the general YAML
// library, for comparison with the fast path.
func BenchmarkParseLargeGeneralParser(b *testing.B) {
	_, src := largeISMS(b)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parseYAML(src); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeLarge(b *testing.B) {
	m, _ := largeISMS(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Encode(m); err != nil {
			b.Fatal(err)
		}
	}
}
