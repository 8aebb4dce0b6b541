package bundle

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// node is the syntax tree the decoder walks: YAML and JSON both become one,
// so that validation, paths and line numbers work the same for either.
type node struct {
	kind  nodeKind
	line  int32
	tag   string // scalar: str, int, float, bool, null, timestamp
	value string
	// kids holds a sequence's items, or a mapping's keys and values
	// alternating (key0, value0, key1, value1, ...).
	kids []*node
}

type nodeKind int32

const (
	scalarNode nodeKind = iota
	mapNode
	seqNode
)

// maxNodes bounds absurd inputs; alias expansion ("billion laughs") is
// bounded tighter by the source's size, since every node of a document
// without aliases takes at least a byte of it.
const maxNodes = 50_000_000

// maxDepth is how deeply a document may nest (mappings and lists within
// each other, keys counted); a bundle needs fewer than ten levels.
const maxDepth = 200

// syntaxError is a document that cannot be parsed at all.
type syntaxError struct {
	line    int
	msg     string
	tooDeep bool
	steps   []step // where it went too deep; the general parsers add them innermost first
}

// Path names where a too-deep document went too deep.
func (e *syntaxError) Path() string { return pathOf(e.steps) }

// outer adds the step to the path of a too-deep error as the converter
// unwinds; reversed once at the top.
func outer(err error, s step) error {
	if se, ok := err.(*syntaxError); ok && se.tooDeep {
		se.steps = append(se.steps, s)
	}
	return err
}

func reversed(err error) error {
	if se, ok := err.(*syntaxError); ok && se.tooDeep {
		slices.Reverse(se.steps)
	}
	return err
}

// pathOf renders the path of a too-deep node the way the decoder names
// fields (risks[0].title), its first levels only: past a dozen, the rest
// repeats and would only lengthen the message.
func pathOf(steps []step) string {
	var b strings.Builder
	for i, s := range steps {
		if i == 12 {
			fmt.Fprintf(&b, "…(%d levels)", len(steps))
			break
		}
		if s.isKey {
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			k := s.key
			if utf8.RuneCountInString(k) > 40 {
				k = string([]rune(k)[:40]) + "…"
			}
			b.WriteString(k)
		} else {
			fmt.Fprintf(&b, "[%d]", s.index)
		}
	}
	return b.String()
}

func (e *syntaxError) Error() string { return e.msg }

// parse turns YAML or JSON bytes into a node tree. JSON is recognised by the
// file name or by a leading '{', since JSON written with tab indentation is
// not valid YAML.
func parse(name string, src []byte) (*node, error) {
	trimmed := bytes.TrimLeft(src, " \t\r\n\ufeff")
	if strings.HasSuffix(strings.ToLower(name), ".json") {
		return parseJSON(src)
	}
	if len(trimmed) > 0 && trimmed[0] == '{' {
		n, err := parseJSON(src)
		if err == nil {
			return n, nil
		}
		if se, ok := err.(*syntaxError); ok && se.tooDeep {
			return nil, err // YAML reads no deeper
		}
	}
	if n, ok, err := parseFast(src); ok {
		return n, err
	}
	return parseYAML(src)
}

func parseYAML(src []byte) (*node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(src))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &syntaxError{line: 1, msg: "empty"}
		}
		return nil, yamlSyntax(err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, &syntaxError{line: extra.Line, msg: "more than one YAML document"}
	} else if !errors.Is(err, io.EOF) {
		return nil, yamlSyntax(err)
	}
	c := converter{budget: min(maxNodes, len(src)+100_000)}
	root := &doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return nil, &syntaxError{line: 1, msg: "empty"}
		}
		root = root.Content[0]
	}
	n, err := c.fromYAML(root, 0)
	return n, reversed(err)
}

// yamlSyntax extracts the line from the YAML library's message ("yaml: line 7: ...").
func yamlSyntax(err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if _, e := fmt.Sscanf(msg, "line %d:", &line); e == nil {
		if i := strings.Index(msg, ":"); i >= 0 {
			msg = strings.TrimSpace(msg[i+1:])
		}
	}
	if strings.Contains(msg, "exceeded max depth") {
		// The YAML library's own bound, met before ours on documents
		// thousands of levels deep.
		return &syntaxError{line: line, tooDeep: true, msg: msg}
	}
	return &syntaxError{line: line, msg: msg}
}

type converter struct{ count, budget int }

func (c *converter) fromYAML(y *yaml.Node, depth int) (*node, error) {
	c.count++
	if depth > maxDepth {
		return nil, &syntaxError{line: y.Line, tooDeep: true, msg: "nested more than " + fmt.Sprint(maxDepth) + " levels deep"}
	}
	if c.count > c.budget {
		return nil, &syntaxError{line: y.Line, msg: "document too large or too deeply nested (aliases expanded)"}
	}
	switch y.Kind {
	case yaml.AliasNode:
		if y.Alias == nil {
			return nil, &syntaxError{line: y.Line, msg: "unknown alias"}
		}
		return c.fromYAML(y.Alias, depth+1)
	case yaml.ScalarNode:
		return &node{kind: scalarNode, line: int32(y.Line), tag: shortTag(y), value: y.Value}, nil
	case yaml.SequenceNode:
		n := &node{kind: seqNode, line: int32(y.Line), kids: make([]*node, 0, len(y.Content))}
		for i, ch := range y.Content {
			it, err := c.fromYAML(ch, depth+1)
			if err != nil {
				return nil, outer(err, step{index: i})
			}
			n.kids = append(n.kids, it)
		}
		return n, nil
	case yaml.MappingNode:
		n := &node{kind: mapNode, line: int32(y.Line), kids: make([]*node, 0, len(y.Content))}
		for i := 0; i+1 < len(y.Content); i += 2 {
			k, v := y.Content[i], y.Content[i+1]
			if k.Kind == yaml.ScalarNode && k.Tag == "!!merge" {
				return nil, &syntaxError{line: k.Line, msg: "merge keys (<<) are not supported in a bundle"}
			}
			kn, err := c.fromYAML(k, depth+1)
			if err != nil {
				return nil, err
			}
			vn, err := c.fromYAML(v, depth+1)
			if err != nil {
				return nil, outer(err, step{key: kn.value, isKey: true})
			}
			n.kids = append(n.kids, kn, vn)
		}
		return n, nil
	}
	return nil, &syntaxError{line: y.Line, msg: "unexpected YAML node"}
}

func shortTag(y *yaml.Node) string {
	switch y.ShortTag() {
	case "!!str", "!!binary":
		return "str"
	case "!!int":
		return "int"
	case "!!float":
		return "float"
	case "!!bool":
		return "bool"
	case "!!null":
		return "null"
	case "!!timestamp":
		return "timestamp"
	}
	return "str"
}

// parseJSON reads JSON with encoding/json's tokenizer, keeping the line of
// each value.
func parseJSON(src []byte) (*node, error) {
	p := jsonParser{dec: json.NewDecoder(bytes.NewReader(src)), src: src}
	p.dec.UseNumber()
	for i, b := range src {
		if b == '\n' {
			p.nl = append(p.nl, i)
		}
	}
	n, err := p.value(0)
	if err != nil {
		return nil, reversed(err)
	}
	if _, err := p.dec.Token(); !errors.Is(err, io.EOF) {
		return nil, &syntaxError{line: p.line(), msg: "unexpected data after the JSON document"}
	}
	return n, nil
}

type jsonParser struct {
	dec   *json.Decoder
	src   []byte
	nl    []int // offsets of newlines
	count int
}

// line is the line of the decoder's current position (1-based).
func (p *jsonParser) line() int {
	off := int(p.dec.InputOffset())
	return sort.SearchInts(p.nl, off) + 1
}

func (p *jsonParser) fail(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return &syntaxError{line: sort.SearchInts(p.nl, int(se.Offset)) + 1, msg: se.Error()}
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return &syntaxError{line: len(p.nl) + 1, msg: "unexpected end of JSON"}
	}
	return &syntaxError{line: p.line(), msg: err.Error()}
}

func (p *jsonParser) value(depth int) (*node, error) {
	p.count++
	if depth > maxDepth {
		return nil, &syntaxError{line: p.line(), tooDeep: true, msg: "nested more than " + fmt.Sprint(maxDepth) + " levels deep"}
	}
	if p.count > maxNodes {
		return nil, &syntaxError{line: p.line(), msg: "document too large or too deeply nested"}
	}
	// The value starts after any whitespace that follows the decoder's offset.
	line := p.lineOfNextToken()
	tok, err := p.dec.Token()
	if err != nil {
		return nil, p.fail(err)
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			n := &node{kind: mapNode, line: int32(line)}
			for p.dec.More() {
				kline := p.lineOfNextToken()
				kt, err := p.dec.Token()
				if err != nil {
					return nil, p.fail(err)
				}
				key, _ := kt.(string)
				v, err := p.value(depth + 1)
				if err != nil {
					return nil, outer(err, step{key: key, isKey: true})
				}
				n.kids = append(n.kids, &node{kind: scalarNode, line: int32(kline), tag: "str", value: key}, v)
			}
			if _, err := p.dec.Token(); err != nil {
				return nil, p.fail(err)
			}
			return n, nil
		case '[':
			n := &node{kind: seqNode, line: int32(line)}
			for p.dec.More() {
				v, err := p.value(depth + 1)
				if err != nil {
					return nil, outer(err, step{index: len(n.kids)})
				}
				n.kids = append(n.kids, v)
			}
			if _, err := p.dec.Token(); err != nil {
				return nil, p.fail(err)
			}
			return n, nil
		}
		return nil, &syntaxError{line: line, msg: fmt.Sprintf("unexpected %q", t)}
	case string:
		return &node{kind: scalarNode, line: int32(line), tag: "str", value: t}, nil
	case json.Number:
		tag := "int"
		if strings.ContainsAny(t.String(), ".eE") {
			tag = "float"
		}
		return &node{kind: scalarNode, line: int32(line), tag: tag, value: t.String()}, nil
	case bool:
		return &node{kind: scalarNode, line: int32(line), tag: "bool", value: fmt.Sprint(t)}, nil
	case nil:
		return &node{kind: scalarNode, line: int32(line), tag: "null", value: "null"}, nil
	}
	return nil, &syntaxError{line: line, msg: "unexpected JSON token"}
}

// lineOfNextToken skips the separators after the decoder's offset (white
// space, ':' and ',') to find the line where the next token begins.
func (p *jsonParser) lineOfNextToken() int {
	off := int(p.dec.InputOffset())
	for off < len(p.src) {
		switch p.src[off] {
		case ' ', '\t', '\r', '\n', ':', ',':
			off++
			continue
		}
		break
	}
	return sort.SearchInts(p.nl, off) + 1
}
