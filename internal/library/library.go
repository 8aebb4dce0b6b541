// Package library reads CISO Assistant's framework libraries (YAML) as
// frameworks with their own statement of applicability, as an imported
// OSCAL catalog is: the framework's requirement nodes (reference ids,
// names, descriptions, hierarchy, assessable flag) become its controls
// and headings, and a requirement mapping set to ISO/IEC 27001:2022 (in
// the same file or a mapping library of its own) says which Annex A
// controls cover each requirement. The format is the one CISO Assistant
// publishes for its libraries; only the parts used here are read.
package library

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/cloudisms/cloudisms/internal/catalog"
	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/store"
)

// Limits of a library file.
const (
	MaxBytes    = 8 << 20
	MaxNodes    = 20000
	MaxMappings = 100000
	maxDepth    = 16
	maxText     = 64 << 10 // one name, description or annotation
)

// Error says why a library cannot be imported, naming the place in the
// file; nothing is changed.
type Error struct{ Msg i18n.Message }

func (e *Error) Error() string { return e.Msg.In(i18n.EN) }

// In renders the error in a language.
func (e *Error) In(lang string) string { return e.Msg.In(lang) }

func fail(key string, args ...any) error { return &Error{i18n.M(key, args...)} }

// ISO27001 is the URN CISO Assistant gives ISO/IEC 27001:2022; its
// requirement nodes are named iso27001-2022:a.5.1 for Annex A 5.1.
const (
	ISO27001     = "urn:intuitem:risk:framework:iso27001-2022"
	isoNodeAnnex = "urn:intuitem:risk:req_node:iso27001-2022:a."
)

// Library is what one file holds: a framework, mapping sets, or both.
type Library struct {
	URN, RefID, Name, Version string
	Framework                 *store.Framework
	Mappings                  []MappingSet
}

// MappingSet relates the requirements of one framework to another's.
type MappingSet struct {
	Name, Source, Target string // framework URNs
	Mappings             []Mapping
}

// Mapping relates one requirement to another (relationship: equal,
// subset, superset, intersect; not_related ones are dropped).
type Mapping struct {
	Source, Target, Relationship string
}

type file struct {
	URN         string  `yaml:"urn"`
	RefID       string  `yaml:"ref_id"`
	Name        string  `yaml:"name"`
	Description string  `yaml:"description"`
	Version     any     `yaml:"version"`
	Objects     objects `yaml:"objects"`
}

type objects struct {
	Framework  *framework   `yaml:"framework"`
	MappingSet *mappingSet  `yaml:"requirement_mapping_set"`
	Sets       []mappingSet `yaml:"requirement_mapping_sets"`
}

type framework struct {
	URN         string `yaml:"urn"`
	RefID       string `yaml:"ref_id"`
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	Nodes       []node `yaml:"requirement_nodes"`
}

type node struct {
	URN         string `yaml:"urn"`
	ParentURN   string `yaml:"parent_urn"`
	RefID       string `yaml:"ref_id"`
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	Annotation  string `yaml:"annotation"`
	Assessable  bool   `yaml:"assessable"`
	Depth       int    `yaml:"depth"`
}

type mappingSet struct {
	Name     string `yaml:"name"`
	Source   string `yaml:"source_framework_urn"`
	Target   string `yaml:"target_framework_urn"`
	Mappings []struct {
		Source       string `yaml:"source_requirement_urn"`
		Target       string `yaml:"target_requirement_urn"`
		Relationship string `yaml:"relationship"`
	} `yaml:"requirement_mappings"`
}

// Read reads a library file. A framework in it becomes a framework with
// the given id (its controls are the requirement nodes; mapping sets of
// the same file to ISO/IEC 27001:2022 are applied to it); a file of
// mapping sets only is returned for ApplyMappings.
func Read(src []byte, id string) (Library, error) {
	var lib Library
	if len(src) > MaxBytes {
		return lib, fail("frameworks.lib.too_large", "max", MaxBytes)
	}
	if len(bytes.TrimSpace(src)) == 0 {
		return lib, fail("frameworks.lib.empty")
	}
	var f file
	dec := yaml.NewDecoder(bytes.NewReader(src))
	if err := dec.Decode(&f); err != nil {
		return lib, fail("frameworks.lib.not_yaml", "detail", yamlErr(err))
	}
	if strings.TrimSpace(f.URN) == "" {
		return lib, fail("frameworks.lib.missing", "path", "urn")
	}
	lib.URN, lib.RefID, lib.Name = f.URN, f.RefID, f.Name
	if f.Version != nil {
		lib.Version = fmt.Sprint(f.Version)
	}
	sets := f.Objects.Sets
	if f.Objects.MappingSet != nil {
		sets = append(sets, *f.Objects.MappingSet)
	}
	total := 0
	for i, s := range sets {
		path := fmt.Sprintf("objects.requirement_mapping_sets[%d]", i)
		if s.Source == "" || s.Target == "" {
			return lib, fail("frameworks.lib.missing", "path", path+".source_framework_urn / target_framework_urn")
		}
		ms := MappingSet{Name: s.Name, Source: s.Source, Target: s.Target}
		for j, m := range s.Mappings {
			if total++; total > MaxMappings {
				return lib, fail("frameworks.lib.too_many_mappings", "max", MaxMappings)
			}
			if m.Source == "" || m.Target == "" {
				return lib, fail("frameworks.lib.missing", "path", fmt.Sprintf("%s.requirement_mappings[%d].source_requirement_urn / target_requirement_urn", path, j))
			}
			if m.Relationship == "not_related" {
				continue
			}
			ms.Mappings = append(ms.Mappings, Mapping{Source: m.Source, Target: m.Target, Relationship: m.Relationship})
		}
		lib.Mappings = append(lib.Mappings, ms)
	}
	if f.Objects.Framework == nil {
		if len(lib.Mappings) == 0 {
			return lib, fail("frameworks.lib.nothing", "name", nonEmpty(f.Name, f.URN))
		}
		return lib, nil
	}
	fw, err := readFramework(*f.Objects.Framework, id, lib.Version)
	if err != nil {
		return lib, err
	}
	if _, err := ApplyMappings(&fw, lib.Mappings); err != nil {
		return lib, err
	}
	lib.Framework = &fw
	return lib, nil
}

// tokenBad finds what may not stand in an OSCAL token (the control ids
// of the framework's OSCAL plan).
var tokenBad = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// controlID is the id a node gets: the last part of its URN, made an
// OSCAL token (a letter first), unique in the framework.
func controlID(urn string, taken map[string]bool) string {
	s := urn[strings.LastIndexByte(urn, ':')+1:]
	s = strings.Trim(tokenBad.ReplaceAllString(s, "-"), "-")
	if len(s) > 64 {
		s = s[:64]
	}
	if s == "" || !(s[0] >= 'a' && s[0] <= 'z' || s[0] >= 'A' && s[0] <= 'Z' || s[0] == '_') {
		s = "r-" + s
	}
	id := s
	for i := 2; taken[id]; i++ {
		id = fmt.Sprintf("%s-%d", s, i)
	}
	taken[id] = true
	return id
}

func readFramework(fr framework, id, version string) (store.Framework, error) {
	const base = "objects.framework"
	fw := store.Framework{ID: id, Title: nonEmpty(fr.Name, fr.RefID), Version: version, SourceUUID: fr.URN}
	if fr.URN == "" {
		return fw, fail("frameworks.lib.missing", "path", base+".urn")
	}
	if len(fr.Nodes) == 0 {
		return fw, fail("frameworks.lib.no_nodes", "path", base+".requirement_nodes")
	}
	if len(fr.Nodes) > MaxNodes {
		return fw, fail("frameworks.lib.too_many_nodes", "n", len(fr.Nodes), "max", MaxNodes)
	}
	byURN := map[string]string{} // node URN → control id
	taken := map[string]bool{}
	assessable := 0
	for i, n := range fr.Nodes {
		path := fmt.Sprintf("%s.requirement_nodes[%d]", base, i)
		if strings.TrimSpace(n.URN) == "" {
			return fw, fail("frameworks.lib.missing", "path", path+".urn")
		}
		if _, dup := byURN[n.URN]; dup {
			return fw, fail("frameworks.lib.duplicate", "path", path+".urn", "urn", n.URN)
		}
		for field, v := range map[string]string{"name": n.Name, "description": n.Description, "annotation": n.Annotation, "ref_id": n.RefID} {
			if len(v) > maxText {
				return fw, fail("frameworks.lib.too_long", "path", path+"."+field, "max", maxText)
			}
		}
		if n.Depth < 0 || n.Depth > maxDepth {
			return fw, fail("frameworks.lib.bad_depth", "path", path+".depth", "depth", n.Depth, "max", maxDepth)
		}
		parent := ""
		if n.ParentURN != "" {
			p, ok := byURN[n.ParentURN]
			if !ok {
				return fw, fail("frameworks.lib.unknown_parent", "path", path+".parent_urn", "urn", n.ParentURN)
			}
			parent = p
		}
		cid := controlID(n.URN, taken)
		byURN[n.URN] = cid
		title := strings.TrimSpace(n.Name)
		if title == "" && !n.Assessable {
			title = firstLine(n.Description)
		}
		c := store.FrameworkControl{ID: cid, Label: strings.TrimSpace(n.RefID), Title: title, Parent: parent, Heading: !n.Assessable, URN: n.URN,
			Guidance: strings.TrimSpace(n.Annotation)}
		if d := strings.TrimSpace(n.Description); d != "" && d != title {
			c.Statement = []store.FrameworkPart{{Prose: d}}
		}
		if c.Label == "" && c.Title == "" && len(c.Statement) == 0 {
			// A node that only carries questions or evidence lists:
			// known by the last part of its URN.
			c.Label = cid
		}
		if n.Assessable {
			assessable++
		}
		fw.Controls = append(fw.Controls, c)
	}
	if assessable == 0 {
		return fw, fail("frameworks.lib.no_assessable", "path", base+".requirement_nodes")
	}
	if parentDepth(fw.Controls) > maxDepth {
		return fw, fail("frameworks.lib.bad_depth", "path", base+".requirement_nodes", "depth", parentDepth(fw.Controls), "max", maxDepth)
	}
	return fw, nil
}

// parentDepth is how deep the parent links nest (they can only point
// back, so they never loop).
func parentDepth(cs []store.FrameworkControl) int {
	depth := map[string]int{}
	most := 0
	for _, c := range cs {
		d := 0
		if c.Parent != "" {
			d = depth[c.Parent] + 1
		}
		depth[c.ID] = d
		most = max(most, d)
	}
	return most
}

// ApplyMappings records on each requirement of a framework read from a
// library the ISO/IEC 27001:2022 Annex A controls that the mapping sets
// relate it to (in either direction; clauses 4 to 10 are left out, only
// Annex A has SoA rows), in addition to those it has. It returns how many requirements got one; a
// set between other frameworks is ignored, and an error says that none
// of the sets concerns this framework and ISO/IEC 27001:2022.
func ApplyMappings(fw *store.Framework, sets []MappingSet) (int, error) {
	if len(sets) == 0 {
		return 0, nil
	}
	byURN := map[string]int{}
	for i, c := range fw.Controls {
		if c.URN != "" {
			byURN[c.URN] = i
		}
	}
	annex := map[int]map[string]bool{}
	used := false
	for _, s := range sets {
		var forward bool
		switch {
		case s.Source == fw.SourceUUID && s.Target == ISO27001:
			forward = true
		case s.Target == fw.SourceUUID && s.Source == ISO27001:
		default:
			continue
		}
		used = true
		for _, m := range s.Mappings {
			req, iso := m.Source, m.Target
			if !forward {
				req, iso = iso, req
			}
			i, ok := byURN[req]
			if !ok {
				continue
			}
			ctl, ok := annexControl(iso)
			if !ok {
				continue
			}
			if annex[i] == nil {
				annex[i] = map[string]bool{}
			}
			annex[i][ctl] = true
		}
	}
	if !used {
		var names []string
		for _, s := range sets {
			names = append(names, s.Source+" → "+s.Target)
		}
		return 0, fail("frameworks.lib.no_mapping_for", "framework", fw.SourceUUID, "sets", strings.Join(names, ", "))
	}
	// Added to the mappings a requirement has (from the framework's own
	// file or another mapping library); reading the same set again
	// changes nothing.
	for i, set := range annex {
		for _, id := range fw.Controls[i].AnnexA {
			set[id] = true
		}
		var ids []string
		for id := range set {
			ids = append(ids, id)
		}
		sort.Slice(ids, func(a, b int) bool { return annexLess(ids[a], ids[b]) })
		fw.Controls[i].AnnexA = ids
	}
	return len(annex), nil
}

// annexControl is the Annex A control a requirement URN of ISO/IEC
// 27001:2022 names (iso27001-2022:a.5.9 → 5.9), when it is one.
func annexControl(urn string) (string, bool) {
	id, ok := strings.CutPrefix(strings.ToLower(urn), isoNodeAnnex)
	if !ok {
		return "", false
	}
	c, ok := catalog.Std().Lookup(id)
	if !ok || c.Framework != catalog.ISO27001v2022 {
		return "", false
	}
	return c.ID, true
}

// annexLess orders Annex A ids numerically (5.9 before 5.10).
func annexLess(a, b string) bool {
	var a1, a2, b1, b2 int
	fmt.Sscanf(a, "%d.%d", &a1, &a2)
	fmt.Sscanf(b, "%d.%d", &b1, &b2)
	if a1 != b1 {
		return a1 < b1
	}
	return a2 < b2
}

func nonEmpty(s ...string) string {
	for _, x := range s {
		if strings.TrimSpace(x) != "" {
			return strings.TrimSpace(x)
		}
	}
	return ""
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if r := []rune(s); len(r) > 120 {
		s = string(r[:120]) + "…"
	}
	return s
}

// yamlErr keeps the parser's message with its line.
func yamlErr(err error) string {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		if len(te.Errors) > 3 {
			te.Errors = te.Errors[:3]
		}
		return strings.Join(te.Errors, "; ")
	}
	return strings.TrimPrefix(err.Error(), "yaml: ")
}

// idBad finds what may not stand in a framework id.
var idBad = regexp.MustCompile(`[^a-z0-9._-]+`)

// DefaultID is the id a framework read from a library gets when none is
// given: its reference id in lower case (NIST-CSF-2.0 → nist-csf-2.0).
func DefaultID(lib Library) string {
	s := strings.ToLower(nonEmpty(lib.RefID, lib.Name))
	s = strings.Trim(idBad.ReplaceAllString(s, "-"), "-._")
	if len(s) > 48 {
		s = strings.TrimRight(s[:48], "-._")
	}
	if s == "" {
		s = "library"
	}
	return s
}

// Framework is what importing a library stores: its framework (with the
// file's mappings), or, for a file of mapping sets only, the existing
// framework (nil when there is none) with the Annex A controls the
// mappings relate its requirements to.
func Framework(lib Library, existing *store.Framework) (store.Framework, int, error) {
	if lib.Framework != nil {
		n := 0
		for _, c := range lib.Framework.Controls {
			if len(c.AnnexA) > 0 {
				n++
			}
		}
		return *lib.Framework, n, nil
	}
	if existing == nil {
		return store.Framework{}, 0, fail("frameworks.lib.need_framework")
	}
	fw := *existing
	fw.Controls = append([]store.FrameworkControl(nil), existing.Controls...)
	n, err := ApplyMappings(&fw, lib.Mappings)
	return fw, n, err
}
