package ical_test

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	goical "github.com/emersion/go-ical"

	"github.com/cloudisms/cloudisms/internal/ical"
)

// CheckFeed validates a feed against RFC 5545's rules that calendars are
// strict about, then decodes it with an independent parser and returns
// its events. Other packages' tests (the served feed) use it too.
func checkFeed(t *testing.T, feed []byte) []goical.Event {
	t.Helper()
	if !utf8.Valid(feed) {
		t.Fatal("feed is not UTF-8")
	}
	if !bytes.HasSuffix(feed, []byte("\r\n")) {
		t.Error("feed does not end with CRLF")
	}
	for i, l := range bytes.Split(bytes.TrimSuffix(feed, []byte("\r\n")), []byte("\r\n")) {
		if bytes.ContainsAny(l, "\r\n") {
			t.Errorf("line %d has a bare CR or LF: %q", i+1, l)
		}
		if len(l) > 75 {
			t.Errorf("line %d is %d octets (over 75): %q", i+1, len(l), l)
		}
		if !utf8.Valid(l) {
			t.Errorf("line %d splits a UTF-8 character: %q", i+1, l)
		}
	}
	cal, err := goical.NewDecoder(bytes.NewReader(feed)).Decode()
	if err != nil {
		t.Fatalf("decode: %v\n%s", err, feed)
	}
	events := cal.Events()
	for _, e := range events {
		for _, prop := range []string{goical.PropUID, goical.PropDateTimeStamp, goical.PropDateTimeStart} {
			if e.Props.Get(prop) == nil {
				t.Errorf("event without %s", prop)
			}
		}
		if v := e.Props.Get(goical.PropDateTimeStart).Params.Get(goical.ParamValue); v != "DATE" {
			t.Errorf("DTSTART is not VALUE=DATE: %q", v)
		}
	}
	return events
}

func TestFeedFormat(t *testing.T) {
	long := strings.Repeat("リスク対応計画の実施（IaaS 操作ログの長期保存）", 4)
	cal := ical.Calendar{ProdID: "-//cloudisms//cloudisms//JA", Name: "山田 太郎 の期限", Refresh: 6 * time.Hour, Events: []ical.Event{
		{UID: "plan-action/risks/r-06/0@sample.cloudisms", Date: time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC), Summary: long,
			Description: "期限: 2027-01-31\n担当: 運用; 確認, 済\\未", URL: "https://isms.example.com/orgs/sample/risks#risk-r-06", Categories: []string{"リスク対応計画", "a,b"}},
		{UID: "review@sample.cloudisms", Date: time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC), Summary: "マネジメントレビュー"},
	}}
	var b bytes.Buffer
	if err := cal.Write(&b, time.Date(2026, 11, 1, 1, 2, 3, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	events := checkFeed(t, b.Bytes())
	if len(events) != 2 {
		t.Fatalf("%d events", len(events))
	}
	e := events[0]
	sum, _ := e.Props.Text(goical.PropSummary)
	if sum != long {
		t.Errorf("summary after folding and unfolding: %q", sum)
	}
	desc, _ := e.Props.Text(goical.PropDescription)
	if desc != "期限: 2027-01-31\n担当: 運用; 確認, 済\\未" {
		t.Errorf("description after escaping: %q", desc)
	}
	start, err := e.DateTimeStart(time.UTC)
	if err != nil || start.Format("2006-01-02") != "2027-01-31" {
		t.Errorf("start %v %v", start, err)
	}
	if ts := e.Props.Get(goical.PropDateTimeStamp).Value; ts != "20261101T010203Z" {
		t.Errorf("DTSTAMP %q", ts)
	}
	if !strings.Contains(b.String(), "\r\nCATEGORIES:リスク対応計画,a\\,b\r\n") {
		t.Errorf("categories not escaped one by one:\n%s", b.String())
	}
	if !strings.Contains(b.String(), "X-PUBLISHED-TTL:PT6H\r\n") {
		t.Error("no refresh interval")
	}
}

func TestText(t *testing.T) {
	for in, want := range map[string]string{
		"a;b,c\\d":  `a\;b\,c\\d`,
		"一\r\n二\n三": `一\n二\n三`,
		"tab\there": "tabhere",
	} {
		if got := ical.Text(in); got != want {
			t.Errorf("Text(%q) = %q, want %q", in, got, want)
		}
	}
}
