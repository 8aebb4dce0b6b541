package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/store/blob"
)

// storeFlags adds the flags that say where the store is: --data (SQLite)
// and --database (a postgres:// URL), defaulting to CLOUDISMS_DATA and
// CLOUDISMS_DATABASE, and where the evidence files are: --evidence (a
// directory, by default DATA/evidence, or s3://BUCKET/PREFIX), defaulting
// to CLOUDISMS_EVIDENCE, with the bucket's endpoint and region.
type storeFlags struct {
	data, database, evidence *string
	s3                       s3Flags
}

// s3Flags say how to reach a bucket; the credentials come from the
// environment only (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
// AWS_SESSION_TOKEN), never from the command line, where other users of
// the machine could read them.
type s3Flags struct {
	endpoint, region *string
}

func (e *env) addS3Flags(fs *flag.FlagSet) s3Flags {
	c := blob.S3Env(e.getenv)
	return s3Flags{
		endpoint: fs.String("s3-endpoint", c.Endpoint, "URL"),
		region:   fs.String("s3-region", c.Region, "REGION"),
	}
}

// bucket opens the bucket of an s3://BUCKET/PATH URL, with PATH as the
// prefix of every key.
func (e *env) bucket(f s3Flags, raw string) (*blob.S3, string, error) {
	bucket, path, err := blob.ParseS3URL(raw)
	if err != nil {
		return nil, "", err
	}
	c := blob.S3Env(e.getenv)
	c.Endpoint, c.Region, c.Bucket = *f.endpoint, *f.region, bucket
	c.PathStyle = blob.PathStyle(e.getenv, c.Endpoint)
	b, err := blob.NewS3(c)
	return b, path, err
}

func (e *env) addStoreFlags(fs *flag.FlagSet) storeFlags {
	data := e.getenv("CLOUDISMS_DATA")
	if data == "" {
		data = "./data"
	}
	return storeFlags{
		data:     fs.String("data", data, "DIR"),
		database: fs.String("database", e.getenv("CLOUDISMS_DATABASE"), "postgres://…"),
		evidence: fs.String("evidence", e.getenv("CLOUDISMS_EVIDENCE"), "DIR|s3://BUCKET/PREFIX"),
		s3:       e.addS3Flags(fs),
	}
}

// objects is where the evidence files are, when not the default.
func (e *env) objects(f storeFlags) (blob.Store, error) {
	switch ev := *f.evidence; {
	case ev == "":
		return nil, nil
	case strings.HasPrefix(ev, "s3://"):
		b, prefix, err := e.bucket(f.s3, ev)
		if err != nil {
			return nil, err
		}
		c := b.Config()
		c.Prefix = prefix
		return blob.NewS3(c)
	case strings.Contains(ev, "://"):
		return nil, fmt.Errorf("--evidence %q: expected a directory or s3://BUCKET/PREFIX", ev)
	default:
		return blob.NewDir(ev), nil
	}
}

// openStore opens the database and, when the evidence files are elsewhere
// than the default directory, checks at once that their store can be
// reached, read and written with the credentials given: a wrong key or an
// unreachable bucket stops the command here with a clear message, not at
// the first upload.
func (e *env) openStore(f storeFlags) (*store.Store, bool) {
	objects, err := e.objects(f)
	if err != nil {
		e.errorf("s3.evidence_store", "store", *f.evidence, "detail", err.Error())
		return nil, false
	}
	var opts []store.Option
	if objects != nil {
		ctx, cancel := context.WithTimeout(e.ctx, 30*time.Second)
		err := objects.Check(ctx)
		cancel()
		if err != nil {
			e.errorf("s3.evidence_store", "store", objects.String(), "detail", err.Error())
			return nil, false
		}
		opts = append(opts, store.WithEvidence(objects))
	}
	s, err := store.Open(e.ctx, *f.database, *f.data, opts...)
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
	m, src, ok := e.loadSource(file)
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
	var errs bundle.Errors
	if errors.As(err, &errs) {
		// Evidence files the organization has not uploaded (evidence add
		// brings them).
		e.printProblems(bundle.PlaceEvidence(errs, file, src))
		return exitInvalid
	}
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
