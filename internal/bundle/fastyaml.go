package bundle

import (
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// parseFast reads the block-style YAML that bundles are written in (and
// that Encode writes) several times faster and with far less memory than
// the general YAML library. It handles block mappings and sequences, plain,
// quoted and literal scalars and one-line flow lists of scalars; on anything
// else — anchors, tags, folded or multi-line scalars, flow mappings, tabs,
// odd numbers, and every syntax error — it gives up (ok false) and the
// caller uses the general parser, which also gives the error messages.
// A fuzz test checks that whatever it accepts, it reads exactly as the
// general parser does.
//
// Nesting is limited to maxDepth levels, as in the general parser: a
// deeper document is refused here with the path and line where it went too
// deep (err set, ok true), never handed on, so that no input makes either
// parser recurse without bound.
func parseFast(src []byte) (root *node, ok bool, err error) {
	p := &fastParser{src: string(src)}
	if !p.split() {
		return nil, false, nil
	}
	defer func() {
		if r := recover(); r != nil {
			switch r := r.(type) {
			case fastBail:
				root, ok, err = nil, false, nil
			case *syntaxError:
				root, ok, err = nil, true, r
			default:
				panic(r)
			}
		}
	}()
	i := p.next(0)
	if i >= len(p.lines) {
		return nil, false, nil // empty: the general parser says so
	}
	n := p.block(i, p.lines[i].indent)
	if j := p.next(p.pos); j < len(p.lines) {
		return nil, false, nil
	}
	return n, true, nil
}

// fastBail unwinds the fast parser when it meets something it leaves to
// the general parser.
type fastBail struct{}

func bail() { panic(fastBail{}) }

// step is one level of the path to the node being read: a mapping key or a
// sequence index.
type step struct {
	key   string
	index int
	isKey bool
}

// down enters the children of a collection (mapping, sequence, flow) read
// at the given line: a child one level deeper than maxDepth stops the
// whole parse with an error naming its path and line.
func (p *fastParser) down(line int32) {
	p.depth++
	if p.depth > maxDepth {
		panic(&syntaxError{line: int(line), steps: slices.Clone(p.at[:]), tooDeep: true,
			msg: "nested more than " + strconv.Itoa(maxDepth) + " levels deep"})
	}
}

func (p *fastParser) up() { p.depth-- }

// at records the key or index of the child being read at the current depth.
func (p *fastParser) atKey(key string) { p.at[p.depth-1] = step{key: key, isKey: true} }
func (p *fastParser) atIndex(i int)    { p.at[p.depth-1] = step{index: i} }

type fastLine struct {
	indent int
	text   string // after the indentation, without the line break
	num    int32
	raw    string // the whole line, for literal blocks
}

type fastParser struct {
	src   string
	lines []fastLine
	pos   int // index of the next line to read
	slab  []node
	depth int            // of the children being read (the root's are 1)
	at    [maxDepth]step // the path to them, for the too-deep error
}

func (p *fastParser) node() *node {
	if len(p.slab) == 0 {
		p.slab = make([]node, 1024)
	}
	n := &p.slab[0]
	p.slab = p.slab[1:]
	return n
}

// split cuts the source into lines, refusing what the fast path does not
// read: tabs, a byte-order mark, control characters, directives, documents.
func (p *fastParser) split() bool {
	s := p.src
	if strings.HasPrefix(s, "\ufeff") || !utf8.ValidString(s) {
		return false
	}
	p.lines = make([]fastLine, 0, strings.Count(s, "\n")+1)
	num := int32(0)
	first := true
	for len(s) > 0 {
		num++
		var raw string
		if i := strings.IndexByte(s, '\n'); i >= 0 {
			raw, s = s[:i], s[i+1:]
		} else {
			raw, s = s, ""
		}
		raw = strings.TrimSuffix(raw, "\r")
		if !plainText(raw) {
			return false
		}
		ind := 0
		for ind < len(raw) && raw[ind] == ' ' {
			ind++
		}
		text := raw[ind:]
		if ind == 0 && (strings.HasPrefix(text, "---") || strings.HasPrefix(text, "...") || strings.HasPrefix(text, "%")) {
			if !(first && text == "---") {
				return false
			}
			first = false // one start marker at most
			text = ""
		}
		if text != "" && text[0] != '#' {
			first = false
		}
		p.lines = append(p.lines, fastLine{indent: ind, text: text, num: num, raw: raw})
	}
	return true
}

// plainText reports whether a line holds only characters the fast path
// treats like YAML does: no tabs or control characters, none of YAML's
// non-printable characters (C1 controls, U+FFFE, U+FFFF) and none of the
// characters YAML 1.1 takes for line breaks (NEL, LS, PS).
func plainText(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c < 0x20 || c == 0x7f:
			return false
		case c == 0xC2 && i+1 < len(s) && s[i+1] >= 0x80 && s[i+1] <= 0x9F:
			return false
		case c == 0xE2 && i+2 < len(s) && s[i+1] == 0x80 && (s[i+2] == 0xA8 || s[i+2] == 0xA9):
			return false
		case c == 0xEF && i+2 < len(s) && s[i+1] == 0xBF && (s[i+2] == 0xBE || s[i+2] == 0xBF):
			return false
		}
	}
	return true
}

// next skips blank and comment lines from i.
func (p *fastParser) next(i int) int {
	for i < len(p.lines) && (p.lines[i].text == "" || p.lines[i].text[0] == '#') {
		i++
	}
	return i
}

// isSeqItem reports whether text starts a block sequence entry.
func isSeqItem(text string) bool {
	return text == "-" || strings.HasPrefix(text, "- ")
}

// block reads the mapping or sequence that starts at line i with the given
// indentation.
func (p *fastParser) block(i, indent int) *node {
	if isSeqItem(p.lines[i].text) {
		return p.seq(i, indent)
	}
	if _, _, ok := splitKey(p.lines[i].text); ok {
		return p.mapping(i, indent)
	}
	bail()
	return nil
}

// splitKey cuts "key: rest" or "key:" into the key and what follows.
func splitKey(text string) (key, rest string, ok bool) {
	if text == "" || strings.IndexByte("-?:,[]{}#&*!|>'\"%@`", text[0]) >= 0 {
		return "", "", false
	}
	// YAML limits an implicit key to 1024 characters; stay well inside.
	for i := 0; i < len(text) && i < 1000; i++ {
		switch text[i] {
		case ':':
			if i+1 == len(text) || text[i+1] == ' ' {
				key = strings.TrimRight(text[:i], " ")
				if strings.Contains(key, " #") {
					return "", "", false
				}
				return key, strings.TrimLeft(text[i+1:], " "), true
			}
		case '#':
			if i > 0 && text[i-1] == ' ' {
				return "", "", false
			}
		}
	}
	return "", "", false
}

func (p *fastParser) mapping(i, indent int) *node {
	n := p.node()
	n.kind, n.line = mapNode, p.lines[i].num
	p.down(n.line)
	defer p.up()
	for {
		i = p.next(i)
		if i >= len(p.lines) || p.lines[i].indent < indent {
			break
		}
		l := p.lines[i]
		if l.indent > indent || isSeqItem(l.text) {
			bail()
		}
		key, rest, ok := splitKey(l.text)
		if !ok {
			bail()
		}
		k := p.node()
		k.kind, k.line, k.value = scalarNode, l.num, key
		k.tag = resolvePlain(key)
		p.atKey(key)
		v := p.value(i, indent, rest, true)
		n.kids = append(n.kids, k, v)
		i = p.pos
	}
	p.pos = i
	return n
}

func (p *fastParser) seq(i, indent int) *node {
	n := p.node()
	n.kind, n.line = seqNode, p.lines[i].num
	p.down(n.line)
	defer p.up()
	for {
		i = p.next(i)
		if i >= len(p.lines) || p.lines[i].indent < indent {
			break
		}
		l := p.lines[i]
		if l.indent > indent || !isSeqItem(l.text) {
			if l.indent == indent {
				break // the mapping that holds this sequence goes on
			}
			bail()
		}
		rest := strings.TrimLeft(l.text[1:], " ")
		col := indent + (len(l.text) - len(rest))
		p.atIndex(len(n.kids))
		var item *node
		switch {
		case rest == "" || rest[0] == '#':
			item = p.value(i, indent, rest, false)
		case isSeqItem(rest):
			p.lines[i] = fastLine{indent: col, text: rest, num: l.num, raw: l.raw}
			item = p.seq(i, col)
		default:
			if _, _, ok := splitKey(rest); ok {
				p.lines[i] = fastLine{indent: col, text: rest, num: l.num, raw: l.raw}
				item = p.mapping(i, col)
			} else {
				item = p.value(i, indent, rest, false)
			}
		}
		n.kids = append(n.kids, item)
		i = p.pos
	}
	p.pos = i
	return n
}

// value reads what follows "key:" or "- " on line i (rest), where indent is
// the indentation of the key or dash; inMap allows a sequence at the same
// indentation as the key. It leaves p.pos at the line after the value.
func (p *fastParser) value(i, indent int, rest string, inMap bool) *node {
	line := p.lines[i].num
	if rest == "" || rest[0] == '#' {
		j := p.next(i + 1)
		if j < len(p.lines) {
			nl := p.lines[j]
			if nl.indent > indent || (inMap && nl.indent == indent && isSeqItem(nl.text)) {
				return p.block(j, nl.indent)
			}
		}
		n := p.node()
		n.kind, n.line, n.tag = scalarNode, line, "null"
		p.pos = i + 1
		return n
	}
	if rest[0] == '|' {
		return p.literal(i, indent, rest)
	}
	n := p.node()
	n.kind, n.line = scalarNode, line
	var tail string
	switch rest[0] {
	case '"':
		n.value, tail = doubleQuoted(rest)
		n.tag = "str"
	case '\'':
		n.value, tail = singleQuoted(rest)
		n.tag = "str"
	case '[', '{':
		p.flow(n, rest)
	default:
		n.value = plain(rest)
		n.tag = resolvePlain(n.value)
	}
	if tail != "" && !isEnd(tail) {
		bail()
	}
	// A more indented line after a one-line value would continue it.
	if j := p.next(i + 1); j < len(p.lines) && p.lines[j].indent > indent {
		bail()
	}
	p.pos = i + 1
	return n
}

// isEnd: nothing but spaces and perhaps a comment remain.
func isEnd(s string) bool {
	t := strings.TrimLeft(s, " ")
	return t == "" || (t[0] == '#' && len(t) < len(s))
}

// plain reads a one-line plain scalar, up to a comment.
func plain(s string) string {
	if strings.IndexByte("-?:,[]{}#&*!|>'\"%@`", s[0]) >= 0 {
		if !(s[0] == '-' && len(s) > 1 && s[1] != ' ') {
			bail()
		}
	}
	if i := strings.Index(s, " #"); i >= 0 {
		s = s[:i]
	}
	s = strings.TrimRight(s, " ")
	if strings.Contains(s, ": ") || strings.HasSuffix(s, ":") {
		bail()
	}
	return s
}

// resolvePlain gives a plain scalar's type the way the YAML library does
// (its resolve table, in the same order); rare forms bail.
func resolvePlain(s string) string {
	switch s {
	case "", "~", "null", "Null", "NULL":
		return "null"
	case "true", "True", "TRUE", "false", "False", "FALSE":
		return "bool"
	case ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF":
		return "float"
	case "<<":
		bail()
	}
	c := s[0]
	switch {
	case c == '.':
		if _, err := strconv.ParseFloat(s, 64); err == nil {
			return "float"
		}
		return "str"
	case c != '+' && c != '-' && (c < '0' || c > '9'):
		return "str"
	}
	if isDecimal(s) {
		return "int"
	}
	if len(s) > 4 && s[4] == '-' && isDigits(s[:4]) {
		for _, layout := range timestampLayouts {
			if _, err := time.Parse(layout, s); err == nil {
				return "timestamp"
			}
		}
	}
	plain := strings.ReplaceAll(s, "_", "")
	if _, err := strconv.ParseInt(plain, 0, 64); err == nil {
		return "int"
	}
	if _, err := strconv.ParseUint(plain, 0, 64); err == nil {
		return "int"
	}
	if yamlFloat(plain) {
		if _, err := strconv.ParseFloat(plain, 64); err == nil {
			return "float"
		}
	}
	for _, pre := range []string{"0b", "-0b", "0o", "-0o"} {
		if strings.HasPrefix(plain, pre) {
			bail()
		}
	}
	return "str"
}

// timestampLayouts are the forms the YAML library reads as timestamps.
var timestampLayouts = []string{"2006-1-2T15:4:5.999999999Z07:00", "2006-1-2t15:4:5.999999999Z07:00", "2006-1-2 15:4:5.999999999", "2006-1-2"}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// yamlFloat matches [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
func yamlFloat(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := func() int {
		j := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i - j
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	} else {
		if digits() == 0 {
			return false
		}
		if i < len(s) && s[i] == '.' {
			i++
			digits()
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}

// isDecimal: an optional minus and digits without a leading zero, small
// enough for any int.
func isDecimal(s string) bool {
	d := strings.TrimPrefix(s, "-")
	if d == "" || len(d) > 18 || (d[0] == '0' && len(d) > 1) {
		return false
	}
	for i := 0; i < len(d); i++ {
		if d[i] < '0' || d[i] > '9' {
			return false
		}
	}
	return true
}

// doubleQuoted reads a one-line "..." scalar with the common escapes.
func doubleQuoted(s string) (string, string) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch c {
		case '"':
			return b.String(), s[i+1:]
		case '\\':
			i++
			if i >= len(s) {
				bail()
			}
			switch s[i] {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case '\\':
				b.WriteByte('\\')
			case '"':
				b.WriteByte('"')
			case 'r':
				b.WriteByte('\r')
			case '0':
				b.WriteByte(0)
			case 'u', 'x', 'U':
				size := 2
				switch s[i] {
				case 'u':
					size = 4
				case 'U':
					size = 8
				}
				if i+size >= len(s) {
					bail()
				}
				v, err := strconv.ParseUint(s[i+1:i+1+size], 16, 32)
				if err != nil || !utf8.ValidRune(rune(v)) {
					bail()
				}
				b.WriteRune(rune(v))
				i += size
			default:
				bail()
			}
		default:
			b.WriteByte(c)
		}
	}
	bail() // no closing quote on this line
	return "", ""
}

func singleQuoted(s string) (string, string) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		if s[i] == '\'' {
			if i+1 < len(s) && s[i+1] == '\'' {
				b.WriteByte('\'')
				i++
				continue
			}
			return b.String(), s[i+1:]
		}
		b.WriteByte(s[i])
	}
	bail()
	return "", ""
}

// flow reads a one-line flow collection ([a, "b"], {k: v}, nested) that
// makes up the whole value s.
func (p *fastParser) flow(n *node, s string) {
	f := flowReader{p: p, s: s, line: n.line}
	f.collection(n)
	if !isEnd(s[f.i:]) {
		bail()
	}
}

type flowReader struct {
	p    *fastParser
	s    string
	i    int
	line int32
}

func (f *flowReader) skip() {
	for f.i < len(f.s) && f.s[f.i] == ' ' {
		f.i++
	}
}

// collection reads [ ... ] or { ... } starting at f.i into n.
func (f *flowReader) collection(n *node) {
	open := f.s[f.i]
	closer := byte(']')
	n.kind, n.line = seqNode, f.line
	if open == '{' {
		closer, n.kind = '}', mapNode
	}
	f.i++
	f.skip()
	if f.i < len(f.s) && f.s[f.i] == closer {
		f.i++
		return
	}
	f.p.down(n.line)
	defer f.p.up()
	for {
		f.skip()
		if open == '{' {
			k := f.scalar(true)
			f.p.atKey(k.value)
			f.skip()
			if f.i >= len(f.s) || f.s[f.i] != ':' {
				bail()
			}
			f.i++
			if f.i < len(f.s) && f.s[f.i] != ' ' {
				bail()
			}
			f.skip()
			n.kids = append(n.kids, k, f.item())
		} else {
			f.p.atIndex(len(n.kids))
			n.kids = append(n.kids, f.item())
		}
		f.skip()
		if f.i >= len(f.s) {
			bail()
		}
		switch f.s[f.i] {
		case ',':
			f.i++
			f.skip()
			if f.i < len(f.s) && f.s[f.i] == closer {
				bail() // trailing comma: leave it to the general parser
			}
			continue
		case closer:
			f.i++
			return
		}
		bail()
	}
}

func (f *flowReader) item() *node {
	if f.i < len(f.s) && (f.s[f.i] == '[' || f.s[f.i] == '{') {
		n := f.p.node()
		f.collection(n)
		return n
	}
	return f.scalar(false)
}

// scalar reads a quoted or plain scalar in flow context; a key stops at ": ".
func (f *flowReader) scalar(key bool) *node {
	if f.i >= len(f.s) {
		bail()
	}
	n := f.p.node()
	n.kind, n.line = scalarNode, f.line
	var tail string
	switch f.s[f.i] {
	case '"':
		n.value, tail = doubleQuoted(f.s[f.i:])
		n.tag = "str"
	case '\'':
		n.value, tail = singleQuoted(f.s[f.i:])
		n.tag = "str"
	default:
		j := f.i
		for j < len(f.s) && strings.IndexByte(",[]{}#?", f.s[j]) < 0 {
			if f.s[j] == ':' && (j+1 == len(f.s) || f.s[j+1] == ' ' || strings.IndexByte(",[]{}", f.s[j+1]) >= 0) {
				break
			}
			j++
		}
		v := strings.TrimRight(f.s[f.i:j], " ")
		if v == "" || strings.IndexByte("-?:&*!|>'\"%@`", v[0]) >= 0 || strings.Contains(v, " #") {
			bail()
		}
		if !key && j < len(f.s) && f.s[j] == ':' {
			bail() // a single-pair mapping inside a list
		}
		if key && j-f.i > 1000 {
			bail()
		}
		n.value, n.tag, tail = v, resolvePlain(v), f.s[j:]
	}
	f.i = len(f.s) - len(tail)
	return n
}

// literal reads a | block scalar (clip, strip or keep chomping) whose lines
// are indented more than the key or dash at indent.
func (p *fastParser) literal(i, indent int, header string) *node {
	chomp := strings.TrimRight(header[1:], " ")
	if chomp != "" && chomp != "-" && chomp != "+" {
		bail()
	}
	n := p.node()
	n.kind, n.line, n.tag = scalarNode, p.lines[i].num, "str"
	// The block's indentation is that of its first non-blank line.
	j := i + 1
	blockIndent := -1
	maxBlank := 0
	for ; j < len(p.lines); j++ {
		if strings.TrimLeft(p.lines[j].raw, " ") != "" {
			blockIndent = p.lines[j].indent
			break
		}
		maxBlank = max(maxBlank, len(p.lines[j].raw))
	}
	if blockIndent <= indent {
		bail() // empty block or odd layout: leave it to the general parser
	}
	if maxBlank > blockIndent {
		bail()
	}
	var parts []string
	end := i + 1
	for k := i + 1; k < len(p.lines); k++ {
		raw := p.lines[k].raw
		if strings.TrimLeft(raw, " ") == "" {
			if len(raw) > blockIndent {
				bail() // spaces beyond the indentation are content: rare
			}
			parts = append(parts, "")
			continue
		}
		if p.lines[k].indent < blockIndent {
			break
		}
		parts = append(parts, raw[blockIndent:])
		end = k + 1
	}
	if end == len(p.lines) && !strings.HasSuffix(p.src, "\n") {
		bail() // the last line break decides chomping: leave it
	}
	body := parts[:end-(i+1)]
	text := strings.Join(body, "\n")
	trailing := len(parts) - len(body) // blank lines after the last content line
	switch chomp {
	case "":
		text += "\n"
	case "+":
		text += "\n" + strings.Repeat("\n", trailing)
		if trailing > 0 {
			bail() // keep-chomping with trailing blank lines: rare, leave it
		}
	}
	n.value = text
	p.pos = end
	return n
}
