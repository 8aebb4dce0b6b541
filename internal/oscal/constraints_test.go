package oscal

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/store"
)

// NIST's metaschema constrains OSCAL beyond the JSON schema. This checks
// the constraints a consumer's validator reports for plans: a prop in
// OSCAL's namespace has a name allowed where it stands; every role,
// party and component referenced is defined; every control a plan cites
// is in the catalogs its import-profile resolves to.

const oscalNS = "http://csrc.nist.gov/ns/oscal"

// allowedProps are the OSCAL-namespace prop names allowed per context
// (the parent object's key), as far as these documents use props; a
// context not listed allows none.
var allowedProps = map[string][]string{
	"controls": {"label", "sort-id", "status", "alt-identifier", "alt-label"},
	"params":   {"label", "alt-identifier", "aggregates", "alt-label"},
	"parts":    {"label", "sort-id", "alt-identifier", "alt-label"},
	"groups":   {"label", "sort-id", "alt-identifier", "alt-label"},
}

type constraintChecker struct {
	t        *testing.T
	name     string
	roles    map[string]bool
	parties  map[string]bool
	comps    map[string]bool
	problems []string
}

func (c *constraintChecker) fail(format string, args ...any) {
	c.problems = append(c.problems, fmt.Sprintf(format, args...))
}

// props checks every props array under v; ctx is the key of the list or
// object that holds the object with the props.
func (c *constraintChecker) props(v any, ctx, path string) {
	switch x := v.(type) {
	case map[string]any:
		if ps, ok := x["props"].([]any); ok {
			for _, p := range ps {
				pm := p.(map[string]any)
				ns, _ := pm["ns"].(string)
				if ns != "" && ns != oscalNS {
					continue
				}
				name, _ := pm["name"].(string)
				ok := false
				for _, a := range allowedProps[ctx] {
					ok = ok || a == name
				}
				if !ok {
					c.fail("%s: prop %q is not allowed on %s", path, name, ctx)
				}
			}
		}
		for k, kid := range x {
			if k == "props" {
				continue
			}
			c.props(kid, k, path+"/"+k)
		}
	case []any:
		for i, kid := range x {
			c.props(kid, ctx, fmt.Sprintf("%s[%d]", path, i))
		}
	}
}

// refs collects the values of a key anywhere under v.
func refs(v any, key string, out *[]string) {
	switch x := v.(type) {
	case map[string]any:
		for k, kid := range x {
			switch {
			case k == key:
				switch r := kid.(type) {
				case string:
					*out = append(*out, r)
				case []any:
					for _, s := range r {
						*out = append(*out, s.(string))
					}
				}
			default:
				refs(kid, key, out)
			}
		}
	case []any:
		for _, kid := range x {
			refs(kid, key, out)
		}
	}
}

// resolve follows an href "#uuid" to a back-matter resource's embedded
// document.
func resolve(t *testing.T, doc map[string]any, href string) map[string]any {
	t.Helper()
	if !strings.HasPrefix(href, "#") {
		t.Fatalf("href %q does not resolve inside the document", href)
	}
	bm, _ := doc["back-matter"].(map[string]any)
	for _, r := range bm["resources"].([]any) {
		res := r.(map[string]any)
		if res["uuid"] != href[1:] {
			continue
		}
		b64 := res["base64"].(map[string]any)
		raw, err := base64.StdEncoding.DecodeString(b64["value"].(string))
		if err != nil {
			t.Fatal(err)
		}
		var out map[string]any
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	t.Fatalf("no back-matter resource %s", href)
	return nil
}

// catalogIDs are the control ids of the catalogs an SSP's profile imports.
func catalogIDs(t *testing.T, ssp map[string]any) map[string]bool {
	prof := resolve(t, ssp, ssp["import-profile"].(map[string]any)["href"].(string))["profile"].(map[string]any)
	ids := map[string]bool{}
	for _, im := range prof["imports"].([]any) {
		cat := resolve(t, prof, im.(map[string]any)["href"].(string))["catalog"]
		var walk func(v any)
		walk = func(v any) {
			switch x := v.(type) {
			case map[string]any:
				if cs, ok := x["controls"].([]any); ok {
					for _, ctl := range cs {
						ids[ctl.(map[string]any)["id"].(string)] = true
					}
				}
				for _, kid := range x {
					walk(kid)
				}
			case []any:
				for _, kid := range x {
					walk(kid)
				}
			}
		}
		walk(cat)
	}
	return ids
}

// checkSSP checks one system security plan; it returns the problems.
func checkSSP(t *testing.T, name string, raw []byte) []string {
	var root map[string]any
	if err := json.Unmarshal(raw, &root); err != nil {
		t.Fatal(err)
	}
	ssp := root["system-security-plan"].(map[string]any)
	c := &constraintChecker{t: t, name: name, roles: map[string]bool{}, parties: map[string]bool{}, comps: map[string]bool{}}
	c.props(ssp, "system-security-plan", name)
	md := ssp["metadata"].(map[string]any)
	var ids []string
	refs(md["roles"], "id", &ids)
	for _, id := range ids {
		c.roles[id] = true
	}
	ids = nil
	refs(md["parties"], "uuid", &ids)
	for _, id := range ids {
		c.parties[id] = true
	}
	ids = nil
	refs(ssp["system-implementation"].(map[string]any)["components"], "uuid", &ids)
	for _, id := range ids {
		c.comps[id] = true
	}
	var used []string
	refs(ssp, "role-ids", &used)
	refs(ssp, "role-id", &used)
	for _, r := range used {
		if !c.roles[r] {
			c.fail("%s: role %q is referenced but not defined in metadata.roles", name, r)
		}
	}
	used = nil
	refs(ssp, "party-uuids", &used)
	for _, p := range used {
		if !c.parties[p] {
			c.fail("%s: party %s is referenced but not defined", name, p)
		}
	}
	used = nil
	refs(ssp["control-implementation"], "component-uuid", &used)
	for _, u := range used {
		if !c.comps[u] {
			c.fail("%s: component %s is referenced but not defined", name, u)
		}
	}
	known := catalogIDs(t, ssp)
	used = nil
	refs(ssp["control-implementation"], "control-id", &used)
	for _, id := range used {
		if !known[id] {
			c.fail("%s: control %s is not in the imported catalogs", name, id)
		}
	}
	return c.problems
}

func TestPlansPassNISTConstraints(t *testing.T) {
	m := sample(t)
	for _, lang := range []string{"ja", "en"} {
		for _, ssp := range SSPs(m, Options{Lang: lang, Now: now}) {
			raw, err := json.Marshal(ssp)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range checkSSP(t, ssp.SSP.Metadata.Title, raw) {
				t.Error(p)
			}
		}
	}
	// An imported framework's plan.
	src, err := os.ReadFile("testdata/basic-catalog.json")
	if err != nil {
		t.Fatal(err)
	}
	fw, err := ReadCatalog(src, "basic")
	if err != nil {
		t.Fatal(err)
	}
	rows := frameworkRowsFor(fw)
	raw, _ := json.Marshal(FrameworkSSP(m, fw, rows, Options{Now: now}))
	for _, p := range checkSSP(t, "framework", raw) {
		t.Error(p)
	}
}

// The checker finds what NIST's validator found in the plans before.
func TestConstraintCheckerCatchesProblems(t *testing.T) {
	m := sample(t)
	v := SSPs(m, Options{Now: now})[1] // a service SoA
	raw, _ := json.Marshal(v)
	s := string(raw)
	bad := strings.Replace(s, `"name":"label","ns":"`+NS+`"`, `"name":"label"`, 1)
	bad = strings.Replace(bad, `"role-ids":["isms-manager"]`, `"role-ids":["isms-admin"]`, 1)
	probs := checkSSP(t, "bad", []byte(bad))
	joined := strings.Join(probs, "\n")
	for _, want := range []string{`prop "label" is not allowed on implemented-requirements`, `role "isms-admin"`} {
		if !strings.Contains(joined, want) {
			t.Errorf("the checker missed %s:\n%s", want, joined)
		}
	}
	// A plan importing only Annex A while citing 27017 items.
	var root map[string]any
	json.Unmarshal(raw, &root)
	ssp := root["system-security-plan"].(map[string]any)
	only, _ := CatalogOf(m.Organization.AnnexA, Options{Now: now})
	doc := SSPOf(m, SoAViewsFor(m)[1], Options{Now: now})
	doc.SSP.BackMatter = nil
	if err := embedImport(&doc, "x", "only Annex A", []CatalogDoc{only}, nil, Options{Now: now}); err != nil {
		t.Fatal(err)
	}
	raw, _ = json.Marshal(doc)
	if probs := checkSSP(t, "annex-a-only", raw); len(probs) == 0 || !strings.Contains(strings.Join(probs, "\n"), "not in the imported catalogs") {
		t.Errorf("27017 items cited against Annex A alone went unnoticed (%v)", ssp["uuid"])
	}
}

// SoAViewsFor lists the SoA views of an ISMS (organization first).
func SoAViewsFor(m *isms.ISMS) []isms.SoAView { return isms.SoAViews(m) }

// frameworkRowsFor adopts every other control of a framework and excludes the rest.
func frameworkRowsFor(fw store.Framework) map[string]store.FrameworkRow {
	rows := map[string]store.FrameworkRow{}
	for i, c := range fw.Controls {
		r := store.FrameworkRow{Control: c.ID, Applicable: "true", Implementation: "implemented", Reasons: []string{"risk"}}
		if i%2 == 1 {
			r = store.FrameworkRow{Control: c.ID, Applicable: "false", Justification: "対象外"}
		}
		rows[c.ID] = r
	}
	return rows
}
