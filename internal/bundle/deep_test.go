package bundle

import (
	"bytes"
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/cloudisms/cloudisms/internal/i18n"
)

// hostileDocs are the nesting attacks of issue 10: a flow list opened
// millions of times, block lists nested a million deep, and the same with
// a tab that turns the fast reader away so the general parser meets them.
func hostileDocs() map[string][]byte {
	return map[string][]byte{
		"8 MB of [":              append([]byte("x: "), bytes.Repeat([]byte("["), 8<<20)...),
		"2 MB of - ":             append(bytes.Repeat([]byte("- "), 1<<20), 'a'),
		"2 MB of - on lines":     deepBlock(1400),
		"8 MB of { (flow maps)":  append([]byte("x: "), bytes.Repeat([]byte("{a: "), 2<<20)...),
		"[ after a tab":          append([]byte("#\t\nx: "), bytes.Repeat([]byte("["), 8<<20)...),
		"- after a tab":          append(append([]byte("#\t\n"), bytes.Repeat([]byte("- "), 1<<20)...), 'a'),
		"JSON lists":             append([]byte(`{"x": `), bytes.Repeat([]byte("["), 8<<20)...),
		"closed flow, deep":      []byte("x: " + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + "\n"),
		"mapping keys, deep":     deepMap(300),
		"deep after a good head": append([]byte("format: cloudisms/v1\norganization:\n  name: x\nrisks: "), bytes.Repeat([]byte("["), 1<<20)...),
	}
}

// deepBlock is a block list whose every item is a list one step further in.
func deepBlock(levels int) []byte {
	var b bytes.Buffer
	for i := range levels {
		b.WriteString(strings.Repeat(" ", i*2))
		b.WriteString("-\n")
	}
	b.WriteString("a\n")
	return b.Bytes()
}

// deepMap is k: {k: {k: ...}} written as block mappings.
func deepMap(levels int) []byte {
	var b bytes.Buffer
	for i := range levels {
		b.WriteString(strings.Repeat(" ", i))
		b.WriteString("k:\n")
	}
	b.WriteString(strings.Repeat(" ", levels) + "k: v\n")
	return b.Bytes()
}

// TestDecodeRefusesDeepNesting performs the attacks through Decode: each
// answers a problem that names the limit, a line and a path, quickly and
// within a small memory budget (before the fix the first two overflowed
// the stack and killed the process).
func TestDecodeRefusesDeepNesting(t *testing.T) {
	for name, src := range hostileDocs() {
		t.Run(name, func(t *testing.T) {
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			_, err := Decode("attack.yaml", src)
			took := time.Since(start)
			runtime.ReadMemStats(&after)
			var errs Errors
			if !errors.As(err, &errs) || len(errs) != 1 {
				t.Fatalf("want one problem, got %v", err)
			}
			p := errs[0]
			if p.Msg.Key != "bundle.too_deep" {
				t.Fatalf("want the nesting problem, got %s", p.In(i18n.EN))
			}
			if p.Line < 1 {
				t.Errorf("no line: %s", p.In(i18n.EN))
			}
			// The YAML library stops documents thousands of levels deep
			// before ours would, with a line but no path.
			if !strings.Contains(name, "tab") && p.Path == "" {
				t.Errorf("no path: %s", p.In(i18n.EN))
			}
			if ja := p.In(i18n.JA); !strings.Contains(ja, "200 段") {
				t.Errorf("Japanese message does not give the limit: %s", ja)
			}
			// Work per byte: a few times the input at most, and no
			// super-linear time.
			alloc := after.TotalAlloc - before.TotalAlloc
			if limit := uint64(len(src))*8 + 32<<20; alloc > limit {
				t.Errorf("allocated %d MB for %d KB of input (limit %d MB)", alloc>>20, len(src)>>10, limit>>20)
			}
			if took > 5*time.Second {
				t.Errorf("took %v", took)
			}
			t.Logf("%s: %d KB in, %v, %d MB allocated: %s", name, len(src)>>10, took.Round(time.Millisecond), alloc>>20, p.In(i18n.EN))
		})
	}
}

// TestDepthLimitAgrees: at the limit both parsers read a document the same
// way; one level deeper both refuse it.
func TestDepthLimitAgrees(t *testing.T) {
	for _, tc := range []struct {
		name string
		make func(n int) []byte
	}{
		{"flow", func(n int) []byte {
			return []byte("x: " + strings.Repeat("[", n) + "a" + strings.Repeat("]", n) + "\n")
		}},
		{"block", func(n int) []byte { return []byte(strings.Repeat("- ", n) + "a\n") }},
		{"mapping", deepMap},
	} {
		for n := maxDepth - 3; n <= maxDepth+1; n++ {
			src := tc.make(n)
			fast, ok, ferr := parseFast(src)
			if !ok {
				t.Fatalf("%s %d: the fast path gave up", tc.name, n)
			}
			slow, serr := parseYAML(src)
			if (ferr == nil) != (serr == nil) {
				t.Fatalf("%s %d: fast %v, general %v", tc.name, n, ferr, serr)
			}
			if ferr == nil {
				if d := sameNode(fast, slow, "$"); d != "" {
					t.Fatalf("%s %d: differs at %s", tc.name, n, d)
				}
			}
		}
	}
}
