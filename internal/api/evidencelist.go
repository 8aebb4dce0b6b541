package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/cloudisms/cloudisms/internal/authz"
	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/store"
)

func init() {
	routes = append(routes, Route{"GET", "/api/v1/orgs/{org}/evidence", authz.Read,
		"Every evidence file the ISMS names, each where it is named: the item and part it proves, who uploaded it and when, its size, the interval it stays current for and whether it is older (?kind=, ?old=true, ?days= the default interval 30–1830, ?limit= up to 500, ?offset=)",
		(*Server).evidenceList, false})
}

// evidenceJSON is one evidence file where an item names it.
type evidenceJSON struct {
	Name       string `json:"name"`
	SHA256     string `json:"sha256"`
	Kind       string `json:"kind"`
	Key        string `json:"key"`
	Part       string `json:"part,omitempty"`
	PartID     string `json:"part_id,omitempty"`
	UploadedAt string `json:"uploaded_at,omitempty"`
	UploadedBy string `json:"uploaded_by,omitempty"`
	// The last upload of the same content, when it was uploaded again
	// (uploaded_at stays the first: when the evidence was collected).
	LastUploadedAt string `json:"last_uploaded_at,omitempty"`
	LastUploadedBy string `json:"last_uploaded_by,omitempty"`
	Size           int64  `json:"size"`
	IntervalDays   int    `json:"interval_days"`
	Basis          string `json:"basis"`
	Old            bool   `json:"old"`
}

func (a *Server) evidenceList(w http.ResponseWriter, r *http.Request, c *call) {
	q, org := r.URL.Query(), r.PathValue("org")
	intParam := func(name string, def, lo, hi int) (int, bool) {
		s := q.Get(name)
		if s == "" {
			return def, true
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < lo || n > hi {
			a.fail(w, c.lang, http.StatusBadRequest, "invalid", i18n.M("api.invalid"), FieldError{Path: name, Message: i18n.M("evlist.range", "min", lo, "max", hi).In(c.lang)})
			return 0, false
		}
		return n, true
	}
	days, ok := intParam("days", isms.DefaultEvidenceInterval, 30, 1830)
	if !ok {
		return
	}
	limit, ok := intParam("limit", store.MaxPage, 1, store.MaxPage)
	if !ok {
		return
	}
	offset, ok := intParam("offset", 0, 0, 1<<30)
	if !ok {
		return
	}
	model, err := a.store.ISMS(r.Context(), org)
	if err != nil {
		a.storeError(w, c, err)
		return
	}
	recs, err := a.store.EvidenceRecords(r.Context(), org)
	if err != nil {
		a.storeError(w, c, err)
		return
	}
	asOf := isms.DateOf(a.now().In(isms.JST))
	out := []evidenceJSON{}
	for _, pl := range isms.EvidencePlaces(model, days) {
		rec := recs[pl.SHA256]
		e := evidenceJSON{Name: pl.Name, SHA256: pl.SHA256, Kind: pl.Kind, Key: placeKey(pl), Part: pl.Part, PartID: pl.PartID,
			UploadedBy: rec.UploadedBy, Size: rec.Size, IntervalDays: pl.Interval, Basis: pl.Basis}
		if !rec.UploadedAt.IsZero() {
			e.UploadedAt = rec.UploadedAt.UTC().Format(time.RFC3339)
			e.Old = pl.Old(isms.DateOf(rec.UploadedAt.In(isms.JST)), asOf)
		}
		if rec.LastUploadedAt.After(rec.UploadedAt) {
			e.LastUploadedAt, e.LastUploadedBy = rec.LastUploadedAt.UTC().Format(time.RFC3339), rec.LastUploadedBy
		}
		if (q.Get("kind") == "" || q.Get("kind") == e.Kind) && (q.Get("old") != "true" || e.Old) {
			out = append(out, e)
		}
	}
	total := len(out)
	out = out[min(offset, total):min(offset+limit, total)]
	writeJSON(w, http.StatusOK, map[string]any{"as_of": asOf.String(), "default_days": days, "total": total, "evidence": out})
}

// placeKey is the stored key of the item a file is named in.
func placeKey(pl isms.EvidencePlace) string {
	switch pl.Kind {
	case bundle.KindSoARows:
		return bundle.SoAKey(*pl.SoA) + "/" + pl.ID
	case "backups", "monitoring":
		return bundle.SeqKey(pl.Seq)
	}
	return pl.ID
}
