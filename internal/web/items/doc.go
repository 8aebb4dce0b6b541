// Package items is the generic item engine of the web UI: for every list
// kind of the bundle, a list page, a form built from the kind's field
// descriptions (schema.go), validation beside each field by the bundle
// decoder, optimistic concurrency with a side-by-side conflict view,
// deletion that names who still refers to an item, evidence uploads, the
// readable change history, and approval of an item by its approver.
// Area packages link to these pages through URL, NewURL and HistoryURL and
// share its error placement (FieldErrors) and approvals (RecordApproval).
package items
