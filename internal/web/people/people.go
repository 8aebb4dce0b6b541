// Package people is a person's page: the roles the ISMS gives them, the
// duties the registers assign, the trainings they attended and whether the
// competence determined for them is met (JIS Q 27001 5.3, 7.2, 7.3).
package people

import (
	"embed"
	"net/http"
	"net/url"
	"strings"

	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/names"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/web/items"
	"github.com/cloudisms/cloudisms/internal/web/site"
)

//go:embed templates/*.html
var templateFS embed.FS

type handlers struct{ *site.App }

func init() {
	site.AddTemplates(templateFS)
	site.AddRoutes(func(app *site.App, m *http.ServeMux) {
		a := &handlers{app}
		m.HandleFunc("GET /orgs/{org}/people/{id}", a.InOrg("scope", a.personPage))
	})
	// The person's form leads to their page.
	items.AddRelated("people", func(p *site.Page, key string, _ map[string]any) (items.Link, bool) {
		return items.Link{Label: p.T("regui.person.page"), URL: URL(p.Org, key)}, true
	})
}

// URL is a person's page.
func URL(org, id string) string {
	return "/orgs/" + url.PathEscape(org) + "/people/" + url.PathEscape(id)
}

// competenceLine is a competence requirement and its state for the person.
type competenceLine struct {
	Group, Topic     string
	Interval         int
	Met              bool
	Last, LastURL    string // the last training on the topic, its date and form
	LastDate, Until  string
	Record           string // a new training of the topic with the person attending
	RequirementURL   string
	RequirementTitle string
}

type trainingLine struct {
	Title, URL, Date, Kind, Topics string
	Planned                        bool
}

type dutyLine struct {
	Duty, Title, URL, Due, DoneOn string
	Overdue                       bool
}

func (a *handlers) personPage(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) {
	model, _, err := a.Store.ISMSAt(r.Context(), p.Org)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	asOf := isms.DateOf(a.Now())
	id := r.PathValue("id")
	rec, ok := isms.PersonRecordOf(model, id, asOf)
	if !ok {
		a.NotFound(w, r, p)
		return
	}
	nm := names.Of(model, p.Lang)
	p.Names = nm
	p.Title = rec.Person.Name
	if p.Title == "" {
		p.Title = id
	}
	var roles []string
	for _, f := range []struct {
		on  *bool
		key string
	}{{rec.Person.ISMSPersonnel, "field.isms_personnel"}, {rec.Person.CloudSecurityPersonnel, "field.cloud_security_personnel"}, {rec.Person.TopManagement, "field.top_management"}} {
		if isms.IsTrue(f.on) {
			roles = append(roles, p.T(f.key))
		}
	}
	var duties []string
	for _, d := range rec.Person.CloudDuties {
		duties = append(duties, p.T("field.v.cloud_duties."+d))
	}
	var comp []competenceLine
	for _, c := range rec.Competence {
		l := competenceLine{Group: p.T("regui.applies." + c.Requirement.AppliesTo), Topic: c.Requirement.Topic, Interval: c.Requirement.Interval(), Met: c.Met,
			RequirementURL: items.URL(p.Org, "competence_requirements", c.Requirement.ID), RequirementTitle: c.Requirement.Topic,
			Record: items.NewURL(p.Org, "trainings", url.Values{"kind": {isms.TrainingCompetence}, "topics": {c.Requirement.Topic}, "attendees": {id}})}
		if c.Last != nil {
			l.Last, l.LastURL, l.LastDate, l.Until = c.Last.Title, items.URL(p.Org, "trainings", c.Last.ID), c.Last.Date.String(), c.Until.String()
		}
		comp = append(comp, l)
	}
	var trainings []trainingLine
	for _, t := range rec.Trainings {
		trainings = append(trainings, trainingLine{Title: t.Title, URL: items.URL(p.Org, "trainings", t.ID), Date: t.Date.String(),
			Kind: p.T("regui.training_kind." + t.Kind), Topics: strings.Join(t.Topics, i18n.List(p.Lang)), Planned: t.Date.After(asOf)})
	}
	var dl []dutyLine
	for _, d := range rec.Duties {
		l := dutyLine{Duty: p.T("regui.duty." + d.Duty), Title: d.Title, URL: items.URL(p.Org, d.Kind, d.Key), Due: d.Due.String(), DoneOn: d.DoneOn.String()}
		if l.Title == "" {
			l.Title = d.Key
		}
		l.Overdue = d.Overdue(asOf)
		dl = append(dl, l)
	}
	data := map[string]any{
		"ID": id, "Unit": unitName(nm, rec.Person.Unit), "Roles": roles, "CloudDuties": duties, "Competence": comp, "Trainings": trainings, "Duties": dl,
		"AwarenessDue": rec.AwarenessDue, "AwarenessMet": rec.AwarenessMet, "AsOf": asOf.String(),
		"Edit": items.URL(p.Org, "people", id), "History": items.HistoryURL(p.Org, "people", id),
		"RecordAwareness": items.NewURL(p.Org, "trainings", url.Values{"kind": {isms.TrainingAwareness}, "attendees": {id}}),
	}
	if rec.LastAwareness != nil {
		data["LastAwareness"] = trainingLine{Title: rec.LastAwareness.Title, URL: items.URL(p.Org, "trainings", rec.LastAwareness.ID), Date: rec.LastAwareness.Date.String()}
	}
	p.Data = data
	a.Render(w, http.StatusOK, "person", p)
}

// unitName names the person's unit ("" when none).
func unitName(nm *names.Names, id string) string {
	if id == "" {
		return ""
	}
	return nm.Ref("units", id)
}
