package items

import (
	"testing"

	"github.com/cloudisms/cloudisms/internal/web/site"
)

// Errors find their field by path, the nearest enclosing one when the
// path points inside a field; the rest go to the summary only.
func TestPlaceErrors(t *testing.T) {
	def, _ := kindOf("risks")
	p := &site.Page{Lang: "ja"}
	b := &formBuilder{p: p, options: map[string][]option{}, index: map[string]*formField{}}
	b.build(def.Fields, "", obj{"plan": []any{obj{"action": "x"}, obj{}}})
	got := placeErrors("risks", []Problem{
		{Path: "risks.plan[1].due", Msg: "date"},
		{Path: "risks.services[2]", Msg: "ref"},
		{Path: "risks.plan[0]", Msg: "row"},
		{Path: "risks.residual.asset_value", Msg: "nested"},
		{Path: "risks", Msg: "whole"},
		{Path: "risks.nosuch", Msg: "unknown"},
	}, b.index)
	want := []string{"f-plan-1--due", "f-services", "f-plan", "f-residual--asset_value", "", ""}
	for i, w := range want {
		if got[i].ID != w {
			t.Errorf("problem %d placed at %q, want %q", i, got[i].ID, w)
		}
	}
	if f := b.index["plan[1].due"]; len(f.Errors) != 1 || f.Errors[0] != "date" {
		t.Errorf("field errors %v", f.Errors)
	}
}

// Rows are added and removed at any depth; empty rows and groups are
// dropped before saving.
func TestRowsAndPrune(t *testing.T) {
	m := obj{"findings": []any{obj{"id": "f-1", "corrective_action": obj{}}}}
	if !addRow(m, "findings") || !addRow(m, "findings[0].extra") {
		t.Fatal("addRow failed")
	}
	if n := len(m["findings"].([]any)); n != 2 {
		t.Fatalf("rows %d", n)
	}
	if removeRow(m, "findings[5]") || !removeRow(m, "findings[1]") {
		t.Fatal("removeRow: out of range must fail, in range succeed")
	}
	got := prune(copyObj(m))
	if len(got["findings"].([]any)) != 1 {
		t.Fatalf("after prune %v", got)
	}
	f := got["findings"].([]any)[0].(obj)
	if _, ok := f["corrective_action"]; ok {
		t.Errorf("an empty group should be dropped: %v", f)
	}
	if _, ok := f["extra"]; ok {
		t.Errorf("a list of empty rows should be dropped: %v", f)
	}
}

func TestIsRowList(t *testing.T) {
	def, _ := kindOf("audits")
	for path, want := range map[string]bool{"findings": true, "findings[0]": false, "title": false, "findings[0].corrective_action": false,
		"findings[0].description": false, "nosuch": false, "": false} {
		if got := isRowList(def.Fields, path); got != want {
			t.Errorf("isRowList(%q) = %v", path, got)
		}
	}
}
