package daily

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/web/items"
	"github.com/cloudisms/cloudisms/internal/web/site"
)

// SoonDays is how far ahead the tasks page's "due soon" reaches.
const SoonDays = 30

// taskView is a task as the page shows it.
type taskView struct {
	isms.Task
	KindLabel string
	Text      string // the title, or the kind when the task has none
	Link      string
	DueText   string
	DaysLeft  int
	DaysOver  int
}

// taskGroup is one section of the page.
type taskGroup struct {
	Key   string // overdue, soon, waiting, later
	Tasks []taskView
}

// notificationView is a notification with its link and wording.
type notificationView struct {
	store.Notification
	Link   string
	Unread bool
	Text   string
}

func viewTask(p *site.Page, t isms.Task, asOf isms.Date) taskView {
	v := taskView{Task: t, KindLabel: p.T("tasks.kind." + t.Kind), Text: t.Title, Link: items.TaskLink(p.Org, t)}
	if v.Text == "" {
		v.Text = v.KindLabel
	}
	if !t.Due.IsZero() {
		v.DueText = t.Due.String()
		v.DaysLeft = t.Due.DaysSince(asOf)
		v.DaysOver = -v.DaysLeft
	}
	return v
}

// groupTasks splits a member's tasks into the page's sections.
func groupTasks(p *site.Page, tasks []isms.Task, asOf isms.Date) []taskGroup {
	groups := []taskGroup{{Key: "overdue"}, {Key: "waiting"}, {Key: "soon"}, {Key: "later"}}
	horizon := asOf.AddDays(SoonDays)
	for _, t := range tasks {
		i := 3
		switch {
		case t.Overdue:
			i = 0
		case t.Due.IsZero():
			i = 1
		case !t.Due.After(horizon):
			i = 2
		}
		groups[i].Tasks = append(groups[i].Tasks, viewTask(p, t, asOf))
	}
	return groups
}

// notificationLink points a notification at the item, at its comment.
func notificationLink(org string, n store.Notification) string {
	kind, key, _ := strings.Cut(n.Subject, "/")
	u := items.URL(org, kind, key)
	if n.CommentID != 0 {
		u += "#comment-" + itoa(n.CommentID)
	}
	return u
}

func (a *handlers) tasksPage(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) {
	ctx := r.Context()
	asOf := isms.DateOf(a.Now().In(isms.JST))
	all, _, err := a.Store.Tasks(ctx, p.Org, asOf)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	mine := isms.TasksOf(all, assigneeOf(m))
	if site.WantsCSV(r) {
		heads := []string{p.T("tasks.csv.group"), p.T("ui.due"), p.T("ui.kind"), p.T("tasks.what"), p.T("tasks.csv.requested_by"), p.T("tasks.csv.note")}
		var rows [][]string
		for _, g := range groupTasks(p, mine, asOf) {
			for _, t := range g.Tasks {
				rows = append(rows, []string{p.T("tasks.group."+g.Key, "days", SoonDays), t.DueText, t.KindLabel, t.Text, t.RequestedBy, t.Note})
			}
		}
		site.WriteCSV(w, p, a.Now(), "tasks", heads, rows)
		return
	}
	ns, err := a.Store.Notifications(ctx, p.Org, m.UserID, 50)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	var nv []notificationView
	unread := 0
	for _, n := range ns {
		v := notificationView{Notification: n, Link: notificationLink(p.Org, n), Unread: n.ReadAt == ""}
		kind, key, _ := strings.Cut(n.Subject, "/")
		v.Text = p.T("tasks.notify."+n.Kind, "who", n.Actor, "item", p.T("items.kind."+kind)+" "+key)
		if v.Unread {
			unread++
		}
		nv = append(nv, v)
	}
	p.Title = p.T("tasks.title")
	p.Data = map[string]any{
		"AsOf": asOf.String(), "Groups": groupTasks(p, mine, asOf), "Count": len(mine), "Notifications": nv, "Unread": unread,
		"NoPerson": m.Person == "", "Office": assigneeOf(m).Office, "Soon": SoonDays,
		"RemindersURL": "/orgs/" + url.PathEscape(p.Org) + "/reminders",
	}
	p.CSV = site.CSVLink(r)
	a.Render(w, http.StatusOK, "tasks", p)
}

func (a *handlers) markRead(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) {
	if err := a.Store.MarkNotificationsRead(r.Context(), p.Org, m.UserID); err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	http.Redirect(w, r, "/orgs/"+url.PathEscape(p.Org)+"/tasks", http.StatusSeeOther)
}
