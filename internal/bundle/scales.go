package bundle

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/isms"
)

// Values on the risk criteria's scales (a risk's likelihood, impact,
// threat and vulnerability, before and after treatment; an asset's
// confidentiality, integrity and availability on the asset value scale)
// must be levels of those scales. The decoder of one item does not know
// the organization's criteria; a save checks the item against them with
// CheckScales, so that an impossible value is refused where it is typed
// instead of being found later by the rules.

// ScaleOf names the scale a field of an item kind takes its values from
// ("" when the field is not on a scale). path is the field's path within
// the item: likelihood, residual.asset_value, confidentiality.
func ScaleOf(kind, path string) string {
	switch kind {
	case KindRisks:
		switch path {
		case "likelihood", "impact", "threat", "vulnerability",
			"residual.likelihood", "residual.impact", "residual.threat", "residual.vulnerability":
			return lastSeg(path)
		case "residual.asset_value":
			return isms.FactorAssetValue
		}
	case KindAssets:
		switch path {
		case "confidentiality", "integrity", "availability":
			return isms.FactorAssetValue
		}
	}
	return ""
}

func lastSeg(path string) string { return path[strings.LastIndexByte(path, '.')+1:] }

// KindRisks and KindAssets are the kinds whose values sit on scales.
const (
	KindRisks  = "risks"
	KindAssets = "assets"
)

var scaledFields = map[string][]string{
	KindRisks: {"likelihood", "impact", "threat", "vulnerability", "residual.likelihood", "residual.impact",
		"residual.threat", "residual.vulnerability", "residual.asset_value"},
	KindAssets: {"confidentiality", "integrity", "availability"},
}

// CheckScales reports the values of an item (its JSON as DecodeItem
// accepted it) that are not levels of the criteria's scales: a number
// outside 1..max, or text where the method multiplies the factor. A
// factor whose scale the criteria do not define is not checked.
func CheckScales(kind string, data []byte, c isms.RiskCriteria) Errors {
	fields, ok := scaledFields[kind]
	if !ok {
		return nil
	}
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		return nil // DecodeItem judged the shape
	}
	multiplied := map[string]bool{}
	for _, f := range c.Factors() {
		multiplied[f] = true
	}
	var errs Errors
	for _, path := range fields {
		v, ok := lookup(m, path)
		if !ok {
			continue
		}
		scale := ScaleOf(kind, path)
		max := ScaleMax(kind, scale, c)
		if max == 0 {
			continue
		}
		full := kind + "." + path
		switch x := v.(type) {
		case json.Number:
			n, err := strconv.Atoi(x.String())
			if err != nil || n < 1 || n > max {
				errs = append(errs, Problem{Path: full, Msg: i18n.M("bundle.out_of_scale", "field", lastSeg(path), "value", x.String(), "max", max)})
			}
		case string:
			if multiplied[scale] {
				errs = append(errs, Problem{Path: full, Msg: i18n.M("bundle.not_a_level", "field", lastSeg(path), "max", max)})
			}
		}
	}
	return errs
}

func lookup(m map[string]any, path string) (any, bool) {
	cur := m
	for {
		head, rest, more := strings.Cut(path, ".")
		v, ok := cur[head]
		if !ok || !more {
			return v, ok
		}
		cur, ok = v.(map[string]any)
		if !ok {
			return nil, false
		}
		path = rest
	}
}

// DefaultAssetScale is the asset value scale where the criteria define
// none (spec: confidentiality, integrity and availability are 1..3 by
// default).
const DefaultAssetScale = 3

// ScaleMax is the highest level of a scale for a kind's values: the
// criteria's, or for an asset's values the default scale.
func ScaleMax(kind, scale string, c isms.RiskCriteria) int {
	if n := c.Max(scale); n > 0 || kind != KindAssets {
		return n
	}
	return DefaultAssetScale
}

// CriteriaOf reads stored risk criteria JSON (as DecodeItem accepted it).
func CriteriaOf(data []byte) isms.RiskCriteria {
	var raw struct {
		Method string `json:"method"`
		Scales map[string][]struct {
			Level int    `json:"level"`
			Label string `json:"label"`
		} `json:"scales"`
		Acceptance   int  `json:"acceptance"`
		Reassessment *int `json:"reassessment_interval_days"`
	}
	json.Unmarshal(data, &raw)
	c := isms.RiskCriteria{Method: raw.Method, Acceptance: raw.Acceptance, ReassessmentIntervalDays: raw.Reassessment, Scales: map[string][]isms.ScaleLevel{}}
	for f, ls := range raw.Scales {
		for _, l := range ls {
			c.Scales[f] = append(c.Scales[f], isms.ScaleLevel{Level: l.Level, Label: l.Label})
		}
	}
	return c
}
