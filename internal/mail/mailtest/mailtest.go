// Package mailtest starts a real SMTP server for tests: Mailpit
// (github.com/axllent/mailpit), a process of its own on free ports, whose
// API tells what it received. Tests skip with a message when the binary
// is not installed (CLOUDISMS_TEST_MAILPIT names it, else it is looked for
// on PATH and in GOPATH/bin); CI installs it and fails if they skip.
package mailtest

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Server is a running Mailpit.
type Server struct {
	SMTP string // host:port to send to
	api  string // base URL of its API
}

// Message is a received message.
type Message struct {
	ID      string
	Subject string
	To      []string
	Text    string
}

// Binary finds the mailpit binary ("" when absent).
func Binary() string {
	if b := os.Getenv("CLOUDISMS_TEST_MAILPIT"); b != "" {
		return b
	}
	if b, err := exec.LookPath("mailpit"); err == nil {
		return b
	}
	if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		b := filepath.Join(strings.TrimSpace(string(out)), "bin", "mailpit")
		if _, err := os.Stat(b); err == nil {
			return b
		}
	}
	return ""
}

func freePort(t testing.TB) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// Start runs Mailpit until the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	bin := Binary()
	if bin == "" {
		t.Skip("mailpit is not installed: mail tests skipped (go install github.com/axllent/mailpit@v1.33.1, or set CLOUDISMS_TEST_MAILPIT)")
	}
	smtpAddr, httpAddr := freePort(t), freePort(t)
	cmd := exec.Command(bin, "--smtp", smtpAddr, "--listen", httpAddr, "--database", filepath.Join(t.TempDir(), "mailpit.db"), "--quiet")
	if err := cmd.Start(); err != nil {
		t.Fatalf("start mailpit: %v", err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	s := &Server{SMTP: smtpAddr, api: "http://" + httpAddr}
	deadline := time.Now().Add(30 * time.Second)
	for {
		if resp, err := http.Get(s.api + "/api/v1/messages"); err == nil {
			resp.Body.Close()
			if c, err := net.DialTimeout("tcp", smtpAddr, time.Second); err == nil {
				c.Close()
				return s
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("mailpit did not start on %s / %s", smtpAddr, httpAddr)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Messages returns what the server received, the newest first, waiting up
// to a few seconds for at least n.
func (s *Server) Messages(t testing.TB, n int) []Message {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var list struct {
			Messages []struct {
				ID      string
				Subject string
				To      []struct{ Address string }
			} `json:"messages"`
		}
		if err := s.get("/api/v1/messages", &list); err != nil {
			t.Fatal(err)
		}
		if len(list.Messages) >= n || time.Now().After(deadline) {
			var out []Message
			for _, m := range list.Messages {
				msg := Message{ID: m.ID, Subject: m.Subject}
				for _, a := range m.To {
					msg.To = append(msg.To, a.Address)
				}
				var full struct{ Text string }
				if err := s.get("/api/v1/message/"+m.ID, &full); err != nil {
					t.Fatal(err)
				}
				msg.Text = full.Text
				out = append(out, msg)
			}
			return out
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (s *Server) get(path string, v any) error {
	resp, err := http.Get(s.api + path)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("mailpit %s: %s", path, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}
