package report

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/store"
)

// SoAImport is what an SoA workbook changes in an organization's ISMS as
// stored at history position Head.
type SoAImport struct {
	Head    int64
	Changes []SoAChange
	// Skipped are the edited cells that are not applied, with the reason.
	Skipped []SkippedEdit
	// MadeAt is the history position the workbook was made at (-1: the
	// workbook does not say).
	MadeAt int64
	// Stale are the changes to rows that changed in the ISMS after the
	// workbook was made: applying them would undo those later changes.
	Stale []SoAChange
}

// ErrStaleWorkbook: the workbook was made before later changes to rows it
// would change; it is applied only when the caller confirms.
var ErrStaleWorkbook = errors.New("the workbook is older than changes to rows it would change")

// ErrOtherOrganization: the workbook was made for another organization.
var ErrOtherOrganization = errors.New("the workbook was made for another organization")

// PreviewSoA reads a workbook against the ISMS as stored now; nothing is written.
func PreviewSoA(ctx context.Context, s *store.Store, org string, src []byte) (SoAImport, error) {
	imp, _, err := readImport(ctx, s, org, src)
	return imp, err
}

// readImport reads a workbook against the stored ISMS and finds the rows
// it would change that changed after it was made.
func readImport(ctx context.Context, s *store.Store, org string, src []byte) (SoAImport, *isms.ISMS, error) {
	m, head, err := s.ISMSAt(ctx, org)
	if err != nil {
		return SoAImport{}, nil, err
	}
	texts, err := s.ControlTexts(ctx, org)
	if err != nil {
		return SoAImport{}, nil, err
	}
	rd, err := ReadSoAWorkbook(ctx, src, m, texts)
	imp := SoAImport{Head: head, Changes: rd.Changes, Skipped: rd.Skipped, MadeAt: rd.MadeAt}
	if err != nil {
		return imp, m, err
	}
	if rd.Org != "" && rd.Org != m.Organization.ID {
		return imp, m, fmt.Errorf("%w (%s, not %s)", ErrOtherOrganization, rd.Org, m.Organization.ID)
	}
	if rd.MadeAt >= 0 && rd.MadeAt < head && len(rd.Changes)+len(rd.Skipped) > 0 {
		later, err := s.History(ctx, org, store.HistoryFilter{Kind: bundle.KindSoARows, After: rd.MadeAt})
		if err != nil {
			return imp, m, err
		}
		changed := map[string]bool{}
		for _, c := range later {
			changed[c.Key] = true
		}
		for _, c := range rd.Changes {
			if changed[c.SoA+"/"+c.Control] {
				imp.Stale = append(imp.Stale, c)
			}
		}
		// A cell that differs from a row changed since the workbook may
		// be that change rather than an edit: said so.
		for i, x := range imp.Skipped {
			if changed[x.From] && x.Reason.Key == "docs13.import.skip_inherited" {
				imp.Skipped[i].Reason = i18n.M("docs13.import.skip_changed_since", "reason", x.Reason)
			}
		}
	}
	return imp, m, nil
}

// ApplySoA applies a workbook's changes in one transaction, recorded in the
// history as made by actor. With expectHead >= 0 (the head a preview was
// made at) the ISMS must not have changed since: otherwise store.ErrConflict
// and nothing is written. A workbook made before later changes to rows it
// changes is refused (ErrStaleWorkbook, naming them) unless overwriteNewer
// confirms it. Any problem in the workbook writes nothing. The approval an
// SoA carries from its bundle is recorded first, so that the change shows
// it as stale (on the dashboard and in print).
func ApplySoA(ctx context.Context, s *store.Store, org string, src []byte, expectHead int64, overwriteNewer bool, actor string) (SoAImport, error) {
	imp, m, err := readImport(ctx, s, org, src)
	if err != nil {
		return imp, err
	}
	if expectHead >= 0 && imp.Head != expectHead {
		return imp, fmt.Errorf("organization %s changed since the preview (history #%d, now #%d): %w", org, expectHead, imp.Head, store.ErrConflict)
	}
	if len(imp.Stale) > 0 && !overwriteNewer {
		var rows []string
		for _, c := range imp.Stale {
			rows = append(rows, c.SoA+" "+c.Control)
		}
		return imp, fmt.Errorf("%w: %s", ErrStaleWorkbook, strings.Join(rows, ", "))
	}
	items, refs, err := Items(m, imp.Changes)
	if err != nil {
		return imp, err
	}
	if len(items) == 0 {
		return imp, nil
	}
	if err := recordBaselines(ctx, s, org, m, imp.Changes); err != nil {
		return imp, err
	}
	writes := make([]store.ItemWrite, len(items))
	for i := range items {
		writes[i] = store.ItemWrite{Item: items[i], Refs: refs[i]}
	}
	if err := s.PutAllAt(ctx, org, imp.Head, writes, actor); err != nil {
		return imp, err
	}
	return imp, nil
}

// recordBaselines records the approvals that the changed SoAs carry from
// their bundle as approvals of their content before the change.
func recordBaselines(ctx context.Context, s *store.Store, org string, m *isms.ISMS, changes []SoAChange) error {
	done := map[string]bool{}
	for _, c := range changes {
		if done[c.SoA] {
			continue
		}
		done[c.SoA] = true
		for _, soa := range m.SoAs {
			if bundle.SoAKey(soa) != c.SoA || soa.Approval == nil {
				continue
			}
			if err := s.RecordApprovalBaseline(ctx, org, bundle.KindSoA, c.SoA, soa.Approval.By, soa.Approval.Date.String()); err != nil && !errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("approval of %s: %w", c.SoA, err)
			}
		}
	}
	return nil
}
