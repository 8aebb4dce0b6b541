package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/cloudisms/cloudisms/internal/authz"
	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/trend"
)

// dailyRoutes are the daily work: tasks, comments, approval requests and
// notifications.
var dailyRoutes = []Route{
	{"GET", "/api/v1/orgs/{org}/tasks", authz.Read, "Open tasks: ?assignee=me (default; the caller's person, plus the ISMS office's unowned tasks for admins and ISMS managers), a person id, office or all; ?as_of=YYYY-MM-DD; ?days=N keeps the undated, the overdue and what falls due within N days", (*Server).tasks, false},
	{"GET", "/api/v1/orgs/{org}/threads/{kind}/{key...}", authz.Read, "An item's comment thread, oldest first", (*Server).thread, false},
	{"POST", "/api/v1/orgs/{org}/threads/{kind}/{key...}", authz.Comment, "Post a comment on an item ({\"body\": \"…\"}); @mentions of members notify them", (*Server).postComment, false},
	{"DELETE", "/api/v1/orgs/{org}/comments/{id}", authz.DeleteComment, "Delete a comment (its author, an admin or an ISMS manager); its place in the thread stays", (*Server).deleteComment, false},
	{"GET", "/api/v1/orgs/{org}/approval-requests", authz.Read, "Open requests for approval", (*Server).approvalRequests, false},
	{"POST", "/api/v1/orgs/{org}/approval-requests/{kind}/{key...}", authz.RequestApproval, "Ask a person to approve an item ({\"person\", \"note\", \"due\"}); the members linked to that person are notified", (*Server).requestApproval, false},
	{"GET", "/api/v1/orgs/{org}/trends", authz.Read, "The ISMS measured at each month end from the history (?months=2–24, default 12; ?as_of=): findings by area and severity, SoA progress, heat maps, corrective-action ageing", (*Server).trends, false},
	{"GET", "/api/v1/orgs/{org}/notifications", authz.Read, "The caller's notifications (mentions, approval requests), newest first", (*Server).notifications, false},
}

// The daily routes are part of the one route table (router, OpenAPI and
// the permission tests).
func init() { routes = append(routes, dailyRoutes...) }

// ChangeNoteHeader carries the "why" of a change made through the API. Its
// value is UTF-8 text, percent-encoded (RFC 3986) so that any client can
// send Japanese; raw UTF-8 is accepted too.
const ChangeNoteHeader = "X-Change-Note"

// changeNote reads the change note header: ok is false (and the answer
// written) when it is over the limit or not text.
func (a *Server) changeNote(w http.ResponseWriter, r *http.Request, lang string) (*http.Request, bool) {
	raw := r.Header.Get(ChangeNoteHeader)
	if raw == "" {
		return r, true
	}
	note, err := url.PathUnescape(raw)
	if err != nil {
		note = raw
	}
	if err := store.CheckNote(note); err != nil {
		a.fail(w, lang, http.StatusBadRequest, "invalid", i18n.M("comments.note_too_long", "max", store.MaxNote), FieldError{Path: ChangeNoteHeader, Message: i18n.M("comments.note_too_long", "max", store.MaxNote).In(lang)})
		return r, false
	}
	return r.WithContext(store.WithNote(r.Context(), note)), true
}

// taskJSON is a task as the API shows it.
type taskJSON struct {
	Kind        string `json:"kind"`
	Subject     string `json:"subject"`
	Title       string `json:"title"`
	Person      string `json:"person"`
	Due         string `json:"due,omitempty"`
	Overdue     bool   `json:"overdue"`
	RequestedBy string `json:"requested_by,omitempty"`
	Note        string `json:"note,omitempty"`
}

func (a *Server) tasks(w http.ResponseWriter, r *http.Request, c *call) {
	q := r.URL.Query()
	asOf := isms.DateOf(a.now().In(isms.JST))
	if s := q.Get("as_of"); s != "" {
		d, err := isms.ParseDate(s)
		if err != nil {
			a.fail(w, c.lang, http.StatusBadRequest, "invalid", i18n.M("api.invalid"), FieldError{Path: "as_of", Message: err.Error()})
			return
		}
		asOf = d
	}
	days := -1
	if s := q.Get("days"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > 3660 {
			a.fail(w, c.lang, http.StatusBadRequest, "invalid", i18n.M("api.invalid"), FieldError{Path: "days", Message: i18n.M("tasks.days_range").In(c.lang)})
			return
		}
		days = n
	}
	all, _, err := a.store.Tasks(r.Context(), r.PathValue("org"), asOf)
	if err != nil {
		a.storeError(w, c, err)
		return
	}
	assignee := q.Get("assignee")
	var list []isms.Task
	switch assignee {
	case "", "me":
		assignee = "me"
		list = isms.TasksOf(all, isms.Assignee{Person: c.member.Person, Office: authz.KeepsTheISMS(c.member.Role)})
	case "all":
		list = make([]isms.Task, len(all))
		for i, t := range all {
			list[i] = *t
		}
	case "office":
		list = isms.TasksOf(all, isms.Assignee{Office: true})
	default:
		list = isms.TasksOf(all, isms.Assignee{Person: assignee})
	}
	out := struct {
		AsOf     string     `json:"as_of"`
		Assignee string     `json:"assignee"`
		Person   string     `json:"person"`
		Tasks    []taskJSON `json:"tasks"`
	}{AsOf: asOf.String(), Assignee: assignee, Person: c.member.Person, Tasks: []taskJSON{}}
	horizon := asOf.AddDays(max(days, 0))
	for _, t := range list {
		if days >= 0 && !t.Due.IsZero() && t.Due.After(horizon) {
			continue
		}
		j := taskJSON{Kind: t.Kind, Subject: t.Subject, Title: t.Title, Person: t.Person, Overdue: t.Overdue, RequestedBy: t.RequestedBy, Note: t.Note}
		if !t.Due.IsZero() {
			j.Due = t.Due.String()
		}
		out.Tasks = append(out.Tasks, j)
	}
	writeJSON(w, http.StatusOK, out)
}

// commentJSON is a comment as the API shows it.
type commentJSON struct {
	ID        int64   `json:"id"`
	Author    string  `json:"author"`
	AuthorID  int64   `json:"author_id"`
	Body      string  `json:"body"`
	CreatedAt string  `json:"created_at"`
	Deleted   bool    `json:"deleted"`
	DeletedBy string  `json:"deleted_by,omitempty"`
	Mentions  []int64 `json:"mentions,omitempty"`
}

func commentOf(c store.Comment) commentJSON {
	return commentJSON{c.ID, c.AuthorName, c.AuthorID, c.Body, c.CreatedAt, c.Deleted(), c.DeletedBy, c.Mentions}
}

func (a *Server) thread(w http.ResponseWriter, r *http.Request, c *call) {
	org, kind, key := r.PathValue("org"), r.PathValue("kind"), r.PathValue("key")
	if _, err := a.store.Get(r.Context(), org, kind, key); err != nil {
		a.storeError(w, c, err)
		return
	}
	list, err := a.store.Comments(r.Context(), org, kind, key)
	if err != nil {
		a.storeError(w, c, err)
		return
	}
	out := struct {
		Comments []commentJSON `json:"comments"`
	}{Comments: []commentJSON{}}
	for _, x := range list {
		out.Comments = append(out.Comments, commentOf(x))
	}
	writeJSON(w, http.StatusOK, out)
}

// limitMessage says which bound a comment or request went over.
func limitMessage(err error) (i18n.Message, bool) {
	var lim *store.LimitError
	if !errors.As(err, &lim) {
		return i18n.Message{}, false
	}
	switch lim.What {
	case "comment_empty":
		return i18n.M("comments.comment_empty"), true
	case "comment":
		return i18n.M("comments.comment_too_long", "max", lim.Limit, "n", lim.Got), true
	case "comments":
		return i18n.M("comments.thread_full", "max", lim.Limit), true
	case "rate":
		return i18n.M("comments.comment_rate", "max", lim.Limit, "minutes", int(store.RateWindow.Minutes())), true
	case "mentions":
		return i18n.M("comments.too_many_mentions", "max", lim.Limit), true
	case "note":
		return i18n.M("comments.note_too_long", "max", lim.Limit), true
	case "requests":
		return i18n.M("comments.too_many_requests", "max", lim.Limit), true
	}
	return i18n.M("api.invalid"), true
}

func (a *Server) postComment(w http.ResponseWriter, r *http.Request, c *call) {
	if !a.jsonBody(w, r, c) {
		return
	}
	raw, ok := a.body(w, r, c, 64<<10)
	if !ok {
		return
	}
	var body struct {
		Body string `json:"body"`
	}
	if err := json.Unmarshal(raw, &body); err != nil {
		a.fail(w, c.lang, http.StatusBadRequest, "invalid", i18n.M("api.invalid_detail", "detail", err.Error()))
		return
	}
	cm, err := a.store.AddComment(r.Context(), r.PathValue("org"), r.PathValue("kind"), r.PathValue("key"), c.user, body.Body)
	if msg, ok := limitMessage(err); ok {
		status := http.StatusBadRequest
		if strings.Contains(err.Error(), "rate") {
			status = http.StatusTooManyRequests
		}
		a.fail(w, c.lang, status, "invalid", msg, FieldError{Path: "body", Message: msg.In(c.lang)})
		return
	}
	if err != nil {
		a.storeError(w, c, err)
		return
	}
	writeJSON(w, http.StatusCreated, commentOf(cm))
}

func (a *Server) deleteComment(w http.ResponseWriter, r *http.Request, c *call) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		a.fail(w, c.lang, http.StatusNotFound, "not_found", i18n.M("api.not_found"))
		return
	}
	cm, err := a.store.Comment(r.Context(), r.PathValue("org"), id)
	if err != nil {
		a.storeError(w, c, err)
		return
	}
	if !authz.Can(c.member.Role, authz.DeleteComment, authz.Subject{IsOwner: cm.AuthorID == c.user.ID}) {
		a.fail(w, c.lang, http.StatusForbidden, "forbidden", i18n.M("api.forbidden", "role", c.member.Role))
		return
	}
	if cm.Deleted() {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if err := a.store.DeleteComment(r.Context(), r.PathValue("org"), id, c.user); err != nil {
		a.storeError(w, c, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type approvalRequestJSON struct {
	ID          int64  `json:"id"`
	Kind        string `json:"kind"`
	Key         string `json:"key"`
	Title       string `json:"title"`
	Person      string `json:"person"`
	RequestedBy string `json:"requested_by"`
	Note        string `json:"note,omitempty"`
	Due         string `json:"due,omitempty"`
	CreatedAt   string `json:"created_at"`
}

func requestOf(x store.ApprovalRequest) approvalRequestJSON {
	return approvalRequestJSON{x.ID, x.Kind, x.Key, x.Title, x.Person, x.RequesterName, x.Note, x.Due, x.CreatedAt}
}

func (a *Server) approvalRequests(w http.ResponseWriter, r *http.Request, c *call) {
	list, err := a.store.OpenApprovalRequests(r.Context(), r.PathValue("org"))
	if err != nil {
		a.storeError(w, c, err)
		return
	}
	out := struct {
		Requests []approvalRequestJSON `json:"requests"`
	}{Requests: []approvalRequestJSON{}}
	for _, x := range list {
		out.Requests = append(out.Requests, requestOf(x))
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *Server) requestApproval(w http.ResponseWriter, r *http.Request, c *call) {
	org, kind, key := r.PathValue("org"), r.PathValue("kind"), r.PathValue("key")
	if !slices.Contains(bundle.Approvable, kind) {
		a.fail(w, c.lang, http.StatusBadRequest, "invalid", i18n.M("api.not_approvable", "kind", kind, "allowed", strings.Join(bundle.Approvable, ", ")))
		return
	}
	it, err := a.store.Get(r.Context(), org, kind, key)
	if err != nil {
		a.storeError(w, c, err)
		return
	}
	isOwner := c.member.Person != "" && it.Owner == c.member.Person
	if !authz.Can(c.member.Role, authz.RequestApproval, authz.Subject{Kind: kind, IsOwner: isOwner}) {
		a.fail(w, c.lang, http.StatusForbidden, "forbidden", i18n.M("api.forbidden", "role", c.member.Role))
		return
	}
	if !a.jsonBody(w, r, c) {
		return
	}
	raw, ok := a.body(w, r, c, 64<<10)
	if !ok {
		return
	}
	var body struct {
		Person string `json:"person"`
		Note   string `json:"note"`
		Due    string `json:"due"`
	}
	if err := json.Unmarshal(raw, &body); err != nil {
		a.fail(w, c.lang, http.StatusBadRequest, "invalid", i18n.M("api.invalid_detail", "detail", err.Error()))
		return
	}
	if body.Person == "" || !utf8.ValidString(body.Person) || len(body.Person) > 200 {
		a.fail(w, c.lang, http.StatusBadRequest, "invalid", i18n.M("api.invalid"), FieldError{Path: "person", Message: i18n.M("comments.approver_required").In(c.lang)})
		return
	}
	if body.Due != "" {
		if _, err := isms.ParseDate(body.Due); err != nil {
			a.fail(w, c.lang, http.StatusBadRequest, "invalid", i18n.M("api.invalid"), FieldError{Path: "due", Message: err.Error()})
			return
		}
	}
	req, err := a.store.RequestApproval(r.Context(), org, kind, key, body.Person, c.user, body.Note, body.Due)
	if msg, ok := limitMessage(err); ok {
		a.fail(w, c.lang, http.StatusBadRequest, "invalid", msg)
		return
	}
	if errors.Is(err, store.ErrNotFound) {
		a.fail(w, c.lang, http.StatusBadRequest, "invalid", i18n.M("api.invalid"), FieldError{Path: "person", Message: i18n.M("comments.approver_not_member", "person", body.Person).In(c.lang)})
		return
	}
	if err != nil {
		a.storeError(w, c, err)
		return
	}
	req.Title = it.Label
	writeJSON(w, http.StatusCreated, requestOf(req))
}

func (a *Server) notifications(w http.ResponseWriter, r *http.Request, c *call) {
	list, err := a.store.Notifications(r.Context(), r.PathValue("org"), c.user.ID, 200)
	if err != nil {
		a.storeError(w, c, err)
		return
	}
	type nJSON struct {
		ID        int64  `json:"id"`
		Kind      string `json:"kind"`
		Subject   string `json:"subject"`
		CommentID int64  `json:"comment_id,omitempty"`
		Actor     string `json:"actor"`
		Text      string `json:"text"`
		CreatedAt string `json:"created_at"`
		Read      bool   `json:"read"`
	}
	out := struct {
		Notifications []nJSON `json:"notifications"`
	}{Notifications: []nJSON{}}
	for _, n := range list {
		out.Notifications = append(out.Notifications, nJSON{n.ID, n.Kind, n.Subject, n.CommentID, n.Actor, n.Text, n.CreatedAt, n.ReadAt != ""})
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *Server) trends(w http.ResponseWriter, r *http.Request, c *call) {
	q := r.URL.Query()
	asOf := isms.DateOf(a.now().In(isms.JST))
	if s := q.Get("as_of"); s != "" {
		d, err := isms.ParseDate(s)
		if err != nil {
			a.fail(w, c.lang, http.StatusBadRequest, "invalid", i18n.M("api.invalid"), FieldError{Path: "as_of", Message: err.Error()})
			return
		}
		asOf = d
	}
	months := 12
	if s := q.Get("months"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 2 || n > store.MaxTrendMonths {
			a.fail(w, c.lang, http.StatusBadRequest, "invalid", i18n.M("api.invalid"), FieldError{Path: "months", Message: i18n.M("trends.months_range", "max", store.MaxTrendMonths).In(c.lang)})
			return
		}
		months = n
	}
	points, err := a.store.Trends(r.Context(), r.PathValue("org"), asOf, months)
	if err != nil {
		a.storeError(w, c, err)
		return
	}
	type soaJSON struct {
		SoA         string `json:"soa"`
		Applicable  int    `json:"applicable"`
		Implemented int    `json:"implemented"`
		Partial     int    `json:"partial"`
		Percent     int    `json:"percent"`
	}
	type pointJSON struct {
		Date        string                    `json:"date"`
		Errors      int                       `json:"errors"`
		Warnings    int                       `json:"warnings"`
		Findings    map[string]map[string]int `json:"findings"`
		Risks       int                       `json:"risks"`
		SoAs        []soaJSON                 `json:"soas"`
		HeatMap     isms.HeatMapSummary       `json:"heat_map"`
		Ageing      []int                     `json:"corrective_action_ageing"`
		AgeBuckets  []int                     `json:"age_buckets_days"`
		OverdueOpen int                       `json:"corrective_actions_overdue"`
	}
	out := struct {
		Points []pointJSON `json:"points"`
	}{}
	for _, p := range points {
		pj := pointJSON{Date: p.Date.String(), Errors: p.Errors, Warnings: p.Warnings, Findings: p.Findings, Risks: p.Risks,
			HeatMap: p.HeatMap, Ageing: p.Ageing, AgeBuckets: trend.AgeBuckets, OverdueOpen: p.Overdue, SoAs: []soaJSON{}}
		for _, s := range p.SoAs {
			pj.SoAs = append(pj.SoAs, soaJSON{s.Key(), s.Applicable, s.Implemented, s.Partial, s.Percent()})
		}
		out.Points = append(out.Points, pj)
	}
	writeJSON(w, http.StatusOK, out)
}
