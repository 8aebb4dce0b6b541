package site

import (
	"net/http"
	"net/url"
	"strconv"
)

// Pager is one page of a long list: rows from..to of total.
type Pager struct {
	Page, Pages, From, To, Total int
}

// Paginate reads ?page= (from 1; out of range is clamped) for total rows.
func Paginate(r *http.Request, total, size int) Pager {
	pages := max(1, (total+size-1)/size)
	page, err := strconv.Atoi(r.URL.Query().Get("page"))
	if err != nil || page < 1 {
		page = 1
	}
	page = min(page, pages)
	from := min((page-1)*size, total)
	return Pager{Page: page, Pages: pages, From: from, To: min(from+size, total), Total: total}
}

// PagerView is what the template shows: where we are and links to the
// neighbouring pages that keep the other query parameters (the filters).
type PagerView struct {
	Show       bool
	Text       string
	Prev, Next string
}

// View is the pager as a template shows it.
func (g Pager) View(r *http.Request, p *Page) PagerView {
	link := func(n int) string {
		q := url.Values{}
		for k, v := range r.URL.Query() {
			q[k] = v
		}
		q.Set("page", strconv.Itoa(n))
		return r.URL.Path + "?" + q.Encode()
	}
	v := PagerView{Show: g.Pages > 1, Text: p.T("ops.page_of", "page", g.Page, "pages", g.Pages, "from", g.From+1, "to", g.To, "n", g.Total)}
	if g.Page > 1 {
		v.Prev = link(g.Page - 1)
	}
	if g.Page < g.Pages {
		v.Next = link(g.Page + 1)
	}
	return v
}
