package bundle

import "bytes"

// EvidenceList is the list name of evidence references: files named by
// their SHA-256, which the store must hold for the organization.
const EvidenceList = "evidence"

// EvidenceRefs lists the evidence files a document names: every sha256 of
// an evidence list, wherever it is nested, with the path of that field and
// its line. The document is an item's JSON (root: the item's kind, as
// DecodeItem writes paths) or a whole bundle in YAML or JSON (root ""). The
// format is told by name's ending, as for Decode. The decoder has already
// checked the hashes' form; whether the organization holds the files is
// the store's to say.
func EvidenceRefs(name string, src []byte, root string) ([]Ref, error) {
	if !bytes.Contains(src, []byte("sha256")) {
		return nil, nil // no evidence at all: the common case, without a parse
	}
	n, err := parse(name, src)
	if err != nil {
		return nil, err
	}
	var out []Ref
	walkEvidence(n, root, &out)
	return out, nil
}

func walkEvidence(n *node, path string, out *[]Ref) {
	switch n.kind {
	case mapNode:
		for i := 0; i+1 < len(n.kids); i += 2 {
			key, v := n.kids[i].value, n.kids[i+1]
			p := join(path, key)
			if key == EvidenceList && v.kind == seqNode {
				for j, e := range v.kids {
					if sum := mapValue(e, "sha256"); e.kind == mapNode && sum != nil && sum.kind == scalarNode {
						*out = append(*out, Ref{List: EvidenceList, ID: sum.value, Path: join(index(p, j), "sha256"), Line: int(sum.line)})
					}
				}
				continue
			}
			walkEvidence(v, p, out)
		}
	case seqNode:
		for i, k := range n.kids {
			walkEvidence(k, index(path, i), out)
		}
	}
}

// PlaceEvidence gives the problems that name evidence paths of a bundle
// (as the store reports them, without lines) the file name and the lines
// of the document they came from.
func PlaceEvidence(errs Errors, name string, src []byte) Errors {
	refs, err := EvidenceRefs(name, src, "")
	if err != nil {
		return errs
	}
	lines := make(map[string]int, len(refs))
	for _, r := range refs {
		lines[r.Path] = r.Line
	}
	out := make(Errors, len(errs))
	for i, e := range errs {
		if e.Line == 0 {
			e.Line = lines[e.Path]
		}
		if e.File == "" {
			e.File = name
		}
		out[i] = e
	}
	return out
}
