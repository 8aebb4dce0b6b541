package store_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/cloudisms/cloudisms/internal/store"
)

// TestEditionAndCriteria: the one read a write is checked against gives
// what Edition and Criteria give, for an organization with both and for
// one with neither.
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
		}
	})
}
