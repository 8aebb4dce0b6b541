// Package authz decides what each role may do in an organization. It is the
// one place where permissions live: the API, the UI and the tests that check
// every route against every role all ask it.
package authz

// Roles a member of an organization can have.
const (
	Admin       = "admin"
	ISMSManager = "isms-manager"
	RiskOwner   = "risk-owner"
	Auditor     = "auditor"
	Executive   = "executive"
	Viewer      = "viewer"
)

// Roles lists every role, the most powerful first.
var Roles = []string{Admin, ISMSManager, RiskOwner, Auditor, Executive, Viewer}

// ValidRole reports whether r is a role.
func ValidRole(r string) bool {
	for _, x := range Roles {
		if x == r {
			return true
		}
	}
	return false
}

// Actions on an organization's data.
const (
	Read    = "read"    // any item, the check, the summary, the history
	Write   = "write"   // create, update or delete an item of a kind
	Import  = "import"  // replace the whole ISMS from a bundle
	Export  = "export"  // read the whole ISMS as a bundle
	Approve = "approve" // record an approval
	Members = "members" // manage members and their roles
	// Comment posts on an item's thread; DeleteComment removes a comment
	// (Subject.IsOwner: the member wrote it).
	Comment       = "comment"
	DeleteComment = "delete-comment"
	// RequestApproval asks a person to approve an item.
	RequestApproval = "request-approval"
)

// Subject is what an action touches: the item kind and, for risks, whether
// the acting member is the risk's owner.
type Subject struct {
	Kind    string
	IsOwner bool // the member's person is the item's owner
}

// auditKinds are what internal auditors record.
var auditKinds = map[string]bool{"audits": true}

// reviewKinds are what top management records.
var reviewKinds = map[string]bool{"reviews": true}

// Can reports whether a role may do an action on a subject.
//
//   - admin: everything, including members.
//   - isms-manager: everything in the ISMS (items, import, export,
//     approvals of the SoA, scope and documents), not members.
//   - risk-owner: reads everything; edits and approves only the risks
//     they own (a risk owner approves only their own risks).
//   - auditor: reads everything; records internal audits, findings and
//     corrective actions; does not edit the SoA or anything else.
//   - executive: reads everything; records and approves management
//     reviews, and approves the scope, SoAs and documents, and the risks
//     they own (top management often owns the largest risks).
//   - viewer: reads only.
//
// Whatever the role, a risk is approved only by its owner (ApproveRisk):
// the approval accepts the residual risk in the owner's name, which
// nobody else may do for them, an admin or the ISMS manager included.
func Can(role, action string, s Subject) bool {
	switch action {
	case Comment, DeleteComment, RequestApproval:
		return canCollaborate(role, action, s)
	case Approve:
		if s.Kind == "risks" && !s.IsOwner {
			return false
		}
	}
	switch role {
	case Admin:
		return true
	case ISMSManager:
		return action != Members
	case RiskOwner:
		switch action {
		case Read:
			return true
		case Write, Approve:
			return s.Kind == "risks" && s.IsOwner
		}
	case Auditor:
		switch action {
		case Read, Export:
			return true
		case Write:
			return auditKinds[s.Kind]
		}
	case Executive:
		switch action {
		case Read, Export:
			return true
		case Write:
			return reviewKinds[s.Kind]
		case Approve:
			return reviewKinds[s.Kind] || s.Kind == "organization" || s.Kind == "soa" || s.Kind == "documents" ||
				s.Kind == "risks" && s.IsOwner
		}
	case Viewer:
		return action == Read
	}
	return false
}

// ApproveRisk is the one rule for approving a risk, for the API and the UI
// alike: the member approves as their linked person (person, "" when the
// member is linked to nobody), who must be the risk's owner, and their
// role must allow approving the risks they own.
func ApproveRisk(role, person, riskOwner string) bool {
	return person != "" && person == riskOwner && Can(role, Approve, Subject{Kind: "risks", IsOwner: true})
}

// canCollaborate decides the daily work around items:
//
//   - every role but viewer comments on any item it reads (auditors and
//     top management discuss what they review);
//   - a comment is deleted by its author, or by an admin or the ISMS
//     manager, who keep threads in order;
//   - approval is requested by whoever may edit the item (the ISMS
//     manager, an admin, a risk owner for their own risks, an auditor for
//     audits, an executive for reviews).
func canCollaborate(role, action string, s Subject) bool {
	switch action {
	case Comment:
		return ValidRole(role) && role != Viewer
	case DeleteComment:
		return role == Admin || role == ISMSManager || (s.IsOwner && ValidRole(role) && role != Viewer)
	case RequestApproval:
		return Can(role, Write, s)
	}
	return false
}

// KeepsTheISMS reports whether members of a role receive the ISMS office's
// tasks that the bundle assigns to nobody (restore tests, audits and
// management reviews falling due): the roles that run the ISMS.
func KeepsTheISMS(role string) bool { return role == Admin || role == ISMSManager }
