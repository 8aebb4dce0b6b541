package bundle

import (
	"encoding/json"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/cloudisms/cloudisms/internal/isms"
)

// TestApplyEqualsJoin changes, removes and adds every item of the kinds
// Apply handles, one at a time, and compares the result with the ISMS
// joined afresh from the changed items: they must be equal in every field.
func TestApplyEqualsJoin(t *testing.T) {
	for _, file := range []string{"../../examples/sample-saas.yaml", "../../examples/sample-2013.yaml"} {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		m, err := Decode(file, src)
		if err != nil {
			t.Fatal(err)
		}
		items := Split(m)
		base, err := Join("base", items)
		if err != nil {
			t.Fatal(err)
		}
		applied := map[string]int{}
		for i, it := range items {
			if _, ok := Apply(base, it.Kind, it.Key, it.Data); !ok || applied[it.Kind] >= 6 {
				continue // a few of each kind keep the test short
			}
			applied[it.Kind]++
			// Change: a text field edited.
			changed := slices.Clone(items)
			changed[i].Data = edited(t, it.Data)
			check(t, base, it.Kind, it.Key, changed[i].Data, changed)

			// Removal, where the rest is still a valid ISMS.
			without := slices.Delete(slices.Clone(items), i, i+1)
			if _, err := Join("without", without); err == nil && it.Kind != KindOrganization {
				check(t, base, it.Kind, it.Key, nil, without)
				// Addition: the item comes back after the others of its kind.
				m0, _ := Join("without", without)
				last := slices.IndexFunc(without, func(x Item) bool { return x.Kind == it.Kind })
				for j, x := range without {
					if x.Kind == it.Kind {
						last = j
					}
				}
				with := slices.Insert(slices.Clone(without), last+1, it)
				check(t, m0, it.Kind, it.Key, it.Data, with)
			}
		}
		for _, k := range []string{"risks", "assets", KindSoARows, "people", KindOrganization} {
			if applied[k] == 0 {
				t.Errorf("%s: no %s item was applied incrementally", file, k)
			}
		}
		// The model applied to is never modified.
		again, _ := Join("again", items)
		if !reflect.DeepEqual(base, again) {
			t.Errorf("%s: Apply modified the ISMS it was given", file)
		}
	}
	// What Apply does not do incrementally it says so.
	src, _ := os.ReadFile("../../examples/sample-saas.yaml")
	m, _ := Decode("sample", src)
	if _, ok := Apply(m, "backups", "000001", []byte(`{}`)); ok {
		t.Error("a position-keyed kind was applied")
	}
	org := Split(m)[0]
	other := []byte(strings.Replace(string(org.Data), "iso27001:2022", "iso27001:2013", 1))
	if _, ok := Apply(m, KindOrganization, KindOrganization, other); ok {
		t.Error("a change of Annex A edition was applied")
	}
	if _, ok := Apply(m, "risks", "nope", nil); ok {
		t.Error("removing a risk that is not there was applied")
	}
	if _, ok := Apply(m, "risks", "r-1", []byte(`{"id":`)); ok {
		t.Error("bad data was applied")
	}
}

// check applies one change to base and compares with joining items.
func check(t *testing.T, base *isms.ISMS, kind, key string, data []byte, items []Item) {
	t.Helper()
	want, err := Join("want", items)
	if err != nil {
		return // the change makes an invalid ISMS: a store refuses it first
	}
	got, ok := Apply(base, kind, key, data)
	if !ok {
		t.Errorf("%s/%s (removed: %v): not applied", kind, key, data == nil)
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s/%s (removed: %v): applied ISMS differs from the joined one", kind, key, data == nil)
	}
}

// edited changes the first text field found among title, name, area,
// justification and comment, or adds a note to an SoA row.
func edited(t *testing.T, data []byte) []byte {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"title", "name", "justification"} {
		if s, ok := v[f].(string); ok {
			v[f] = s + "（変更）"
			b, _ := json.Marshal(v)
			return b
		}
	}
	if _, ok := v["control"]; ok {
		v["applicable"] = true
	}
	b, _ := json.Marshal(v)
	return b
}

// TestApplyRiskSharesUnchanged: an edited risk is a new *Risk in a new
// list of pointers; every other risk is the same *Risk as before, and the
// old risk is left as it was (a model is never written once built).
func TestApplyRiskSharesUnchanged(t *testing.T) {
	src, err := os.ReadFile("../../examples/sample-saas.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m, err := Decode("sample", src)
	if err != nil {
		t.Fatal(err)
	}
	var it Item
	for _, x := range Split(m) {
		if x.Kind == "risks" && x.Key == m.Risks[1].ID {
			it = x
		}
	}
	old, title := m.Risks[1], m.Risks[1].Title
	out, ok := Apply(m, it.Kind, it.Key, edited(t, it.Data))
	if !ok {
		t.Fatal("a risk's edit was not applied")
	}
	if out.Risks[1] == old || out.Risks[1].Title == title {
		t.Errorf("the edited risk: %p %q, was %p %q", out.Risks[1], out.Risks[1].Title, old, title)
	}
	if m.Risks[1] != old || old.Title != title {
		t.Error("Apply changed the risk of the model it was given")
	}
	for i := range m.Risks {
		if i != 1 && out.Risks[i] != m.Risks[i] {
			t.Errorf("risk %d: copied instead of shared", i)
		}
	}
}
