// Package pack builds the audit pack: one zip, for a period, that an
// auditor reads without the tool. It holds every SoA, the scope, the risk
// register with the treatment plans, the audits and reviews as printed
// documents (PDF where Chromium is at hand, and always as self-contained
// HTML), every workbook, the change history of the period as a printable
// page and as CSV, the approvals with the fingerprints of what was
// approved, and the evidence files with an index of their hashes, all
// listed in index.html and SHA256SUMS.
package pack

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/report"
	"github.com/cloudisms/cloudisms/internal/store"
)

// JobKind is the store's job kind for audit packs.
const JobKind = "audit-pack"

// FindBrowser finds the Chromium that prints the pack's PDFs (report's;
// a test that checks the rest of the pack may do without).
var FindBrowser = report.FindBrowser

// Params are what a pack is made for.
type Params struct {
	From, To string // the period (YYYY-MM-DD, inclusive) of the history it carries
	Lang     string
}

// ParamError is a parameter of a pack that is not valid: Field names it
// as the form and the API do (from, to, lang).
type ParamError struct {
	Field string
	Err   error
}

func (e *ParamError) Error() string { return e.Err.Error() }
func (e *ParamError) Unwrap() error { return e.Err }

// Check validates the parameters (a *ParamError).
func (p Params) Check() error {
	from, err := isms.ParseDate(p.From)
	if err != nil {
		return &ParamError{"from", fmt.Errorf("from: %w", err)}
	}
	to, err := isms.ParseDate(p.To)
	if err != nil {
		return &ParamError{"to", fmt.Errorf("to: %w", err)}
	}
	if to.Before(from) {
		return &ParamError{"to", errors.New("the period ends before it starts")}
	}
	if !i18n.Valid(p.Lang) {
		return &ParamError{"lang", fmt.Errorf("lang %q: expected ja or en", p.Lang)}
	}
	return nil
}

// Register makes the stores of this process run audit-pack jobs.
func Register(now func() time.Time) {
	store.HandleJobs(JobKind, func(ctx context.Context, s *store.Store, j store.ExportJob, w io.Writer, progress func(string)) error {
		var p Params
		if err := json.Unmarshal([]byte(j.Params), &p); err != nil {
			return fmt.Errorf("audit pack parameters: %w", err)
		}
		return Build(ctx, s, j.Org, p, now(), w, progress)
	})
}

// file is one entry of the pack, for the index.
type file struct {
	Path, Title, Kind string
	Size              int64
	SHA256            string
}

// packer writes the zip and keeps the index.
type packer struct {
	z     *zip.Writer
	files []file
	at    time.Time
}

func (pk *packer) add(path, title, kind string, data []byte) error {
	w, err := pk.z.CreateHeader(&zip.FileHeader{Name: path, Method: zip.Deflate, Modified: pk.at})
	if err != nil {
		return err
	}
	if _, err := w.Write(data); err != nil {
		return err
	}
	sum := sha256.Sum256(data)
	pk.files = append(pk.files, file{Path: path, Title: title, Kind: kind, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:])})
	return nil
}

// Build writes the audit pack of org for the period to w.
func Build(ctx context.Context, s *store.Store, org string, p Params, now time.Time, w io.Writer, progress func(string)) error {
	if s == nil {
		return errors.New("audit pack: no store")
	}
	if err := p.Check(); err != nil {
		return fmt.Errorf("audit pack: %w", err)
	}
	if progress == nil {
		progress = func(string) {}
	}
	t := func(key string, args ...any) string { return i18n.M(key, args...).In(p.Lang) }
	model, head, err := s.ISMSAt(ctx, org)
	if err != nil {
		return err
	}
	texts, err := s.ControlTexts(ctx, org)
	if err != nil {
		return err
	}
	stale, imported, err := s.ApprovalMarks(ctx, org)
	if err != nil {
		return err
	}
	today := isms.DateOf(now.In(isms.JST))
	opts := report.Options{Lang: p.Lang, Date: today, Version: i18n.M("report.version_head", "pos", head).In(p.Lang), Head: head,
		ControlTexts: texts, StaleApprovals: stale, ImportedApprovals: imported}
	pk := &packer{z: zip.NewWriter(w), at: now}

	// Printed documents: every SoA, the scope, the risks, each audit and
	// review of the period (the latest when none falls in it).
	docs := printed(model, p)
	browser, browserErr := FindBrowser()
	for i, d := range docs {
		progress(t("pack.progress.doc", "n", i+1, "total", len(docs)))
		var page bytes.Buffer
		if _, err := report.PrintHTML(&page, model, d.doc, report.PrintOptions{Options: opts, Subject: d.subject}); err != nil {
			return fmt.Errorf("audit pack: print %s %s: %w", d.doc, d.subject, err)
		}
		base := "documents/" + strings.TrimSuffix(report.ASCIIFilename(org, d.doc, d.subject, today, "html"), ".html")
		title := report.DocFilename(model, p.Lang, d.doc, d.subject, today, "pdf")
		if err := pk.add(base+".html", strings.TrimSuffix(title, ".pdf"), "html", page.Bytes()); err != nil {
			return err
		}
		if browserErr != nil {
			continue
		}
		pdf, err := printPDF(ctx, browser, page.Bytes())
		if err != nil {
			return fmt.Errorf("audit pack: PDF of %s: %w", d.doc, err)
		}
		if err := pk.add(base+".pdf", title, "pdf", pdf); err != nil {
			return err
		}
	}
	// Workbooks.
	for i, kind := range report.Kinds {
		progress(t("pack.progress.workbook", "n", i+1, "total", len(report.Kinds)))
		var b bytes.Buffer
		if err := report.Write(&b, model, kind, opts); err != nil {
			return fmt.Errorf("audit pack: workbook %s: %w", kind, err)
		}
		if err := pk.add("workbooks/"+report.ASCIIFilename(org, kind, "", today, "xlsx"), t("report.title."+kind), "xlsx", b.Bytes()); err != nil {
			return err
		}
	}
	progress(t("pack.progress.history"))
	if err := addHistory(ctx, s, org, p, t, pk); err != nil {
		return err
	}
	if err := addApprovals(ctx, s, org, t, pk); err != nil {
		return err
	}
	progress(t("pack.progress.evidence"))
	if err := addEvidence(ctx, s, org, model, t, pk); err != nil {
		return err
	}
	if err := addIndex(model, p, t, pk, browserErr); err != nil {
		return err
	}
	return pk.z.Close()
}

// doc is one printed document of the pack.
type doc struct{ doc, subject string }

func printed(m *isms.ISMS, p Params) []doc {
	out := []doc{{report.DocScope, ""}, {report.DocSoA, "organization"}}
	for _, v := range isms.SoAViews(m) {
		if v.Service != "" && v.SoA != nil {
			out = append(out, doc{report.DocSoA, v.Service + ":" + v.Role})
		}
	}
	out = append(out, doc{report.DocRisks, ""})
	from, _ := isms.ParseDate(p.From)
	to, _ := isms.ParseDate(p.To)
	in := func(d isms.Date) bool { return !d.IsZero() && !d.Before(from) && !d.After(to) }
	n := 0
	for _, a := range m.Audits {
		if in(a.Start) || in(a.End) {
			out, n = append(out, doc{report.DocAudit, a.ID}), n+1
		}
	}
	if n == 0 && len(m.Audits) > 0 {
		out = append(out, doc{report.DocAudit, ""})
	}
	n = 0
	for _, r := range m.Reviews {
		if in(r.Date) {
			out, n = append(out, doc{report.DocReview, r.ID}), n+1
		}
	}
	if n == 0 && len(m.Reviews) > 0 {
		out = append(out, doc{report.DocReview, ""})
	}
	return out
}

// printPDF prints a page with the server's bounded Chromium.
func printPDF(ctx context.Context, browser string, page []byte) ([]byte, error) {
	dir, err := os.MkdirTemp("", "cloudisms-pack-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "doc.pdf")
	// A pack waits its turn rather than fail when other prints run.
	for {
		err = report.PDF(ctx, browser, page, out)
		if !errors.Is(err, report.ErrBusy) {
			break
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(report.RetryAfter):
		}
	}
	if err != nil {
		return nil, err
	}
	return os.ReadFile(out)
}

// addHistory writes the changes of the period as CSV and a printable page.
func addHistory(ctx context.Context, s *store.Store, org string, p Params, t func(string, ...any) string, pk *packer) error {
	from, _ := isms.ParseDate(p.From)
	to, _ := isms.ParseDate(p.To)
	var rows []store.Change
	var after int64
	for {
		page, err := s.History(ctx, org, store.HistoryFilter{After: after, Limit: 1000})
		if err != nil {
			return fmt.Errorf("audit pack: history: %w", err)
		}
		for _, c := range page {
			at, err := time.Parse(time.RFC3339Nano, c.At)
			if err != nil {
				continue
			}
			d := isms.DateOf(at.In(isms.JST))
			if !d.Before(from) && !d.After(to) {
				rows = append(rows, c)
			}
		}
		if len(page) < 1000 {
			break
		}
		after = page[len(page)-1].N
	}
	heads := []string{"#", t("pack.col.at"), t("pack.col.actor"), t("pack.col.kind"), t("pack.col.key"), t("pack.col.action"), t("pack.col.note"), t("pack.col.hash")}
	var b bytes.Buffer
	b.WriteString("\ufeff")
	cw := csv.NewWriter(&b)
	cw.UseCRLF = true
	cw.Write(heads)
	for _, c := range rows {
		cw.Write([]string{fmt.Sprint(c.N), c.At, c.Actor, c.Kind, c.Key, c.Action, c.Note, c.Hash})
	}
	cw.Flush()
	if err := pk.add("history/history.csv", t("pack.history"), "csv", b.Bytes()); err != nil {
		return err
	}
	var h bytes.Buffer
	err := historyPage.Execute(&h, map[string]any{"Lang": p.Lang, "Title": t("pack.history_title", "from", p.From, "to", p.To),
		"Heads": heads, "Rows": rows, "None": t("pack.history_none")})
	if err != nil {
		return err
	}
	return pk.add("history/history.html", t("pack.history"), "html", h.Bytes())
}

var historyPage = template.Must(template.New("h").Parse(`<!doctype html><html lang="{{.Lang}}"><head><meta charset="utf-8"><title>{{.Title}}</title>
<style>body{font-family:"Noto Sans CJK JP",sans-serif;font-size:9pt}table{border-collapse:collapse;width:100%}th,td{border:1px solid #999;padding:2px 4px;text-align:left;vertical-align:top}td.h{font-family:monospace;font-size:7pt;word-break:break-all}@page{size:A4 landscape;margin:12mm}</style></head>
<body><h1>{{.Title}}</h1>{{if not .Rows}}<p>{{.None}}</p>{{else}}<table><thead><tr>{{range .Heads}}<th>{{.}}</th>{{end}}</tr></thead><tbody>
{{range .Rows}}<tr><td>{{.N}}</td><td>{{.At}}</td><td>{{.Actor}}</td><td>{{.Kind}}</td><td>{{.Key}}</td><td>{{.Action}}</td><td>{{.Note}}</td><td class="h">{{.Hash}}</td></tr>
{{end}}</tbody></table>{{end}}</body></html>`))

// addApprovals lists every recorded approval with its fingerprint and
// whether the item changed since.
func addApprovals(ctx context.Context, s *store.Store, org string, t func(string, ...any) string, pk *packer) error {
	aps, err := s.Approvals(ctx, org)
	if err != nil {
		return fmt.Errorf("audit pack: approvals: %w", err)
	}
	var b bytes.Buffer
	b.WriteString("\ufeff")
	cw := csv.NewWriter(&b)
	cw.UseCRLF = true
	cw.Write([]string{t("pack.col.kind"), t("pack.col.key"), t("pack.col.approver"), t("pack.col.recorded_by"), t("pack.col.at"),
		t("pack.col.fingerprint"), t("pack.col.changed_since"), t("pack.col.imported")})
	yes := func(v bool) string {
		if v {
			return t("pack.yes")
		}
		return t("pack.no")
	}
	for _, a := range aps {
		cw.Write([]string{a.Kind, a.Key, a.Person, a.ApprovedBy, a.ApprovedAt, a.Fingerprint, yes(a.Stale), yes(a.Imported)})
	}
	cw.Flush()
	return pk.add("approvals.csv", t("pack.approvals"), "csv", b.Bytes())
}

// addEvidence copies every evidence file the ISMS refers to, with an index
// of where each is used and its hash, checked as it is copied.
func addEvidence(ctx context.Context, s *store.Store, org string, m *isms.ISMS, t func(string, ...any) string, pk *packer) error {
	uses, err := s.EvidenceUses(ctx, org)
	if err != nil {
		return fmt.Errorf("audit pack: evidence: %w", err)
	}
	sums := make([]string, 0, len(uses))
	for sum := range uses {
		sums = append(sums, sum)
	}
	sort.Strings(sums)
	var b bytes.Buffer
	b.WriteString("\ufeff")
	cw := csv.NewWriter(&b)
	cw.UseCRLF = true
	cw.Write([]string{t("pack.col.file"), t("pack.col.name"), "SHA-256", t("pack.col.size"), t("pack.col.used_by")})
	for _, sum := range sums {
		u := uses[sum]
		path, size := t("pack.evidence_missing"), 0
		if data, ok := evidenceFile(ctx, s, org, sum); ok {
			path, size = "evidence/"+sum[:12]+"-"+safeName(u.Name), len(data)
			if err := pk.add(path, u.Name, "evidence", data); err != nil {
				return err
			}
		}
		cw.Write([]string{path, u.Name, sum, fmt.Sprint(size), strings.Join(u.Where, " ")})
	}
	cw.Flush()
	return pk.add("evidence/index.csv", t("pack.evidence_index"), "csv", b.Bytes())
}

// evidenceFile reads an evidence file of org, only when its content still
// has the hash it is known by (a damaged or missing file is listed as
// such, not copied).
func evidenceFile(ctx context.Context, s *store.Store, org, sum string) ([]byte, bool) {
	rc, _, err := s.OpenEvidence(ctx, org, sum)
	if err != nil {
		return nil, false
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, store.MaxEvidence+1))
	got := sha256.Sum256(data)
	return data, err == nil && hex.EncodeToString(got[:]) == sum
}

// safeName keeps a file name readable but harmless inside the zip.
func safeName(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	var b strings.Builder
	for _, r := range name {
		if r < 0x20 || strings.ContainsRune(`/\:*?"<>|`, r) {
			b.WriteRune('_')
			continue
		}
		b.WriteRune(r)
	}
	if s := b.String(); s != "" && s != "." && s != ".." {
		return s
	}
	return "file"
}

// addIndex writes index.html (what the pack holds, in the reader's
// language) and SHA256SUMS.
func addIndex(m *isms.ISMS, p Params, t func(string, ...any) string, pk *packer, browserErr error) error {
	var sums strings.Builder
	for _, f := range pk.files {
		fmt.Fprintf(&sums, "%s  %s\n", f.SHA256, f.Path)
	}
	var h bytes.Buffer
	note := ""
	if browserErr != nil {
		note = t("pack.no_pdf")
	}
	err := indexPage.Execute(&h, map[string]any{"Lang": p.Lang, "Title": t("pack.title", "org", m.Organization.Name, "from", p.From, "to", p.To),
		"Lead": t("pack.lead"), "Note": note, "Files": pk.files, "Heads": []string{t("pack.col.file"), t("pack.col.title"), t("pack.col.size"), "SHA-256"}})
	if err != nil {
		return err
	}
	if err := pk.add("index.html", t("pack.index"), "html", h.Bytes()); err != nil {
		return err
	}
	return pk.add("SHA256SUMS", "SHA-256", "text", []byte(sums.String()))
}

var indexPage = template.Must(template.New("i").Parse(`<!doctype html><html lang="{{.Lang}}"><head><meta charset="utf-8"><title>{{.Title}}</title>
<style>body{font-family:"Noto Sans CJK JP",sans-serif;font-size:10pt;margin:2em}table{border-collapse:collapse}th,td{border:1px solid #999;padding:3px 6px;text-align:left}td.h{font-family:monospace;font-size:8pt}</style></head>
<body><h1>{{.Title}}</h1><p>{{.Lead}}</p>{{with .Note}}<p><strong>{{.}}</strong></p>{{end}}
<table><thead><tr>{{range .Heads}}<th>{{.}}</th>{{end}}</tr></thead><tbody>
{{range .Files}}<tr><td><a href="{{.Path}}">{{.Path}}</a></td><td>{{.Title}}</td><td>{{.Size}}</td><td class="h">{{.SHA256}}</td></tr>
{{end}}</tbody></table></body></html>`))
