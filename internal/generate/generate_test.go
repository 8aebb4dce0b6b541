package generate_test

import (
	"bytes"
	"testing"

	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/conformity"
	"github.com/cloudisms/cloudisms/internal/generate"
	"github.com/cloudisms/cloudisms/internal/isms"
)

func TestGeneratedISMSChecksClean(t *testing.T) {
	asOf := isms.MustDate("2026-11-01")
	for _, o := range []generate.Options{
		{Services: 1, Assets: 0, Risks: 1},
		{Services: 2, Assets: 5, Risks: 1},
		{Services: 7, Assets: 50, Risks: 3},
		{Services: 20, Assets: 200, Risks: 500, Seed: 42},
	} {
		o.AsOf = asOf
		m, err := generate.ISMS(o)
		if err != nil {
			t.Fatal(err)
		}
		src, err := bundle.Encode(m)
		if err != nil {
			t.Fatal(err)
		}
		m2, err := bundle.Decode("gen.yaml", src)
		if err != nil {
			t.Fatalf("%+v: generated bundle is invalid: %v", o, err)
		}
		if len(m2.Services) != o.Services || len(m2.Assets) != o.Assets || len(m2.Risks) != o.Risks {
			t.Errorf("%+v: sizes %d/%d/%d", o, len(m2.Services), len(m2.Assets), len(m2.Risks))
		}
		for _, at := range []isms.Date{asOf, asOf.AddDays(200)} {
			if fs := conformity.Check(m2, at); len(fs) > 0 {
				t.Errorf("%+v: findings at %s: %v %s", o, at, fs[0].Rule, fs[0].Subject)
			}
		}
	}
}

func TestDeterministic(t *testing.T) {
	o := generate.Options{Services: 5, Assets: 30, Risks: 40, Seed: 9, AsOf: isms.MustDate("2026-11-01")}
	enc := func(o generate.Options) []byte {
		m, err := generate.ISMS(o)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := bundle.Encode(m)
		return b
	}
	if !bytes.Equal(enc(o), enc(o)) {
		t.Error("same seed, different bundles")
	}
	o2 := o
	o2.Seed = 10
	if bytes.Equal(enc(o), enc(o2)) {
		t.Error("different seeds, same bundle")
	}
}

func TestRejectsEmpty(t *testing.T) {
	for _, o := range []generate.Options{{Services: 0, Risks: 1}, {Services: 1, Risks: 0}, {Services: 1, Risks: 1, Assets: -1}} {
		if _, err := generate.ISMS(o); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
}
