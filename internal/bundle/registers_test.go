package bundle

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/cloudisms/cloudisms/internal/i18n"
)

// testdata/registers.yaml sets every field of every version 2 register:
// each field of each register's entries (and of the entries nested in
// them) is set on at least one entry after decoding, so no field is lost
// on the way in (TestRoundTrip shows none is lost on the way out).
func TestRegistersDecodeEveryField(t *testing.T) {
	m, err := Decode("registers.yaml", read(t, "testdata/registers.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	v := reflect.ValueOf(m).Elem()
	for _, name := range []string{"Certificates", "ExternalAudits", "ContextIssues", "InterestedParties", "Opportunities",
		"Objectives", "CompetenceRequirements", "Trainings", "Communications", "Changes", "Measurements",
		"Nonconformities", "Incidents"} {
		everyFieldSet(t, name, v.FieldByName(name))
	}
	o := m.Organization
	if o.ClimateChangeRelevant == nil || !*o.ClimateChangeRelevant || o.ClimateChangeNote == "" {
		t.Errorf("organization climate change fields not read: %+v", o)
	}
	d := m.Documents[0]
	if strings.Join(d.Clauses, ",") != "5.2,6.2" || d.ReviewedOn.String() != "2026-04-01" || d.ReviewIntervalDays == nil || *d.ReviewIntervalDays != 365 {
		t.Errorf("document v2 fields not read: %+v", d)
	}
}

// everyFieldSet checks that each field of the elements of list is non-zero
// in at least one element, recursing into nested lists and pointers.
func everyFieldSet(t *testing.T, path string, list reflect.Value) {
	t.Helper()
	if list.Len() == 0 {
		t.Errorf("%s: no entries", path)
		return
	}
	typ := list.Type().Elem()
	for f := range typ.NumField() {
		fname := path + "." + typ.Field(f).Name
		set := false
		var nested []reflect.Value
		for i := range list.Len() {
			fv := list.Index(i).Field(f)
			if !fv.IsZero() {
				set = true
				if fv.Kind() == reflect.Slice && fv.Type().Elem().Kind() == reflect.Struct {
					nested = append(nested, fv)
				}
				if fv.Kind() == reflect.Pointer && fv.Elem().Kind() == reflect.Struct {
					one := reflect.New(reflect.SliceOf(fv.Elem().Type())).Elem()
					nested = append(nested, reflect.Append(one, fv.Elem()))
				}
			}
		}
		if !set {
			t.Errorf("%s is set on no entry", fname)
			continue
		}
		if fv := list.Index(0).Field(f); fv.Type().String() == "isms.Date" {
			continue
		}
		if len(nested) > 0 {
			all := reflect.New(nested[0].Type()).Elem()
			for _, n := range nested {
				all = reflect.AppendSlice(all, n)
			}
			everyFieldSet(t, fname, all)
		}
	}
}

// A version 2 register is checked as strictly as the rest: what is wrong,
// where, and what was expected.
func TestRegisterErrors(t *testing.T) {
	base := string(read(t, "testdata/registers.yaml"))
	cases := []struct {
		name     string
		old, new string
		problems []problem
	}{
		{"certificate kind", "kind: cloud\n", "kind: cloudy\n", []problem{{"certificates[1].kind", 0, "bundle.enum"}}},
		{"certificate without kind", "    kind: isms\n", "", []problem{{"certificates[0].kind", 0, "bundle.required"}}},
		{"base that does not exist", "base: c-isms", "base: c-none", []problem{{"certificates[1].base", 0, "bundle.unknown_ref"}}},
		{"base that is itself", "base: c-isms", "base: c-cloud", []problem{{"certificates[1].base", 0, "bundle.self_ref"}}},
		{"expiry before issue", "expires: 2028-01-09\n    scope", "expires: 2024-01-09\n    scope", []problem{{"certificates[0].expires", 0, "bundle.end_before_start"}}},
		{"external audit without date", "    date: 2025-12-01\n", "", []problem{{"external_audits[0].date", 0, "bundle.required"}}},
		{"external audit kind", "kind: surveillance", "kind: annual", []problem{{"external_audits[0].kind", 0, "bundle.enum"}}},
		{"external audit of an unknown certificate", "certificate: c-isms", "certificate: c-x", []problem{{"external_audits[0].certificate", 0, "bundle.unknown_ref"}}},
		{"external finding kind", "kind: minor", "kind: good-practice", []problem{{"external_audits[0].findings[0].kind", 0, "bundle.enum"}}},
		{"external finding clause neither clause nor control", `clause: "7.5"`, `clause: "11.2"`, []problem{{"external_audits[0].findings[0].clause", 0, "bundle.unknown_control"}}},
		{"external finding duplicate id", "      - id: f2", "      - id: f1", []problem{{"external_audits[0].findings[1].id", 0, "bundle.duplicate_id"}}},
		{"corrective action owner", "owner: p1\n          due", "owner: p9\n          due", []problem{{"external_audits[0].findings[0].corrective_action.owner", 0, "bundle.unknown_ref"}}},
		{"context issue kind", "kind: internal", "kind: inside", []problem{{"context_issues[0].kind", 0, "bundle.enum"}}},
		{"context issue without description", "    description: 開発要員の増加\n", "", []problem{{"context_issues[0].description", 0, "bundle.required"}}},
		{"interested party kind", "kind: cloud-customer", "kind: customer", []problem{{"interested_parties[0].kind", 0, "bundle.enum"}}},
		{"requirements not a list", "    requirements:\n      - 障害と事故の速やかな通知\n      - データの国内保管\n", "    requirements: 通知\n", []problem{{"interested_parties[0].requirements", 0, "bundle.type"}}},
		{"opportunity source", "sources: [cloud.backup]", "sources: [cloud.nothing]", []problem{{"opportunities[0].sources[0]", 0, "bundle.unknown_source"}}},
		{"objective service", "services: [svc-a]", "services: [svc-z]", []problem{{"objectives[0].services[0]", 0, "bundle.unknown_ref"}}},
		{"objective result without date", "{date: 2026-09-30, value: \"0\", met: true", "{value: \"0\", met: true", []problem{{"objectives[0].results[0].date", 0, "bundle.required"}}},
		{"objective met not a bool", "met: true", "met: 達成", []problem{{"objectives[0].results[0].met", 0, "bundle.type"}}},
		{"competence applies to", "applies_to: cloud-security-personnel", "applies_to: everyone", []problem{{"competence_requirements[0].applies_to", 0, "bundle.enum"}}},
		{"competence interval", "    interval_days: 365", "    interval_days: 0", []problem{{"competence_requirements[0].interval_days", 0, "bundle.positive"}}},
		{"training kind", "kind: competence", "kind: course", []problem{{"trainings[0].kind", 0, "bundle.enum"}}},
		{"training attendee", "attendees: [p1]", "attendees: [p1, p7]", []problem{{"trainings[0].attendees[1]", 0, "bundle.unknown_ref"}}},
		{"training without date", "    date: 2026-05-10\n", "", []problem{{"trainings[0].date", 0, "bundle.required"}}},
		{"communication audience", "audience: [ip-cust]", "audience: [ip-none]", []problem{{"communications[0].audience[0]", 0, "bundle.unknown_ref"}}},
		{"change approval by an unknown person", "approval: {by: p1, date: 2026-05-20}", "approval: {by: px, date: 2026-05-20}", []problem{{"changes[0].approval.by", 0, "bundle.unknown_ref"}}},
		{"measurement objective", "objective: ob-1", "objective: ob-9", []problem{{"measurements[0].objective", 0, "bundle.unknown_ref"}}},
		{"measurement without what", "    what: 重大障害の件数\n", "", []problem{{"measurements[0].what", 0, "bundle.required"}}},
		{"nonconformity source", "source: incident", "source: customer", []problem{{"nonconformities[0].source", 0, "bundle.enum"}}},
		{"nonconformity date", "date: 2026-07-01", "date: 2026-07-32", []problem{{"nonconformities[0].date", 0, "bundle.date"}}},
		{"incident severity", "severity: medium", "severity: critical", []problem{{"incidents[0].severity", 0, "bundle.enum"}}},
		{"incident nonconformity", "nonconformity: nc-1", "nonconformity: nc-2", []problem{{"incidents[0].nonconformity", 0, "bundle.unknown_ref"}}},
		{"incident customers_notified not a bool", "customers_notified: true", "customers_notified: 済", []problem{{"incidents[0].customers_notified", 0, "bundle.type"}}},
		{"unknown register field", "    notes: 30 分で復旧", "    notes: 30 分で復旧\n    impact: 大", []problem{{"incidents[0].impact", 0, "bundle.unknown_key"}}},
		{"document clause", `clauses: ["5.2", "6.2"]`, `clauses: ["5.2", "A.5"]`, []problem{{"documents[0].clauses[1]", 0, "bundle.clause"}}},
		{"document review interval", "review_interval_days: 365", "review_interval_days: -1", []problem{{"documents[0].review_interval_days", 0, "bundle.positive"}}},
		{"climate change not a bool", "climate_change_relevant: true", "climate_change_relevant: はい", []problem{{"organization.climate_change_relevant", 0, "bundle.type"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc := edit(t, base, tc.old, tc.new)
			_, err := Decode("case.yaml", []byte(doc))
			var errs Errors
			if !errors.As(err, &errs) {
				t.Fatalf("want Errors, got %v", err)
			}
			if len(errs) != len(tc.problems) {
				t.Fatalf("got %d problems, want %d:\n%s", len(errs), len(tc.problems), errs.In(i18n.EN))
			}
			for i, want := range tc.problems {
				got := errs[i]
				if got.Path != want.path || got.Msg.Key != want.key || got.Line == 0 {
					t.Errorf("problem %d = %d %s %s, want %s %s", i, got.Line, got.Path, got.Msg.Key, want.path, want.key)
				}
				for _, lang := range i18n.Langs {
					if s := got.In(lang); strings.Contains(s, "{") {
						t.Errorf("unreplaced placeholder: %s", s)
					}
				}
			}
		})
	}
}

// One register item decodes on its own as the store reads it, with its
// references returned for the store to check.
func TestDecodeRegisterItem(t *testing.T) {
	m, err := Decode("registers.yaml", read(t, "testdata/registers.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	items := Split(m)
	seen := map[string]bool{}
	for _, it := range items {
		if !strings.Contains(strings.Join(RegisterKinds, " "), it.Kind) {
			continue
		}
		seen[it.Kind] = true
		got, refs, err := DecodeItem(it.Kind, it.Key, it.Data, m.Organization.AnnexA)
		if err != nil {
			t.Fatalf("%s/%s: %v", it.Kind, it.Key, err)
		}
		if string(got.Data) != string(it.Data) || got.Key != it.Key {
			t.Errorf("%s/%s: item changed: %s", it.Kind, it.Key, got.Data)
		}
		if it.Kind == KindIncidents {
			var lists []string
			for _, r := range refs {
				lists = append(lists, r.List+":"+r.ID)
			}
			if strings.Join(lists, " ") != "cloud_services:svc-a nonconformities:nc-1" {
				t.Errorf("incident refs = %v", lists)
			}
		}
		// Apply replaces it in place.
		next, ok := Apply(m, it.Kind, it.Key, it.Data)
		if !ok || !reflect.DeepEqual(next, m) {
			t.Errorf("%s/%s: Apply of the same item changed the ISMS (ok %v)", it.Kind, it.Key, ok)
		}
	}
	for _, k := range RegisterKinds {
		if !seen[k] {
			t.Errorf("no %s item split", k)
		}
		if !IsKind(k) {
			t.Errorf("%s is not an item kind", k)
		}
	}
}
