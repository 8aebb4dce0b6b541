package report

import (
	"context"
	"fmt"

	"github.com/cloudisms/cloudisms/internal/store"
)

// SoAImport is what an SoA workbook changes in an organization's ISMS as
// stored at history position Head.
type SoAImport struct {
	Head    int64
	Changes []SoAChange
}

// PreviewSoA reads a workbook against the ISMS as stored now; nothing is written.
func PreviewSoA(ctx context.Context, s *store.Store, org string, src []byte) (SoAImport, error) {
	m, head, err := s.ISMSAt(ctx, org)
	if err != nil {
		return SoAImport{}, err
	}
	ch, err := ReadSoA(src, m)
	return SoAImport{Head: head, Changes: ch}, err
}

// ApplySoA applies a workbook's changes in one transaction, recorded in the
// history as made by actor. With expectHead >= 0 (the head a preview was
// made at) the ISMS must not have changed since: otherwise store.ErrConflict
// and nothing is written. Any problem in the workbook writes nothing.
func ApplySoA(ctx context.Context, s *store.Store, org string, src []byte, expectHead int64, actor string) (SoAImport, error) {
	m, head, err := s.ISMSAt(ctx, org)
	if err != nil {
		return SoAImport{}, err
	}
	if expectHead >= 0 && head != expectHead {
		return SoAImport{Head: head}, fmt.Errorf("organization %s changed since the preview (history #%d, now #%d): %w", org, expectHead, head, store.ErrConflict)
	}
	ch, err := ReadSoA(src, m)
	if err != nil {
		return SoAImport{Head: head}, err
	}
	items, refs, err := Items(m, ch)
	if err != nil {
		return SoAImport{Head: head}, err
	}
	writes := make([]store.ItemWrite, len(items))
	for i := range items {
		writes[i] = store.ItemWrite{Item: items[i], Refs: refs[i]}
	}
	if len(writes) > 0 {
		if err := s.PutAllAt(ctx, org, head, writes, actor); err != nil {
			return SoAImport{Head: head}, err
		}
	}
	return SoAImport{Head: head, Changes: ch}, nil
}
