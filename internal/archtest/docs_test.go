package archtest

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/cloudisms/cloudisms/internal/bundle"
)

// markdownLink finds inline links and images: [text](target) and ![alt](target).
var markdownLink = regexp.MustCompile(`!?\[[^\]]*\]\(([^)\s]+)\)`)

var tableRule = regexp.MustCompile(`^\|(\s*:?-+:?\s*\|)+\s*$`)

// The README and docs/ link only files of the repository (users never see
// the steering repo's shared folder), every link resolves, and every
// table has its heading row (a table without one renders as raw "|" text).
func TestDocsLinkInsideTheRepository(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	files := []string{filepath.Join(root, "README.md")}
	docs, _ := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	files = append(files, docs...)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(root, f)
		text := string(b)
		if strings.Contains(text, "../shared") || strings.Contains(text, "spec/rules.md") || strings.Contains(text, "spec/bundle.md") {
			t.Errorf("%s names a file outside the repository (../shared or spec/)", rel)
		}
		inFence := false
		lines := strings.Split(text, "\n")
		for i, line := range lines {
			if strings.HasPrefix(line, "```") {
				inFence = !inFence
			}
			if inFence {
				continue
			}
			for _, m := range markdownLink.FindAllStringSubmatch(line, -1) {
				target := m[1]
				if strings.Contains(target, "://") || strings.HasPrefix(target, "#") || strings.HasPrefix(target, "mailto:") {
					continue
				}
				target, _, _ = strings.Cut(target, "#")
				path := filepath.Clean(filepath.Join(filepath.Dir(f), target))
				if !strings.HasPrefix(path, root+string(filepath.Separator)) {
					t.Errorf("%s:%d: link %q leaves the repository", rel, i+1, m[1])
					continue
				}
				if _, err := os.Stat(path); err != nil {
					t.Errorf("%s:%d: link %q does not resolve", rel, i+1, m[1])
				}
			}
			// The first line of a table is followed by its heading rule.
			if strings.HasPrefix(line, "|") && (i == 0 || !strings.HasPrefix(lines[i-1], "|")) {
				if i+1 >= len(lines) || !tableRule.MatchString(strings.TrimSpace(lines[i+1])) {
					t.Errorf("%s:%d: a table without a heading row", rel, i+1)
				}
			}
		}
	}
}

// The complete example of docs/bundle.md is a valid bundle.
func TestBundleDocExample(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "bundle.md"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	start := strings.Index(text, "```yaml\nformat: cloudisms/v1\n")
	if start < 0 {
		t.Fatal("docs/bundle.md has no complete example")
	}
	src := text[start+len("```yaml\n"):]
	src = src[:strings.Index(src, "```")]
	m, err := bundle.Decode("docs/bundle.md", []byte(src))
	if err != nil {
		t.Fatalf("the example does not decode: %v", err)
	}
	if m.Services[0].Disclosure == nil || len(m.Services[0].Disclosure.SLAFigures) != 1 {
		t.Errorf("the example's disclosure was not read: %+v", m.Services[0].Disclosure)
	}
}
