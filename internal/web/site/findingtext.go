package site

import (
	"strings"

	"github.com/cloudisms/cloudisms/internal/conformity"
	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/names"
)

// A finding's message is written for the bundle (the check's JSON and the
// CLI keep it so): it names fields by their keys (cloud_scope, approval)
// and items by their ids. On a page the same finding is said in the
// screen's words: the catalog's "web."+key version of its message where
// there is one, with the people, services, risks and SoAs it names by
// name, saying what to do where its link leads.

// nameArgs are the message arguments that hold an id, and how to name it.
var nameArgs = map[string]func(n *names.Names, id string) string{
	"service":   (*names.Names).Service,
	"used":      (*names.Names).Service,
	"person":    (*names.Names).Person,
	"owner":     (*names.Names).Person,
	"chair":     (*names.Names).Person,
	"soa":       soaName,
	"provider":  func(n *names.Names, id string) string { return n.Ref("provider", id) },
	"system":    func(n *names.Names, id string) string { return n.Ref("systems", id) },
	"site":      func(n *names.Names, id string) string { return n.Ref("sites", id) },
	"unit":      func(n *names.Names, id string) string { return n.Ref("units", id) },
	"supplier":  func(n *names.Names, id string) string { return n.Ref("suppliers", id) },
	"document":  (*names.Names).Document,
	"risk":      func(n *names.Names, id string) string { return n.Ref("risks", id) },
	"audit":     func(n *names.Names, id string) string { return n.Ref("audits", id) },
	"objective": func(n *names.Names, id string) string { return n.Ref("objectives", id) },
	"incident":  func(n *names.Names, id string) string { return n.Ref("incidents", id) },
	// CERT-01 names a cloud certificate and its base ISMS certificate.
	"certificate": func(n *names.Names, id string) string { return n.Ref("certificates", id) },
	"base":        func(n *names.Names, id string) string { return n.Ref("certificates", id) },
}

// soaName names an SoA argument, which the rules give as "organization"
// or "service/role" (or "service:role").
func soaName(n *names.Names, id string) string {
	id = strings.TrimPrefix(id, "soa/")
	if svc, role, ok := strings.Cut(id, "/"); ok {
		return n.SoA(svc + ":" + role)
	}
	return n.SoA(id)
}

// fieldArgs are the message arguments that list field keys; a page says
// them by their labels.
var fieldArgs = map[string]bool{"fields": true, "inputs": true}

// valueArgs are the message arguments that list fixed values, with the
// message key prefix of their labels.
var valueArgs = map[string]string{"duties": "field.v.cloud_duties.", "topics": "field.v.cloud_topics."}

// fieldLabel is a field key's label: the catalog's web.fieldname. entry,
// else the item forms' field. label, else the key.
func fieldLabel(key, lang string) string {
	for _, k := range []string{"web.fieldname." + key, "field." + key} {
		if i18n.Has(lang, k) {
			return i18n.M(k).In(lang)
		}
	}
	if rest, ok := strings.CutPrefix(key, "residual."); ok {
		return i18n.M("web.residual_factor", "factor", fieldLabel(rest, lang)).In(lang)
	}
	return key
}

// FindingText says a finding in the screen's words in lang; nm (which may
// be nil) names the items it mentions.
func FindingText(f conformity.Finding, lang string, nm *names.Names) string {
	return ScreenWords(f.Message, lang, nm)
}

// ScreenWords renders a rule's message for a page: its web. version where
// the catalog has one, with ids named and field keys labelled.
func ScreenWords(m i18n.Message, lang string, nm *names.Names) string {
	return screen(m, lang, nm).In(lang)
}

func screen(m i18n.Message, lang string, nm *names.Names) i18n.Message {
	return i18n.Message{Key: screenKey(m.Key, lang), Args: screenArgs(m.Args, lang, nm)}
}

func screenArgs(in []i18n.Arg, lang string, nm *names.Names) []i18n.Arg {
	args := make([]i18n.Arg, len(in))
	for i, a := range in {
		args[i] = a
		switch v := a.Value.(type) {
		case string:
			if name := nameArgs[a.Name]; name != nil && nm != nil {
				args[i].Value = name(nm, v)
			}
		case []string:
			if prefix, ok := valueArgs[a.Name]; ok {
				labels := make([]string, len(v))
				for j, k := range v {
					labels[j] = i18n.M(prefix + k).In(lang)
				}
				args[i].Value = strings.Join(labels, i18n.List(lang))
			}
			if fieldArgs[a.Name] {
				labels := make([]string, len(v))
				for j, k := range v {
					labels[j] = fieldLabel(k, lang)
				}
				args[i].Value = strings.Join(labels, i18n.List(lang))
			}
		case i18n.Message:
			args[i].Value = screen(v, lang, nm)
		case []i18n.Message:
			out := make([]i18n.Message, len(v))
			for j, sub := range v {
				out[j] = screen(sub, lang, nm)
			}
			args[i].Value = out
		}
	}
	return args
}

func screenKey(key, lang string) string {
	if i18n.Has(lang, "web."+key) {
		return "web." + key
	}
	return key
}
