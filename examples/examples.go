// Package examples embeds the sample bundles, so that serve --demo works
// from the binary alone.
package examples

import _ "embed"

// SaaS is the sample of a SaaS provider built on an IaaS it uses
// (2022 Annex A, likelihood × impact); it checks clean as of 2026-11-01.
//
//go:embed sample-saas.yaml
var SaaS []byte
