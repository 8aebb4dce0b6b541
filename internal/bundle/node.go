package bundle

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

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

// syntaxError is a document that cannot be parsed at all.
type syntaxError struct {
	line int
	msg  string
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
		if n, err := parseJSON(src); err == nil {
			return n, nil
		}
	}
	if n, ok := parseFast(src); ok {
		return n, nil
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
	return c.fromYAML(root, 0)
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
	return &syntaxError{line: line, msg: msg}
}

type converter struct{ count, budget int }

func (c *converter) fromYAML(y *yaml.Node, depth int) (*node, error) {
	c.count++
	if c.count > c.budget || depth > 200 {
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
		for _, ch := range y.Content {
			it, err := c.fromYAML(ch, depth+1)
			if err != nil {
				return nil, err
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
				return nil, err
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
		return nil, err
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
	if p.count > maxNodes || depth > 200 {
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
					return nil, err
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
					return nil, err
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
