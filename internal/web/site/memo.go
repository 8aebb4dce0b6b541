package site

import "sync"

// A view kept by history head (App.View) is made again after every edit,
// though most of a page's parts show a small part of the ISMS that an edit
// rarely touches: the SoA coverage chart does not change when a risk's
// title does, and at 200 services drawing it cost a millisecond after
// every edit. Memo keeps such a part by the content it is made from.

// memo is the last value made for a part, with the key it was made for.
type memo[K comparable, V any] struct {
	mu  sync.Mutex
	key K
	v   V
	ok  bool
}

// Memo returns make(), kept per organization, language and name while key
// stays equal: key must hold everything the value shows that is not the
// organization or the language (names resolved, counts), so that equal
// keys make equal values. One value is kept per part, the last made.
func Memo[K comparable, V any](a *App, p *Page, name string, key K, make func() V) V {
	m := a.View(p.Org, 0, p.Lang, "memo "+name, func() any { return &memo[K, V]{} }).(*memo[K, V])
	m.mu.Lock()
	if m.ok && m.key == key {
		v := m.v
		m.mu.Unlock()
		return v
	}
	m.mu.Unlock()
	v := make()
	m.mu.Lock()
	m.key, m.v, m.ok = key, v, true
	m.mu.Unlock()
	return v
}
