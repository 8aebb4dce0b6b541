package site

import (
	"html/template"
	"strings"
)

// Choice is one option of a select: what it sends, what it shows, and
// whether it is the one chosen.
type Choice struct {
	Value, Label string
	Selected     bool
}

// Options are a select's options, rendered once, with all of them joined
// unselected (the page without that choice made, most pages) and where
// each lies in the join, so that a page with one selected is the join
// with one option replaced, not hundreds joined again.
type Options struct {
	opts []option
	all  template.HTML
	at   []int // where opts[i] starts in all; at[len(opts)] is its length
}

// option is one option, rendered as it is and as the selected one.
type option struct {
	value           string
	plain, selected template.HTML
}

// ChoiceOptions renders choices with the page's template part (given a
// Choice), each option kept by its content (OneLine): after an edit that
// did not change them, making the options again costs lookups, not
// rendering.
func ChoiceOptions(a *App, p *Page, page, part string, max int, cs []Choice) (Options, error) {
	out := make([]option, len(cs))
	for i, c := range cs {
		c.Selected = false
		out[i].value = c.Value
		var err error
		if out[i].plain, err = OneLine(a, p, page, part, max, c); err != nil {
			return Options{}, err
		}
		c.Selected = true
		if out[i].selected, err = OneLine(a, p, page, part, max, c); err != nil {
			return Options{}, err
		}
	}
	var b strings.Builder
	at := make([]int, 0, len(out)+1)
	for _, o := range out {
		at = append(at, b.Len())
		b.WriteString(string(o.plain))
	}
	return Options{opts: out, all: template.HTML(b.String()), at: append(at, b.Len())}, nil
}

// With is the options with the one of value sel selected (none when no
// option has that value).
func (os Options) With(sel string) template.HTML {
	if sel == "" {
		return os.all
	}
	for i, o := range os.opts {
		if o.value == sel {
			return os.all[:os.at[i]] + o.selected + os.all[os.at[i+1]:]
		}
	}
	return os.all
}

// Len is how many options there are.
func (os Options) Len() int { return len(os.opts) }
