package store

import (
	"context"
	"errors"

	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/isms"
)

// Criteria reads an organization's risk criteria alone, without loading
// the whole ISMS: a save checks the values on its scales against them.
// No criteria yet: the zero criteria, which check nothing.
func (s *Store) Criteria(ctx context.Context, org string) (isms.RiskCriteria, error) {
	it, err := s.Get(ctx, org, bundle.KindCriteria, bundle.KindCriteria)
	if errors.Is(err, ErrNotFound) {
		return isms.RiskCriteria{}, nil
	}
	if err != nil {
		return isms.RiskCriteria{}, err
	}
	return bundle.CriteriaOf(it.Data), nil
}
