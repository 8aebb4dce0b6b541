package api_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/cloudisms/cloudisms/internal/api"
	"github.com/cloudisms/cloudisms/internal/authz"
	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/store"
)

// FuzzItemBody sends arbitrary JSON bodies as new or replaced items of
// every kind. Whatever arrives, the API answers with success or a client
// error in the one error shape, never a server error or a panic, and an
// accepted item reads back as valid JSON.
func FuzzItemBody(f *testing.F) {
	s, err := store.Open(ctx, "", f.TempDir())
	if err != nil {
		f.Fatal(err)
	}
	defer s.Close()
	src, err := os.ReadFile("../../examples/sample-saas.yaml")
	if err != nil {
		f.Fatal(err)
	}
	m, err := bundle.Decode("sample-saas.yaml", src)
	if err != nil {
		f.Fatal(err)
	}
	if _, err := s.Import(ctx, "own", m, "setup"); err != nil {
		f.Fatal(err)
	}
	u, err := s.CreateUser(ctx, "fuzz@example.com", "fuzz", "en", "correct horse battery")
	if err != nil {
		f.Fatal(err)
	}
	if err := s.AddMember(ctx, "own", u.ID, authz.Admin, "p-isms"); err != nil {
		f.Fatal(err)
	}
	token, _, err := s.CreateToken(ctx, u.ID, "fuzz", time.Now().Add(time.Hour))
	if err != nil {
		f.Fatal(err)
	}
	h := api.New(s, slog.New(slog.NewTextHandler(io.Discard, nil)), time.Now)

	for _, seed := range []string{
		`{"id":"r-9","title":"t","treatment":"retain","owner":"p-isms"}`,
		`{"id":"r-9","title":"t","treatment":"modify","owner":"p-isms","likelihood":2,"impact":3,"controls":["5.1"],"plan":[{"action":"a","owner":"p-isms","due":"2026-12-01"}]}`,
		`{"id":"a-1","name":"資産","kind":"information","owner":"p-isms","confidentiality":3}`,
		`{"control":"5.1","applicable":true,"implemented":"yes"}`,
		`{"name":"組織","id":"x","unknown":1}`,
		`{"id":"r-9","title":"\u0000\ud800","treatment":"retain","owner":"p-isms"}`,
		`[1,2,3]`, `null`, `{"id":1e400}`, `{"a":{"b":{"c":[[[[]]]]}}}`, `{"id":"r-9","id":"r-10"}`,
	} {
		for k := range len(bundle.Kinds) {
			f.Add(uint8(k), false, []byte(seed))
		}
	}
	f.Fuzz(func(t *testing.T, kindIndex uint8, replace bool, body []byte) {
		kind := bundle.Kinds[int(kindIndex)%len(bundle.Kinds)]
		method, path := "POST", "/api/v1/orgs/own/items/"+kind
		if kind == bundle.KindSoARows {
			path += "?soa=organization"
		}
		if replace {
			method, path = "PUT", "/api/v1/orgs/own/items/risks/r-01"
		}
		req := httptest.NewRequest(method, path, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		if replace {
			it, err := s.Get(ctx, "own", "risks", "r-01")
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("If-Match", `"`+itoa(it.Version)+`"`)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch {
		case rec.Code >= 500:
			t.Fatalf("%s %s %q: %d %s", method, path, body, rec.Code, rec.Body)
		case rec.Code >= 400:
			var e struct {
				Error *struct{ Code, Message string }
			}
			if json.Unmarshal(rec.Body.Bytes(), &e) != nil || e.Error == nil || e.Error.Code == "" || e.Error.Message == "" {
				t.Fatalf("%d without the error shape: %s", rec.Code, rec.Body)
			}
		case rec.Code == http.StatusOK || rec.Code == http.StatusCreated:
			var out struct{ Data json.RawMessage }
			if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || !json.Valid(out.Data) {
				t.Fatalf("accepted item is not JSON: %s", rec.Body)
			}
		default:
			t.Fatalf("unexpected status %d", rec.Code)
		}
	})
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
