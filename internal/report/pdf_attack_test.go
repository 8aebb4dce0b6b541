package report

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"github.com/cloudisms/cloudisms/internal/gate"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// readCSSString reads one string token from the start of css the way the
// CSS Syntax spec (§4.3.5 consume a string token, §4.3.7 consume an
// escaped code point) does, and returns its value and what follows it; ok
// is false for a bad string (a line break inside) or an unterminated one.
func readCSSString(css string) (value, rest string, ok bool) {
	if css == "" || (css[0] != '"' && css[0] != '\'') {
		return "", css, false
	}
	quote := rune(css[0])
	rs := []rune(css[1:])
	var b strings.Builder
	isHex := func(r rune) bool { return strings.ContainsRune("0123456789abcdefABCDEF", r) }
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r == quote:
			return b.String(), string(rs[i+1:]), true
		case r == '\n' || r == '\r' || r == '\f':
			return "", "", false // bad string: the rest would be read as CSS
		case r == '\\':
			i++
			if i == len(rs) {
				return b.String(), "", false
			}
			switch {
			case rs[i] == '\n' || rs[i] == '\r' || rs[i] == '\f':
				// an escaped line break continues the string
			case isHex(rs[i]):
				j := i
				for j < len(rs) && j-i < 6 && isHex(rs[j]) {
					j++
				}
				v, _ := strconv.ParseUint(string(rs[i:j]), 16, 32)
				if j < len(rs) && (rs[j] == ' ' || rs[j] == '\t' || rs[j] == '\n') {
					j++
				}
				if v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF) {
					v = 0xFFFD
				}
				b.WriteRune(rune(v))
				i = j - 1
			default:
				b.WriteRune(rs[i])
			}
		case r == 0:
			b.WriteRune(0xFFFD)
		default:
			b.WriteRune(r)
		}
	}
	return b.String(), "", false
}

// TestCSSStringPerSpec: whatever the text, cssString gives one CSS string
// token that reads back as the text (NUL as U+FFFD, as CSS reads it),
// never a line break that ends it, and never </ or > that ends the style
// element. Before the fix CR and FF went through unescaped: the string
// ended there and the rest of an organization's name was read as CSS.
func TestCSSStringPerSpec(t *testing.T) {
	for _, s := range []string{
		"株式会社サンプル", "a\rb", "a\fb", "a\nb", "a\r\nb", `"; } @import url(http://evil.example/x); {`,
		"x\r} @page { @top-left { content: url(http://127.0.0.1:9/) } } body { background: url(//evil.example) }\f",
		`</style><script>`, "back\\slash", "nul\x00", "tab\tv\vz", "\u0085\u2028\u2029\ufeff", "\u3000全角空白", "emoji 🙂", "'single'",
		"a\\\nb", "\\41 ", "\x7f\x1b[0m",
	} {
		out := cssString(s)
		got, rest, ok := readCSSString(out)
		want := strings.ReplaceAll(s, "\x00", "\ufffd")
		if !ok || rest != "" || got != want {
			t.Errorf("cssString(%q) = %q reads as %q (ok %v, rest %q)", s, out, got, ok, rest)
		}
		if strings.ContainsAny(out, "\r\n\f\x00<>") {
			t.Errorf("cssString(%q) = %q keeps a dangerous character", s, out)
		}
	}
	// Invalid UTF-8 becomes U+FFFD.
	if got, _, ok := readCSSString(cssString("a\xffb")); !ok || got != "a\ufffdb" {
		t.Errorf("invalid UTF-8 read as %q", got)
	}
}

// FuzzCSSString holds the same for any text.
func FuzzCSSString(f *testing.F) {
	for _, s := range []string{"a\rb", "\f", `"`, `\`, "</style>", "日本語"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := cssString(s)
		got, rest, ok := readCSSString(out)
		want := strings.ReplaceAll(strings.ToValidUTF8(s, "\ufffd"), "\x00", "\ufffd")
		if !ok || rest != "" || got != want {
			t.Fatalf("cssString(%q) = %q reads as %q (ok %v, rest %q)", s, out, got, ok, rest)
		}
	})
}

// TestPDFMakesNoRequest is item 7's attack: an organization name with CR
// and FF that, before the fix, injected CSS into the printed page, and the
// server's Chromium fetched the attacker's URL while printing. A listener
// stands in for the attacker; the print must not reach it, whether by the
// name, by a style sheet link or by an image, on the loopback address or
// by host name.
func TestPDFMakesNoRequest(t *testing.T) {
	browser, err := FindBrowser()
	if err != nil {
		t.Skip(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var hits atomic.Int32
	var paths sync.Map
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		paths.Store(r.URL.Path, true)
		w.Header().Set("Content-Type", "text/css")
		fmt.Fprint(w, "body { color: red }")
	})}
	go srv.Serve(l)
	defer srv.Close()
	addr := l.Addr().String()
	_, port, _ := net.SplitHostPort(addr)

	m := sample(t)
	m.Organization.Name = "Evil\r}} body { background: url(http://" + addr + "/escaped) } @page { @top-left { content: \"\f} @import url(http://" + addr + "/import.css); body { background: url(http://" + addr +
		"/bg) } h1 { background: url(http://localhost:" + port + "/by-name) } @font-face { font-family: z; src: url(http://" + addr + "/font) } x {\f"
	var buf bytes.Buffer
	if _, err := PrintHTML(&buf, m, DocScope, PrintOptions{Options: Options{Version: "1", Date: asOf}}); err != nil {
		t.Fatal(err)
	}
	// The page as printed, and the same page with the attacker's CSS
	// forced in (as if a future bug let text into a style): the network
	// stays off either way.
	forced := bytes.Replace(buf.Bytes(), []byte("</head>"), []byte("<link rel=\"stylesheet\" href=\"http://"+addr+"/link.css\"><style>body { background: url(http://"+addr+"/forced) }</style></head>"), 1)
	// Control: the forced page without its policy, printed by Chromium
	// without the switches, does reach the listener (so the test can see
	// a request when there is one).
	bare := regexp.MustCompile(`<meta http-equiv="Content-Security-Policy"[^>]*>`).ReplaceAll(forced, nil)
	ctl := filepath.Join(t.TempDir(), "ctl")
	os.WriteFile(ctl+".html", bare, 0o600)
	exec.Command(browser, "--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir="+ctl+"-profile", "--print-to-pdf="+ctl+".pdf", "file://"+ctl+".html").Run()
	if hits.Load() == 0 {
		t.Fatal("control: an unprotected print made no request; the test cannot see one")
	}
	hits.Store(0)
	paths.Clear()

	for name, page := range map[string][]byte{"name": buf.Bytes(), "forced": forced, "forced without policy": bare} {
		out := filepath.Join(t.TempDir(), "doc.pdf")
		if err := PDF(context.Background(), browser, page, out); err != nil {
			t.Fatal(err)
		}
		if st, err := os.Stat(out); err != nil || st.Size() == 0 {
			t.Fatalf("%s: no PDF", name)
		}
		if n := hits.Load(); n != 0 {
			var got []string
			paths.Range(func(k, _ any) bool { got = append(got, k.(string)); return true })
			t.Errorf("%s: printing made %d requests to the attacker: %v", name, n, got)
		}
	}
	if !strings.Contains(buf.String(), `Content-Security-Policy" content="default-src &#39;none&#39;`) {
		t.Error("the self-contained page has no policy against loading")
	}
}

// TestPrintsBounded: with a stand-in browser that takes a while, no more
// than MaxPrints run at once, the queue takes MaxWaiting, and a print
// beyond them is refused at once with ErrBusy; a waiting print whose
// caller goes away leaves the queue.
func TestPrintsBounded(t *testing.T) {
	dir := t.TempDir()
	fake := filepath.Join(dir, "chromium")
	script := `#!/bin/sh
for a in "$@"; do case "$a" in --print-to-pdf=*) out="${a#--print-to-pdf=}";; esac; done
mkdir "` + dir + `/running.$$"
n=$(ls -d "` + dir + `"/running.* | wc -l)
echo "$n" >> "` + dir + `/counts"
sleep 0.4
rmdir "` + dir + `/running.$$"
printf '%%PDF-1.4 fake' > "$out"
`
	if err := os.WriteFile(fake, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	saved := prints
	defer func() { prints = saved }()
	prints = gate.New(MaxPrints, MaxWaiting, 10*time.Second)

	total := MaxPrints + MaxWaiting + 3
	errs := make([]error, total)
	var wg sync.WaitGroup
	for i := range total {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = PDF(context.Background(), fake, []byte("<p>x</p>"), filepath.Join(dir, fmt.Sprintf("%d.pdf", i)))
		}()
		time.Sleep(10 * time.Millisecond) // in order, so the extra ones meet a full queue
	}
	wg.Wait()
	busy, ok := 0, 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, ErrBusy):
			busy++
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	if ok != MaxPrints+MaxWaiting || busy != 3 {
		t.Errorf("printed %d and refused %d; want %d and 3", ok, busy, MaxPrints+MaxWaiting)
	}
	counts, _ := os.ReadFile(filepath.Join(dir, "counts"))
	for _, c := range strings.Fields(string(counts)) {
		if n, _ := strconv.Atoi(c); n > MaxPrints {
			t.Errorf("%d browsers ran at once (limit %d)", n, MaxPrints)
		}
	}

	// A caller that goes away while waiting leaves the queue.
	prints = gate.New(1, 1, 10*time.Second)
	prints.Enter(context.Background()) // the one slot taken
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := PDF(ctx, fake, nil, filepath.Join(dir, "x.pdf")); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("waiting print whose caller left: %v", err)
	}
	if w := prints.Waiting(); w != 0 {
		t.Errorf("%d still waiting", w)
	}
	// A full queue refuses at once; a wait that runs out refuses too.
	prints = gate.New(1, 0, 10*time.Second)
	prints.Enter(context.Background())
	if err := PDF(context.Background(), fake, nil, filepath.Join(dir, "y.pdf")); !errors.Is(err, ErrBusy) {
		t.Errorf("full queue: %v", err)
	}
	prints = gate.New(1, 1, 50*time.Millisecond)
	prints.Enter(context.Background())
	if err := PDF(context.Background(), fake, nil, filepath.Join(dir, "z.pdf")); !errors.Is(err, ErrBusy) {
		t.Errorf("wait ran out: %v", err)
	}
}
