package cli

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"regexp"
	"strings"

	"github.com/cloudisms/cloudisms/internal/catalog"
	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/oscal"
	"github.com/cloudisms/cloudisms/internal/store"
)

// FrameworkIDPattern is what an imported framework may be called.
var frameworkID = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,47}$`)

// runOSCAL writes OSCAL documents and imports OSCAL catalogs:
//
//	oscal catalog --framework F
//	oscal ssp --org ID [--soa organization|SERVICE:ROLE]
//	oscal assessment-results --org ID
//	oscal poam --org ID
//	oscal import-catalog FILE --org ID --id NAME
//	oscal import-profile FILE --org ID --id NAME --catalog BASE
//	oscal frameworks --org ID
func runOSCAL(e *env, args []string) int {
	subs := []string{"catalog", "ssp", "assessment-results", "poam", "import-catalog", "import-profile", "frameworks"}
	if len(args) == 0 || !contains(subs, args[0]) {
		e.errorf("report.cli.format", "allowed", strings.Join(subs, ", "))
		return exitInvalid
	}
	sub := args[0]
	fs, lang := e.flags("oscal " + sub)
	sf := e.addStoreFlags(fs)
	org := fs.String("org", "", "ID")
	framework := fs.String("framework", catalog.ISO27001v2022, "F")
	soa := fs.String("soa", "organization", "KEY")
	version := fs.String("oscal-version", oscal.V113, "V")
	id := fs.String("id", "", "NAME")
	base := fs.String("catalog", "", "ID")
	out := fs.String("out", "", "FILE")
	pos, ok := e.parse(fs, lang, args[1:])
	if !ok || !e.oneOf("--oscal-version", *version, oscal.Versions...) {
		return exitInvalid
	}
	if sub == "import-catalog" || sub == "import-profile" {
		return e.importCatalog(sf, pos, *org, *id, *base, sub == "import-profile")
	}
	if len(pos) > 0 {
		e.errorf("cli.no_args", "command", "oscal "+sub)
		return exitInvalid
	}
	o := oscal.Options{Lang: e.lang, OSCALVersion: *version, Now: e.now()}
	if sub == "catalog" {
		if !e.oneOf("--framework", *framework, catalog.ISO27001v2022, catalog.ISO27001v2013, catalog.ISO27017) {
			return exitInvalid
		}
		doc, err := oscal.CatalogOf(*framework, o)
		return e.writeOSCAL(doc, err, *version, *out)
	}
	if !e.needOrg(*org) {
		return exitInvalid
	}
	s, ok := e.openStore(sf)
	if !ok {
		return exitInvalid
	}
	defer s.Close()
	if sub == "frameworks" {
		list, err := s.Frameworks(e.ctx, *org)
		if err != nil {
			e.errorf("report.cli.failed", "detail", err.Error())
			return exitInvalid
		}
		for _, f := range list {
			fmt.Fprintf(e.stdout, "%s\t%s\t%s\t%s\n", f.ID, f.Title, f.Version, f.ImportedAt)
		}
		return exitOK
	}
	m, head, err := s.ISMSAt(e.ctx, *org)
	if err != nil {
		e.errorf("report.cli.failed", "detail", err.Error())
		return exitInvalid
	}
	o.Version = fmt.Sprint(head)
	var doc any
	switch sub {
	case "ssp":
		// --framework names an imported framework: its plan, not the
		// ISO SoA's (the flag was once ignored here).
		frameworkSet := false
		fs.Visit(func(f *flag.Flag) { frameworkSet = frameworkSet || f.Name == "framework" })
		if frameworkSet && !contains(catalog.Frameworks, *framework) {
			fw, err := s.Framework(e.ctx, *org, *framework)
			if errors.Is(err, store.ErrNotFound) {
				e.errorf("docs13.oscal.no_framework", "id", *framework, "org", *org)
				return exitInvalid
			}
			if err != nil {
				e.errorf("report.cli.failed", "detail", err.Error())
				return exitInvalid
			}
			rows, err := s.FrameworkRows(e.ctx, *org, *framework)
			if err != nil {
				e.errorf("report.cli.failed", "detail", err.Error())
				return exitInvalid
			}
			return e.writeOSCAL(oscal.FrameworkSSP(m, fw, rows, o), nil, *version, *out)
		}
		if frameworkSet && *framework != m.Organization.AnnexA && *framework != catalog.ISO27017 {
			e.errorf("docs13.oscal.other_edition", "framework", *framework, "edition", m.Organization.AnnexA)
			return exitInvalid
		}
		v, found := findSoA(m, *soa)
		if !found {
			e.errorf("report.cli.no_soa", "soa", *soa)
			return exitInvalid
		}
		doc = oscal.SSPOf(m, v, o)
	case "assessment-results":
		doc, err = oscal.AssessmentResultsOf(m, o)
	case "poam":
		doc, err = oscal.POAMOf(m, o)
	}
	return e.writeOSCAL(doc, err, *version, *out)
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// findSoA finds an SoA by its bundle key: organization or service:role.
func findSoA(m *isms.ISMS, key string) (isms.SoAView, bool) {
	for _, v := range isms.SoAViews(m) {
		k := "organization"
		if v.Service != "" {
			k = v.Service + ":" + v.Role
		}
		if k == key {
			return v, true
		}
	}
	return isms.SoAView{}, false
}

func (e *env) writeOSCAL(doc any, err error, version, out string) int {
	if err != nil {
		e.errorf("report.cli.failed", "detail", err.Error())
		return exitInvalid
	}
	b, err := oscal.Encode(doc, version)
	if err != nil {
		e.errorf("report.cli.failed", "detail", err.Error())
		return exitInvalid
	}
	if out == "" || out == "-" {
		e.stdout.Write(b)
		return exitOK
	}
	if err := os.WriteFile(out, b, 0o644); err != nil {
		e.errorf("report.cli.failed", "detail", err.Error())
		return exitInvalid
	}
	fmt.Fprintln(e.stdout, i18n.M("report.cli.wrote", "file", out, "bytes", len(b)).In(e.lang))
	return exitOK
}

func (e *env) importCatalog(sf storeFlags, pos []string, org, id, base string, profile bool) int {
	cmd := "oscal import-catalog"
	if profile {
		cmd = "oscal import-profile"
	}
	file, ok := e.oneFile(cmd, pos)
	if !ok || !e.needOrg(org) {
		return exitInvalid
	}
	if !frameworkID.MatchString(id) {
		e.errorf("report.cli.bad_framework_id", "id", id)
		return exitInvalid
	}
	if profile && base == "" {
		e.errorf("frameworks.profile.need_catalog")
		return exitInvalid
	}
	src, err := readBounded(e, file, oscal.MaxCatalogBytes)
	if err != nil {
		e.errorf("cli.read", "file", file, "detail", err.Error())
		return exitInvalid
	}
	s, ok := e.openStore(sf)
	if !ok {
		return exitInvalid
	}
	defer s.Close()
	var f store.Framework
	if profile {
		b, err := s.Framework(e.ctx, org, base)
		if errors.Is(err, store.ErrNotFound) {
			e.errorf("docs13.oscal.no_framework", "id", base, "org", org)
			return exitInvalid
		}
		if err != nil {
			e.errorf("report.cli.failed", "detail", err.Error())
			return exitInvalid
		}
		f, err = oscal.ReadProfile(src, b, id)
	} else {
		f, err = oscal.ReadCatalog(src, id)
	}
	var ie *oscal.ImportError
	if errors.As(err, &ie) {
		e.errorf("report.cli.import_catalog_failed", "file", file, "detail", ie.In(e.lang))
		return exitInvalid
	}
	if err != nil {
		e.errorf("report.cli.failed", "detail", err.Error())
		return exitInvalid
	}
	if err := s.PutFramework(e.ctx, org, f, e.actor()); err != nil {
		e.errorf("report.cli.failed", "detail", err.Error())
		return exitInvalid
	}
	fmt.Fprintln(e.stdout, i18n.M("report.cli.imported_catalog", "id", id, "n", len(f.Controls), "org", org).In(e.lang))
	return exitOK
}
