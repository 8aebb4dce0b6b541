// Package daily is the daily work of the ISMS: each member's tasks across
// the registers, the comment threads on items with their mentions,
// requests for approval, reminder settings and the personal calendar
// feed.
package daily

import (
	"embed"
	"net/http"

	"github.com/cloudisms/cloudisms/internal/authz"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/web/site"
)

//go:embed templates/*.html
var templateFS embed.FS

// handlers are the daily pages over the site.
type handlers struct{ *site.App }

func init() {
	site.AddTemplates(templateFS)
	site.AddNav(site.NavItem{Order: 12, Section: "tasks", Path: "tasks", Label: "tasks.nav"})
	site.AddRoutes(func(app *site.App, m *http.ServeMux) {
		a := &handlers{app}
		m.HandleFunc("GET /orgs/{org}/tasks", a.InOrg("tasks", a.tasksPage))
		m.HandleFunc("POST /orgs/{org}/tasks/read", a.InOrg("tasks", a.markRead))
		m.HandleFunc("POST /orgs/{org}/comments/{kind}/{key...}", a.InOrg("items", a.postComment))
		m.HandleFunc("POST /orgs/{org}/comment-delete/{id}", a.InOrg("items", a.deleteComment))
		m.HandleFunc("POST /orgs/{org}/approval-requests/{kind}/{key...}", a.InOrg("items", a.requestApproval))
		m.HandleFunc("GET /orgs/{org}/reminders", a.InOrg("tasks", a.remindersPage))
		m.HandleFunc("POST /orgs/{org}/reminders", a.InOrg("tasks", a.remindersPost))
		m.HandleFunc("GET /calendar/{file}", a.calendarFeed)
	})
	site.AddItemPanel(threadPanel)
}

// assigneeOf is whose tasks a member sees as theirs: their person's, and
// the ISMS office's when their role keeps the ISMS.
func assigneeOf(m store.Membership) isms.Assignee {
	return isms.Assignee{Person: m.Person, Office: authz.KeepsTheISMS(m.Role)}
}
