package cli

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/cloudisms/cloudisms/internal/catalog"
	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/report"
)

// runReport writes reports of an organization from the store:
// report xlsx --org ID --kind K [--service ID] [--out FILE].
func runReport(e *env, args []string) int {
	if len(args) > 0 && (args[0] == "html" || args[0] == "pdf") {
		return runPrint(e, args[0], args[1:])
	}
	if len(args) == 0 || args[0] != "xlsx" {
		e.errorf("report.cli.format", "allowed", "xlsx, html, pdf")
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
	texts, err := s.ControlTexts(e.ctx, *org)
	if err != nil {
		e.errorf("report.cli.failed", "detail", err.Error())
		return exitInvalid
	}
	stale, imported, err := s.ApprovalMarks(e.ctx, *org)
	if err != nil {
		e.errorf("report.cli.failed", "detail", err.Error())
		return exitInvalid
	}
	var buf bytes.Buffer
	bar := e.progress("ops.progress_report")
	today := isms.DateOf(e.now())
	err = report.Write(&buf, m, *kind, report.Options{Lang: e.lang, Service: *service, Date: today, Head: head,
		Version: i18n.M("report.version_head", "pos", head).In(e.lang), ControlTexts: texts, StaleApprovals: stale, ImportedApprovals: imported, Progress: bar.Update})
	bar.Done()
	if err != nil {
		e.errorf("report.cli.failed", "detail", err.Error())
		return exitInvalid
	}
	name := *out
	if name == "" {
		name = report.DocFilename(m, e.lang, *kind, *service, today, "xlsx")
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

// runImportSoA applies an edited SoA workbook to an organization's SoAs:
// import-soa FILE --org ID [--dry-run]. Every problem is listed with its
// sheet, cell and value, and then nothing is changed.
func runImportSoA(e *env, args []string) int {
	fs, lang := e.flags("import-soa")
	sf := e.addStoreFlags(fs)
	org := fs.String("org", "", "ID")
	dry := fs.Bool("dry-run", false, "")
	overwrite := fs.Bool("overwrite-newer", false, "")
	pos, ok := e.parse(fs, lang, args)
	if !ok {
		return exitInvalid
	}
	_, src, ok := e.orgFile("import-soa", pos, *org)
	if !ok {
		return exitInvalid
	}
	s, ok := e.openStore(sf)
	if !ok {
		return exitInvalid
	}
	defer s.Close()
	var res report.SoAImport
	var err error
	if *dry {
		res, err = report.PreviewSoA(e.ctx, s, *org, src)
	} else {
		res, err = report.ApplySoA(e.ctx, s, *org, src, -1, *overwrite, e.actor())
	}
	for _, x := range res.Skipped {
		fmt.Fprintln(e.stdout, i18n.M("docs13.import.cli_skipped", "sheet", x.Sheet, "cell", x.Cell, "soa", x.SoA, "control", x.Control,
			"value", x.Value, "reason", x.Reason).In(e.lang))
	}
	if errors.Is(err, report.ErrStaleWorkbook) || (*dry && len(res.Stale) > 0 && !*overwrite) {
		var rows []string
		for _, c := range res.Stale {
			rows = append(rows, c.SoA+" "+c.Control)
		}
		fmt.Fprintln(e.stderr, i18n.M("docs13.import.cli_stale", "made", res.MadeAt, "n", len(res.Stale), "rows", strings.Join(rows, ", ")).In(e.lang))
		if err != nil {
			return exitInvalid
		}
	}
	if errors.Is(err, report.ErrOtherOrganization) {
		e.errorf("docs13.import.other_org")
		return exitInvalid
	}
	var errs report.ImportErrors
	if errors.As(err, &errs) {
		fmt.Fprintln(e.stderr, errs.In(e.lang))
		e.errorf("report.import.rejected", "n", len(errs))
		return exitInvalid
	}
	if err != nil {
		e.errorf("report.cli.failed", "detail", err.Error())
		return exitInvalid
	}
	for _, c := range res.Changes {
		fmt.Fprintln(e.stdout, describeChange(c, e.lang))
	}
	key := "report.import.applied"
	if *dry {
		key = "report.import.would_apply"
	}
	fmt.Fprintln(e.stdout, i18n.M(key, "n", len(res.Changes), "org", *org).In(e.lang))
	return exitOK
}

// describeChange is one line of what an import changes.
func describeChange(c report.SoAChange, lang string) string {
	return i18n.M("report.import.change", "soa", c.SoA, "control", c.Control, "before", report.RowSummary(c.Before, lang),
		"after", report.RowSummary(&c.After, lang)).In(lang)
}

// runPrint writes a printed document as HTML, or as PDF through headless
// Chromium: report html|pdf --org ID --doc D [--subject S] [--out FILE].
func runPrint(e *env, format string, args []string) int {
	fs, lang := e.flags("report " + format)
	sf := e.addStoreFlags(fs)
	org := fs.String("org", "", "ID")
	doc := fs.String("doc", report.DocSoA, "DOC")
	subject := fs.String("subject", "", "KEY")
	out := fs.String("out", "", "FILE")
	pos, ok := e.parse(fs, lang, args)
	if !ok || !e.needOrg(*org) || !e.oneOf("--doc", *doc, report.Docs...) {
		return exitInvalid
	}
	if len(pos) > 0 {
		e.errorf("cli.no_args", "command", "report "+format)
		return exitInvalid
	}
	var browser string
	if format == "pdf" {
		b, err := report.FindBrowser()
		if err != nil {
			e.errorf("report.cli.no_browser", "detail", err.Error())
			return exitInvalid
		}
		browser = b
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
	texts, err := s.ControlTexts(e.ctx, *org)
	if err != nil {
		e.errorf("report.cli.failed", "detail", err.Error())
		return exitInvalid
	}
	stale, imported, err := s.ApprovalMarks(e.ctx, *org)
	if err != nil {
		e.errorf("report.cli.failed", "detail", err.Error())
		return exitInvalid
	}
	var page bytes.Buffer
	today := isms.DateOf(e.now())
	_, err = report.PrintHTML(&page, m, *doc, report.PrintOptions{Subject: *subject, Options: report.Options{Lang: e.lang, Date: today,
		Version: i18n.M("report.version_head", "pos", head).In(e.lang), ControlTexts: texts, StaleApprovals: stale, ImportedApprovals: imported}})
	if err != nil {
		e.errorf("report.cli.doc_failed", "detail", err.Error())
		return exitInvalid
	}
	name := *out
	if name == "" {
		name = report.DocFilename(m, e.lang, *doc, *subject, today, format)
	}
	if format == "pdf" {
		err = report.PDF(e.ctx, browser, page.Bytes(), name)
	} else {
		err = os.WriteFile(name, page.Bytes(), 0o644)
	}
	if err != nil {
		e.errorf("report.cli.failed", "detail", err.Error())
		return exitInvalid
	}
	st, _ := os.Stat(name)
	size := 0
	if st != nil {
		size = int(st.Size())
	}
	fmt.Fprintln(e.stdout, i18n.M("report.cli.wrote", "file", name, "bytes", size).In(e.lang))
	return exitOK
}

// runControlTexts imports an organization's own control texts from TSV:
// control-texts FILE --org ID. Every line must name a control of the
// organization; otherwise every problem is listed and nothing changes.
func runControlTexts(e *env, args []string) int {
	fs, lang := e.flags("control-texts")
	sf := e.addStoreFlags(fs)
	org := fs.String("org", "", "ID")
	pos, ok := e.parse(fs, lang, args)
	if !ok {
		return exitInvalid
	}
	file, src, ok := e.orgFile("control-texts", pos, *org)
	if !ok {
		return exitInvalid
	}
	s, ok := e.openStore(sf)
	if !ok {
		return exitInvalid
	}
	defer s.Close()
	edition, err := s.Edition(e.ctx, *org)
	if err != nil {
		e.errorf("report.cli.failed", "detail", err.Error())
		return exitInvalid
	}
	texts := map[string]string{}
	bad := 0
	for i, line := range strings.Split(strings.TrimSuffix(string(src), "\n"), "\n") {
		line = strings.TrimSuffix(line, "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		id, text, found := strings.Cut(line, "\t")
		id = strings.TrimSpace(id)
		var problem string
		switch {
		case !found:
			problem = i18n.M("report.cli.texts_bad_line").In(e.lang)
		case !catalog.Std().ValidFor(strings.TrimSuffix(id, catalog.TitleKeySuffix), edition):
			// ID#title is the organization's own Japanese title of ID
			problem = i18n.M("report.ui.texts_unknown", "control", id).In(e.lang)
		}
		if problem != "" {
			bad++
			e.errorf("report.cli.texts_line", "file", file, "line", i+1, "problem", problem)
			continue
		}
		text = strings.TrimSpace(strings.ReplaceAll(text, `\n`, "\n"))
		if strings.HasSuffix(id, catalog.TitleKeySuffix) {
			text = strings.Join(strings.Fields(text), " ") // a title is one line
		}
		texts[id] = text
	}
	if bad > 0 {
		e.errorf("report.import.rejected", "n", bad)
		return exitInvalid
	}
	n, err := s.SetControlTexts(e.ctx, *org, texts, e.actor())
	if err != nil {
		e.errorf("report.cli.failed", "detail", err.Error())
		return exitInvalid
	}
	fmt.Fprintln(e.stdout, i18n.M("report.cli.texts_saved", "n", n, "org", *org).In(e.lang))
	return exitOK
}

// orgFile reads the one FILE argument of a command that also needs --org,
// saying what is missing or unreadable.
func (e *env) orgFile(cmd string, pos []string, org string) (string, []byte, bool) {
	file, ok := e.oneFile(cmd, pos)
	if !ok || !e.needOrg(org) {
		return "", nil, false
	}
	src, err := readInput(e, file)
	if err != nil {
		e.errorf("cli.read", "file", file, "detail", err.Error())
		return "", nil, false
	}
	return file, src, true
}
