package oscal

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/cloudisms/cloudisms/examples"
	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/catalog"
	"github.com/cloudisms/cloudisms/internal/isms"
)

func sample(t testing.TB) *isms.ISMS {
	t.Helper()
	m, err := bundle.Decode("sample-saas.yaml", examples.SaaS)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

var now = time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)

// Every document written validates against NIST's schema of its version.
func TestEverythingWrittenValidates(t *testing.T) {
	m := sample(t)
	// One corrective action left open, so that there is a POA&M item.
	m.Audits[0].Findings[0].CorrectiveAction.DoneOn = isms.Date{}
	for _, v := range Versions {
		for _, lang := range []string{"ja", "en"} {
			o := Options{Lang: lang, OSCALVersion: v, Version: "7", Now: now}
			var docs []any
			for _, fw := range []string{catalog.ISO27001v2022, catalog.ISO27001v2013, catalog.ISO27017} {
				c, err := CatalogOf(fw, o)
				if err != nil {
					t.Fatal(err)
				}
				docs = append(docs, c)
			}
			for _, s := range SSPs(m, o) {
				docs = append(docs, s)
			}
			ar, err := AssessmentResultsOf(m, o)
			if err != nil {
				t.Fatal(err)
			}
			poam, err := POAMOf(m, o)
			if err != nil {
				t.Fatal(err)
			}
			docs = append(docs, ar, poam)
			for i, d := range docs {
				if _, err := Encode(d, v); err != nil {
					t.Fatalf("%s %s document %d: %v", v, lang, i, err)
				}
			}
		}
	}
}

func TestValidateRefusesBrokenDocument(t *testing.T) {
	if err := Validate(V113, []byte(`{"catalog":{"uuid":"nope","metadata":{}}}`)); err == nil {
		t.Error("a broken catalog validated")
	}
	if err := Validate("0.9", []byte(`{}`)); err == nil {
		t.Error("unknown version accepted")
	}
}

func TestSSPContent(t *testing.T) {
	m := sample(t)
	o := Options{Lang: "en", Now: now}
	byName := map[string]SSP{}
	for _, v := range isms.SoAViews(m) {
		byName[SoAName(v)] = SSPOf(m, v, o).SSP
	}
	org := byName["organization"]
	reqs := map[string]ImplementedRequirement{}
	for _, r := range org.ControlImplementation.ImplementedRequirements {
		reqs[r.ControlID] = r
	}
	for _, r := range m.SoAs[0].Rows {
		c, _ := catalog.Std().Lookup(r.Control)
		got, ok := reqs[ControlID(c)]
		if !ok {
			t.Fatalf("no requirement for %s", r.Control)
		}
		st := got.ByComponents[0].ImplementationStatus.State
		if !r.IsApplicable() && (st != "not-applicable" || !strings.Contains(got.Remarks, r.Justification)) {
			t.Errorf("%s excluded: %s %q", r.Control, st, got.Remarks)
		}
		if r.IsApplicable() && r.Implementation == "implemented" && st != "implemented" {
			t.Errorf("%s: %s", r.Control, st)
		}
	}
	// The provider service exports what it provides and what it leaves to
	// the customer; the customer service inherits and satisfies.
	prov, cust := byName["svc-kintai-provider"], byName["svc-iaas-customer"]
	var provided, resp, inherited, satisfied int
	for _, r := range prov.ControlImplementation.ImplementedRequirements {
		for _, bc := range r.ByComponents {
			if bc.Export != nil {
				provided += len(bc.Export.Provided)
				resp += len(bc.Export.Responsibilities)
			}
		}
	}
	for _, r := range cust.ControlImplementation.ImplementedRequirements {
		for _, bc := range r.ByComponents {
			inherited += len(bc.Inherited)
			satisfied += len(bc.Satisfied)
		}
	}
	if provided == 0 || resp == 0 || inherited == 0 || satisfied == 0 {
		t.Errorf("provided %d responsibilities %d inherited %d satisfied %d", provided, resp, inherited, satisfied)
	}
	b, _ := json.Marshal(cust)
	if !strings.Contains(string(b), "Verification") {
		t.Error("the customer's plan does not cite its verifications")
	}
	// UUIDs are stable across exports.
	again := SSPOf(m, isms.SoAViews(m)[0], o)
	if again.SSP.UUID != org.UUID || again.SSP.ControlImplementation.ImplementedRequirements[0].UUID != org.ControlImplementation.ImplementedRequirements[0].UUID {
		t.Error("UUIDs differ between two exports")
	}
}

func TestNoAuditsNoOpenActions(t *testing.T) {
	m := sample(t)
	poam, err := POAMOf(m, Options{Lang: "en"})
	if err != nil || len(poam.POAM.POAMItems) == 0 || poam.POAM.POAMItems[0].Props[0].Value != "risk-treatment-plan" {
		t.Fatalf("POA&M of open plan actions: %v %+v", err, poam)
	}
	for i := range m.Risks {
		m.Risks[i].Plan = nil
	}
	if _, err := POAMOf(m, Options{Lang: "en"}); err == nil || !strings.Contains(err.Error(), "nothing is open") {
		t.Errorf("POA&M without open actions: %v", err)
	}
	m.Audits = nil
	if _, err := AssessmentResultsOf(m, Options{Lang: "en"}); err == nil {
		t.Error("assessment results without audits")
	}
}

// The schema is really applied: a written plan with one wrong field fails.
func TestValidationCatchesAWrongField(t *testing.T) {
	m := sample(t)
	doc := SSPOf(m, isms.SoAViews(m)[0], Options{Now: now})
	doc.SSP.ControlImplementation.ImplementedRequirements[0].ControlID = "5.1" // not an OSCAL token
	if _, err := Encode(doc, V113); err == nil {
		t.Error("a control id starting with a digit validated")
	}
	doc = SSPOf(m, isms.SoAViews(m)[0], Options{Now: now})
	doc.SSP.UUID = "not-a-uuid"
	if _, err := Encode(doc, V122); err == nil {
		t.Error("a bad UUID validated")
	}
}
