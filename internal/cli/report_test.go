package cli

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

func TestReportXLSX(t *testing.T) {
	data := t.TempDir()
	env := map[string]string{"CLOUDISMS_DATA": data, "LANG": "en_US.UTF-8"}
	if code, _, e := run(t, env, "import", sample, "--org", "sample"); code != 0 {
		t.Fatal(e)
	}
	out := filepath.Join(t.TempDir(), "soa.xlsx")
	code, stdout, e := run(t, env, "report", "xlsx", "--org", "sample", "--kind", "soa", "--service", "svc-kintai", "--lang", "ja", "--out", out)
	if code != 0 || !strings.Contains(stdout, out) {
		t.Fatalf("report: %d %s %s", code, stdout, e)
	}
	f, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) != 1 {
		t.Fatalf("sheets %v", sheets)
	}
	if v, _ := f.GetCellValue(sheets[0], "A1"); v != "適用宣言書" {
		t.Errorf("A1 %q", v)
	}
	if v, _ := f.GetCellValue(sheets[0], "B3"); v != "svc-kintai" {
		t.Errorf("B3 %q", v)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"report", "pdfx", "--org", "sample"}, "xlsx"},
		{[]string{"report", "xlsx", "--kind", "soa"}, "--org"},
		{[]string{"report", "xlsx", "--org", "sample", "--kind", "pie"}, "pie"},
		{[]string{"report", "xlsx", "--org", "sample", "--service", "nope", "--out", filepath.Join(t.TempDir(), "x.xlsx")}, "nope"},
		{[]string{"report", "xlsx", "--org", "nobody", "--out", filepath.Join(t.TempDir(), "x.xlsx")}, "nobody"},
	} {
		code, _, e := run(t, env, c.args...)
		if code != 2 || !strings.Contains(e, c.want) {
			t.Errorf("%v: exit %d, stderr %q (want it to name %q)", c.args, code, e, c.want)
		}
	}
}
