package bundle

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"
)

// enode is what Encode builds: mappings with keys in order, sequences in
// block or flow style, scalars that are text (quoted when needed) or
// literal values (numbers, booleans, dates) written as they are.
type enode struct {
	kind  nodeKind
	flow  bool // sequences of scalars: [a, b]
	text  bool // a scalar that must read back as text
	value string
	kids  []*enode // sequence items, or mapping keys and values alternating
	json  jsonType // how a non-text scalar is written in JSON
}

// jsonType: a scalar that is not text is a JSON number or boolean; dates
// and text are JSON strings.
type jsonType uint8

const (
	jsonString jsonType = iota
	jsonNumber
	jsonBool
)

// emit writes the canonical YAML: two-space indentation, sequence items
// indented under their key, flow lists for scalar lists, literal blocks
// for multi-line text, double quotes only where plain text would read
// differently.
func emit(b *bytes.Buffer, n *enode) {
	if n.kind != mapNode || len(n.kids) == 0 {
		emitInline(b, n)
		b.WriteByte('\n')
		return
	}
	emitMap(b, n, 0, false)
}

func indent(b *bytes.Buffer, n int) {
	for range n {
		b.WriteByte(' ')
	}
}

// emitMap writes a block mapping at indentation ind; with firstInline the
// first key continues a "- " already written.
func emitMap(b *bytes.Buffer, n *enode, ind int, firstInline bool) {
	for i := 0; i+1 < len(n.kids); i += 2 {
		if i > 0 || !firstInline {
			indent(b, ind)
		}
		b.WriteString(n.kids[i].value)
		b.WriteByte(':')
		emitValue(b, n.kids[i+1], ind)
	}
}

// emitValue writes what follows "key:" at indentation ind.
func emitValue(b *bytes.Buffer, v *enode, ind int) { emitAfter(b, v, ind, false) }

func emitSeq(b *bytes.Buffer, n *enode, ind int) {
	for _, it := range n.kids {
		indent(b, ind)
		b.WriteByte('-')
		emitAfter(b, it, ind, true)
	}
}

// emitAfter writes a value after "key:" or "-" at indentation ind. After a
// dash a mapping starts on the same line; after a key, on the next.
func emitAfter(b *bytes.Buffer, v *enode, ind int, afterDash bool) {
	switch {
	case v.kind == mapNode && len(v.kids) > 0 && afterDash:
		b.WriteByte(' ')
		emitMap(b, v, ind+2, true)
	case v.kind == mapNode && len(v.kids) > 0:
		b.WriteByte('\n')
		emitMap(b, v, ind+2, false)
	case v.kind == seqNode && !v.flow && len(v.kids) > 0:
		b.WriteByte('\n')
		emitSeq(b, v, ind+2)
	case v.kind == scalarNode && v.text && literalOK(v.value):
		emitLiteral(b, v.value, ind+2)
	default:
		b.WriteByte(' ')
		emitInline(b, v)
		b.WriteByte('\n')
	}
}

// emitInline writes a scalar or a flow collection on the current line.
func emitInline(b *bytes.Buffer, n *enode) {
	switch n.kind {
	case mapNode:
		b.WriteString("{}")
	case seqNode:
		b.WriteByte('[')
		for i, k := range n.kids {
			if i > 0 {
				b.WriteString(", ")
			}
			emitScalar(b, k, true)
		}
		b.WriteByte(']')
	default:
		emitScalar(b, n, false)
	}
}

func emitScalar(b *bytes.Buffer, n *enode, inFlow bool) {
	if !n.text || plainOK(n.value, inFlow) {
		b.WriteString(n.value)
		return
	}
	quote(b, n.value)
}

// yaml11Words are read as booleans or null by YAML 1.1 readers; quoting
// them keeps a bundle unambiguous for every tool that reads it.
var yaml11Words = map[string]bool{
	"y": true, "Y": true, "yes": true, "Yes": true, "YES": true, "n": true, "N": true, "no": true, "No": true, "NO": true,
	"on": true, "On": true, "ON": true, "off": true, "Off": true, "OFF": true,
}

// plainOK reports whether text can be written without quotes and read back
// as the same text (the same judgement the fast parser makes).
func plainOK(s string, inFlow bool) bool {
	if s == "" || s[0] == ' ' || s[len(s)-1] == ' ' || yaml11Words[s] {
		return false
	}
	if strings.IndexByte("-?:,[]{}#&*!|>'\"%@`", s[0]) >= 0 {
		return false
	}
	if strings.Contains(s, ": ") || strings.Contains(s, " #") || strings.HasSuffix(s, ":") || !plainText(s) {
		return false
	}
	if inFlow && strings.ContainsAny(s, ",[]{}:#?") {
		return false
	}
	return resolvesToText(s)
}

// resolvesToText: a plain scalar that reads as text, not a number, date,
// boolean or null.
func resolvesToText(s string) (ok bool) {
	defer func() {
		if r := recover(); r != nil {
			if _, bail := r.(fastBail); !bail {
				panic(r)
			}
			ok = false
		}
	}()
	return resolvePlain(s) == "str"
}

// literalOK: multi-line text that a literal block keeps exactly.
func literalOK(s string) bool {
	if !strings.Contains(s, "\n") || s[0] == '\n' || s[0] == ' ' || strings.TrimRight(s, "\n") == "" {
		return false
	}
	for _, line := range strings.Split(s, "\n") {
		if !plainText(line) {
			return false
		}
	}
	return true
}

func emitLiteral(b *bytes.Buffer, s string, ind int) {
	body := strings.TrimRight(s, "\n")
	switch trailing := len(s) - len(body); trailing {
	case 0:
		b.WriteString(" |-\n")
	case 1:
		b.WriteString(" |\n")
	default:
		b.WriteString(" |+\n")
	}
	for _, line := range strings.Split(body, "\n") {
		if line != "" {
			indent(b, ind)
			b.WriteString(line)
		}
		b.WriteByte('\n')
	}
	for range len(s) - len(body) - 1 {
		b.WriteByte('\n')
	}
}

// quote writes a double-quoted scalar with YAML escapes.
func quote(b *bytes.Buffer, s string) {
	b.WriteByte('"')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(b, `\x%02X`, s[i])
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || r == 0x2028 || r == 0x2029 || r == 0xfeff || r == 0xfffe || r == 0xffff:
			fmt.Fprintf(b, `\u%04X`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	b.WriteByte('"')
}
