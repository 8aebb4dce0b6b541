package daily

import (
	"bytes"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/ical"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/web/items"
	"github.com/cloudisms/cloudisms/internal/web/site"
)

// BaseURL is the address people reach the server at, for links that leave
// the browser (a calendar feed, a link in a mail): the configured public
// URL when there is one, else the request's own host.
func BaseURL(a *site.App, r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// remindersData is what the reminders page gets.
type remindersData struct {
	Settings store.ReminderSettings
	MaxDays  int
	HasFeed  bool
	FeedAt   string
	FeedURL  string // only right after it was made: the secret is shown once
	MailOn   bool
}

func (a *handlers) reminders(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership, status int, feedURL string) {
	ctx := r.Context()
	set, err := a.Store.Reminders(ctx, m.UserID)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	d := remindersData{Settings: set, MaxDays: store.MaxReminderDays, FeedURL: feedURL}
	if f, err := a.Store.CalendarFeedOf(ctx, p.Org, m.UserID); err == nil {
		d.HasFeed, d.FeedAt = true, shortStamp(f.CreatedAt)
	} else if !errors.Is(err, store.ErrNotFound) {
		a.ServerError(w, r, p, err)
		return
	}
	p.Title = p.T("tasks.reminders_title")
	p.Data = d
	a.Render(w, status, "reminders", p)
}

func (a *handlers) remindersPage(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) {
	if r.URL.Query().Get("saved") != "" {
		p.Flash = p.T("items.saved")
	}
	if r.URL.Query().Get("revoked") != "" {
		p.Flash = p.T("tasks.feed_revoked")
	}
	a.reminders(w, r, p, m, http.StatusOK, "")
}

func (a *handlers) remindersPost(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) {
	ctx := r.Context()
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	back := "/orgs/" + url.PathEscape(p.Org) + "/reminders"
	switch r.PostFormValue("_action") {
	case "feed":
		secret, err := a.Store.NewCalendarFeed(ctx, p.Org, m.UserID)
		if err != nil {
			a.ServerError(w, r, p, err)
			return
		}
		p.Flash = p.T("tasks.feed_made")
		a.reminders(w, r, p, m, http.StatusOK, BaseURL(a.App, r)+"/calendar/"+secret+".ics")
	case "revoke":
		if err := a.Store.RevokeCalendarFeed(ctx, p.Org, m.UserID); err != nil {
			a.ServerError(w, r, p, err)
			return
		}
		http.Redirect(w, r, back+"?revoked=1", http.StatusSeeOther)
	default:
		days, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("days")))
		set := store.ReminderSettings{Digest: r.PostFormValue("digest") == "on", Days: days}
		if err != nil || days < 1 || days > store.MaxReminderDays {
			p.Error = p.T("tasks.days_range")
			a.reminders(w, r, p, m, http.StatusBadRequest, "")
			return
		}
		if err := a.Store.SetReminders(ctx, m.UserID, set); err != nil {
			a.ServerError(w, r, p, err)
			return
		}
		http.Redirect(w, r, back+"?saved=1", http.StatusSeeOther)
	}
}

// feedRefresh is how often subscribers are asked to fetch the feed again.
const feedRefresh = 6 * time.Hour

// calendarFeed serves /calendar/{secret}.ics: every dated task of the
// member the secret belongs to, as all-day events in their language. An
// unknown, regenerated or revoked secret is a plain 404.
func (a *handlers) calendarFeed(w http.ResponseWriter, r *http.Request) {
	secret, ok := strings.CutSuffix(r.PathValue("file"), ".ics")
	if !ok {
		http.NotFound(w, r)
		return
	}
	ctx := r.Context()
	m, u, err := a.Store.CalendarFeedBySecret(ctx, secret)
	if errors.Is(err, store.ErrNotFound) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		a.Log.Error("calendar feed", "err", err)
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	asOf := isms.DateOf(a.Now().In(isms.JST))
	all, model, err := a.Store.Tasks(ctx, m.Org, asOf)
	if err != nil {
		a.Log.Error("calendar feed", "err", err)
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	lang := u.Lang
	if !i18n.Valid(lang) {
		lang = i18n.JA
	}
	t := func(key string, args ...any) string { return i18n.M(key, args...).In(lang) }
	base := BaseURL(a.App, r)
	orgName := model.Organization.Name
	if orgName == "" {
		orgName = m.Org
	}
	cal := ical.Calendar{ProdID: "-//cloudisms//cloudisms//" + strings.ToUpper(lang), Name: t("tasks.feed_name", "org", orgName, "who", u.Name), Refresh: feedRefresh}
	for _, task := range isms.TasksOf(all, assigneeOf(m)) {
		if task.Due.IsZero() {
			continue
		}
		kind := t("tasks.kind." + task.Kind)
		title := task.Title
		if title == "" {
			title = kind
		}
		cal.Events = append(cal.Events, ical.Event{
			UID:         task.Kind + "/" + task.Subject + "/" + shortHash(task.Title) + "@" + m.Org + ".cloudisms",
			Date:        task.Due.Time(),
			Summary:     "[" + kind + "] " + title,
			Description: t("tasks.feed_description", "kind", kind, "item", task.Subject, "org", orgName),
			URL:         base + items.TaskLink(m.Org, task),
			Categories:  []string{kind},
		})
	}
	var b bytes.Buffer
	if err := cal.Write(&b, a.Now()); err != nil {
		a.Log.Error("calendar feed", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Cache-Control", "private, max-age=300")
	// The URL is the credential: keep it out of referrers and indexes.
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("X-Robots-Tag", "noindex")
	w.Write(b.Bytes())
}

// shortHash tells apart two tasks of one kind on one item (two plan
// actions of a risk) in a UID that stays the same while the task does.
func shortHash(s string) string {
	var h uint32 = 2166136261
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return strconv.FormatUint(uint64(h), 36)
}
