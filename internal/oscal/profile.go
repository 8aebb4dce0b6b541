package oscal

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/cloudisms/cloudisms/internal/store"
)

// Limits of a profile's selection.
const maxProfileIDs = MaxCatalogControls

// ReadProfile reads an OSCAL profile (a baseline such as NIST's LOW or
// FedRAMP's MODERATE) against a catalog imported before (base): the new
// framework holds the controls the profile includes, in the catalog's
// order and with their text, and the parameter values and constraints
// the profile sets. The profile's own import href is not followed: base
// stands for the catalog it imports, and every control it names must be
// in base. The document must be valid against NIST's schema.
func ReadProfile(src []byte, base store.Framework, id string) (store.Framework, error) {
	var f store.Framework
	raw, head, err := readModel(src, "profile", "frameworks.profile.not_profile")
	if err != nil {
		return f, err
	}
	var prof struct {
		Imports []struct {
			IncludeAll      *struct{} `json:"include-all"`
			IncludeControls []struct {
				WithIDs []string `json:"with-ids"`
			} `json:"include-controls"`
			ExcludeControls []struct {
				WithIDs []string `json:"with-ids"`
			} `json:"exclude-controls"`
		} `json:"imports"`
		Modify struct {
			SetParameters []struct {
				ParamID     string      `json:"param-id"`
				Label       string      `json:"label"`
				Values      []string    `json:"values"`
				Constraints constraints `json:"constraints"`
			} `json:"set-parameters"`
		} `json:"modify"`
	}
	if err := json.Unmarshal(raw, &prof); err != nil {
		return f, fail("report.oscal.import.invalid", "detail", err.Error())
	}
	inBase := map[string]bool{}
	for _, c := range base.Controls {
		inBase[c.ID] = true
	}
	include, exclude := map[string]bool{}, map[string]bool{}
	all := false
	var missing []string
	n := 0
	for _, im := range prof.Imports {
		all = all || im.IncludeAll != nil
		for _, sel := range im.IncludeControls {
			for _, x := range sel.WithIDs {
				if n++; n > maxProfileIDs {
					return f, fail("report.oscal.import.too_many", "max", maxProfileIDs)
				}
				if !inBase[x] {
					missing = append(missing, x)
				}
				include[x] = true
			}
		}
		for _, sel := range im.ExcludeControls {
			for _, x := range sel.WithIDs {
				exclude[x] = true
			}
		}
	}
	if len(missing) > 0 {
		total, more := len(missing), ""
		if len(missing) > 10 {
			more = " …"
			missing = missing[:10]
		}
		return f, fail("frameworks.profile.missing", "n", total, "ids", strings.Join(missing, ", ")+more, "base", base.ID)
	}
	type setParam struct {
		label      string
		values     []string
		constraint string
	}
	sets := map[string]setParam{}
	for _, sp := range prof.Modify.SetParameters {
		sets[sp.ParamID] = setParam{label: sp.Label, values: sp.Values, constraint: sp.Constraints.text()}
	}
	f = store.Framework{ID: id, Title: head.Metadata.Title, Version: head.Metadata.Version, OSCALVersion: head.Metadata.OSCALVersion, SourceUUID: head.UUID}
	for _, c := range base.Controls {
		if !(all || include[c.ID]) || exclude[c.ID] {
			continue
		}
		c.Params = append([]store.FrameworkParam(nil), c.Params...)
		for i, p := range c.Params {
			if sp, ok := sets[p.ID]; ok {
				if sp.label != "" {
					p.Label = sp.label
				}
				if len(sp.values) > 0 {
					p.Values = sp.values
				}
				if sp.constraint != "" {
					p.Constraint = sp.constraint
				}
				c.Params[i] = p
			}
		}
		f.Controls = append(f.Controls, c)
	}
	if !slices.ContainsFunc(f.Controls, store.FrameworkControl.InSoA) {
		return store.Framework{}, fail("report.oscal.import.no_controls")
	}
	return f, nil
}
