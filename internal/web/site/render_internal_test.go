package site

import (
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/cloudisms/cloudisms/internal/store"
)

// TestRenderBuffersNotShared: pages rendered at once into reused buffers
// each send their own bytes, whatever their sizes (some past the largest
// buffer kept).
func TestRenderBuffersNotShared(t *testing.T) {
	tmpl := template.Must(template.New("layout.html").Parse(`<p>{{.Title}}</p>{{.Data}}`))
	a := &App{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), pages: map[string]*template.Template{"page": tmpl}}
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := range 16 {
		wg.Go(func() {
			for i := range 40 {
				title := fmt.Sprintf("page %d-%d", g, i)
				fill := strings.Repeat(fmt.Sprint(g%10), (g*977+i*131)%(3*maxKeptBuffer/2))
				rec := httptest.NewRecorder()
				a.Render(rec, 200, "page", &Page{Title: title, Data: fill})
				if want := "<p>" + title + "</p>" + fill; rec.Body.String() != want {
					errs <- fmt.Sprintf("%s: got %d bytes beginning %.40q, want %d", title, rec.Body.Len(), rec.Body.String(), len(want))
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// TestMemoKeptByKey: a memo is made again when its key changes, kept while
// it does not, and kept apart per organization and language.
func TestMemoKeptByKey(t *testing.T) {
	a := &App{views: newViews(), parts: store.NewHeadCache[any](maxParts), navs: store.NewHeadCache[any](maxNavs)}
	made := 0
	get := func(org, lang, key string) string {
		return Memo(a, &Page{Org: org, Lang: lang}, "chart", key, func() string { made++; return org + " " + lang + " " + key })
	}
	steps := []struct {
		org, lang, key string
		made           int
	}{
		{"a", "ja", "k1", 1},
		{"a", "ja", "k1", 1}, // kept
		{"a", "en", "k1", 2}, // another language
		{"b", "ja", "k1", 3}, // another organization
		{"a", "ja", "k2", 4}, // the key changed
		{"a", "ja", "k2", 4},
		{"a", "ja", "k1", 5}, // only the last is kept
	}
	for i, s := range steps {
		if got := get(s.org, s.lang, s.key); got != s.org+" "+s.lang+" "+s.key {
			t.Errorf("step %d: got %q", i, got)
		}
		if made != s.made {
			t.Errorf("step %d: made %d times, want %d", i, made, s.made)
		}
	}
}
