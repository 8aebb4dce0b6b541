package web

import (
	"net/http"
	"net/url"
	"strconv"
)

// riskPageSize is how many risks the register shows at once: a page a
// person reads, and a cost that does not grow with the register.
const riskPageSize = 100

// pager is one page of a long list: rows from..to of total.
type pager struct {
	page, pages, from, to, total int
}

// paginate reads ?page= (from 1; out of range is clamped) for total rows.
func paginate(r *http.Request, total, size int) pager {
	pages := max(1, (total+size-1)/size)
	page, err := strconv.Atoi(r.URL.Query().Get("page"))
	if err != nil || page < 1 {
		page = 1
	}
	page = min(page, pages)
	from := min((page-1)*size, total)
	return pager{page: page, pages: pages, from: from, to: min(from+size, total), total: total}
}

// pagerView is what the template shows: where we are and links to the
// neighbouring pages that keep the other query parameters (the filters).
type pagerView struct {
	Show       bool
	Text       string
	Prev, Next string
}

func (g pager) view(r *http.Request, p *page) pagerView {
	link := func(n int) string {
		q := url.Values{}
		for k, v := range r.URL.Query() {
			q[k] = v
		}
		q.Set("page", strconv.Itoa(n))
		return r.URL.Path + "?" + q.Encode()
	}
	v := pagerView{Show: g.pages > 1, Text: p.T("ops.page_of", "page", g.page, "pages", g.pages, "from", g.from+1, "to", g.to, "n", g.total)}
	if g.page > 1 {
		v.Prev = link(g.page - 1)
	}
	if g.page < g.pages {
		v.Next = link(g.page + 1)
	}
	return v
}
