package progress

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"
)

// fakeClock advances by step at every reading.
type fakeClock struct {
	t    time.Time
	step time.Duration
}

func (c *fakeClock) now() time.Time { c.t = c.t.Add(c.step); return c.t }

func TestBarDrawsCountsAndTimeLeft(t *testing.T) {
	var out bytes.Buffer
	clk := &fakeClock{t: time.Unix(0, 0), step: time.Second}
	b := newBar(&out, "import", true, clk.now)
	var f Func = b.Update // the bar has the shape report functions take
	f(25, 100)
	got := out.String()
	for _, want := range []string{"\rimport [", "25/100", " 25%", "0:03 left"} {
		if !strings.Contains(got, want) {
			t.Errorf("line %q lacks %q", got, want)
		}
	}
	f(100, 100)
	if !strings.Contains(out.String(), "100/100 100%") {
		t.Errorf("the last report must always be drawn: %q", out.String())
	}
	b.Done()
	if !strings.HasSuffix(out.String(), "\r\x1b[K") {
		t.Errorf("Done must clear the line: %q", out.String())
	}
}

func TestBarThrottlesRedraws(t *testing.T) {
	var out bytes.Buffer
	clk := &fakeClock{t: time.Unix(0, 0), step: time.Millisecond}
	b := newBar(&out, "x", true, clk.now)
	for i := range 1000 {
		b.Update(i, 1000)
	}
	if n := strings.Count(out.String(), "\r"); n > 15 {
		t.Errorf("drawn %d times in 1 s of fast updates; want at most about 10", n)
	}
}

func TestBarSilentWhenNotTerminal(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if IsTerminal(f) {
		t.Fatal("a regular file is not a terminal")
	}
	devnull, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer devnull.Close()
	if IsTerminal(devnull) {
		t.Error("/dev/null is a character device but not a terminal")
	}
	var buf bytes.Buffer
	if IsTerminal(&buf) {
		t.Error("a buffer is not a terminal")
	}
	b := New(f, "export")
	b.Update(1, 2)
	b.Done()
	if st, _ := f.Stat(); st.Size() != 0 {
		t.Errorf("a bar on a file wrote %d bytes", st.Size())
	}
	var nilFunc Func
	nilFunc.Report(1, 2) // no watcher: no panic
}

func TestRemaining(t *testing.T) {
	tests := []struct {
		done, total int
		elapsed     time.Duration
		want        time.Duration
		ok          bool
	}{
		{0, 10, time.Second, 0, false},
		{5, 10, 10 * time.Second, 10 * time.Second, true},
		{10, 10, time.Second, 0, true},
		{11, 10, time.Second, 0, false},
	}
	for _, tc := range tests {
		got, ok := Remaining(tc.done, tc.total, tc.elapsed)
		if got != tc.want || ok != tc.ok {
			t.Errorf("Remaining(%d,%d,%v) = %v,%v; want %v,%v", tc.done, tc.total, tc.elapsed, got, ok, tc.want, tc.ok)
		}
	}
	if c := clock(3723 * time.Second); c != "1:02:03" {
		t.Errorf("clock = %s", c)
	}
}
