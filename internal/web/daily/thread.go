package daily

import (
	"bytes"
	"embed"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cloudisms/cloudisms/internal/authz"
	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/web/items"
	"github.com/cloudisms/cloudisms/internal/web/site"
)

//go:embed partials/*.html
var partialFS embed.FS

// partials are sections drawn into other areas' pages.
var partials = template.Must(template.New("").ParseFS(partialFS, "partials/*.html"))

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// commentView is a comment as the thread shows it.
type commentView struct {
	store.Comment
	Anchor    string
	At        string
	MayDelete bool
	DeleteURL string
}

// approver is a person who can be asked for an approval.
type approver struct {
	Person, Label string
	Selected      bool
}

// panelData is what the thread partial gets.
type panelData struct {
	P           *site.Page
	Kind, Key   string
	Comments    []commentView
	MayComment  bool
	PostURL     string
	Members     []string // how to mention each member
	Max         int
	MayRequest  bool
	RequestURL  string
	Approvers   []approver
	Open        []store.ApprovalRequest
	PersonNames map[string]string
}

// threadPanel draws an item's comment thread, the form to post one, and
// (for the kinds that are approved) the request for approval.
func threadPanel(app *site.App, r *http.Request, p *site.Page, m store.Membership, kind, key string) template.HTML {
	ctx := r.Context()
	list, err := app.Store.Comments(ctx, p.Org, kind, key)
	if err != nil {
		app.Log.Error("comments", "err", err)
		return ""
	}
	d := panelData{P: p, Kind: kind, Key: key, Max: store.MaxComment,
		MayComment: authz.Can(m.Role, authz.Comment, authz.Subject{Kind: kind}),
		PostURL:    "/orgs/" + url.PathEscape(p.Org) + "/comments/" + kind + "/" + escapeKey(key)}
	for _, c := range list {
		d.Comments = append(d.Comments, commentView{Comment: c, Anchor: "comment-" + itoa(c.ID), At: shortStamp(c.CreatedAt),
			MayDelete: !c.Deleted() && authz.Can(m.Role, authz.DeleteComment, authz.Subject{IsOwner: c.AuthorID == m.UserID}),
			DeleteURL: "/orgs/" + url.PathEscape(p.Org) + "/comment-delete/" + itoa(c.ID)})
	}
	members, err := app.Store.MemberRefs(ctx, p.Org)
	if err == nil {
		for _, mr := range members {
			if mr.UserID != m.UserID {
				local, _, _ := strings.Cut(mr.Email, "@")
				d.Members = append(d.Members, "@"+local+nameSuffix(mr.Name))
			}
		}
	}
	if slices.Contains(bundle.Approvable, kind) {
		it, err := app.Store.Get(ctx, p.Org, kind, key)
		if err == nil {
			isOwner := m.Person != "" && it.Owner == m.Person
			d.MayRequest = authz.Can(m.Role, authz.RequestApproval, authz.Subject{Kind: kind, IsOwner: isOwner})
			d.RequestURL = "/orgs/" + url.PathEscape(p.Org) + "/approval-requests/" + kind + "/" + escapeKey(key)
			d.Approvers, d.PersonNames = approvers(r, app, p.Org, kind, it.Owner)
			if open, err := app.Store.OpenApprovalRequests(ctx, p.Org); err == nil {
				for _, o := range open {
					if o.Kind == kind && o.Key == key {
						o.CreatedAt = shortStamp(o.CreatedAt)
						d.Open = append(d.Open, o)
					}
				}
			}
		}
	}
	var b bytes.Buffer
	if err := partials.ExecuteTemplate(&b, "thread.html", d); err != nil {
		app.Log.Error("thread panel", "err", err)
		return ""
	}
	return template.HTML(b.String())
}

func nameSuffix(name string) string {
	if strings.TrimSpace(name) == "" {
		return ""
	}
	return "（" + name + "）"
}

// approvers lists the people who may approve an item of a kind: members'
// persons whose role records that approval (for a risk, its owner only).
func approvers(r *http.Request, app *site.App, org, kind, owner string) ([]approver, map[string]string) {
	names := map[string]string{}
	model, err := app.Store.ISMS(r.Context(), org)
	if err == nil {
		for _, pe := range model.People {
			names[pe.ID] = pe.Name
		}
	}
	ms, err := app.Store.Members(r.Context(), org)
	if err != nil {
		return nil, names
	}
	seen := map[string]bool{}
	var out []approver
	for _, mb := range ms {
		if mb.Person == "" || seen[mb.Person] {
			continue
		}
		if !authz.Can(mb.Role, authz.Approve, authz.Subject{Kind: kind, IsOwner: mb.Person == owner}) {
			continue
		}
		if kind == "risks" && !authz.ApproveRisk(mb.Role, mb.Person, owner) {
			continue // only the owner's approval counts for a risk
		}
		seen[mb.Person] = true
		label := names[mb.Person]
		if label == "" {
			label = mb.Person
		}
		out = append(out, approver{Person: mb.Person, Label: label, Selected: mb.Person == owner})
	}
	return out, names
}

// escapeKey escapes each segment of a key, keeping its slashes.
func escapeKey(key string) string {
	parts := strings.Split(key, "/")
	for i, s := range parts {
		parts[i] = url.PathEscape(s)
	}
	return strings.Join(parts, "/")
}

// shortStamp shows a stored time stamp to the minute, in JST.
func shortStamp(ts string) string {
	t, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return ts
	}
	return t.In(isms.JST).Format("2006-01-02 15:04")
}

func (a *handlers) backToItem(w http.ResponseWriter, r *http.Request, org, kind, key, anchor, flash string) {
	u := items.URL(org, kind, key)
	if flash != "" {
		u += "?" + flash + "=1"
	}
	if anchor != "" {
		u += "#" + anchor
	}
	http.Redirect(w, r, u, http.StatusSeeOther)
}

// limitText says which bound a comment or request went over, in the
// page's words.
func limitText(p *site.Page, err error) (string, bool) {
	var lim *store.LimitError
	if !errors.As(err, &lim) {
		return "", false
	}
	switch lim.What {
	case "comment_empty":
		return p.T("comments.comment_empty"), true
	case "comment":
		return p.T("comments.comment_too_long", "max", lim.Limit, "n", lim.Got), true
	case "comments":
		return p.T("comments.thread_full", "max", lim.Limit), true
	case "rate":
		return p.T("comments.comment_rate", "max", lim.Limit, "minutes", int(store.RateWindow.Minutes())), true
	case "mentions":
		return p.T("comments.too_many_mentions", "max", lim.Limit), true
	case "note":
		return p.T("comments.note_too_long", "max", lim.Limit), true
	case "requests":
		return p.T("comments.too_many_requests", "max", lim.Limit), true
	}
	return p.T("api.invalid"), true
}

// maxCommentForm bounds a posted comment form.
const maxCommentForm = 64 << 10

func (a *handlers) postComment(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) {
	kind, key := r.PathValue("kind"), r.PathValue("key")
	if !authz.Can(m.Role, authz.Comment, authz.Subject{Kind: kind}) {
		a.Forbidden(w, r, p)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxCommentForm)
	if err := r.ParseForm(); err != nil {
		p.Error = p.T("comments.comment_too_long", "max", store.MaxComment, "n", "—")
		a.Render(w, http.StatusRequestEntityTooLarge, "error", p)
		return
	}
	c, err := a.Store.AddComment(r.Context(), p.Org, kind, key, *p.User, r.PostFormValue("body"))
	if msg, ok := limitText(p, err); ok {
		status := http.StatusBadRequest
		var lim *store.LimitError
		if errors.As(err, &lim) && lim.What == "rate" {
			status = http.StatusTooManyRequests
		}
		p.Title, p.Error = p.T("comments.not_posted"), msg
		p.Data = map[string]any{"Back": items.URL(p.Org, kind, key), "Body": r.PostFormValue("body")}
		a.Render(w, status, "commenterror", p)
		return
	}
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	a.backToItem(w, r, p.Org, kind, key, "comment-"+itoa(c.ID), "")
}

func (a *handlers) deleteComment(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		a.NotFound(w, r, p)
		return
	}
	c, err := a.Store.Comment(r.Context(), p.Org, id)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	if !authz.Can(m.Role, authz.DeleteComment, authz.Subject{IsOwner: c.AuthorID == m.UserID}) {
		a.Forbidden(w, r, p)
		return
	}
	if !c.Deleted() {
		if err := a.Store.DeleteComment(r.Context(), p.Org, id, *p.User); err != nil {
			a.ServerError(w, r, p, err)
			return
		}
	}
	a.backToItem(w, r, p.Org, c.Kind, c.Key, "comment-"+itoa(c.ID), "")
}

func (a *handlers) requestApproval(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) {
	ctx := r.Context()
	kind, key := r.PathValue("kind"), r.PathValue("key")
	if !slices.Contains(bundle.Approvable, kind) {
		a.NotFound(w, r, p)
		return
	}
	it, err := a.Store.Get(ctx, p.Org, kind, key)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	isOwner := m.Person != "" && it.Owner == m.Person
	if !authz.Can(m.Role, authz.RequestApproval, authz.Subject{Kind: kind, IsOwner: isOwner}) {
		a.Forbidden(w, r, p)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxCommentForm)
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	person, due := r.PostFormValue("person"), strings.TrimSpace(r.PostFormValue("due"))
	fail := func(msg string) {
		p.Title, p.Error = p.T("comments.not_requested"), msg
		p.Data = map[string]any{"Back": items.URL(p.Org, kind, key), "Body": r.PostFormValue("note")}
		a.Render(w, http.StatusBadRequest, "commenterror", p)
	}
	if due != "" {
		if _, err := isms.ParseDate(due); err != nil {
			fail(p.T("comments.bad_due", "value", due))
			return
		}
	}
	allowed, _ := approvers(r, a.App, p.Org, kind, it.Owner)
	if !slices.ContainsFunc(allowed, func(x approver) bool { return x.Person == person }) {
		fail(p.T("comments.approver_required"))
		return
	}
	_, err = a.Store.RequestApproval(ctx, p.Org, kind, key, person, *p.User, r.PostFormValue("note"), due)
	if msg, ok := limitText(p, err); ok {
		fail(msg)
		return
	}
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	mailApprovalRequest(ctx, a.App, p, p.Org, kind, key, person, r.PostFormValue("note"))
	a.backToItem(w, r, p.Org, kind, key, "approval-request", "requested")
}
