package store_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/cloudisms/cloudisms/internal/store"
)

// TestEditionAndCriteria: the one read a write is checked against gives
// what Edition and Criteria give, for an organization with both and for
// one with neither; read with an item (GetAndCriteria, an update's
// read) it also gives what Get gives, and ErrNotFound for no item.
func TestEditionAndCriteria(t *testing.T) {
	ctx := context.Background()
	eachSampleStore(t, func(t *testing.T, s *store.Store) {
		if err := s.CreateOrg(ctx, "empty", "Empty"); err != nil {
			t.Fatal(err)
		}
		for _, org := range []string{"o", "empty"} {
			edition, criteria, err := s.EditionAndCriteria(ctx, org)
			if err != nil {
				t.Fatal(err)
			}
			wantEdition, err1 := s.Edition(ctx, org)
			wantCriteria, err2 := s.Criteria(ctx, org)
			if err1 != nil || err2 != nil {
				t.Fatal(err1, err2)
			}
			if edition != wantEdition || !reflect.DeepEqual(criteria, wantCriteria) {
				t.Errorf("%s: %q %+v, want %q %+v", org, edition, criteria, wantEdition, wantCriteria)
			}
			if org == "o" && (edition == "" || len(criteria.Scales) == 0) {
				t.Errorf("the sample's edition %q and criteria %+v are empty", edition, criteria)
			}
			for _, k := range [][2]string{{"risks", "r-01"}, {"organization", "organization"}, {"risk_criteria", "risk_criteria"}, {"risks", "no-such-risk"}} {
				it, e, c, err := s.GetAndCriteria(ctx, org, k[0], k[1])
				want, werr := s.Get(ctx, org, k[0], k[1])
				if errors.Is(werr, store.ErrNotFound) {
					if !errors.Is(err, store.ErrNotFound) {
						t.Errorf("%s: %s/%s is not stored, GetAndCriteria says %v", org, k[0], k[1], err)
					}
					continue
				}
				if err != nil || werr != nil || !reflect.DeepEqual(it, want) || e != wantEdition || !reflect.DeepEqual(c, wantCriteria) {
					t.Errorf("%s: %s/%s: %+v %q %+v %v, want %+v %q %+v %v", org, k[0], k[1], it, e, c, err, want, wantEdition, wantCriteria, werr)
				}
			}
		}
	})
}
