package api

import (
	"errors"
	"net/http"

	"github.com/cloudisms/cloudisms/internal/store"
)

// orgs lists the organizations the caller belongs to, with the role held
// in each: the entry point of a client that does not know an org id yet.
// Another organization is never listed.
func (a *Server) orgs(w http.ResponseWriter, r *http.Request, c *call) {
	ms, err := a.store.Memberships(r.Context(), c.user.ID)
	if err != nil {
		a.storeError(w, c, err)
		return
	}
	type org struct {
		ID     string `json:"id"`
		Name   string `json:"name"`
		Role   string `json:"role"`
		Person string `json:"person,omitempty"`
		URL    string `json:"url"`
	}
	out := struct {
		Orgs []org `json:"orgs"`
	}{Orgs: []org{}}
	for _, m := range ms {
		o, err := a.store.Org(r.Context(), m.Org)
		if errors.Is(err, store.ErrNotFound) {
			continue // removed meanwhile
		}
		if err != nil {
			a.storeError(w, c, err)
			return
		}
		out.Orgs = append(out.Orgs, org{ID: o.ID, Name: o.Name, Role: m.Role, Person: m.Person, URL: "/api/v1/orgs/" + o.ID})
	}
	writeJSON(w, http.StatusOK, out)
}
