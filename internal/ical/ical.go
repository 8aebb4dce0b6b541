// Package ical writes iCalendar (RFC 5545) feeds of all-day events: the
// due dates of a person's tasks, for Outlook, Google Calendar and any
// other calendar that subscribes to a URL. It does no I/O beyond the
// writer it is given; the time stamp is passed in.
package ical

import (
	"bytes"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Event is one all-day event.
type Event struct {
	UID         string    // stable across feeds, so that a calendar updates instead of duplicating
	Date        time.Time // the day (its year, month and day are used)
	Summary     string
	Description string
	URL         string
	Categories  []string
}

// Calendar is a feed.
type Calendar struct {
	ProdID  string // -//cloudisms//cloudisms//JA
	Name    string // X-WR-CALNAME: the name a subscriber's calendar shows
	Refresh time.Duration
	Events  []Event
}

// Write writes the calendar: CRLF line ends, lines folded at 75 octets
// without splitting a UTF-8 character, text escaped, every event with
// UID, DTSTAMP and an all-day DTSTART;VALUE=DATE (and the next day as
// DTEND, which Outlook expects).
func (c Calendar) Write(w io.Writer, stamp time.Time) error {
	var b bytes.Buffer
	line := func(name, value string) { b.WriteString(fold(name + ":" + value)) }
	line("BEGIN", "VCALENDAR")
	line("VERSION", "2.0")
	line("PRODID", c.ProdID)
	line("CALSCALE", "GREGORIAN")
	line("METHOD", "PUBLISH")
	if c.Name != "" {
		line("X-WR-CALNAME", Text(c.Name))
	}
	if c.Refresh > 0 {
		// Subscribers poll at most this often (RFC 7986; Outlook and
		// Google read the older X-PUBLISHED-TTL).
		line("REFRESH-INTERVAL;VALUE=DURATION", duration(c.Refresh))
		line("X-PUBLISHED-TTL", duration(c.Refresh))
	}
	ts := stamp.UTC().Format("20060102T150405Z")
	for _, e := range c.Events {
		line("BEGIN", "VEVENT")
		line("UID", Text(e.UID))
		line("DTSTAMP", ts)
		line("DTSTART;VALUE=DATE", e.Date.Format("20060102"))
		line("DTEND;VALUE=DATE", e.Date.AddDate(0, 0, 1).Format("20060102"))
		line("SUMMARY", Text(e.Summary))
		if e.Description != "" {
			line("DESCRIPTION", Text(e.Description))
		}
		if e.URL != "" {
			line("URL;VALUE=URI", e.URL)
		}
		if len(e.Categories) > 0 {
			cats := make([]string, len(e.Categories))
			for i, x := range e.Categories {
				cats[i] = Text(x)
			}
			line("CATEGORIES", strings.Join(cats, ","))
		}
		line("TRANSP", "TRANSPARENT")
		line("END", "VEVENT")
	}
	line("END", "VCALENDAR")
	_, err := w.Write(b.Bytes())
	return err
}

// Text escapes a TEXT value (RFC 5545 3.3.11): backslash, semicolon,
// comma and newlines; other control characters are dropped.
func Text(s string) string {
	var b strings.Builder
	s = strings.ReplaceAll(s, "\r\n", "\n")
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == ';':
			b.WriteString(`\;`)
		case r == ',':
			b.WriteString(`\,`)
		case r == '\n':
			b.WriteString(`\n`)
		case r < 0x20 || r == 0x7f:
			// not allowed in a content line
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// fold ends a content line with CRLF, folding it (CRLF and one space) so
// that no physical line is longer than 75 octets and no UTF-8 sequence is
// split.
func fold(s string) string {
	var b strings.Builder
	width := 0
	for _, r := range s {
		n := utf8.RuneLen(r)
		if width+n > 75 {
			b.WriteString("\r\n ")
			width = 1
		}
		b.WriteRune(r)
		width += n
	}
	b.WriteString("\r\n")
	return b.String()
}

func duration(d time.Duration) string {
	h := int(d.Hours())
	if h >= 24 && h%24 == 0 {
		return "P" + strconv.Itoa(h/24) + "D"
	}
	if h >= 1 {
		return "PT" + strconv.Itoa(h) + "H"
	}
	return "PT" + strconv.Itoa(max(int(d.Minutes()), 1)) + "M"
}
