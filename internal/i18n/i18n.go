// Package i18n renders messages in Japanese (the default) and English from
// the embedded message catalogs ja.json and en.json. Domain packages return
// Messages (a key and arguments); interfaces choose the language.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"slices"
	"strings"
)

// Languages cloudisms speaks, the default first.
const (
	JA = "ja"
	EN = "en"
)

// Langs lists the supported languages, the default first.
var Langs = []string{JA, EN}

// The catalog of a language is ja.json (or en.json) plus any number of
// area files named AREA.ja.json (AREA.en.json), so that parts of the
// product keep their messages apart. A key defined twice is a bug.
//
//go:embed *.json
var files embed.FS

var catalogs = map[string]map[string]string{}

func init() {
	names, err := fs.Glob(files, "*.json")
	if err != nil {
		panic(err)
	}
	for _, l := range Langs {
		catalogs[l] = map[string]string{}
	}
	for _, name := range names {
		l := langOfFile(name)
		b, err := files.ReadFile(name)
		if err != nil {
			panic(err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			panic(fmt.Sprintf("i18n: %s: %v", name, err))
		}
		for k, v := range m {
			if _, dup := catalogs[l][k]; dup {
				panic(fmt.Sprintf("i18n: %s: key %q defined twice", name, k))
			}
			catalogs[l][k] = v
		}
	}
}

// langOfFile is the language of a catalog file: ja.json, x.ja.json → ja.
func langOfFile(name string) string {
	base := strings.TrimSuffix(name, ".json")
	if i := strings.LastIndexByte(base, '.'); i >= 0 {
		base = base[i+1:]
	}
	if !Valid(base) {
		panic(fmt.Sprintf("i18n: %s: file name must end in .ja.json or .en.json", name))
	}
	return base
}

// Keys returns the keys of a language's catalog (for tests that keep the
// catalogs equal).
func Keys(lang string) []string {
	var ks []string
	for k := range catalogs[lang] {
		ks = append(ks, k)
	}
	return ks
}

// Has reports whether a key exists in a language's catalog.
func Has(lang, key string) bool {
	_, ok := catalogs[lang][key]
	return ok
}

// Message is a catalog key with named arguments, rendered late so that the
// same finding or error can be shown in either language.
type Message struct {
	Key  string
	Args []Arg
}

// Arg is one named argument. A Value that is a Message is rendered in the
// same language as the message that holds it.
type Arg struct {
	Name  string
	Value any
}

// M builds a Message from a key and name/value pairs.
func M(key string, pairs ...any) Message {
	m := Message{Key: key}
	for i := 0; i+1 < len(pairs); i += 2 {
		m.Args = append(m.Args, Arg{Name: fmt.Sprint(pairs[i]), Value: pairs[i+1]})
	}
	return m
}

// In renders the message in lang (an unknown language falls back to
// Japanese, an unknown key to the key itself so a gap is visible, not silent).
func (m Message) In(lang string) string {
	cat, ok := catalogs[lang]
	if !ok {
		cat = catalogs[JA]
	}
	tpl, ok := cat[m.Key]
	if !ok {
		tpl = m.Key
	}
	if len(m.Args) == 0 || !strings.Contains(tpl, "{") {
		return tpl
	}
	return fill(tpl, m.Args, lang)
}

// fill replaces each {name} of tpl with the first argument of that name,
// in one pass (a value's own braces are left as they are), and keeps
// braces that name no argument. Pages translate thousands of messages;
// building a strings.Replacer for each was a few percent of a page's CPU.
func fill(tpl string, args []Arg, lang string) string {
	var b strings.Builder
	b.Grow(len(tpl) + 16)
	for {
		i := strings.IndexByte(tpl, '{')
		if i < 0 {
			b.WriteString(tpl)
			return b.String()
		}
		j := strings.IndexByte(tpl[i+1:], '}')
		if j < 0 {
			b.WriteString(tpl)
			return b.String()
		}
		name := tpl[i+1 : i+1+j]
		k := slices.IndexFunc(args, func(a Arg) bool { return a.Name == name })
		if k < 0 {
			// Not an argument: the brace is text; go on after it.
			b.WriteString(tpl[:i+1])
			tpl = tpl[i+1:]
			continue
		}
		b.WriteString(tpl[:i])
		b.WriteString(render(args[k].Value, lang))
		tpl = tpl[i+2+j:]
	}
}

func render(v any, lang string) string {
	switch x := v.(type) {
	case Message:
		return x.In(lang)
	case []Message:
		parts := make([]string, len(x))
		for i, m := range x {
			parts[i] = m.In(lang)
		}
		return strings.Join(parts, List(lang))
	case []string:
		return strings.Join(x, List(lang))
	}
	return fmt.Sprint(v)
}

// List is the separator between the items of an inline list.
func List(lang string) string {
	if lang == EN {
		return ", "
	}
	return "、"
}

// FromEnv picks the language from a LANG value such as ja_JP.UTF-8 or
// en_US.UTF-8; anything else gives Japanese.
func FromEnv(lang string) string {
	if strings.HasPrefix(lang, "en") {
		return EN
	}
	return JA
}

// Valid reports whether lang is a supported language.
func Valid(lang string) bool { return lang == JA || lang == EN }
