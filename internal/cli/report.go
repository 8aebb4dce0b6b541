package cli

import (
	"bytes"
	"fmt"
	"os"

	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/report"
)

// runReport writes reports of an organization from the store:
// report xlsx --org ID --kind K [--service ID] [--out FILE].
func runReport(e *env, args []string) int {
	if len(args) == 0 || args[0] != "xlsx" {
		e.errorf("report.cli.format", "allowed", "xlsx")
		return exitInvalid
	}
	fs, lang := e.flags("report")
	sf := e.addStoreFlags(fs)
	org := fs.String("org", "", "ID")
	kind := fs.String("kind", report.KindAll, "KIND")
	service := fs.String("service", "", "ID")
	out := fs.String("out", "", "FILE")
	pos, ok := e.parse(fs, lang, args[1:])
	if !ok || !e.needOrg(*org) || !e.oneOf("--kind", *kind, report.Kinds...) {
		return exitInvalid
	}
	if len(pos) > 0 {
		e.errorf("cli.no_args", "command", "report xlsx")
		return exitInvalid
	}
	s, ok := e.openStore(sf)
	if !ok {
		return exitInvalid
	}
	defer s.Close()
	m, head, err := s.ISMSAt(e.ctx, *org)
	if err != nil {
		e.errorf("report.cli.failed", "detail", err.Error())
		return exitInvalid
	}
	var buf bytes.Buffer
	err = report.Write(&buf, m, *kind, report.Options{Lang: e.lang, Service: *service, Date: isms.DateOf(e.now()),
		Version: i18n.M("report.version_head", "pos", head).In(e.lang)})
	if err != nil {
		e.errorf("report.cli.failed", "detail", err.Error())
		return exitInvalid
	}
	name := *out
	if name == "" {
		name = report.Filename(*org, *kind, *service)
	}
	if name == "-" {
		if _, err := e.stdout.Write(buf.Bytes()); err != nil {
			e.errorf("report.cli.failed", "detail", err.Error())
			return exitInvalid
		}
		return exitOK
	}
	if err := os.WriteFile(name, buf.Bytes(), 0o644); err != nil {
		e.errorf("report.cli.failed", "detail", err.Error())
		return exitInvalid
	}
	fmt.Fprintln(e.stdout, i18n.M("report.cli.wrote", "file", name, "bytes", buf.Len()).In(e.lang))
	return exitOK
}
