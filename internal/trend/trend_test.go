package trend_test

import (
	"os"
	"reflect"
	"testing"

	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/conformity"
	"github.com/cloudisms/cloudisms/internal/generate"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/trend"
)

// TestMeasureWithEqualsMeasure: the current point, measured from the
// check and the summary the store keeps, is the point measured afresh.
func TestMeasureWithEqualsMeasure(t *testing.T) {
	src, err := os.ReadFile("../../examples/sample-saas.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sample, err := bundle.Decode("sample-saas.yaml", src)
	if err != nil {
		t.Fatal(err)
	}
	generated, err := generate.ISMS(generate.Options{Risks: 300, Assets: 120, Services: 4, AsOf: isms.MustDate("2026-11-01")})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		m    *isms.ISMS
	}{{"sample", sample}, {"generated", generated}, {"empty", &isms.ISMS{}}} {
		found := 0
		for _, on := range []string{"2026-04-30", "2026-11-01", "2027-06-30"} {
			d := isms.MustDate(on)
			want := trend.Measure(c.m, d)
			got := trend.MeasureWith(c.m, d, conformity.NewChecked(c.m, d).Findings(), isms.NewSummarized(c.m, d).Summary())
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s on %s:\n got %+v\nwant %+v", c.name, on, got, want)
			}
			if c.name != "empty" && len(want.SoAs) == 0 {
				t.Errorf("%s on %s measured no SoA: %+v", c.name, on, want)
			}
			found += want.Errors + want.Warnings
		}
		if c.name != "empty" && found == 0 {
			t.Errorf("%s: no findings on any date, the comparison proves little", c.name)
		}
	}
}
