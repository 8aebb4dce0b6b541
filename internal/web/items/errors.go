package items

import (
	"slices"
	"strings"
)

// ProblemText joins the messages of a decoder error for a page's error
// summary.
func ProblemText(err error, lang string) string {
	probs, ok := ProblemsOf(err, lang)
	if !ok {
		return err.Error()
	}
	parts := make([]string, len(probs))
	for i, pr := range probs {
		parts[i] = pr.Msg
	}
	return strings.Join(parts, " / ")
}

// FieldErrors sorts the problems of a decoded item by the form field they
// belong to: the first path element after the kind (prefix) names it;
// problems of no known field go under "".
func FieldErrors(err error, prefix string, fields []string, lang string) map[string][]string {
	out := map[string][]string{}
	probs, ok := ProblemsOf(err, lang)
	if !ok {
		out[""] = append(out[""], err.Error())
		return out
	}
	isField := func(path string) bool { return slices.Contains(fields, path) }
	for _, pr := range probs {
		rest := strings.TrimPrefix(strings.TrimPrefix(pr.Path, prefix), ".")
		field := enclosingPath(rest, isField)
		msg := pr.Msg
		switch {
		case field == "" && pr.Path != "":
			msg = pr.Path + ": " + msg
		case field != "" && rest != field:
			msg = rest + ": " + msg // which element of a list field
		}
		out[field] = append(out[field], msg)
	}
	return out
}
