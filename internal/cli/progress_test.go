package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// openPTY opens a pseudo-terminal and returns its two ends.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		m.Close()
		t.Skipf("unlock pseudo-terminal: %v", err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		m.Close()
		t.Skipf("pseudo-terminal number: %v", err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		m.Close()
		t.Skipf("open pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { s.Close(); m.Close() })
	return m, s
}

const endMark = "--end of test--"

// TestProgressOnTerminalOnly runs long commands with standard error on a
// terminal (a bar is drawn) and on a pipe or file (nothing but the result).
func TestProgressOnTerminalOnly(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "big.yaml")
	data := filepath.Join(dir, "data")
	master, slave := openPTY(t)
	drawn := make(chan string, 1)
	go func() {
		// Read until the end mark the test writes after the commands (a
		// pseudo-terminal's master end does not take read deadlines).
		var b bytes.Buffer
		buf := make([]byte, 4096)
		for !strings.Contains(b.String(), endMark) {
			n, err := master.Read(buf)
			b.Write(buf[:n])
			if err != nil {
				break
			}
		}
		drawn <- b.String()
	}()
	env := func(k string) string { return map[string]string{"LANG": "en_US.UTF-8"}[k] }
	for _, args := range [][]string{
		{"generate", "--risks", "3000", "--assets", "100", "-o", out},
		{"import", out, "--org", "big", "--data", data},
		{"export", "--org", "big", "--data", data, "-o", filepath.Join(dir, "back.yaml")},
	} {
		var stdout bytes.Buffer
		if code := Run(context.Background(), args, env, strings.NewReader(""), &stdout, slave); code != 0 {
			t.Fatalf("%v: exit %d", args, code)
		}
	}
	fmt.Fprintln(slave, endMark)
	var got string
	select {
	case got = <-drawn:
	case <-time.After(10 * time.Second):
		t.Fatal("the terminal's output did not arrive")
	}
	for _, want := range []string{"generate [", "3100/3100 100%", "import [", "export ["} {
		if !strings.Contains(got, want) {
			t.Errorf("the terminal did not show %q; it showed %q", want, got)
		}
	}
	// Not a terminal: standard error stays empty.
	var stdout, stderr bytes.Buffer
	errFile, err := os.CreateTemp(dir, "stderr")
	if err != nil {
		t.Fatal(err)
	}
	defer errFile.Close()
	for _, w := range []io.Writer{&stderr, errFile} {
		if code := Run(context.Background(), []string{"generate", "--risks", "3000", "-o", out}, env, strings.NewReader(""), &stdout, w); code != 0 {
			t.Fatalf("generate: exit %d", code)
		}
	}
	if st, _ := errFile.Stat(); stderr.Len() != 0 || st.Size() != 0 {
		t.Errorf("progress written where there is no terminal: %q (%d bytes to a file)", stderr.String(), st.Size())
	}
}
