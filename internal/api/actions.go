package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/cloudisms/cloudisms/internal/authz"
	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/store"
)

// actionRoutes list the corrective actions of every source and hand many
// of them to another owner at once.
var actionRoutes = []Route{
	{"GET", "/api/v1/orgs/{org}/corrective-actions", authz.Read, "Every decided corrective action (internal audit findings, certification audit findings, nonconformities) with its owner and the version of the item holding it (?owner= keeps one owner's)", (*Server).correctiveActions, false},
	{"POST", "/api/v1/orgs/{org}/corrective-actions/reassign", authz.Write, "Give corrective actions to another owner ({\"owner\", \"actions\": [{\"subject\", \"version\"}], \"dry_run\"}): the preview answers each action's owner before and after and its item's version; applying needs the previewed versions (409 when an item changed since) and writes every item or none, one history record per item", (*Server).reassignActions, false},
}

func init() { routes = append(routes, actionRoutes...) }

// actionJSON is a corrective action as the API shows it.
type actionJSON struct {
	Subject     string `json:"subject"` // audits/aud-1/findings/f-1, nonconformities/nc-1
	Source      string `json:"source"`  // audit, external-audit, nonconformity
	Description string `json:"description,omitempty"`
	Action      string `json:"action,omitempty"`
	Owner       string `json:"owner"`
	Due         string `json:"due,omitempty"`
	DoneOn      string `json:"done_on,omitempty"`
	Version     int64  `json:"version"` // of the item holding the action
	After       string `json:"after,omitempty"`
}

func dateJSON(d isms.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

// actionList reads the organization's corrective actions by subject, in
// order, with their items' versions.
func (a *Server) actionList(r *http.Request, org string) ([]actionJSON, error) {
	model, err := a.store.ISMS(r.Context(), org)
	if err != nil {
		return nil, err
	}
	versions := map[string]int64{}
	var out []actionJSON
	for _, ar := range isms.CorrectiveActions(model) {
		item := ar.Kind + "/" + ar.Key
		if _, ok := versions[item]; !ok {
			it, err := a.store.Get(r.Context(), org, ar.Kind, ar.Key)
			if err != nil {
				return nil, err
			}
			versions[item] = it.Version
		}
		out = append(out, actionJSON{Subject: ar.Subject(), Source: ar.Source, Description: ar.Description, Action: ar.Action.Action,
			Owner: ar.Action.Owner, Due: dateJSON(ar.Action.Due), DoneOn: dateJSON(ar.Action.DoneOn), Version: versions[item]})
	}
	return out, nil
}

func (a *Server) correctiveActions(w http.ResponseWriter, r *http.Request, c *call) {
	list, err := a.actionList(r, r.PathValue("org"))
	if err != nil {
		a.storeError(w, c, err)
		return
	}
	if owner := r.URL.Query().Get("owner"); owner != "" {
		list = slices.DeleteFunc(list, func(x actionJSON) bool { return x.Owner != owner })
	}
	writeJSON(w, http.StatusOK, map[string]any{"actions": nonNil(list)})
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// pickOf reads a subject as the item and finding holding a corrective
// action (false when it names none).
func pickOf(subject string, version int64) (store.ActionPick, bool) {
	parts := strings.Split(subject, "/")
	switch {
	case len(parts) == 2 && parts[0] == "nonconformities":
		return store.ActionPick{Kind: parts[0], Key: parts[1], IfVersion: version}, true
	case len(parts) == 4 && (parts[0] == "audits" || parts[0] == "external_audits") && parts[2] == "findings":
		return store.ActionPick{Kind: parts[0], Key: parts[1], FindingID: parts[3], IfVersion: version}, true
	}
	return store.ActionPick{}, false
}

func (a *Server) reassignActions(w http.ResponseWriter, r *http.Request, c *call) {
	for _, k := range bundle.ActionKinds {
		if !authz.Can(c.member.Role, authz.Write, authz.Subject{Kind: k}) {
			a.fail(w, c.lang, http.StatusForbidden, "forbidden", i18n.M("api.forbidden", "role", c.member.Role))
			return
		}
	}
	if !a.jsonBody(w, r, c) {
		return
	}
	raw, ok := a.body(w, r, c, 256<<10)
	if !ok {
		return
	}
	var body struct {
		Owner   string `json:"owner"`
		DryRun  bool   `json:"dry_run"`
		Actions []struct {
			Subject string `json:"subject"`
			Version int64  `json:"version"`
		} `json:"actions"`
	}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		a.fail(w, c.lang, http.StatusBadRequest, "invalid", i18n.M("api.invalid_detail", "detail", err.Error()))
		return
	}
	invalid := func(path string, msg i18n.Message) {
		a.fail(w, c.lang, http.StatusBadRequest, "invalid", i18n.M("api.invalid"), FieldError{Path: path, Message: msg.In(c.lang)})
	}
	switch {
	case body.Owner == "":
		invalid("owner", i18n.M("cabulk.no_owner"))
		return
	case len(body.Actions) == 0:
		invalid("actions", i18n.M("bulk.none_chosen"))
		return
	case len(body.Actions) > store.MaxActionPicks:
		invalid("actions", i18n.M("bulk.too_many", "n", store.MaxActionPicks))
		return
	}
	org := r.PathValue("org")
	list, err := a.actionList(r, org)
	if err != nil {
		a.storeError(w, c, err)
		return
	}
	bySubject := map[string]actionJSON{}
	for _, x := range list {
		bySubject[x.Subject] = x
	}
	var preview []actionJSON
	var picks []store.ActionPick
	for i, x := range body.Actions {
		cur, found := bySubject[x.Subject]
		pick, ok := pickOf(x.Subject, x.Version)
		if !ok || !found {
			invalid("actions/"+strconv.Itoa(i)+"/subject", i18n.M("cabulk.no_such_action"))
			return
		}
		cur.After = body.Owner
		preview = append(preview, cur)
		picks = append(picks, pick)
	}
	if body.DryRun {
		writeJSON(w, http.StatusOK, map[string]any{"dry_run": true, "actions": preview})
		return
	}
	n, err := a.store.ReassignActions(r.Context(), org, picks, body.Owner, c.user.Email)
	if errors.Is(err, bundle.ErrNoAction) {
		err = store.ErrConflict
	}
	if err != nil {
		a.storeError(w, c, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"changed": n, "actions": preview})
}
