package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/cloudisms/cloudisms/internal/authz"
	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/store"
)

// itemJSON is an item as the API shows it.
type itemJSON struct {
	Kind      string          `json:"kind"`
	Key       string          `json:"key"`
	Version   int64           `json:"version"`
	UpdatedAt string          `json:"updated_at"`
	UpdatedBy string          `json:"updated_by"`
	Data      json.RawMessage `json:"data"`
	// Approval is the recorded approval of the item, if any, with whether
	// the item changed since.
	Approval *approvalJSON `json:"approval,omitempty"`
}

func toJSON(it store.StoredItem) itemJSON {
	return itemJSON{Kind: it.Kind, Key: it.Key, Version: it.Version, UpdatedAt: it.UpdatedAt, UpdatedBy: it.UpdatedBy, Data: json.RawMessage(it.Data)}
}

func etag(version int64) string { return `"` + strconv.FormatInt(version, 10) + `"` }

// kind checks the {kind} of the path.
func (a *Server) kind(w http.ResponseWriter, r *http.Request, c *call) (string, bool) {
	k := r.PathValue("kind")
	if !bundle.IsKind(k) {
		a.fail(w, c.lang, http.StatusNotFound, "not_found", i18n.M("api.unknown_kind", "kind", k, "allowed", strings.Join(bundle.Kinds, ", ")))
		return "", false
	}
	return k, true
}

func (a *Server) list(w http.ResponseWriter, r *http.Request, c *call) {
	kind, ok := a.kind(w, r, c)
	if !ok {
		return
	}
	q := r.URL.Query()
	var fields []FieldError
	num := func(name string, def int) int {
		v := q.Get(name)
		if v == "" {
			return def
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			fields = append(fields, FieldError{Path: name, Message: i18n.M("api.bad_number", "value", v).In(c.lang)})
		}
		return n
	}
	o := store.ListOptions{Limit: num("limit", 50), Offset: num("offset", 0), Sort: q.Get("sort"), Owner: q.Get("owner"), Query: q.Get("q")}
	if o.Limit > store.MaxPage {
		fields = append(fields, FieldError{Path: "limit", Message: i18n.M("api.limit", "max", store.MaxPage).In(c.lang)})
	}
	switch strings.TrimPrefix(o.Sort, "-") {
	case "", "pos", "key", "label", "updated_at":
	default:
		fields = append(fields, FieldError{Path: "sort", Message: i18n.M("bundle.enum", "value", o.Sort, "allowed", "pos, key, label, updated_at (- for descending)").In(c.lang)})
	}
	if len(fields) > 0 {
		a.fail(w, c.lang, http.StatusBadRequest, "invalid", i18n.M("api.invalid"), fields...)
		return
	}
	p, err := a.store.List(r.Context(), r.PathValue("org"), kind, o)
	if err != nil {
		a.storeError(w, c, err)
		return
	}
	out := struct {
		Items  []itemJSON `json:"items"`
		Total  int        `json:"total"`
		Limit  int        `json:"limit"`
		Offset int        `json:"offset"`
	}{Items: make([]itemJSON, 0, len(p.Items)), Total: p.Total, Limit: o.Limit, Offset: o.Offset}
	for _, it := range p.Items {
		out.Items = append(out.Items, toJSON(it))
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *Server) get(w http.ResponseWriter, r *http.Request, c *call) {
	kind, ok := a.kind(w, r, c)
	if !ok {
		return
	}
	it, ap, err := a.store.GetWithApproval(r.Context(), r.PathValue("org"), kind, r.PathValue("key"))
	if err != nil {
		a.storeError(w, c, err)
		return
	}
	out := toJSON(it)
	if ap != nil {
		j := approvalOf(*ap)
		out.Approval = &j
	}
	w.Header().Set("ETag", etag(it.Version))
	writeJSON(w, http.StatusOK, out)
}

// readItem reads and strictly decodes a JSON item body.
func (a *Server) readItem(w http.ResponseWriter, r *http.Request, c *call, kind, key string) (bundle.Item, []bundle.Ref, bool) {
	return a.readItemAgainst(w, r, c, kind, key, nil)
}

// readItemAgainst is readItem with the edition and criteria given (nil:
// read from the store).
func (a *Server) readItemAgainst(w http.ResponseWriter, r *http.Request, c *call, kind, key string, pre *against) (bundle.Item, []bundle.Ref, bool) {
	if !a.jsonBody(w, r, c) {
		return bundle.Item{}, nil, false
	}
	body, ok := a.body(w, r, c, MaxItemBody)
	if !ok {
		return bundle.Item{}, nil, false
	}
	it, refs, err := a.decodeAgainst(r, kind, key, body, pre)
	if err != nil {
		a.invalid(w, c, err)
		return bundle.Item{}, nil, false
	}
	if kind == bundle.KindSoARows {
		soaKey, _, _ := strings.Cut(key, "/")
		var row struct {
			Control string `json:"control"`
		}
		json.Unmarshal(it.Data, &row)
		it.Key = soaKey + "/" + row.Control
		refs = append(refs, bundle.Ref{List: bundle.KindSoA, ID: soaKey, Path: "soa"})
	}
	return it, refs, true
}

func (a *Server) invalid(w http.ResponseWriter, c *call, err error) {
	var errs bundle.Errors
	var failed *storeFailed
	if errors.As(err, &failed) {
		a.storeError(w, c, failed.err)
		return
	}
	if !errors.As(err, &errs) {
		a.fail(w, c.lang, http.StatusBadRequest, "invalid", i18n.M("api.invalid_detail", "detail", err.Error()))
		return
	}
	fields := make([]FieldError, len(errs))
	for i, p := range errs {
		fields[i] = FieldError{Path: p.Path, Line: p.Line, Message: p.Msg.In(c.lang)}
	}
	a.fail(w, c.lang, http.StatusBadRequest, "invalid", i18n.M("api.invalid"), fields...)
}

// jsonBody insists on a JSON request body (415 otherwise).
func (a *Server) jsonBody(w http.ResponseWriter, r *http.Request, c *call) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		a.fail(w, c.lang, http.StatusUnsupportedMediaType, "unsupported_media_type", i18n.M("api.media_type", "want", "application/json"))
		return false
	}
	return true
}

// body reads at most limit bytes (413 beyond).
func (a *Server) body(w http.ResponseWriter, r *http.Request, c *call, limit int64) ([]byte, bool) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		a.fail(w, c.lang, http.StatusRequestEntityTooLarge, "too_large", i18n.M("api.too_large", "max", limit))
		return nil, false
	}
	if err != nil {
		a.fail(w, c.lang, http.StatusBadRequest, "invalid", i18n.M("api.invalid_detail", "detail", err.Error()))
		return nil, false
	}
	return b, true
}

// mayWrite applies authz to a write of one item: a risk owner writes only
// risks whose owner is their person, before and after the change.
func (a *Server) mayWrite(w http.ResponseWriter, c *call, kind string, owners ...string) bool {
	isOwner := c.member.Person != ""
	for _, o := range owners {
		isOwner = isOwner && o == c.member.Person
	}
	if authz.Can(c.member.Role, authz.Write, authz.Subject{Kind: kind, IsOwner: isOwner}) {
		return true
	}
	a.fail(w, c.lang, http.StatusForbidden, "forbidden", i18n.M("api.forbidden", "role", c.member.Role))
	return false
}

// singleton kinds are one item per organization, keyed by their kind.
func singleton(kind string) bool {
	return kind == bundle.KindOrganization || kind == bundle.KindCriteria
}

// keyless kinds have no id of their own; the store names them.
func keyless(kind string) bool {
	switch kind {
	case "responsibilities", "risk_sources_not_applicable", "backups", "monitoring":
		return true
	}
	return false
}

func (a *Server) create(w http.ResponseWriter, r *http.Request, c *call) {
	kind, ok := a.kind(w, r, c)
	if !ok {
		return
	}
	key := ""
	switch {
	case singleton(kind):
		key = kind
	case keyless(kind):
		key = fmt.Sprintf("k%d", a.now().UnixNano())
	case kind == bundle.KindSoARows:
		key = r.URL.Query().Get("soa") + "/"
		if key == "/" {
			a.fail(w, c.lang, http.StatusBadRequest, "invalid", i18n.M("api.invalid"),
				FieldError{Path: "soa", Message: i18n.M("api.soa_param").In(c.lang)})
			return
		}
	}
	it, refs, ok := a.readItem(w, r, c, kind, key)
	if !ok || !a.mayWrite(w, c, kind, it.Owner) {
		return
	}
	out, err := a.store.Put(r.Context(), r.PathValue("org"), it, refs, 0, actor(c))
	if err != nil {
		a.storeError(w, c, err)
		return
	}
	w.Header().Set("Location", "/api/v1/orgs/"+r.PathValue("org")+"/items/"+kind+"/"+out.Key)
	saved(w, http.StatusCreated, out)
}

// ifMatch reads the version an update or delete was made against.
func (a *Server) ifMatch(w http.ResponseWriter, r *http.Request, c *call) (int64, bool) {
	h := strings.TrimPrefix(strings.TrimSpace(r.Header.Get("If-Match")), "W/")
	if h == "" {
		a.fail(w, c.lang, http.StatusPreconditionRequired, "if_match_required", i18n.M("api.if_match"))
		return 0, false
	}
	v, err := strconv.ParseInt(strings.Trim(h, `"`), 10, 64)
	if err != nil || v < 1 {
		// A tag this server never gave out cannot be current.
		a.fail(w, c.lang, http.StatusConflict, "conflict", i18n.M("api.conflict"))
		return 0, false
	}
	return v, true
}

// existing reads the item a request names by {kind} and {key...}.
func (a *Server) existing(w http.ResponseWriter, r *http.Request, c *call) (string, string, store.StoredItem, bool) {
	kind, ok := a.kind(w, r, c)
	if !ok {
		return "", "", store.StoredItem{}, false
	}
	key := r.PathValue("key")
	prev, err := a.store.Get(r.Context(), r.PathValue("org"), kind, key)
	if err != nil {
		a.storeError(w, c, err)
		return "", "", store.StoredItem{}, false
	}
	return kind, key, prev, true
}

// saved answers a write with the stored item and its new ETag.
func saved(w http.ResponseWriter, status int, out store.StoredItem) {
	w.Header().Set("ETag", etag(out.Version))
	writeJSON(w, status, toJSON(out))
}

func (a *Server) update(w http.ResponseWriter, r *http.Request, c *call) {
	kind, ok := a.kind(w, r, c)
	if !ok {
		return
	}
	// The item and what its new content is checked against, in one read.
	key := r.PathValue("key")
	prev, edition, criteria, err := a.store.GetAndCriteria(r.Context(), r.PathValue("org"), kind, key)
	if err != nil {
		a.storeError(w, c, err)
		return
	}
	version, ok := a.ifMatch(w, r, c)
	if !ok {
		return
	}
	it, refs, ok := a.readItemAgainst(w, r, c, kind, key, &against{edition, criteria})
	if !ok || !a.mayWrite(w, c, kind, prev.Owner, it.Owner) {
		return
	}
	if it.Key != key {
		a.fail(w, c.lang, http.StatusBadRequest, "invalid", i18n.M("api.invalid"),
			FieldError{Path: "id", Message: i18n.M("api.key_mismatch", "key", key, "got", it.Key).In(c.lang)})
		return
	}
	if prev.Version != version {
		// Already out of date when read: refused at once rather than
		// after waiting for the organization's queue of writes, which
		// checks the version again under its lock.
		a.storeError(w, c, fmt.Errorf("%s/%s is at version %d, not %d: %w", kind, key, prev.Version, version, store.ErrConflict))
		return
	}
	out, err := a.store.Put(r.Context(), r.PathValue("org"), it, refs, version, actor(c))
	if err != nil {
		a.storeError(w, c, err)
		return
	}
	saved(w, http.StatusOK, out)
}

func (a *Server) remove(w http.ResponseWriter, r *http.Request, c *call) {
	kind, key, prev, ok := a.existing(w, r, c)
	if !ok {
		return
	}
	if !a.mayWrite(w, c, kind, prev.Owner) {
		return
	}
	if singleton(kind) {
		a.fail(w, c.lang, http.StatusConflict, "referenced", i18n.M("api.singleton", "kind", kind))
		return
	}
	version, ok := a.ifMatch(w, r, c)
	if !ok {
		return
	}
	if err := a.store.Delete(r.Context(), r.PathValue("org"), kind, key, version, actor(c)); err != nil {
		a.storeError(w, c, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// actor names the caller in the history.
func actor(c *call) string { return c.user.Email }
