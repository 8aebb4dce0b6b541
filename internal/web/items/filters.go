package items

import (
	"context"
	"net/url"
	"slices"
	"strconv"

	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/web/site"
)

// A register's list is filtered by the values of its columns that take one
// of a set of values (a choice, a reference to another register, yes or
// no): "the nonconformities from internal audits", "the trainings of
// awareness kind". The filters live in the URL as f.FIELD=VALUE, so that a
// view can be bookmarked, and apply to the page and its CSV alike.

// filterParam is the query parameter of a field's filter.
func filterParam(field string) string { return "f." + field }

// listFilter is one filter the list page offers.
type listFilter struct {
	Field, Param, Label, Value string
	Options                    []option
}

// maxFilterScan bounds how many items one filtered list reads.
const maxFilterScan = 100_000

// filtersOf are the filters of a kind's list, with the values asked for.
func filtersOf(p *site.Page, def *kindDef, opts map[string][]option, q url.Values) []listFilter {
	var out []listFilter
	for _, c := range def.columns() {
		f := listFilter{Field: c.Name, Param: filterParam(c.Name), Label: p.T(c.LabelKey()), Value: q.Get(filterParam(c.Name))}
		switch c.Type {
		case fSelect, fEnums:
			for _, v := range c.Values {
				f.Options = append(f.Options, option{Value: v, Label: p.T(c.valueKey(v))})
			}
		case fRef, fRefs:
			f.Options = append(f.Options, opts[c.Ref]...)
		case fBool:
			f.Options = []option{{Value: "true", Label: p.T("items.bool.true")}, {Value: "false", Label: p.T("items.bool.false")}}
		default:
			continue
		}
		if len(f.Options) == 0 {
			continue
		}
		for i := range f.Options {
			f.Options[i].Selected = f.Options[i].Value == f.Value
		}
		out = append(out, f)
	}
	return out
}

// active reports whether any filter asks for a value.
func active(fs []listFilter) bool {
	return slices.ContainsFunc(fs, func(f listFilter) bool { return f.Value != "" })
}

// matches reports whether an item's data passes every filter.
func matches(data obj, fs []listFilter) bool {
	for _, f := range fs {
		if f.Value == "" {
			continue
		}
		switch v := data[f.Field].(type) {
		case string:
			if v != f.Value {
				return false
			}
		case bool:
			if strconv.FormatBool(v) != f.Value {
				return false
			}
		case []any:
			if !slices.Contains(textList(v), f.Value) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// filtered reads the items of the list that pass the filters, in the
// list's order, up to maxFilterScan items read.
func (a *handlers) filtered(ctx context.Context, org string, def *kindDef, opts store.ListOptions, fs []listFilter) ([]store.StoredItem, error) {
	var out []store.StoredItem
	opts.Limit, opts.Offset = store.MaxPage, 0
	for opts.Offset < maxFilterScan {
		pg, err := a.Store.List(ctx, org, def.Kind, opts)
		if err != nil {
			return nil, err
		}
		for _, it := range pg.Items {
			if matches(decodeObj(it.Data), fs) {
				out = append(out, it)
			}
		}
		opts.Offset += len(pg.Items)
		if len(pg.Items) == 0 || opts.Offset >= pg.Total {
			break
		}
	}
	return out, nil
}
