// Package oscal writes an organization's ISMS as NIST OSCAL JSON documents
// (catalogs, system security plans, assessment results, plans of action
// and milestones) and reads an OSCAL catalog as an additional framework.
// Only the parts of OSCAL that cloudisms has data for are modelled.
package oscal

import (
	"crypto/sha1"
	"fmt"
)

// Versions of OSCAL this package writes; the default first.
const (
	V113 = "1.1.3"
	V122 = "1.2.2"
)

// Versions lists the OSCAL versions written.
var Versions = []string{V113, V122}

// NS qualifies the properties cloudisms adds to OSCAL's own.
const NS = "https://github.com/cloudisms/cloudisms/ns/oscal"

type Metadata struct {
	Title        string  `json:"title"`
	LastModified string  `json:"last-modified"`
	Version      string  `json:"version"`
	OSCALVersion string  `json:"oscal-version"`
	Props        []Prop  `json:"props,omitempty"`
	Roles        []Role  `json:"roles,omitempty"`
	Parties      []Party `json:"parties,omitempty"`
	// ResponsibleParties link each role to the parties that hold it.
	ResponsibleParties []ResponsibleParty `json:"responsible-parties,omitempty"`
	Remarks            string             `json:"remarks,omitempty"`
}

// Role is a role that users and responsible parties refer to by id.
type Role struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

// ResponsibleParty says which parties hold a role.
type ResponsibleParty struct {
	RoleID     string   `json:"role-id"`
	PartyUUIDs []string `json:"party-uuids"`
}

// BackMatter holds the resources a document cites (the profile and
// catalogs an SSP imports, embedded).
type BackMatter struct {
	Resources []Resource `json:"resources"`
}

// Resource is one back-matter resource: embedded content (base64) and
// where else it can be found (rlinks).
type Resource struct {
	UUID   string  `json:"uuid"`
	Title  string  `json:"title,omitempty"`
	RLinks []RLink `json:"rlinks,omitempty"`
	Base64 *Base64 `json:"base64,omitempty"`
}

type RLink struct {
	Href      string `json:"href"`
	MediaType string `json:"media-type,omitempty"`
}

type Base64 struct {
	Filename  string `json:"filename,omitempty"`
	MediaType string `json:"media-type,omitempty"`
	Value     string `json:"value"`
}

type Party struct {
	UUID string `json:"uuid"`
	Type string `json:"type"`
	Name string `json:"name,omitempty"`
}

type Prop struct {
	Name  string `json:"name"`
	NS    string `json:"ns,omitempty"`
	Value string `json:"value"`
	Class string `json:"class,omitempty"`
}

type Part struct {
	ID    string `json:"id,omitempty"`
	Name  string `json:"name"`
	Title string `json:"title,omitempty"`
	Prose string `json:"prose,omitempty"`
	Props []Prop `json:"props,omitempty"`
	Parts []Part `json:"parts,omitempty"`
}

// Catalog documents.

type CatalogDoc struct {
	Catalog Catalog `json:"catalog"`
}

type Catalog struct {
	UUID     string    `json:"uuid"`
	Metadata Metadata  `json:"metadata"`
	Groups   []Group   `json:"groups,omitempty"`
	Controls []Control `json:"controls,omitempty"`
}

type Group struct {
	ID       string    `json:"id,omitempty"`
	Class    string    `json:"class,omitempty"`
	Title    string    `json:"title"`
	Props    []Prop    `json:"props,omitempty"`
	Parts    []Part    `json:"parts,omitempty"`
	Groups   []Group   `json:"groups,omitempty"`
	Controls []Control `json:"controls,omitempty"`
}

type Control struct {
	ID       string    `json:"id"`
	Class    string    `json:"class,omitempty"`
	Title    string    `json:"title"`
	Params   []Param   `json:"params,omitempty"`
	Props    []Prop    `json:"props,omitempty"`
	Links    []Link    `json:"links,omitempty"`
	Parts    []Part    `json:"parts,omitempty"`
	Controls []Control `json:"controls,omitempty"`
}

// Param is a control's parameter: what it asks for (label) or the
// choices it offers.
type Param struct {
	ID     string  `json:"id"`
	Label  string  `json:"label,omitempty"`
	Select *Select `json:"select,omitempty"`
}

type Select struct {
	HowMany string   `json:"how-many,omitempty"`
	Choice  []string `json:"choice,omitempty"`
}

type Link struct {
	Href string `json:"href"`
	Rel  string `json:"rel,omitempty"`
}

// SetParameter is the value an organization gives a parameter in its plan.
type SetParameter struct {
	ParamID string   `json:"param-id"`
	Values  []string `json:"values"`
}

// System security plans.

type SSPDoc struct {
	SSP SSP `json:"system-security-plan"`
}

type SSP struct {
	UUID                  string                `json:"uuid"`
	Metadata              Metadata              `json:"metadata"`
	ImportProfile         Href                  `json:"import-profile"`
	SystemCharacteristics SystemCharacteristics `json:"system-characteristics"`
	SystemImplementation  SystemImplementation  `json:"system-implementation"`
	ControlImplementation ControlImplementation `json:"control-implementation"`
	BackMatter            *BackMatter           `json:"back-matter,omitempty"`
}

type Href struct {
	Href    string `json:"href"`
	Remarks string `json:"remarks,omitempty"`
}

type SystemCharacteristics struct {
	SystemIDs             []SystemID        `json:"system-ids"`
	SystemName            string            `json:"system-name"`
	Description           string            `json:"description"`
	Props                 []Prop            `json:"props,omitempty"`
	SystemInformation     SystemInformation `json:"system-information"`
	Status                Status            `json:"status"`
	AuthorizationBoundary Description       `json:"authorization-boundary"`
}

type SystemID struct {
	IdentifierType string `json:"identifier-type,omitempty"`
	ID             string `json:"id"`
}

type SystemInformation struct {
	InformationTypes []InformationType `json:"information-types"`
}

type InformationType struct {
	UUID        string `json:"uuid,omitempty"`
	Title       string `json:"title"`
	Description string `json:"description"`
}

type Status struct {
	State   string `json:"state"`
	Remarks string `json:"remarks,omitempty"`
}

type Description struct {
	Description string `json:"description"`
}

type SystemImplementation struct {
	Users      []User      `json:"users"`
	Components []Component `json:"components"`
}

type User struct {
	UUID    string   `json:"uuid"`
	Title   string   `json:"title,omitempty"`
	RoleIDs []string `json:"role-ids,omitempty"`
}

type Component struct {
	UUID        string `json:"uuid"`
	Type        string `json:"type"`
	Title       string `json:"title"`
	Description string `json:"description"`
	Props       []Prop `json:"props,omitempty"`
	Status      Status `json:"status"`
}

type ControlImplementation struct {
	Description             string                   `json:"description"`
	ImplementedRequirements []ImplementedRequirement `json:"implemented-requirements"`
}

type ImplementedRequirement struct {
	UUID          string         `json:"uuid"`
	ControlID     string         `json:"control-id"`
	Props         []Prop         `json:"props,omitempty"`
	SetParameters []SetParameter `json:"set-parameters,omitempty"`
	ByComponents  []ByComponent  `json:"by-components,omitempty"`
	Remarks       string         `json:"remarks,omitempty"`
}

type ByComponent struct {
	ComponentUUID        string      `json:"component-uuid"`
	UUID                 string      `json:"uuid"`
	Description          string      `json:"description"`
	ImplementationStatus *Status     `json:"implementation-status,omitempty"`
	Export               *Export     `json:"export,omitempty"`
	Inherited            []Inherited `json:"inherited,omitempty"`
	Satisfied            []Satisfied `json:"satisfied,omitempty"`
	Remarks              string      `json:"remarks,omitempty"`
	Props                []Prop      `json:"props,omitempty"`
}

type Export struct {
	Description      string           `json:"description,omitempty"`
	Provided         []Provided       `json:"provided,omitempty"`
	Responsibilities []Responsibility `json:"responsibilities,omitempty"`
}

type Provided struct {
	UUID        string `json:"uuid"`
	Description string `json:"description"`
}

type Responsibility struct {
	UUID         string `json:"uuid"`
	ProvidedUUID string `json:"provided-uuid,omitempty"`
	Description  string `json:"description"`
}

type Inherited struct {
	UUID         string `json:"uuid"`
	ProvidedUUID string `json:"provided-uuid,omitempty"`
	Description  string `json:"description"`
	Props        []Prop `json:"props,omitempty"`
}

type Satisfied struct {
	UUID               string `json:"uuid"`
	ResponsibilityUUID string `json:"responsibility-uuid,omitempty"`
	Description        string `json:"description"`
	Remarks            string `json:"remarks,omitempty"`
}

// Assessment results.

type ARDoc struct {
	AR AssessmentResults `json:"assessment-results"`
}

type AssessmentResults struct {
	UUID     string   `json:"uuid"`
	Metadata Metadata `json:"metadata"`
	ImportAP Href     `json:"import-ap"`
	Results  []Result `json:"results"`
}

type Result struct {
	UUID             string           `json:"uuid"`
	Title            string           `json:"title"`
	Description      string           `json:"description"`
	Start            string           `json:"start"`
	End              string           `json:"end,omitempty"`
	Props            []Prop           `json:"props,omitempty"`
	ReviewedControls ReviewedControls `json:"reviewed-controls"`
	Findings         []Finding        `json:"findings,omitempty"`
}

type ReviewedControls struct {
	ControlSelections []ControlSelection `json:"control-selections"`
}

type ControlSelection struct {
	Description     string          `json:"description,omitempty"`
	IncludeAll      *struct{}       `json:"include-all,omitempty"`
	IncludeControls []SelectControl `json:"include-controls,omitempty"`
}

type SelectControl struct {
	ControlID string `json:"control-id"`
}

type Finding struct {
	UUID        string        `json:"uuid"`
	Title       string        `json:"title"`
	Description string        `json:"description"`
	Props       []Prop        `json:"props,omitempty"`
	Target      FindingTarget `json:"target"`
	Remarks     string        `json:"remarks,omitempty"`
}

type FindingTarget struct {
	Type     string `json:"type"`
	TargetID string `json:"target-id"`
	Status   Status `json:"status"`
}

// Plans of action and milestones.

type POAMDoc struct {
	POAM POAM `json:"plan-of-action-and-milestones"`
}

type POAM struct {
	UUID      string     `json:"uuid"`
	Metadata  Metadata   `json:"metadata"`
	SystemID  *SystemID  `json:"system-id,omitempty"`
	POAMItems []POAMItem `json:"poam-items"`
}

type POAMItem struct {
	UUID        string `json:"uuid"`
	Title       string `json:"title"`
	Description string `json:"description"`
	Props       []Prop `json:"props,omitempty"`
	Remarks     string `json:"remarks,omitempty"`
}

// uuidNS is the namespace of the name-based (version 5) UUIDs cloudisms
// gives OSCAL objects, so that the same thing keeps its UUID across exports.
var uuidNS = [16]byte{0x6b, 0x1f, 0x0d, 0x53, 0x3c, 0x7e, 0x4a, 0x61, 0x9d, 0x4e, 0x2a, 0x0c, 0x55, 0x8e, 0x11, 0x7f}

// UUID is the version 5 UUID of a name (RFC 9562).
func UUID(name string) string {
	h := sha1.New()
	h.Write(uuidNS[:])
	h.Write([]byte(name))
	s := h.Sum(nil)
	s[6] = (s[6] & 0x0f) | 0x50
	s[8] = (s[8] & 0x3f) | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", s[0:4], s[4:6], s[6:8], s[8:10], s[10:16])
}
