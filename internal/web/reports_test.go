package web_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cloudisms/cloudisms/internal/api"
	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/server"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/xuri/excelize/v2"
)

// plain is a server with the sample ISMS and one signed-in member, driven
// over HTTP without a browser.
type plain struct {
	t      *testing.T
	url    string
	store  *store.Store
	cookie *http.Cookie
}

func startPlain(t *testing.T, role string) *plain {
	ctx := context.Background()
	s, err := store.Open(ctx, "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	src, _ := os.ReadFile("../../examples/sample-saas.yaml")
	m, err := bundle.Decode("sample-saas.yaml", src)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Import(ctx, "sample", m, "setup"); err != nil {
		t.Fatal(err)
	}
	u, err := s.CreateUser(ctx, "member@example.com", "Member", "ja", password)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.AddMember(ctx, "sample", u.ID, role, "p-isms"); err != nil {
		t.Fatal(err)
	}
	tok, err := s.CreateSession(ctx, u.ID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	h, err := server.Handler(s, slog.New(slog.NewTextHandler(io.Discard, nil)), func() time.Time {
		return time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &plain{t: t, url: srv.URL, store: s, cookie: &http.Cookie{Name: api.SessionCookie, Value: tok}}
}

func (p *plain) get(path string) (int, http.Header, []byte) {
	p.t.Helper()
	req, _ := http.NewRequest("GET", p.url+path, nil)
	req.AddCookie(p.cookie)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		p.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, b
}

func TestReportsPageDownloads(t *testing.T) {
	p := startPlain(t, "viewer")
	code, _, body := p.get("/orgs/sample/reports")
	if code != 200 {
		t.Fatalf("reports page: %d %s", code, body)
	}
	if !bytes.Contains(body, []byte(`href="/orgs/sample/reports"`)) {
		t.Error("the side navigation does not link the reports page")
	}
	links := regexp.MustCompile(`href="(/api/v1/orgs/sample/reports/xlsx\?[^"]+)"`).FindAllSubmatch(body, -1)
	if len(links) != 6 {
		t.Fatalf("%d download links, want 6", len(links))
	}
	for _, l := range links {
		path := strings.ReplaceAll(string(l[1]), "&amp;", "&")
		code, hdr, wb := p.get(path)
		if code != 200 || !strings.HasPrefix(hdr.Get("Content-Disposition"), "attachment") {
			t.Fatalf("%s: %d %v", path, code, hdr)
		}
		f, err := excelize.OpenReader(bytes.NewReader(wb))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if len(f.GetSheetList()) == 0 {
			t.Errorf("%s: no sheets", path)
		}
		f.Close()
	}
}
