package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/conformity"
	"github.com/cloudisms/cloudisms/internal/i18n"
)

func runValidate(e *env, args []string) int {
	fs, lang := e.flags("validate")
	format := fs.String("format", "text", "text|json")
	pos, ok := e.parse(fs, lang, args)
	if !ok || !e.oneOf("--format", *format, "text", "json") {
		return exitInvalid
	}
	file, ok := e.oneFile("validate", pos)
	if !ok {
		return exitInvalid
	}
	if *format == "json" {
		return e.validateJSON(file)
	}
	if _, ok := e.load(file); !ok {
		return exitInvalid
	}
	fmt.Fprintln(e.stdout, i18n.M("cli.valid", "file", file).In(e.lang))
	return exitOK
}

// validateJSON reports problems as {"valid", "errors": [{file, line, path, message}]}.
func (e *env) validateJSON(file string) int {
	type problem struct {
		File    string `json:"file"`
		Line    int    `json:"line,omitempty"`
		Path    string `json:"path"`
		Message string `json:"message"`
	}
	out := struct {
		Valid  bool      `json:"valid"`
		Errors []problem `json:"errors"`
	}{Errors: []problem{}}
	src, err := readInput(e, file)
	if err != nil {
		e.errorf("cli.read", "file", file, "detail", err.Error())
		return exitInvalid
	}
	_, err = bundle.Decode(file, src)
	if errs, ok := err.(bundle.Errors); ok {
		for _, p := range errs {
			out.Errors = append(out.Errors, problem{p.File, p.Line, p.Path, p.Msg.In(e.lang)})
		}
	}
	out.Valid = err == nil
	writeJSON(e.stdout, out)
	if !out.Valid {
		return exitInvalid
	}
	return exitOK
}

func readInput(e *env, path string) ([]byte, error) {
	if path == "-" {
		return io.ReadAll(e.stdin)
	}
	return os.ReadFile(path)
}

func writeJSON(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

func runFmt(e *env, args []string) int {
	fs, lang := e.flags("fmt")
	write := fs.Bool("w", false, "write the result back to the file")
	pos, ok := e.parse(fs, lang, args)
	if !ok {
		return exitInvalid
	}
	file, ok := e.oneFile("fmt", pos)
	if !ok {
		return exitInvalid
	}
	m, ok := e.load(file)
	if !ok {
		return exitInvalid
	}
	out, err := bundle.Encode(m)
	if err != nil {
		e.errorf("cli.encode", "detail", err.Error())
		return exitInvalid
	}
	if !*write || file == "-" {
		_, _ = e.stdout.Write(out)
		return exitOK
	}
	if err := writeFileAtomic(file, out); err != nil {
		e.errorf("cli.write", "file", file, "detail", err.Error())
		return exitInvalid
	}
	return exitOK
}

// writeFileAtomic replaces a file through a temporary file in the same
// directory, so an interrupted write never leaves half a bundle.
func writeFileAtomic(path string, data []byte) error {
	mode := os.FileMode(0o644)
	if st, err := os.Stat(path); err == nil {
		mode = st.Mode().Perm()
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".cloudisms-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func runCheck(e *env, args []string) int {
	fs, lang := e.flags("check")
	sf := e.addStoreFlags(fs)
	org := fs.String("org", "", "ID")
	asOfFlag := fs.String("as-of", "", "YYYY-MM-DD")
	format := fs.String("format", "text", "text|json")
	skipFlag := fs.String("skip", "", "RULE[,RULE...]")
	pos, ok := e.parse(fs, lang, args)
	if !ok || !e.oneOf("--format", *format, "text", "json") {
		return exitInvalid
	}
	skip, ok := e.ruleIDs("--skip", *skipFlag)
	if !ok {
		return exitInvalid
	}
	asOf, ok := e.asOf(*asOfFlag)
	if !ok {
		return exitInvalid
	}
	m, ok := e.loadFrom("check", pos, *org, sf)
	if !ok {
		return exitInvalid
	}
	findings := conformity.Check(m, asOf)
	if len(skip) > 0 {
		kept := findings[:0]
		for _, f := range findings {
			if !skip[f.Rule] {
				kept = append(kept, f)
			}
		}
		findings = kept
	}
	if *format == "json" {
		writeJSON(e.stdout, conformity.NewReport(asOf, findings))
	} else {
		printFindings(e.stdout, findings, e.lang, asOf.String(), isTerminal(e.stdout))
	}
	if conformity.Counts(findings)[conformity.Error] > 0 {
		return exitFindings
	}
	return exitOK
}

// ruleIDs reads a comma-separated list of rule ids (check --skip); an id
// that names no rule is refused.
func (e *env) ruleIDs(flagName, value string) (map[string]bool, bool) {
	out := map[string]bool{}
	if strings.TrimSpace(value) == "" {
		return out, true
	}
	var all []string
	known := map[string]bool{}
	for _, r := range conformity.Rules() {
		all = append(all, r.ID)
		known[r.ID] = true
	}
	for _, id := range strings.Split(value, ",") {
		id = strings.TrimSpace(id)
		if !known[id] {
			e.errorf("cli.bad_value", "flag", flagName, "value", id, "allowed", strings.Join(all, ", "))
			return nil, false
		}
		out[id] = true
	}
	return out, true
}

// printFindings writes findings grouped by area, with counts, for a terminal
// or a log. Colour is used only when color is true.
func printFindings(w io.Writer, fs []conformity.Finding, lang, asOf string, color bool) {
	paint := func(code, s string) string {
		if !color {
			return s
		}
		return "\x1b[" + code + "m" + s + "\x1b[0m"
	}
	counts := conformity.Counts(fs)
	fmt.Fprintln(w, paint("1", i18n.M("check.header", "as_of", asOf).In(lang)))
	for _, area := range conformity.Areas {
		var in []conformity.Finding
		for _, f := range fs {
			if f.Area == area {
				in = append(in, f)
			}
		}
		if len(in) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n%s\n", paint("1", i18n.M("check.area", "area", i18n.M("area."+area), "n", len(in)).In(lang)))
		for _, f := range in {
			sev := i18n.M("severity." + f.Severity).In(lang)
			code := "31"
			if f.Severity == conformity.Warning {
				code = "33"
			}
			fmt.Fprintf(w, "  %s %s  %s\n", paint(code, "["+sev+"]"), paint("1", f.Rule), f.Subject)
			fmt.Fprintf(w, "      %s\n", f.Message.In(lang))
			fmt.Fprintf(w, "      %s\n", paint("2", i18n.M("check.reference", "ref", f.Reference).In(lang)))
		}
	}
	fmt.Fprintln(w)
	if len(fs) == 0 {
		fmt.Fprintln(w, paint("32", i18n.M("check.clean").In(lang)))
		return
	}
	fmt.Fprintln(w, i18n.M("check.counts", "errors", counts[conformity.Error], "warnings", counts[conformity.Warning]).In(lang))
}
