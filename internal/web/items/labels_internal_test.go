package items

import (
	"testing"

	"github.com/cloudisms/cloudisms/internal/i18n"
)

// A register field shared by name with an older kind is labelled as what
// it is in its register: a nonconformity's source is where it came from
// (not a risk source), a change's reason is why it is made (not why a
// requirement does not apply).
func TestRegisterFieldLabels(t *testing.T) {
	for _, tc := range []struct {
		kind, field, ja, en string
	}{
		{"nonconformities", "source", "発生源", "Source"},
		{"changes", "reason", "変更の理由", "Reason for the change"},
		{"opportunities", "sources", "リスク源", "Risk sources"},
		{"risk_sources_not_applicable", "source", "リスク源", "Risk source"},
		{"risk_sources_not_applicable", "reason", "該当しない理由", "Reason it does not apply"},
	} {
		def, ok := kindOf(tc.kind)
		if !ok {
			t.Fatalf("no kind %s", tc.kind)
		}
		var key string
		for _, f := range def.Fields {
			if f.Name == tc.field {
				key = f.LabelKey()
			}
		}
		if key == "" {
			t.Fatalf("%s has no field %s", tc.kind, tc.field)
		}
		if got := i18n.M(key).In(i18n.JA); got != tc.ja {
			t.Errorf("%s.%s: ja label %q, want %q", tc.kind, tc.field, got, tc.ja)
		}
		if got := i18n.M(key).In(i18n.EN); got != tc.en {
			t.Errorf("%s.%s: en label %q, want %q", tc.kind, tc.field, got, tc.en)
		}
	}
}
