package server

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/cloudisms/cloudisms/internal/api"
	"github.com/cloudisms/cloudisms/internal/i18n"
)

// Stage bounds one kind of request: how large its body may be and how long
// reading it, working on it and writing the answer may take. When the
// work time runs out the request's context ends, so database calls stop
// and the handler answers 503 instead of working on for nobody; when the
// client goes away the context ends at once.
type Stage struct {
	Body  int64
	Read  time.Duration
	Work  time.Duration
	Write time.Duration
}

// Limits are the stages of the server: Bulk for whole bundles, imports,
// evidence files and exports, Default for everything else.
type Limits struct {
	Default, Bulk Stage
}

// DefaultLimits are the limits the server runs with (documented in the
// README).
var DefaultLimits = Limits{
	Default: Stage{Body: api.MaxItemBody + 64<<10, Read: 30 * time.Second, Work: 60 * time.Second, Write: 90 * time.Second},
	Bulk:    Stage{Body: api.MaxBundleBody, Read: 10 * time.Minute, Work: 10 * time.Minute, Write: 15 * time.Minute},
}

// isBulk tells the requests that move whole bundles or files: uploads
// (multipart forms, YAML and binary bodies) and paths naming a bundle, an
// import, evidence or an export.
func isBulk(r *http.Request) bool {
	ct := r.Header.Get("Content-Type")
	if strings.HasPrefix(ct, "multipart/") || strings.Contains(ct, "yaml") || strings.HasPrefix(ct, "application/octet-stream") {
		return true
	}
	for _, part := range []string{"/bundle", "/import", "/evidence", "/exports/", "/oscal", "/workbook"} {
		if strings.Contains(r.URL.Path, part) {
			return true
		}
	}
	return false
}

// withLimits applies the stage of each request. It must wrap the raw
// ResponseWriter (outermost), so that the connection's deadlines can be
// set.
func withLimits(h http.Handler, l Limits) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := l.Default
		if isBulk(r) {
			st = l.Bulk
		}
		now := time.Now()
		rc := http.NewResponseController(w)
		// Errors here mean a writer without deadlines (tests' recorders):
		// the context's deadline still holds.
		// The read deadline also bounds the work: once it passes, the
		// server takes the connection for closed and ends the request's
		// context. So it covers reading the body and the work after it.
		_ = rc.SetReadDeadline(now.Add(st.Read + st.Work))
		_ = rc.SetWriteDeadline(now.Add(st.Read + st.Work + st.Write))
		if r.ContentLength > st.Body {
			tooLarge(w, r, st.Body)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, st.Body)
		ctx, cancel := context.WithTimeout(r.Context(), st.Work)
		defer cancel()
		h.ServeHTTP(w, r.WithContext(ctx))
	})
}

// tooLarge refuses a body over the cap before reading it: in the API's
// error shape under /api/, as text elsewhere.
func tooLarge(w http.ResponseWriter, r *http.Request, limit int64) {
	w.Header().Set("Connection", "close")
	lang := i18n.JA
	if strings.HasPrefix(r.Header.Get("Accept-Language"), "en") {
		lang = i18n.EN
	}
	msg := i18n.M("api.too_large", "max", limit).In(lang)
	if !strings.HasPrefix(r.URL.Path, "/api/") {
		http.Error(w, msg, http.StatusRequestEntityTooLarge)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusRequestEntityTooLarge)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"code": "too_large", "message": msg, "fields": []any{}}})
}
