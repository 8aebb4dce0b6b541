// Package cli holds the cloudisms subcommands. Run is the whole program
// behind main, so tests drive it with arguments, environment and buffers.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/isms"
)

// Exit statuses shared by every command.
const (
	exitOK       = 0
	exitFindings = 1 // check: at least one error finding
	exitInvalid  = 2 // the input could not be read, or the command line is wrong
)

// env is what a command sees of the world besides its arguments.
type env struct {
	ctx    context.Context
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	lang   string
	now    func() time.Time
}

type command struct {
	name  string
	usage string // i18n key
	run   func(e *env, args []string) int
}

var commands []command

func init() {
	commands = []command{
		{"validate", "usage.validate", runValidate},
		{"fmt", "usage.fmt", runFmt},
		{"check", "usage.check", runCheck},
		{"summary", "usage.summary", runSummary},
		{"catalog", "usage.catalog", runCatalog},
		{"generate", "usage.generate", runGenerate},
		{"migrate", "usage.migrate", runMigrate},
		{"import", "usage.import", runImport},
		{"export", "usage.export", runExport},
		{"org", "usage.org", runOrg},
		{"history", "usage.history", runHistory},
		{"backup", "ops.usage_backup", runBackup},
		{"restore", "ops.usage_restore", runRestore},
		{"evidence", "s3.usage_evidence", runEvidence},
		{"user", "usage.user", runUser},
		{"member", "usage.member", runMember},
		{"token", "usage.token", runToken},
		{"sso", "sso.usage", runSSO},
		{"serve", "usage.serve", runServe},
		{"report", "report.usage.report", runReport},
		{"import-soa", "report.usage.import_soa", runImportSoA},
		{"oscal", "report.usage.oscal", runOSCAL},
		{"frameworks", "frameworks.usage", runFrameworks},
		{"control-texts", "report.usage.control_texts", runControlTexts},
	}
}

// Run executes one cloudisms command and returns the process exit status.
func Run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{ctx: ctx, getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr,
		lang: i18n.FromEnv(getenv("LANG")), now: time.Now}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		e.usage(stdout)
		if len(args) == 0 {
			return exitInvalid
		}
		return exitOK
	}
	for _, c := range commands {
		if c.name == args[0] {
			return c.run(e, args[1:])
		}
	}
	e.errorf("cli.unknown_command", "command", args[0])
	e.usage(stderr)
	return exitInvalid
}

func (e *env) usage(w io.Writer) {
	fmt.Fprintln(w, i18n.M("usage.header").In(e.lang))
	for _, c := range commands {
		fmt.Fprintf(w, "  %s\n", i18n.M(c.usage).In(e.lang))
	}
}

func (e *env) errorf(key string, args ...any) {
	fmt.Fprintf(e.stderr, "cloudisms: %s\n", i18n.M(key, args...).In(e.lang))
}

// flags makes a flag set for a command with the --lang flag every command
// shares. Parse errors are reported in the user's language by parse.
func (e *env) flags(name string) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	lang := fs.String("lang", "", "ja|en")
	return fs, lang
}

// parse accepts flags before and after positional arguments
// (check FILE --as-of D as well as check --as-of D FILE), then applies --lang.
func (e *env) parse(fs *flag.FlagSet, lang *string, args []string) ([]string, bool) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				e.usage(e.stdout)
				return nil, false
			}
			e.errorf("cli.bad_flag", "detail", err.Error())
			return nil, false
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if rest[0] == "--" {
			pos = append(pos, rest[1:]...)
			break
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
	if *lang != "" {
		if !i18n.Valid(*lang) {
			e.errorf("cli.bad_value", "flag", "--lang", "value", *lang, "allowed", strings.Join(i18n.Langs, ", "))
			return nil, false
		}
		e.lang = *lang
	}
	return pos, true
}

// oneOf checks an enumerated flag value.
func (e *env) oneOf(flagName, value string, allowed ...string) bool {
	for _, a := range allowed {
		if a == value {
			return true
		}
	}
	e.errorf("cli.bad_value", "flag", flagName, "value", value, "allowed", strings.Join(allowed, ", "))
	return false
}

// oneFile wants exactly one positional argument.
func (e *env) oneFile(cmd string, pos []string) (string, bool) {
	if len(pos) != 1 {
		e.errorf("cli.one_file", "command", cmd)
		return "", false
	}
	return pos[0], true
}

// load reads and decodes a bundle ("-" is standard input). On failure it
// prints every problem and returns false.
func (e *env) load(path string) (*isms.ISMS, bool) {
	m, _, ok := e.loadSource(path)
	return m, ok
}

// loadSource is load that also returns the document read.
func (e *env) loadSource(path string) (*isms.ISMS, []byte, bool) {
	src, err := readInput(e, path)
	if err != nil {
		e.errorf("cli.read", "file", path, "detail", err.Error())
		return nil, nil, false
	}
	m, err := bundle.Decode(path, src)
	if err != nil {
		e.printProblems(err)
		return nil, nil, false
	}
	return m, src, true
}

func (e *env) printProblems(err error) {
	var errs bundle.Errors
	if errors.As(err, &errs) {
		fmt.Fprintln(e.stderr, errs.In(e.lang))
		fmt.Fprintln(e.stderr, i18n.M("cli.problem_count", "n", len(errs)).In(e.lang))
		return
	}
	fmt.Fprintln(e.stderr, err)
}

// asOf reads --as-of, defaulting to today in local time.
func (e *env) asOf(s string) (isms.Date, bool) {
	if s == "" {
		return isms.DateOf(e.now()), true
	}
	d, err := isms.ParseDate(s)
	if err != nil {
		e.errorf("cli.bad_date", "flag", "--as-of", "value", s)
		return isms.Date{}, false
	}
	return d, true
}

// isTerminal reports whether w is a character device (colour and progress
// only go to a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
