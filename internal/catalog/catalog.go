// Package catalog holds the control catalogs that cloudisms knows, embedded in
// the binary: ISO/IEC 27001:2022 and :2013 Annex A, their correspondence, the
// ISO/IEC 27017:2015 cloud items, and the cloud risk source library. Only ids,
// short titles and correspondences are kept: never the standards' text.
package catalog

import (
	"embed"
	"encoding/json"
	"fmt"
	"strings"
)

// Framework ids as bundles and the CLI name them.
const (
	ISO27001v2022 = "iso27001:2022"
	ISO27001v2013 = "iso27001:2013"
	ISO27017      = "iso27017:2015"
	RiskSources   = "risk-sources"
)

// Frameworks lists the framework ids the catalog command accepts.
var Frameworks = []string{ISO27001v2022, ISO27001v2013, ISO27017, RiskSources}

// Guidance roles of an ISO/IEC 27017 item.
const (
	ForCustomer    = "customer"
	ForProvider    = "provider"
	ForBoth        = "both"          // separate guidance for each role
	ForSameForBoth = "same-for-both" // one guidance for both roles
)

// Control is one control or guidance item of a framework.
type Control struct {
	ID      string `json:"id"` // as bundles write it: 5.1, A.5.1.1, 27017:12.3.1, CLD.6.3.1
	TitleJA string `json:"title_ja"`
	TitleEN string `json:"title_en"`

	Framework string `json:"framework"`
	// 2022: organizational, people, physical, technological.
	Theme string `json:"theme,omitempty"`
	// 2013 clause and objective; 27017 objective.
	Clause         string `json:"clause,omitempty"`
	ClauseTitle    string `json:"clause_title,omitempty"`
	Objective      string `json:"objective,omitempty"`
	ObjectiveTitle string `json:"objective_title,omitempty"`

	Maps2013 []string `json:"maps_2013,omitempty"` // 2022 → 2013
	Maps2022 []string `json:"maps_2022,omitempty"` // 2013 → 2022
	Relation string   `json:"relation,omitempty"`  // 2022: new, one-to-one, merged, merged+split

	Kind        string `json:"kind,omitempty"`         // 27017: guidance or cld
	Base2013    string `json:"base_2013,omitempty"`    // 27017 guidance: the 2013 control it is attached to
	GuidanceFor string `json:"guidance_for,omitempty"` // 27017: customer, provider, both, same-for-both
	// TitleJAStatus is how sure the catalog is of TitleJA: "sourced" (found
	// in a published list) or "unverified".
	TitleJAStatus string `json:"title_ja_status,omitempty"`
}

// TitleSourced is the status of a Japanese title found in a published list.
const TitleSourced = "sourced"

// TitleKeySuffix marks an organization's own Japanese title among its
// control texts: the text under "ID#title" is the title of control ID
// (an organization holding the JIS text supplies its titles this way).
const TitleKeySuffix = "#title"

// JATitle is the Japanese title of a control as an organization shows it:
// its own title among texts (control id + TitleKeySuffix) when it gave
// one, else the catalog's. unconfirmed is true when the title shown is
// the catalog's and the catalog has not found it in a published list.
func JATitle(c *Control, texts map[string]string) (title string, unconfirmed bool) {
	if own := texts[c.ID+TitleKeySuffix]; own != "" {
		return own, false
	}
	return c.TitleJA, c.TitleJA != "" && c.TitleJAStatus != TitleSourced
}

// GuidesRole reports whether a 27017 item gives guidance for a role
// (provider or customer): both and same-for-both count for either.
func (c *Control) GuidesRole(role string) bool {
	switch c.GuidanceFor {
	case ForBoth, ForSameForBoth:
		return true
	}
	return c.GuidanceFor == role
}

// Is27017 reports whether the control is an ISO/IEC 27017 item or CLD control.
func (c *Control) Is27017() bool { return c.Framework == ISO27017 }

//go:embed data/*.tsv data/*.json
var data embed.FS

// Catalog is the set of all embedded frameworks with indexes for lookup.
type Catalog struct {
	Annex2022 []*Control
	Annex2013 []*Control
	Cloud     []*Control // ISO/IEC 27017: 37 guidance items, then the 7 CLD controls in catalog order
	Sources   []*RiskSource
	byID      map[string]*Control
	sourceIdx map[string]*RiskSource
}

var std = mustLoad()

// Std returns the embedded catalog. It is read-only: callers must not modify it.
func Std() *Catalog { return std }

// Lookup finds a control of any framework by its bundle id.
func (c *Catalog) Lookup(id string) (*Control, bool) {
	ctl, ok := c.byID[id]
	return ctl, ok
}

// Source finds a library risk source.
func (c *Catalog) Source(id string) (*RiskSource, bool) {
	s, ok := c.sourceIdx[id]
	return s, ok
}

// AnnexA returns the Annex A controls of an edition (nil for an unknown one).
func (c *Catalog) AnnexA(edition string) []*Control {
	switch edition {
	case ISO27001v2022:
		return c.Annex2022
	case ISO27001v2013:
		return c.Annex2013
	}
	return nil
}

// Controls returns a framework's controls by framework id.
func (c *Catalog) Controls(framework string) ([]*Control, error) {
	switch framework {
	case ISO27001v2022, ISO27001v2013:
		return c.AnnexA(framework), nil
	case ISO27017:
		return c.Cloud, nil
	}
	return nil, fmt.Errorf("unknown framework %q (expected one of %s)", framework, strings.Join(Frameworks, ", "))
}

// Bases returns the Annex A controls of an edition that a 27017 guidance
// item is based on: A.N under 2013, every 2022 control that the
// correspondence maps A.N to under 2022. CLD controls have no base.
func (c *Catalog) Bases(item *Control, edition string) []string {
	if item.Base2013 == "" {
		return nil
	}
	if edition == ISO27001v2013 {
		return []string{item.Base2013}
	}
	if b, ok := c.byID[item.Base2013]; ok {
		return b.Maps2022
	}
	return nil
}

// ValidFor reports whether a control id may be used by an organization on
// the given Annex A edition: an Annex A control of that edition, or a 27017
// item or CLD control.
func (c *Catalog) ValidFor(id, edition string) bool {
	ctl, ok := c.byID[id]
	if !ok {
		return false
	}
	return ctl.Framework == edition || ctl.Framework == ISO27017
}

func mustLoad() *Catalog {
	c, err := load()
	if err != nil {
		panic(fmt.Sprintf("catalog: embedded data is broken: %v", err))
	}
	return c
}

func load() (*Catalog, error) {
	c := &Catalog{byID: map[string]*Control{}, sourceIdx: map[string]*RiskSource{}}
	steps := []func() error{c.load2022, c.load2013, c.loadMapping, c.load27017, c.loadSources}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// tsv reads an embedded TSV file into rows of named columns, checking the
// header so that a changed column order fails loudly.
func tsv(name string, header ...string) ([][]string, error) {
	b, err := data.ReadFile("data/" + name)
	if err != nil {
		return nil, err
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if got := strings.Split(strings.TrimRight(lines[0], "\r"), "\t"); strings.Join(got, ",") != strings.Join(header, ",") {
		return nil, fmt.Errorf("%s: header %v, want %v", name, got, header)
	}
	var rows [][]string
	for i, l := range lines[1:] {
		f := strings.Split(strings.TrimRight(l, "\r"), "\t")
		if len(f) != len(header) {
			return nil, fmt.Errorf("%s line %d: %d columns, want %d", name, i+2, len(f), len(header))
		}
		rows = append(rows, f)
	}
	return rows, nil
}

func (c *Catalog) add(ctl *Control) error {
	if _, dup := c.byID[ctl.ID]; dup {
		return fmt.Errorf("duplicate control id %s", ctl.ID)
	}
	c.byID[ctl.ID] = ctl
	return nil
}

func (c *Catalog) load2022() error {
	rows, err := tsv("iso27001-2022-annexA.tsv", "id", "theme", "title_en", "title_ja", "title_ja_status")
	if err != nil {
		return err
	}
	for _, r := range rows {
		ctl := &Control{ID: r[0], Theme: r[1], TitleEN: r[2], TitleJA: r[3], TitleJAStatus: r[4], Framework: ISO27001v2022}
		if err := c.add(ctl); err != nil {
			return err
		}
		c.Annex2022 = append(c.Annex2022, ctl)
	}
	return nil
}

func (c *Catalog) load2013() error {
	rows, err := tsv("iso27001-2013-annexA.tsv", "id", "clause", "clause_title", "objective", "objective_title", "title_en", "title_ja", "title_ja_status")
	if err != nil {
		return err
	}
	for _, r := range rows {
		ctl := &Control{ID: r[0], Clause: r[1], ClauseTitle: r[2], Objective: r[3], ObjectiveTitle: r[4],
			TitleEN: r[5], TitleJA: r[6], TitleJAStatus: r[7], Framework: ISO27001v2013}
		if err := c.add(ctl); err != nil {
			return err
		}
		c.Annex2013 = append(c.Annex2013, ctl)
	}
	return nil
}

func (c *Catalog) loadMapping() error {
	rows, err := tsv("mapping-2013-2022.tsv", "id_2022", "id_2013", "relation")
	if err != nil {
		return err
	}
	for i, r := range rows {
		n, ok := c.byID[r[0]]
		if !ok || n.Framework != ISO27001v2022 {
			return fmt.Errorf("mapping line %d: unknown 2022 control %q", i+2, r[0])
		}
		n.Relation = r[2]
		if r[1] == "" {
			continue
		}
		o, ok := c.byID[r[1]]
		if !ok || o.Framework != ISO27001v2013 {
			return fmt.Errorf("mapping line %d: unknown 2013 control %q", i+2, r[1])
		}
		n.Maps2013 = append(n.Maps2013, o.ID)
		o.Maps2022 = append(o.Maps2022, n.ID)
	}
	return nil
}

func (c *Catalog) load27017() error {
	rows, err := tsv("iso27017-2015.tsv", "id", "bundle_id", "kind", "objective", "objective_title", "title_en", "title_ja", "title_ja_status", "guidance_for", "confidence")
	if err != nil {
		return err
	}
	for i, r := range rows {
		ctl := &Control{ID: r[1], Kind: r[2], Objective: r[3], ObjectiveTitle: r[4], TitleEN: r[5], TitleJA: r[6],
			TitleJAStatus: r[7], GuidanceFor: r[8], Framework: ISO27017}
		switch ctl.Kind {
		case "guidance":
			ctl.Base2013 = "A." + r[0]
			if _, ok := c.byID[ctl.Base2013]; !ok {
				return fmt.Errorf("27017 line %d: base %s is not a 2013 control", i+2, ctl.Base2013)
			}
		case "cld":
		default:
			return fmt.Errorf("27017 line %d: unknown kind %q", i+2, ctl.Kind)
		}
		switch ctl.GuidanceFor {
		case ForCustomer, ForProvider, ForBoth, ForSameForBoth:
		default:
			return fmt.Errorf("27017 line %d: unknown guidance_for %q", i+2, ctl.GuidanceFor)
		}
		if err := c.add(ctl); err != nil {
			return err
		}
		c.Cloud = append(c.Cloud, ctl)
	}
	return nil
}

// RiskSource is a source of the cloud risk source library.
type RiskSource struct {
	ID         string   `json:"id"`
	Required   bool     `json:"required"`
	Group      string   `json:"group"` // premise, operation, new-it
	TitleJA    string   `json:"title_ja"`
	TitleEN    string   `json:"title_en"`
	ProviderJA string   `json:"provider_ja"`
	ProviderEN string   `json:"provider_en"`
	CustomerJA string   `json:"customer_ja"`
	CustomerEN string   `json:"customer_en"`
	Controls   []string `json:"controls_2013"`
}

func (c *Catalog) loadSources() error {
	b, err := data.ReadFile("data/risk-sources.json")
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, &c.Sources); err != nil {
		return fmt.Errorf("risk-sources.json: %w", err)
	}
	for i, s := range c.Sources {
		if _, dup := c.sourceIdx[s.ID]; dup {
			return fmt.Errorf("risk-sources.json[%d]: duplicate id %s", i, s.ID)
		}
		for _, ctl := range s.Controls {
			if _, ok := c.byID[ctl]; !ok {
				return fmt.Errorf("risk-sources.json[%d]: unknown control %s", i, ctl)
			}
		}
		c.sourceIdx[s.ID] = s
	}
	return nil
}

// To2022 translates 2013 Annex A ids to the 2022 controls they map to,
// without duplicates; 27017 and CLD ids pass through unchanged.
func (c *Catalog) To2022(ids []string) []string {
	out := []string{}
	seen := map[string]bool{}
	add := func(id string) {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	for _, id := range ids {
		ctl, ok := c.byID[id]
		if ok && ctl.Framework == ISO27001v2013 {
			for _, n := range ctl.Maps2022 {
				add(n)
			}
			continue
		}
		add(id)
	}
	return out
}
