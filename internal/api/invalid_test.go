package api

import (
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/store"
)

// TestInvalidTellsStoreFromBody: a body is checked against what the store
// holds (the edition, the criteria), and a failure to read those is the
// store's. In a database outage a create was once answered 400 "invalid"
// because of it; it is a 503 like every other answer then.
func TestInvalidTellsStoreFromBody(t *testing.T) {
	a := &Server{log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	for _, tc := range []struct {
		name   string
		err    error
		status int
		code   string
	}{
		{"outage", &storeFailed{fmt.Errorf("edition: %w", driver.ErrBadConn)}, http.StatusServiceUnavailable, "unavailable"},
		{"organization gone", &storeFailed{fmt.Errorf("criteria: %w", store.ErrNotFound)}, http.StatusNotFound, "not_found"},
		{"body's problems", bundle.Errors{{Path: "title", Msg: i18n.M("api.invalid")}}, http.StatusBadRequest, "invalid"},
		{"body's syntax", errors.New("unexpected end of JSON input"), http.StatusBadRequest, "invalid"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			a.invalid(w, &call{lang: "en"}, tc.err)
			var b errorBody
			json.Unmarshal(w.Body.Bytes(), &b)
			if w.Code != tc.status || b.Error.Code != tc.code {
				t.Errorf("got %d %q, want %d %q: %s", w.Code, b.Error.Code, tc.status, tc.code, w.Body)
			}
		})
	}
}
