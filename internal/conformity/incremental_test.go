package conformity

import (
	"fmt"
	"math/rand/v2"
	"os"
	"reflect"
	"slices"
	"testing"

	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/generate"
	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/isms"
)

var testAsOf = isms.MustDate("2026-11-01")

// baseModels are ISMSs of different shapes: the examples and small
// generated ones.
func baseModels(t testing.TB) []*isms.ISMS {
	t.Helper()
	var out []*isms.ISMS
	for _, name := range []string{"sample-saas.yaml", "sample-2013.yaml"} {
		src, err := os.ReadFile("../../examples/" + name)
		if err != nil {
			t.Fatal(err)
		}
		m, err := bundle.Decode(name, src)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	g, err := generate.ISMS(generate.Options{Services: 4, Assets: 20, Risks: 40, Seed: 1, AsOf: testAsOf})
	if err != nil {
		t.Fatal(err)
	}
	out = append(out, g)
	// Clean ISMSs give most rules nothing to say: damaged copies do.
	rnd := rand.New(rand.NewPCG(1, 2))
	for _, m := range slices.Clone(out) {
		for range 2 {
			d := *m
			damage(rnd, reflect.ValueOf(&d).Elem(), 0)
			out = append(out, &d)
		}
	}
	return out
}

// alter zeroes a value, or sets it to another value of its type.
func alter(rnd *rand.Rand, f reflect.Value) {
	if rnd.IntN(2) == 0 {
		f.SetZero()
		return
	}
	switch f.Kind() {
	case reflect.String:
		f.SetString([]string{"retain", "modify", "x", "p-top", "policy", "gap", "pass"}[rnd.IntN(7)])
	case reflect.Int:
		f.SetInt(int64(rnd.IntN(6)))
	case reflect.Pointer:
		if f.Type().Elem().Kind() == reflect.Bool {
			b := rnd.IntN(2) == 0
			f.Set(reflect.ValueOf(&b))
			return
		}
		f.SetZero()
	default:
		f.SetZero()
	}
}

// damage zeroes fields here and there in a copy: in each struct one
// field in three, in each list element below (lists are copied first).
func damage(rnd *rand.Rand, v reflect.Value, depth int) {
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			f := v.Field(i)
			if !f.CanSet() || v.Type().Field(i).Name == "AnnexA" || v.Type().Field(i).Name == "ID" {
				continue
			}
			if depth > 0 && rnd.IntN(3) == 0 {
				alter(rnd, f)
				continue
			}
			damage(rnd, f, depth+1)
		}
	case reflect.Slice:
		if v.Len() == 0 || v.Type().Elem().Kind() != reflect.Struct || depth > 3 {
			return
		}
		c := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		reflect.Copy(c, v)
		v.Set(c)
		for i := range c.Len() {
			if rnd.IntN(2) == 0 {
				damage(rnd, c.Index(i), depth+1)
			}
		}
	case reflect.Pointer:
		if !v.IsNil() && v.Elem().Kind() == reflect.Struct && depth <= 3 {
			p := reflect.New(v.Elem().Type())
			p.Elem().Set(v.Elem())
			v.Set(p)
			damage(rnd, p.Elem(), depth+1)
		}
	}
}

// withKind is m with one kind's list (or value) taken from src, or
// emptied when src is nil. The Annex A edition stays m's.
func withKind(m, src *isms.ISMS, kind string) *isms.ISMS {
	out := *m
	f := reflect.ValueOf(&out).Elem().FieldByName(isms.KindField(kind))
	if src == nil {
		f.SetZero()
	} else {
		f.Set(reflect.ValueOf(src).Elem().FieldByName(isms.KindField(kind)))
	}
	out.Organization.AnnexA = m.Organization.AnnexA
	return &out
}

// ruleResult is a rule's findings as of two dates, the second years on
// (when everything dated has lapsed).
func ruleResult(m *isms.ISMS, r Rule) [2][]Finding {
	return [2][]Finding{runRule(newCtx(m, testAsOf), r), runRule(newCtx(m, isms.MustDate("2030-06-01")), r)}
}

// undeclared returns the kinds outside reads whose change changes the
// rule's findings on some model: on each base model, and each base model
// with one kind of reads taken from another or emptied (so that the rule
// has findings to lose), a kind outside reads is taken from another model
// or emptied, and the findings must stay the same.
func undeclared(bases []*isms.ISMS, r Rule, reads, kinds []string) []string {
	var models []*isms.ISMS
	for i, a := range bases {
		models = append(models, a)
		for _, k := range reads {
			models = append(models, withKind(a, nil, k), withKind(a, bases[(i+1)%len(bases)], k))
		}
	}
	var out []string
	for _, kind := range kinds {
		if slices.Contains(reads, kind) {
			continue
		}
	search:
		for i, m := range models {
			want := ruleResult(m, r)
			for _, src := range []*isms.ISMS{nil, bases[(i+1)%len(bases)]} {
				if got := ruleResult(withKind(m, src, kind), r); !reflect.DeepEqual(got, want) {
					out = append(out, kind)
					break search
				}
			}
		}
	}
	return out
}

// TestDeclaredReads checks the kinds each rule declares it reads against
// what it does read: changing a kind it does not declare must not change
// its findings. It also shows the check has teeth: a declaration with one
// kind left out is caught.
func TestDeclaredReads(t *testing.T) {
	bases := baseModels(t)
	caught, dropped := 0, 0
	for _, r := range rules {
		reads, ok := ruleReads[r.ID]
		if !ok {
			t.Errorf("%s declares no reads", r.ID)
			continue
		}
		for _, k := range reads {
			if isms.KindField(k) == "" {
				t.Errorf("%s declares an unknown kind %q", r.ID, k)
			}
		}
		if extra := undeclared(bases, r, reads, Kinds()); len(extra) > 0 {
			t.Errorf("%s reads %v, which it does not declare", r.ID, extra)
		}
		if testing.Short() {
			continue
		}
		for i := range reads {
			less := slices.Delete(slices.Clone(reads), i, i+1)
			dropped++
			if slices.Contains(undeclared(bases, r, less, reads[i:i+1]), reads[i]) {
				caught++
			} else {
				t.Logf("%s: leaving %s out of its reads goes unnoticed on these models", r.ID, reads[i])
			}
		}
	}
	for id := range ruleReads {
		if !slices.ContainsFunc(rules, func(r Rule) bool { return r.ID == id }) {
			t.Errorf("reads declared for %s, which is no rule", id)
		}
	}
	if !testing.Short() {
		t.Logf("a kind left out of a declaration was caught %d times in %d", caught, dropped)
		// Some kinds matter only in states these models do not reach;
		// the store's property test covers the rest.
		if caught*10 < dropped*7 {
			t.Errorf("the check caught only %d of %d kinds left out", caught, dropped)
		}
	}
}

// TestPerRiskRulesStayOnTheirRisk: a rule evaluated risk by risk emits
// findings about its own risk only.
func TestPerRiskRulesStayOnTheirRisk(t *testing.T) {
	for _, m := range baseModels(t) {
		for _, k := range Kinds() {
			mm := withKind(m, nil, k)
			if k == kRisks {
				continue
			}
			c := newCtx(mm, testAsOf)
			for id, each := range perRisk {
				for i := range mm.Risks {
					r := mm.Risks[i]
					each(c, r, func(subject string, _ i18n.Message) {
						if riskOfSubject(subject) != r.ID {
							t.Errorf("%s on risk %s emits %s", id, r.ID, subject)
						}
					})
				}
			}
		}
	}
}

// TestUpdateEqualsCheck makes random changes to an ISMS, lists in hand,
// and compares the carried-over check with a full one after each.
func TestUpdateEqualsCheck(t *testing.T) {
	seed := uint64(rand.Uint32())
	t.Logf("seed %d", seed)
	rnd := rand.New(rand.NewPCG(seed, 7))
	bases := baseModels(t)
	m := bases[0]
	k := NewChecked(m, testAsOf)
	n := 2000
	if testing.Short() {
		n = 200
	}
	for step := range n {
		next, changes := randomChange(rnd, m, bases)
		k = k.Update(next, changes)
		m = next
		if want := Check(m, testAsOf); !reflect.DeepEqual(k.Findings(), want) {
			t.Fatalf("seed %d step %d (%v): carried-over findings differ from a full check:\n%s", seed, step, changes, diffFindings(k.Findings(), want))
		}
	}
}

// randomChange is m with one risk replaced, added or removed (taken from
// another model, or altered), or one other kind taken from another model.
func randomChange(rnd *rand.Rand, m *isms.ISMS, bases []*isms.ISMS) (*isms.ISMS, []Change) {
	out := *m
	src := bases[rnd.IntN(len(bases))]
	if rnd.IntN(4) > 0 && len(m.Risks) > 0 {
		risks := slices.Clone(m.Risks)
		i := rnd.IntN(len(risks))
		id := risks[i].ID
		switch rnd.IntN(4) {
		case 0: // delete
			risks = slices.Delete(risks, i, i+1)
		case 1: // add a copy of another model's risk under a new id
			r := *src.Risks[rnd.IntN(len(src.Risks))] // a copy: src's risk is shared
			id = fmt.Sprintf("new-%d", rnd.IntN(1000))
			if isms.FindRisk(risks, id) != nil {
				return m, nil
			}
			r.ID = id
			risks = append(risks, &r)
		default: // replace with another risk's content
			r := *src.Risks[rnd.IntN(len(src.Risks))] // a copy: src's risk is shared
			r.ID = id
			risks[i] = &r
		}
		out.Risks = risks
		return &out, []Change{{Kind: "risks", Key: id}}
	}
	kinds := Kinds()
	kind := kinds[rnd.IntN(len(kinds))]
	if kind == kRisks {
		return m, nil
	}
	next := withKind(m, src, kind)
	if rnd.IntN(4) == 0 {
		return next, nil // unnamed: Update must see the list is not the same
	}
	if kind == kSoA && rnd.IntN(2) == 0 {
		return next, []Change{{Kind: "soa_rows", Key: "x"}}
	}
	return next, []Change{{Kind: kind, Key: "x"}}
}

func diffFindings(got, want []Finding) string {
	s := ""
	for i := range max(len(got), len(want)) {
		var g, w any = "-", "-"
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if !reflect.DeepEqual(g, w) {
			s += fmt.Sprintf("  %d: got %v\n      want %v\n", i, g, w)
		}
	}
	return s
}
