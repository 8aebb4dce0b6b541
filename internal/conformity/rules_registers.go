package conformity

// The rules on the version 2 registers (rules.md version 2: certification,
// context, objectives, competence, awareness, documents, performance
// evaluation and improvement). They follow EDITION-01 in rules.md's order,
// so they are appended after the rules of rules.go.

// Areas of the version 2 registers.
const (
	AreaCertification = "certification" // certificates and the certification body's audits
	AreaContext       = "context"       // context of the organization, opportunities
	AreaSupport       = "support"       // objectives, competence, awareness, documents
	AreaImprovement   = "improvement"   // measurement, nonconformities, incidents
)

// registerRef2013 are the references of these rules in the numbering of
// JIS Q 27001:2014 / ISO/IEC 27001:2013 where it differs.
var registerRef2013 = map[string]string{
	"NC-01":  "JIS Q 27001 10.1",
	"NC-02":  "JIS Q 27001 10.1",
	"NC-03":  "JIS Q 27001 10.1 d)",
	"DOC-02": "JIS Q 27001 Annex A A.5.1.2",
}

func init() {
	for id, ref := range registerRef2013 {
		ref2013[id] = ref
	}
	Areas = append(Areas, AreaContext, AreaSupport, AreaImprovement, AreaCertification)
	rules = append(rules,
		Rule{"CERT-01", Error, AreaCertification, "JIP-ISMS517 3; IAF MD 26", cert01},
		Rule{"CERT-02", Warning, AreaCertification, "JIP-ISMS517 3; IAF MD 26", cert02},
		Rule{"CTX-01", Error, AreaContext, "JIS Q 27001 4.1", ctx01},
		Rule{"CTX-02", Warning, AreaContext, "JIS Q 27001 4.1; ISO/IEC 27001:2022/Amd 1:2024", ctx02},
		Rule{"CTX-03", Error, AreaContext, "JIS Q 27001 4.2", ctx03},
		Rule{"CTX-04", Error, AreaContext, "JIS Q 27001 4.2; JIP-ISMS517 4.1", ctx04},
		Rule{"OPP-01", Warning, AreaContext, "JIS Q 27001 6.1.1", opp01},
		Rule{"OBJ-01", Error, AreaSupport, "JIS Q 27001 6.2", obj01},
		Rule{"OBJ-02", Warning, AreaSupport, "JIS Q 27001 6.2, 9.1", obj02},
		Rule{"COMP-01", Error, AreaSupport, "JIS Q 27001 7.2", comp01},
		Rule{"COMP-02", Error, AreaSupport, "JIS Q 27001 7.2; JIP-ISMS517 4.1", comp02},
		Rule{"AWARE-01", Warning, AreaSupport, "JIS Q 27001 7.3", aware01},
		Rule{"DOC-01", Error, AreaSupport, "JIS Q 27001 5.2, 6.1.2, 6.1.3, 9.2, 7.5", doc01},
		Rule{"DOC-02", Warning, AreaSupport, "JIS Q 27001 Annex A 5.1", doc02},
		Rule{"MEAS-01", Error, AreaImprovement, "JIS Q 27001 9.1", meas01},
		Rule{"NC-01", Error, AreaImprovement, "JIS Q 27001 10.2", nc01},
		Rule{"NC-02", Warning, AreaImprovement, "JIS Q 27001 10.2", nc02},
		Rule{"NC-03", Warning, AreaImprovement, "JIS Q 27001 10.2 d)", nc03},
		Rule{"INC-01", Warning, AreaImprovement, "JIS Q 27017 16.1.2", inc01},
	)
}
