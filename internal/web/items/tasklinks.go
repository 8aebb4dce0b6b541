package items

import (
	"net/url"
	"strings"

	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/web/site"
)

// TaskLink points a task at the page where it is done: the item's own page
// for a request for approval (the approve button is there), the reviews
// page for the yearly review, else where findings about the subject are
// fixed.
func TaskLink(org string, t isms.Task) string {
	if t.Kind == isms.TaskApprovalRequest {
		kind, key, _ := strings.Cut(t.Subject, "/")
		return URL(org, kind, key)
	}
	if t.Subject == "reviews" {
		return "/orgs/" + url.PathEscape(org) + "/reviews"
	}
	return site.SubjectLink(org, strings.Split(t.Subject, "/"))
}
