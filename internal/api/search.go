package api

import (
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/cloudisms/cloudisms/internal/authz"
	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/store"
)

// The search of the web UI's search box, as data: the stored items of the
// organization whose text contains the query, grouped by kind.
func init() {
	routes = append(routes, Route{"GET", "/api/v1/orgs/{org}/search", authz.Read,
		"Search the organization's ISMS (?q=, at most 200 characters (none: nothing found), Japanese or English; ?limit=1–500, default 100): the stored items whose text contains q, grouped by kind, each with its key and label; truncated when more matched",
		(*Server).search, false})
}

type searchHitJSON struct {
	Key   string `json:"key"`
	Label string `json:"label"`
}

type searchGroupJSON struct {
	Kind  string          `json:"kind"`
	Items []searchHitJSON `json:"items"`
}

func (a *Server) search(w http.ResponseWriter, r *http.Request, c *call) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if utf8.RuneCountInString(q) > store.MaxQuery {
		a.fail(w, c.lang, http.StatusBadRequest, "invalid", i18n.M("api.invalid"),
			FieldError{Path: "q", Message: i18n.M("search.too_long", "n", store.MaxQuery).In(c.lang)})
		return
	}
	limit := 100
	if s := r.URL.Query().Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 500 {
			a.fail(w, c.lang, http.StatusBadRequest, "invalid", i18n.M("api.invalid"), FieldError{Path: "limit", Message: "1–500"})
			return
		}
		limit = n
	}
	// One more than asked tells whether the answer was cut (an empty
	// query finds nothing).
	hits, err := a.store.Search(r.Context(), r.PathValue("org"), q, limit+1)
	if err != nil {
		a.storeError(w, c, err)
		return
	}
	truncated := len(hits) > limit
	hits = hits[:min(len(hits), limit)]
	groups := []searchGroupJSON{}
	at := map[string]int{}
	for _, h := range hits {
		i, ok := at[h.Kind]
		if !ok {
			i = len(groups)
			at[h.Kind] = i
			groups = append(groups, searchGroupJSON{Kind: h.Kind})
		}
		groups[i].Items = append(groups[i].Items, searchHitJSON{Key: h.Key, Label: h.Label})
	}
	writeJSON(w, http.StatusOK, map[string]any{"q": q, "total": len(hits), "truncated": truncated, "groups": groups})
}
