package soa

import (
	"testing"

	"github.com/cloudisms/cloudisms/internal/bundle"
)

// A missing SoA is created as the bundle would hold it: the
// organization's with neither service nor role, a service's with both.
func TestSoAItemData(t *testing.T) {
	for key, want := range map[string]string{"organization": "organization", "svc-a:customer": "svc-a:customer", "svc-a": "", ":customer": "", "svc-a:": ""} {
		data, ok := soaItemData(key)
		if ok != (want != "") {
			t.Errorf("%q: ok %v", key, ok)
			continue
		}
		if !ok {
			continue
		}
		it, refs, err := bundle.DecodeItem(bundle.KindSoA, key, data, "iso27001:2022")
		if err != nil || it.Key != want {
			t.Errorf("%q: %s %v", key, it.Key, err)
		}
		if key != "organization" && (len(refs) != 1 || refs[0].ID != "svc-a") {
			t.Errorf("%q: refs %v", key, refs)
		}
	}
	if _, _, err := bundle.DecodeItem(bundle.KindSoA, "svc-a:x", []byte(`{"service":"svc-a","role":"x"}`), ""); err == nil {
		t.Error("a role that is none is accepted")
	}
}
