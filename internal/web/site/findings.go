package site

import (
	"context"

	"github.com/cloudisms/cloudisms/internal/conformity"
	"github.com/cloudisms/cloudisms/internal/names"
	"github.com/cloudisms/cloudisms/internal/store"
)

// FindingsBySubject renders findings by subject, in the screen's words;
// nm names the items they mention.
func FindingsBySubject(fs []conformity.Finding, lang string, nm *names.Names) map[string][]string {
	out := map[string][]string{}
	for _, f := range fs {
		out[f.Subject] = append(out[f.Subject], f.Rule+": "+FindingText(f, lang, nm))
	}
	return out
}

// StoredItems lists the stored items of a kind in document order, for
// kinds without ids of their own (responsibilities), whose keys the model
// does not carry.
func (a *App) StoredItems(ctx context.Context, org, kind string) ([]store.StoredItem, error) {
	var out []store.StoredItem
	for off := 0; ; off += store.MaxPage {
		pg, err := a.Store.List(ctx, org, kind, store.ListOptions{Limit: store.MaxPage, Offset: off})
		if err != nil {
			return nil, err
		}
		out = append(out, pg.Items...)
		if len(pg.Items) < store.MaxPage {
			return out, nil
		}
	}
}
