// Package progress draws a progress bar with counts and the time left for
// long command-line jobs. It draws only on a terminal: when the output is a
// file or a pipe, a Bar writes nothing, so that scripts see only the
// result.
package progress

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// Func is the shape of a progress report: done of total units. Functions
// that do long work take one (nil means nobody is watching).
type Func func(done, total int)

// Report calls f when it is set.
func (f Func) Report(done, total int) {
	if f != nil {
		f(done, total)
	}
}

// IsTerminal reports whether w is an open terminal. A character device is
// not enough (/dev/null is one): the terminal's attributes must be readable.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// Bar is a one-line progress display. Its Update method has the Func shape.
type Bar struct {
	mu    sync.Mutex
	w     io.Writer
	label string
	on    bool
	now   func() time.Time
	start time.Time
	last  time.Time // when the line was last drawn
	drawn bool
	width int // characters of the bar itself
}

// redraw is the least time between two drawings, so that a fast loop does
// not spend its time writing to the terminal.
const redraw = 100 * time.Millisecond

// New returns a bar labelled label writing to w, drawing only when w is a
// terminal.
func New(w io.Writer, label string) *Bar {
	return newBar(w, label, IsTerminal(w), time.Now)
}

func newBar(w io.Writer, label string, on bool, now func() time.Time) *Bar {
	return &Bar{w: w, label: label, on: on, now: now, start: now(), width: 30}
}

// Update reports done of total units. The first and the last report are
// always drawn; the ones between at most every 100 ms.
func (b *Bar) Update(done, total int) {
	if b == nil || !b.on {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	t := b.now()
	if b.drawn && done < total && t.Sub(b.last) < redraw {
		return
	}
	b.last, b.drawn = t, true
	fmt.Fprintf(b.w, "\r%s\x1b[K", b.line(done, total, t.Sub(b.start)))
}

// Func returns Update as a Func.
func (b *Bar) Func() Func { return b.Update }

// Done ends the bar: the line is cleared so that what follows (the
// result) starts on a clean line.
func (b *Bar) Done() {
	if b == nil || !b.on {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.drawn {
		fmt.Fprint(b.w, "\r\x1b[K")
		b.drawn = false
	}
}

// line renders "label [=====>     ] 123/456 27% 0:03 left".
func (b *Bar) line(done, total int, elapsed time.Duration) string {
	if total <= 0 {
		return fmt.Sprintf("%s %d", b.label, done)
	}
	done = min(max(done, 0), total)
	frac := float64(done) / float64(total)
	fill := int(frac * float64(b.width))
	bar := strings.Repeat("=", fill)
	if fill < b.width {
		bar += ">" + strings.Repeat(" ", b.width-fill-1)
	}
	s := fmt.Sprintf("%s [%s] %d/%d %3d%%", b.label, bar, done, total, int(frac*100))
	if left, ok := Remaining(done, total, elapsed); ok {
		s += " " + clock(left) + " left"
	}
	return s
}

// Remaining estimates the time left at the rate so far; false until there
// is a rate to go by.
func Remaining(done, total int, elapsed time.Duration) (time.Duration, bool) {
	if done <= 0 || elapsed <= 0 || done > total {
		return 0, false
	}
	per := float64(elapsed) / float64(done)
	return time.Duration(per * float64(total-done)), true
}

// clock writes a duration as m:ss (h:mm:ss from an hour).
func clock(d time.Duration) string {
	s := int(d.Round(time.Second) / time.Second)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}
