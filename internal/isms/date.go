package isms

import (
	"fmt"
	"time"
)

// Date is a calendar date without time of day or zone. The zero value means
// "not given". It counts days so that "within N days" is plain arithmetic.
type Date struct {
	days int32 // days since 0001-01-01, plus one; 0 = unset
}

var epoch = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)

// unixDay0 is 1970-01-01 counted in days since 0001-01-01.
const unixDay0 = 719162

// ParseDate reads YYYY-MM-DD and rejects anything else, including dates that
// do not exist in the calendar (2026-02-30).
func ParseDate(s string) (Date, error) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return Date{}, fmt.Errorf("date %q is not YYYY-MM-DD", s)
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("date %q is not a calendar date", s)
	}
	return DateOf(t), nil
}

// MustDate is ParseDate for constants in tests and samples.
func MustDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// DateOf takes the calendar date of t in t's own location.
// JST is the time zone in which cloudisms dates what users do (an
// approval given at 08:00 in Tokyo is dated that day, not the day before).
var JST = time.FixedZone("JST", 9*3600)

// DateOf is the calendar date of t in t's own location.
func DateOf(t time.Time) Date {
	u := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return Date{days: int32(u.Unix()/86400+unixDay0) + 1}
}

func (d Date) IsZero() bool { return d.days == 0 }

// Time is midnight UTC of d.
func (d Date) Time() time.Time {
	return epoch.AddDate(0, 0, int(d.days-1))
}

func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.Time().Format(time.DateOnly)
}

// AddDays moves d by n days (n may be negative).
func (d Date) AddDays(n int) Date { return Date{days: d.days + int32(n)} }

// DaysSince is d − e in days.
func (d Date) DaysSince(e Date) int { return int(d.days - e.days) }

func (d Date) Before(e Date) bool { return d.days < e.days }
func (d Date) After(e Date) bool  { return d.days > e.days }

// Within reports whether d lies on or before asOf and no more than n days
// before it: the rules' "within N days".
func (d Date) Within(asOf Date, n int) bool {
	return !d.IsZero() && !d.After(asOf) && asOf.DaysSince(d) <= n
}
