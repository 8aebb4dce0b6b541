package conformity_test

import (
	"os"
	"testing"

	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/conformity"
	"github.com/cloudisms/cloudisms/internal/isms"
)

// A reference listed twice gives one finding per rule and subject.
func TestOneFindingPerSubject(t *testing.T) {
	src, err := os.ReadFile("../../examples/sample-saas.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m, err := bundle.Decode("sample-saas.yaml", src)
	if err != nil {
		t.Fatal(err)
	}
	r := m.Risks[0]
	r.Services = nil
	r.Controls = []string{"CLD.9.5.1", "CLD.9.5.1"}
	count := 0
	for _, f := range conformity.Check(m, isms.MustDate("2026-11-01")) {
		if f.Rule == "RISK-06" {
			count++
			if f.Subject != "risks/"+r.ID+"/controls/CLD.9.5.1/soa/organization" {
				t.Errorf("subject %s", f.Subject)
			}
		}
	}
	if count != 1 {
		t.Errorf("%d RISK-06 findings, want 1", count)
	}
}
