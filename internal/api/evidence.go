package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/store"
)

// attachEvidence stores an uploaded file by its content and adds it, by
// name and hash, to the evidence list of an item, or of an element inside
// it chosen by ?at= (tests[0] of a backups entry, findings[1] or
// findings[1].corrective_action of an audit). The change goes through the
// item's version and is recorded in the history with the uploader and time.
func (a *Server) attachEvidence(w http.ResponseWriter, r *http.Request, c *call) {
	name := strings.TrimSpace(r.URL.Query().Get("name"))
	if name == "" || len(name) > 255 || strings.ContainsAny(name, "/\\\x00") {
		a.fail(w, c.lang, http.StatusBadRequest, "invalid", i18n.M("api.invalid"),
			FieldError{Path: "name", Message: i18n.M("api.evidence_name").In(c.lang)})
		return
	}
	kind, key, prev, ok := a.existing(w, r, c)
	if !ok {
		return
	}
	if !a.mayWrite(w, c, kind, prev.Owner) {
		return
	}
	version, ok := a.ifMatch(w, r, c)
	if !ok {
		return
	}
	var doc map[string]any
	if err := json.Unmarshal(prev.Data, &doc); err != nil {
		a.storeError(w, c, err)
		return
	}
	target, err := descend(doc, r.URL.Query().Get("at"))
	if err != nil {
		a.fail(w, c.lang, http.StatusBadRequest, "invalid", i18n.M("api.invalid"),
			FieldError{Path: "at", Message: i18n.M("api.evidence_at", "at", r.URL.Query().Get("at")).In(c.lang)})
		return
	}
	// The item must take evidence there before the file is stored: an
	// upload it refuses would leave an unreferenced file behind.
	list, _ := target["evidence"].([]any)
	entry := map[string]any{"name": name, "sha256": strings.Repeat("0", 64)}
	target["evidence"] = append(list, entry)
	data, _ := json.Marshal(doc)
	if _, _, err := a.decodeFor(r, kind, key, data); err != nil {
		a.invalid(w, c, err)
		return
	}
	ev, ok := a.saveEvidence(w, r, c)
	if !ok {
		return
	}
	sum, size := ev.SHA256, ev.Size
	entry["sha256"] = sum
	data, _ = json.Marshal(doc)
	it, refs, err := a.decodeFor(r, kind, key, data)
	if err != nil {
		a.invalid(w, c, err)
		return
	}
	out, err := a.store.Put(r.Context(), r.PathValue("org"), it, refs, version, actor(c))
	if err != nil {
		a.storeError(w, c, err)
		return
	}
	w.Header().Set("ETag", etag(out.Version))
	writeJSON(w, http.StatusCreated, map[string]any{"name": name, "sha256": sum, "size": size, "item": toJSON(out)})
}

// uploadEvidence stores a file for the organization without attaching it
// anywhere: the way to bring the files of a bundle moved from another
// organization or instance, which names them by hash, before importing it.
func (a *Server) uploadEvidence(w http.ResponseWriter, r *http.Request, c *call) {
	ev, ok := a.saveEvidence(w, r, c)
	if !ok {
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"sha256": ev.SHA256, "size": ev.Size})
}

// saveEvidence stores the request body as an evidence file of the
// organization, answering the error itself when it cannot.
func (a *Server) saveEvidence(w http.ResponseWriter, r *http.Request, c *call) (store.EvidenceFile, bool) {
	ev, err := a.store.SaveEvidence(r.Context(), r.PathValue("org"), actor(c), http.MaxBytesReader(w, r.Body, store.MaxEvidence+1))
	var tooBig *http.MaxBytesError
	if errors.Is(err, store.ErrTooLarge) || errors.As(err, &tooBig) {
		a.fail(w, c.lang, http.StatusRequestEntityTooLarge, "too_large", i18n.M("api.too_large", "max", store.MaxEvidence))
		return ev, false
	}
	if errors.Is(err, store.ErrUploadIncomplete) {
		// The client's side of the failure: answered as such, not as
		// the database or the object storage failing.
		a.fail(w, c.lang, http.StatusBadRequest, "incomplete", i18n.M("evidence.incomplete"))
		return ev, false
	}
	if err != nil {
		a.storeError(w, c, err)
		return ev, false
	}
	return ev, true
}

var step = regexp.MustCompile(`^([a-z_]+)(?:\[(\d+)\])?$`)

// descend follows a path like findings[1].corrective_action in an item.
func descend(doc map[string]any, at string) (map[string]any, error) {
	cur := doc
	if at == "" {
		return cur, nil
	}
	for _, part := range strings.Split(at, ".") {
		m := step.FindStringSubmatch(part)
		if m == nil {
			return nil, fmt.Errorf("bad step %q", part)
		}
		next := cur[m[1]]
		if m[2] != "" {
			list, ok := next.([]any)
			i, _ := strconv.Atoi(m[2])
			if !ok || i >= len(list) {
				return nil, fmt.Errorf("no %s", part)
			}
			next = list[i]
		}
		obj, ok := next.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("no %s", part)
		}
		cur = obj
	}
	return cur, nil
}

// decodeFor decodes an item against the organization's Annex A edition.
func (a *Server) decodeFor(r *http.Request, kind, key string, data []byte) (bundle.Item, []bundle.Ref, error) {
	return a.decodeAgainst(r, kind, key, data, nil)
}

// against is what a body is checked against: the organization's edition
// and risk criteria, when the request has read them already.
type against struct {
	edition  string
	criteria isms.RiskCriteria
}

// decodeAgainst is decodeFor with the edition and criteria given (nil:
// read from the store).
func (a *Server) decodeAgainst(r *http.Request, kind, key string, data []byte, pre *against) (bundle.Item, []bundle.Ref, error) {
	if pre == nil {
		edition, c, err := a.store.EditionAndCriteria(r.Context(), r.PathValue("org"))
		if err != nil {
			return bundle.Item{}, nil, &storeFailed{err}
		}
		pre = &against{edition, c}
	}
	edition, c := pre.edition, pre.criteria
	it, refs, err := bundle.DecodeItem(kind, key, data, edition)
	if err != nil {
		return it, refs, err
	}
	// A value on a scale is a level of the organization's criteria.
	if kind == bundle.KindRisks || kind == bundle.KindAssets {
		if errs := bundle.CheckScales(kind, it.Data, c); len(errs) > 0 {
			return bundle.Item{}, nil, errs
		}
	}
	return it, refs, nil
}

// storeFailed is a failure to read what a body is checked against (the
// organization's edition and criteria): the store's, not the body's, so
// it is not answered 400 (an outage is a 503, a missing organization 404).
type storeFailed struct{ err error }

func (e *storeFailed) Error() string { return e.err.Error() }
func (e *storeFailed) Unwrap() error { return e.err }

// downloadEvidence serves a file of the organization as a download, never
// inline, whatever it contains.
func (a *Server) downloadEvidence(w http.ResponseWriter, r *http.Request, c *call) {
	f, ev, err := a.store.OpenEvidence(r.Context(), r.PathValue("org"), r.PathValue("sha256"))
	if err != nil {
		a.storeError(w, c, err)
		return
	}
	defer f.Close()
	name := r.URL.Query().Get("name")
	if name == "" || strings.ContainsAny(name, "/\\\x00\r\n") {
		name = r.PathValue("sha256")
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; sandbox")
	w.Header().Set("Cache-Control", "private, max-age=31536000, immutable")
	w.Header().Set("Content-Length", strconv.FormatInt(ev.Size, 10))
	if _, err := io.Copy(w, f); err != nil && r.Context().Err() == nil {
		// The status is sent: the client sees a short body, the log why.
		a.log.Error("evidence download cut off", "sha256", ev.SHA256, "err", err)
	}
}
