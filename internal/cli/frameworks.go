package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/library"
	"github.com/cloudisms/cloudisms/internal/store"
)

// runFrameworks imports frameworks from CISO Assistant's libraries and
// lists an organization's imported frameworks:
//
//	frameworks import-library FILE.yaml --org ID [--id NAME]
//	frameworks list --org ID
//
// A library holding a framework becomes a framework (its id from --id, or
// its reference id); a library of mapping sets to ISO/IEC 27001:2022
// adds them to the framework --id names.
func runFrameworks(e *env, args []string) int {
	subs := []string{"import-library", "list"}
	if len(args) == 0 || !contains(subs, args[0]) {
		e.errorf("report.cli.format", "allowed", strings.Join(subs, ", "))
		return exitInvalid
	}
	sub := args[0]
	fs, lang := e.flags("frameworks " + sub)
	sf := e.addStoreFlags(fs)
	org := fs.String("org", "", "ID")
	id := fs.String("id", "", "NAME")
	pos, ok := e.parse(fs, lang, args[1:])
	if !ok {
		return exitInvalid
	}
	if sub == "list" {
		if len(pos) > 0 {
			e.errorf("cli.no_args", "command", "frameworks list")
			return exitInvalid
		}
		return runOSCAL(e, append([]string{"frameworks"}, args[1:]...))
	}
	file, ok := e.oneFile("frameworks import-library", pos)
	if !ok || !e.needOrg(*org) {
		return exitInvalid
	}
	if *id != "" && !frameworkID.MatchString(*id) {
		e.errorf("report.cli.bad_framework_id", "id", *id)
		return exitInvalid
	}
	src, err := readBounded(e, file, library.MaxBytes)
	if err != nil {
		e.errorf("cli.read", "file", file, "detail", err.Error())
		return exitInvalid
	}
	lib, err := library.Read(src, *id)
	var le *library.Error
	if errors.As(err, &le) {
		e.errorf("frameworks.cli.failed", "file", file, "detail", le.In(e.lang))
		return exitInvalid
	}
	if err != nil {
		e.errorf("report.cli.failed", "detail", err.Error())
		return exitInvalid
	}
	if lib.Framework != nil && *id == "" {
		lib.Framework.ID = library.DefaultID(lib)
	}
	if lib.Framework == nil && *id == "" {
		e.errorf("frameworks.cli.need_id", "file", file)
		return exitInvalid
	}
	s, ok := e.openStore(sf)
	if !ok {
		return exitInvalid
	}
	defer s.Close()
	var existing *store.Framework
	if lib.Framework == nil {
		fw, err := s.Framework(e.ctx, *org, *id)
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			e.errorf("report.cli.failed", "detail", err.Error())
			return exitInvalid
		default:
			existing = &fw
		}
	}
	fw, mapped, err := library.Framework(lib, existing)
	if errors.As(err, &le) {
		e.errorf("frameworks.cli.failed", "file", file, "detail", le.In(e.lang))
		return exitInvalid
	}
	if err := s.PutFramework(e.ctx, *org, fw, e.actor()); err != nil {
		e.errorf("report.cli.failed", "detail", err.Error())
		return exitInvalid
	}
	rows := 0
	for _, c := range fw.Controls {
		if c.InSoA() {
			rows++
		}
	}
	fmt.Fprintln(e.stdout, i18n.M("frameworks.cli.imported", "id", fw.ID, "title", fw.Title, "n", rows, "mapped", mapped, "org", *org).In(e.lang))
	return exitOK
}

// readBounded reads a file ("-": standard input) of at most max bytes.
func readBounded(e *env, path string, max int64) ([]byte, error) {
	var r io.Reader = e.stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("larger than %d bytes", max)
	}
	return b, nil
}
