// Package mail sends the few messages cloudisms mails (invitations, and
// whatever else asks for a Sender) through an SMTP server the operator
// configures. Without one, nothing is mailed and the pages show what they
// would have sent (the invitation link, say).
package mail

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/mail"
	"net/smtp"
	"strings"
	"time"
)

// Config is an SMTP server to send through.
type Config struct {
	Addr     string // host:port; "" turns mail off
	From     string // the sender's address, e.g. "cloudisms <isms@example.jp>"
	Username string // with Password: AUTH PLAIN, only over TLS or to localhost
	Password string
	// Timeout bounds a whole send (dial, conversation); 0 means 20 s.
	Timeout time.Duration
}

// Message is a plain-text message.
type Message struct {
	To      []string
	Subject string
	Text    string
}

// Sender sends messages.
type Sender interface {
	Send(ctx context.Context, m Message) error
	Enabled() bool
}

// Enabled reports whether the configuration names a server.
func (c Config) Enabled() bool { return c.Addr != "" }

// Check validates the configuration at start, so that a typo stops the
// server with a message rather than losing every mail later.
func (c Config) Check() error {
	if !c.Enabled() {
		return nil
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return fmt.Errorf("smtp address %q: expected host:port: %w", c.Addr, err)
	}
	if _, err := mail.ParseAddress(c.From); err != nil {
		return fmt.Errorf("smtp sender %q: expected an address: %w", c.From, err)
	}
	return nil
}

// ErrDisabled is returned by Send when no server is configured.
var ErrDisabled = errors.New("mail is not configured")

// Send sends one message.
func (c Config) Send(ctx context.Context, m Message) error {
	if !c.Enabled() {
		return ErrDisabled
	}
	from, err := mail.ParseAddress(c.From)
	if err != nil {
		return fmt.Errorf("mail sender: %w", err)
	}
	var to []string
	for _, a := range m.To {
		addr, err := mail.ParseAddress(a)
		if err != nil {
			return fmt.Errorf("mail recipient %q: %w", a, err)
		}
		to = append(to, addr.Address)
	}
	if len(to) == 0 {
		return errors.New("mail: no recipient")
	}
	body, err := compose(from, to, m, time.Now())
	if err != nil {
		return err
	}
	timeout := c.Timeout
	if timeout == 0 {
		timeout = 20 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", c.Addr)
	if err != nil {
		return fmt.Errorf("mail: connect %s: %w", c.Addr, err)
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	host, _, _ := net.SplitHostPort(c.Addr)
	cl, err := smtp.NewClient(conn, host)
	if err != nil {
		return fmt.Errorf("mail: %s: %w", c.Addr, err)
	}
	defer cl.Close()
	if ok, _ := cl.Extension("STARTTLS"); ok {
		if err := cl.StartTLS(&tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}); err != nil {
			return fmt.Errorf("mail: STARTTLS with %s: %w", c.Addr, err)
		}
	}
	if c.Username != "" {
		if err := cl.Auth(smtp.PlainAuth("", c.Username, c.Password, host)); err != nil {
			return fmt.Errorf("mail: authentication with %s: %w", c.Addr, err)
		}
	}
	if err := cl.Mail(from.Address); err != nil {
		return fmt.Errorf("mail: MAIL FROM: %w", err)
	}
	for _, a := range to {
		if err := cl.Rcpt(a); err != nil {
			return fmt.Errorf("mail: RCPT TO %s: %w", a, err)
		}
	}
	w, err := cl.Data()
	if err != nil {
		return fmt.Errorf("mail: DATA: %w", err)
	}
	if _, err := w.Write(body); err != nil {
		return fmt.Errorf("mail: DATA: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("mail: DATA: %w", err)
	}
	return cl.Quit()
}

// compose writes the message: UTF-8 text in base64, the subject encoded
// per RFC 2047, and headers that no value can add to (a line break in a
// subject or an address is refused).
func compose(from *mail.Address, to []string, m Message, now time.Time) ([]byte, error) {
	if strings.ContainsAny(m.Subject, "\r\n") {
		return nil, errors.New("mail: a subject holds no line break")
	}
	id := make([]byte, 12)
	rand.Read(id)
	domain := "cloudisms.invalid"
	if i := strings.LastIndexByte(from.Address, '@'); i >= 0 {
		domain = from.Address[i+1:]
	}
	var b bytes.Buffer
	header := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	header("From", from.String())
	header("To", strings.Join(to, ", "))
	header("Subject", mime.BEncoding.Encode("UTF-8", m.Subject))
	header("Date", now.Format(time.RFC1123Z))
	header("Message-ID", "<"+hex.EncodeToString(id)+"@"+domain+">")
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=UTF-8")
	header("Content-Transfer-Encoding", "base64")
	header("Auto-Submitted", "auto-generated")
	b.WriteString("\r\n")
	enc := base64.StdEncoding.EncodeToString([]byte(strings.ReplaceAll(m.Text, "\n", "\r\n")))
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n")
	return b.Bytes(), nil
}
