package cli

import (
	"flag"
	"fmt"

	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/store"
)

// storeFlags adds the flags that say where the store is: --data (SQLite)
// and --database (a postgres:// URL), defaulting to CLOUDISMS_DATA and
// CLOUDISMS_DATABASE.
type storeFlags struct {
	data, database *string
}

func (e *env) addStoreFlags(fs *flag.FlagSet) storeFlags {
	data := e.getenv("CLOUDISMS_DATA")
	if data == "" {
		data = "./data"
	}
	return storeFlags{
		data:     fs.String("data", data, "DIR"),
		database: fs.String("database", e.getenv("CLOUDISMS_DATABASE"), "postgres://…"),
	}
}

func (e *env) openStore(f storeFlags) (*store.Store, bool) {
	s, err := store.Open(e.ctx, *f.database, *f.data)
	if err != nil {
		e.errorf("cli.store", "detail", err.Error())
		return nil, false
	}
	return s, true
}

// actor names who runs a CLI command in the history.
func (e *env) actor() string {
	if u := e.getenv("USER"); u != "" {
		return "cli:" + u
	}
	return "cli"
}

func runMigrate(e *env, args []string) int {
	fs, lang := e.flags("migrate")
	sf := e.addStoreFlags(fs)
	if _, ok := e.parse(fs, lang, args); !ok {
		return exitInvalid
	}
	s, ok := e.openStore(sf)
	if !ok {
		return exitInvalid
	}
	defer s.Close()
	fmt.Fprintln(e.stdout, i18n.M("cli.migrated", "db", s.Dialect()).In(e.lang))
	return exitOK
}

func runImport(e *env, args []string) int {
	fs, lang := e.flags("import")
	sf := e.addStoreFlags(fs)
	org := fs.String("org", "", "ID")
	pos, ok := e.parse(fs, lang, args)
	if !ok {
		return exitInvalid
	}
	file, ok := e.oneFile("import", pos)
	if !ok || !e.needOrg(*org) {
		return exitInvalid
	}
	m, ok := e.load(file)
	if !ok {
		return exitInvalid
	}
	s, ok := e.openStore(sf)
	if !ok {
		return exitInvalid
	}
	defer s.Close()
	bar := e.progress("ops.progress_import")
	res, err := s.ImportProgress(e.ctx, *org, m, e.actor(), bar.Update)
	bar.Done()
	if err != nil {
		e.errorf("cli.import_failed", "org", *org, "detail", err.Error())
		return exitInvalid
	}
	fmt.Fprintln(e.stdout, i18n.M("cli.imported", "org", *org, "created", res.Created, "updated", res.Updated,
		"deleted", res.Deleted, "unchanged", res.Unchanged).In(e.lang))
	return exitOK
}

func (e *env) needOrg(org string) bool {
	if org == "" {
		e.errorf("cli.need_org")
		return false
	}
	return true
}

func runExport(e *env, args []string) int {
	fs, lang := e.flags("export")
	sf := e.addStoreFlags(fs)
	org := fs.String("org", "", "ID")
	out := fs.String("o", "", "FILE")
	pos, ok := e.parse(fs, lang, args)
	if !ok || !e.needOrg(*org) {
		return exitInvalid
	}
	if len(pos) > 0 {
		e.errorf("cli.no_args", "command", "export")
		return exitInvalid
	}
	s, ok := e.openStore(sf)
	if !ok {
		return exitInvalid
	}
	defer s.Close()
	bar := e.progress("ops.progress_export")
	b, err := s.ExportProgress(e.ctx, *org, bar.Update)
	bar.Done()
	if err != nil {
		e.errorf("cli.export_failed", "org", *org, "detail", err.Error())
		return exitInvalid
	}
	if *out == "" {
		e.stdout.Write(b)
		return exitOK
	}
	if err := writeFileAtomic(*out, b); err != nil {
		e.errorf("cli.write", "file", *out, "detail", err.Error())
		return exitInvalid
	}
	return exitOK
}

// loadFrom reads the ISMS from FILE, or from the store with --org.
func (e *env) loadFrom(cmd string, pos []string, org string, sf storeFlags) (*isms.ISMS, bool) {
	if org == "" {
		file, ok := e.oneFile(cmd, pos)
		if !ok {
			return nil, false
		}
		return e.load(file)
	}
	if len(pos) > 0 {
		e.errorf("cli.file_or_org", "command", cmd)
		return nil, false
	}
	s, ok := e.openStore(sf)
	if !ok {
		return nil, false
	}
	defer s.Close()
	m, err := s.ISMS(e.ctx, org)
	if err != nil {
		e.errorf("cli.export_failed", "org", org, "detail", err.Error())
		return nil, false
	}
	return m, true
}

func runOrg(e *env, args []string) int {
	if len(args) == 0 || (args[0] != "add" && args[0] != "list") {
		e.errorf("cli.subcommand", "command", "org", "allowed", "add, list")
		return exitInvalid
	}
	fs, lang := e.flags("org " + args[0])
	sf := e.addStoreFlags(fs)
	name := fs.String("name", "", "NAME")
	pos, ok := e.parse(fs, lang, args[1:])
	if !ok {
		return exitInvalid
	}
	s, ok := e.openStore(sf)
	if !ok {
		return exitInvalid
	}
	defer s.Close()
	if args[0] == "list" {
		orgs, err := s.Orgs(e.ctx)
		if err != nil {
			e.errorf("cli.store", "detail", err.Error())
			return exitInvalid
		}
		var rows [][]string
		for _, o := range orgs {
			rows = append(rows, []string{o.ID, o.Name, o.CreatedAt})
		}
		writeTable(e.stdout, rows, false)
		return exitOK
	}
	if len(pos) != 1 || !idOK(pos[0]) {
		e.errorf("cli.org_id")
		return exitInvalid
	}
	if *name == "" {
		*name = pos[0]
	}
	if err := s.CreateOrg(e.ctx, pos[0], *name); err != nil {
		e.errorf("cli.store", "detail", err.Error())
		return exitInvalid
	}
	return exitOK
}

func idOK(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

func runHistory(e *env, args []string) int {
	if len(args) == 0 || args[0] != "verify" {
		e.errorf("cli.subcommand", "command", "history", "allowed", "verify")
		return exitInvalid
	}
	fs, lang := e.flags("history verify")
	sf := e.addStoreFlags(fs)
	if _, ok := e.parse(fs, lang, args[1:]); !ok {
		return exitInvalid
	}
	s, ok := e.openStore(sf)
	if !ok {
		return exitInvalid
	}
	defer s.Close()
	broken, n, err := s.VerifyHistory(e.ctx)
	if err != nil {
		e.errorf("cli.store", "detail", err.Error())
		return exitInvalid
	}
	if broken != nil {
		fmt.Fprintln(e.stdout, i18n.M("cli.history_broken", "org", broken.Org, "n", broken.N, "reason", broken.Reason).In(e.lang))
		return exitFindings
	}
	fmt.Fprintln(e.stdout, i18n.M("cli.history_ok", "n", n).In(e.lang))
	return exitOK
}
