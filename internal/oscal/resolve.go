package oscal

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/cloudisms/cloudisms/internal/catalog"
	"github.com/cloudisms/cloudisms/internal/store"
)

// ProfileDoc is an OSCAL profile: which catalogs a plan's controls come
// from.
type ProfileDoc struct {
	Profile Profile `json:"profile"`
}

type Profile struct {
	UUID       string      `json:"uuid"`
	Metadata   Metadata    `json:"metadata"`
	Imports    []Import    `json:"imports"`
	Merge      *Merge      `json:"merge,omitempty"`
	BackMatter *BackMatter `json:"back-matter,omitempty"`
}

type Import struct {
	Href       string    `json:"href"`
	IncludeAll *struct{} `json:"include-all,omitempty"`
}

type Merge struct {
	AsIs bool `json:"as-is"`
}

// Media types of embedded OSCAL documents.
const (
	mediaCatalog = "application/oscal.catalog+json"
	mediaProfile = "application/oscal.profile+json"
)

// embedImport makes an SSP's import-profile resolvable by itself: a
// profile embedded in the plan's back-matter imports each catalog, which
// is embedded in the profile's back-matter, so that every control the
// plan cites is found without any other file. The rlinks name where the
// same documents can be fetched (the catalog files `cloudisms oscal
// catalog` writes, and the API).
func embedImport(doc *SSPDoc, key, title string, catalogs []CatalogDoc, links []string, o Options) error {
	prof := ProfileDoc{Profile{UUID: UUID("profile/" + key), Metadata: o.metadata(title, nil), Merge: &Merge{AsIs: true},
		BackMatter: &BackMatter{}}}
	for i, c := range catalogs {
		b, err := json.Marshal(c)
		if err != nil {
			return err
		}
		ru := UUID(fmt.Sprintf("resource/%s/catalog/%d", key, i))
		res := Resource{UUID: ru, Title: c.Catalog.Metadata.Title,
			Base64: &Base64{Filename: "catalog.json", MediaType: mediaCatalog, Value: base64.StdEncoding.EncodeToString(b)}}
		if i < len(links) && links[i] != "" {
			res.RLinks = []RLink{{Href: links[i], MediaType: mediaCatalog}}
		}
		prof.Profile.BackMatter.Resources = append(prof.Profile.BackMatter.Resources, res)
		prof.Profile.Imports = append(prof.Profile.Imports, Import{Href: "#" + ru, IncludeAll: &struct{}{}})
	}
	b, err := json.Marshal(prof)
	if err != nil {
		return err
	}
	pu := UUID("resource/" + key + "/profile")
	if doc.SSP.BackMatter == nil {
		doc.SSP.BackMatter = &BackMatter{}
	}
	doc.SSP.BackMatter.Resources = append(doc.SSP.BackMatter.Resources, Resource{UUID: pu, Title: title,
		Base64: &Base64{Filename: "profile.json", MediaType: mediaProfile, Value: base64.StdEncoding.EncodeToString(b)}})
	doc.SSP.ImportProfile = Href{Href: "#" + pu, Remarks: o.t("report.oscal.profile_remarks")}
	return nil
}

// builtinImport embeds the catalogs an SoA's rows come from: the
// organization's Annex A, and ISO/IEC 27017 for a service's SoA (its
// 27017 items and CLD controls are in no Annex A catalog).
func builtinImport(doc *SSPDoc, key, edition string, service bool, o Options) error {
	frameworks := []string{edition}
	if service {
		frameworks = append(frameworks, catalog.ISO27017)
	}
	var cats []CatalogDoc
	var links []string
	var names []string
	for _, fw := range frameworks {
		c, err := CatalogOf(fw, o)
		if err != nil {
			return err
		}
		cats = append(cats, c)
		links = append(links, catalogHref(fw))
		names = append(names, c.Catalog.Metadata.Title)
	}
	return embedImport(doc, key, strings.Join(names, " + "), cats, links, o)
}

// FrameworkCatalog writes an imported framework back as an OSCAL catalog
// (its controls with their labels, grouped as imported): what the plan of
// that framework imports.
func FrameworkCatalog(fw store.Framework, o Options) CatalogDoc {
	o = o.norm()
	doc := CatalogDoc{Catalog{UUID: UUID("catalog/framework/" + fw.ID + "/" + fw.SourceUUID), Metadata: o.metadata(fw.Title, nil)}}
	doc.Catalog.Metadata.Version = nonEmpty(fw.Version, "1")
	groups := map[string]int{}
	byID := map[string]*Control{}
	children := map[string][]string{}
	for _, c := range fw.Controls {
		ctl := Control{ID: c.ID, Title: nonEmpty(c.Title, c.ID)}
		if c.Label != "" {
			ctl.Props = append(ctl.Props, Prop{Name: "label", Value: c.Label})
		}
		if c.Withdrawn {
			ctl.Props = append(ctl.Props, Prop{Name: "status", Value: "withdrawn"})
			for _, to := range c.WithdrawnTo {
				ctl.Links = append(ctl.Links, Link{Href: "#" + to, Rel: "incorporated-into"})
			}
		}
		// The parameters, so that the values a plan sets name parameters
		// of the catalog it imports.
		for _, p := range c.Params {
			prm := Param{ID: p.ID, Label: p.Label}
			if len(p.Choice) > 0 {
				prm.Label, prm.Select = "", &Select{HowMany: p.HowMany, Choice: p.Choice}
			} else if prm.Label == "" {
				prm.Label = p.ID
			}
			ctl.Params = append(ctl.Params, prm)
		}
		byID[c.ID] = &ctl
		if c.Parent != "" {
			children[c.Parent] = append(children[c.Parent], c.ID)
		}
	}
	// Enhancements go back under their parent, groups by their title.
	for _, c := range fw.Controls {
		if c.Parent != "" && byID[c.Parent] != nil {
			continue
		}
		ctl := nest(byID, children, c.ID, 0)
		g := c.Group
		if g == "" {
			doc.Catalog.Controls = append(doc.Catalog.Controls, ctl)
			continue
		}
		i, ok := groups[g]
		if !ok {
			i = len(doc.Catalog.Groups)
			groups[g] = i
			doc.Catalog.Groups = append(doc.Catalog.Groups, Group{ID: fmt.Sprintf("g%d", i+1), Title: g})
		}
		doc.Catalog.Groups[i].Controls = append(doc.Catalog.Groups[i].Controls, ctl)
	}
	return doc
}

// nest returns a control with its enhancements, to a bounded depth (the
// importer bounds nesting too).
func nest(byID map[string]*Control, children map[string][]string, id string, depth int) Control {
	ctl := *byID[id]
	if depth < 16 {
		for _, k := range children[id] {
			ctl.Controls = append(ctl.Controls, nest(byID, children, k, depth+1))
		}
	}
	return ctl
}
