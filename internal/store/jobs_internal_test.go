package store

import (
	"context"
	"testing"
	"time"
)

// TestJobLeaseTakeover: a job whose instance died while running it is
// taken over once its lease has run out, and the dead instance's late
// result, should it come back, is not stored over the new one.
func TestJobLeaseTakeover(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.CreateOrg(ctx, "o", "O"); err != nil {
		t.Fatal(err)
	}
	clock := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return clock }
	j, err := s.CreateExportJob(ctx, "o", "alice")
	if err != nil {
		t.Fatal(err)
	}
	dead, err := s.ClaimExportJob(ctx, "dead")
	if err != nil || dead == nil || dead.ID != j.ID {
		t.Fatalf("claim: %v %v", dead, err)
	}
	clock = clock.Add(JobLease - time.Minute)
	if again, _ := s.ClaimExportJob(ctx, "alive"); again != nil {
		t.Fatal("a job was taken over within its lease")
	}
	clock = clock.Add(2 * time.Minute)
	taken, err := s.ClaimExportJob(ctx, "alive")
	if err != nil || taken == nil || taken.ID != j.ID || taken.Runs != 2 {
		t.Fatalf("takeover after the lease: %+v %v", taken, err)
	}
	if err := s.finishExportJob(ctx, dead, "dead", []byte("late"), nil); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.ExportJob(ctx, "o", j.ID); got.State != JobRunning || got.ClaimedBy != "alive" {
		t.Errorf("the dead instance's late result was stored: %+v", got)
	}
	if err := s.finishExportJob(ctx, taken, "alive", []byte("bundle"), nil); err != nil {
		t.Fatal(err)
	}
	if b, err := s.ExportJobResult(ctx, "o", j.ID); err != nil || string(b) != "bundle" {
		t.Errorf("result: %q %v", b, err)
	}
}
