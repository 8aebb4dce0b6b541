package daily

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/mail"
	"github.com/cloudisms/cloudisms/internal/names"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/web/items"
	"github.com/cloudisms/cloudisms/internal/web/site"
)

// The daily digest: once a day (from DigestHour, Japan time), each user
// who keeps the digest on gets one mail listing, across their
// organizations, what is overdue, what falls due within their chosen
// number of days, and what waits for them (approvals requested of them),
// each with a link. Several instances may run the loop: the store lets
// exactly one of them claim a user's digest of a day.

// DigestHour is the hour (JST) from which the day's digests go out.
const DigestHour = 7

// digestLine is one task in a digest.
type digestLine struct {
	Org, Text, Link string
}

// SendDigests sends the digests of day (YYYY-MM-DD) not sent yet; it
// returns how many were mailed.
func SendDigests(ctx context.Context, a *site.App, worker string, now time.Time) (int, error) {
	if a.Mail == nil || !a.Mail.Enabled() {
		return 0, nil
	}
	today := isms.DateOf(now.In(isms.JST))
	users, err := a.Store.Users(ctx)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, u := range users {
		if u.Disabled {
			continue
		}
		set, err := a.Store.Reminders(ctx, u.ID)
		if err != nil {
			return sent, err
		}
		if !set.Digest {
			continue
		}
		ok, err := a.Store.ClaimDigest(ctx, u.ID, today.String(), worker)
		if err != nil || !ok {
			if err != nil {
				return sent, err
			}
			continue
		}
		lines, err := digestOf(ctx, a, u, set, today)
		var sendErr error
		if err == nil && len(lines) > 0 {
			sendErr = a.Mail.Send(ctx, digestMail(a, u, lines, today))
			if sendErr == nil {
				sent++
			}
		}
		if err != nil {
			sendErr = err
		}
		if ferr := a.Store.FinishDigest(ctx, u.ID, today.String(), worker, len(lines), sendErr); ferr != nil {
			return sent, ferr
		}
		if sendErr != nil && a.Log != nil {
			a.Log.Warn("digest", "user", u.ID, "err", sendErr)
		}
	}
	return sent, nil
}

// digestOf is what a user's digest lists: their overdue tasks, those due
// within their days, and those waiting for them, in every organization.
func digestOf(ctx context.Context, a *site.App, u store.User, set store.ReminderSettings, today isms.Date) ([]digestLine, error) {
	ms, err := a.Store.Memberships(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	lang := mailLang(u)
	horizon := today.AddDays(set.Days)
	var out []digestLine
	for _, m := range ms {
		all, _, err := a.Store.Tasks(ctx, m.Org, today)
		if err != nil {
			return nil, fmt.Errorf("tasks of %s: %w", m.Org, err)
		}
		for _, t := range isms.TasksOf(all, assigneeOf(m)) {
			var when string
			switch {
			case t.Overdue:
				when = i18n.M("digest.overdue", "due", t.Due.String(), "n", -t.Due.DaysSince(today)).In(lang)
			case t.Due.IsZero():
				when = i18n.M("digest.waiting").In(lang)
			case !t.Due.After(horizon):
				when = i18n.M("digest.due", "due", t.Due.String()).In(lang)
			default:
				continue // later than the user asked to hear of
			}
			text := t.Title
			if text == "" {
				text = i18n.M("tasks.kind." + t.Kind).In(lang)
			}
			out = append(out, digestLine{Org: m.Org, Text: when + " " + i18n.M("tasks.kind."+t.Kind).In(lang) + "：" + text,
				Link: strings.TrimRight(a.BaseURL, "/") + items.TaskLink(m.Org, t)})
		}
	}
	return out, nil
}

func digestMail(a *site.App, u store.User, lines []digestLine, today isms.Date) mail.Message {
	lang := mailLang(u)
	var b strings.Builder
	b.WriteString(i18n.M("digest.hello", "name", u.Name, "n", len(lines)).In(lang) + "\n")
	org := ""
	for _, l := range lines {
		if l.Org != org {
			org = l.Org
			fmt.Fprintf(&b, "\n[%s]\n", org)
		}
		fmt.Fprintf(&b, "- %s\n  %s\n", l.Text, l.Link)
	}
	b.WriteString("\n" + i18n.M("digest.footer", "link", strings.TrimRight(a.BaseURL, "/")+"/").In(lang) + "\n")
	return mail.Message{To: []string{u.Email}, Subject: i18n.M("digest.subject", "date", today.String(), "n", len(lines)).In(lang), Text: b.String()}
}

// RunDigests sends the day's digests from DigestHour on, looking every
// interval, until ctx ends.
func RunDigests(ctx context.Context, a *site.App, worker string, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		now := a.Now()
		if now.In(isms.JST).Hour() >= DigestHour {
			if n, err := SendDigests(ctx, a, worker, now); err != nil && !errors.Is(err, context.Canceled) {
				log.Warn("digests", "err", err)
			} else if n > 0 {
				log.Info("digests sent", "n", n)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// mailApprovalRequest tells the approver, by mail when the server has it,
// that their approval is asked for.
func mailApprovalRequest(ctx context.Context, a *site.App, p *site.Page, org, kind, key, person, note string) {
	if a.Mail == nil || !a.Mail.Enabled() {
		return
	}
	ms, err := a.Store.Members(ctx, org)
	if err != nil {
		return
	}
	link := strings.TrimRight(a.BaseURL, "/") + items.URL(org, kind, key)
	// The item by its name in the mail, as on its page (never kind/key).
	model, err := a.Store.ISMS(ctx, org)
	if err != nil {
		return
	}
	for _, m := range ms {
		if m.Person != person {
			continue
		}
		u, err := a.Store.UserByID(ctx, m.UserID)
		if err != nil || u.Disabled {
			continue
		}
		lang := mailLang(u)
		item := i18n.M("digest.request.item", "kind", i18n.M("items.kind."+kind).In(lang), "name", names.Of(model, lang).Ref(kind, key)).In(lang)
		msg := mail.Message{To: []string{u.Email}, Subject: i18n.M("digest.request.subject", "who", p.User.Name, "item", item).In(lang),
			Text: i18n.M("digest.request.body", "name", u.Name, "who", p.User.Name, "item", item, "note", note, "link", link).In(lang)}
		if err := a.Mail.Send(ctx, msg); err != nil && a.Log != nil {
			a.Log.Warn("approval request mail", "org", org, "err", err)
		}
	}
}

// mailLang is the language of mails to a user: theirs, else Japanese.
func mailLang(u store.User) string {
	if i18n.Valid(u.Lang) {
		return u.Lang
	}
	return i18n.JA
}
