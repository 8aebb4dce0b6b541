package cli

import (
	"fmt"
	"os"
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

func TestImportSoA(t *testing.T) {
	data := t.TempDir()
	env := map[string]string{"CLOUDISMS_DATA": data, "LANG": "ja_JP.UTF-8", "USER": "alice"}
	if code, _, e := run(t, env, "import", sample, "--org", "sample"); code != 0 {
		t.Fatal(e)
	}
	dir := t.TempDir()
	wb := filepath.Join(dir, "soa.xlsx")
	if code, _, e := run(t, env, "report", "xlsx", "--org", "sample", "--kind", "soa", "--out", wb); code != 0 {
		t.Fatal(e)
	}
	f, err := excelize.OpenFile(wb)
	if err != nil {
		t.Fatal(err)
	}
	sh := f.GetSheetList()[0]
	rows, _ := f.GetRows(sh)
	r51, r52 := 0, 0
	for i, r := range rows {
		if len(r) > 0 && r[0] == "5.1" {
			r51 = i + 1
		}
		if len(r) > 0 && r[0] == "5.2" {
			r52 = i + 1
		}
	}
	f.SetCellValue(sh, fmt.Sprintf("F%d", r51), "計画中")
	good := filepath.Join(dir, "good.xlsx")
	f.SaveAs(good)
	f.SetCellValue(sh, fmt.Sprintf("D%d", r52), "maybe")
	bad := filepath.Join(dir, "bad.xlsx")
	f.SaveAs(bad)
	f.Close()

	code, _, e := run(t, env, "import-soa", bad, "--org", "sample")
	if code != 2 || !strings.Contains(e, fmt.Sprintf("シート「%s」のセル D%d（値「maybe」）", sh, r52)) {
		t.Fatalf("bad workbook: %d %s", code, e)
	}
	code, out, e := run(t, env, "import-soa", good, "--org", "sample", "--dry-run")
	if code != 0 || !strings.Contains(out, "organization 5.1") || !strings.Contains(out, "1 行") {
		t.Fatalf("dry run: %d %s %s", code, out, e)
	}
	code, out, e = run(t, env, "import-soa", good, "--org", "sample")
	if code != 0 || !strings.Contains(out, "1 行変更") {
		t.Fatalf("import: %d %s %s", code, out, e)
	}
	// Importing the same file again changes nothing.
	if code, out, _ := run(t, env, "import-soa", good, "--org", "sample"); code != 0 || !strings.Contains(out, "0 行") {
		t.Errorf("second import: %d %s", code, out)
	}
}

func TestControlTexts(t *testing.T) {
	env := map[string]string{"CLOUDISMS_DATA": t.TempDir(), "LANG": "en_US.UTF-8"}
	if code, _, e := run(t, env, "import", sample, "--org", "sample"); code != 0 {
		t.Fatal(e)
	}
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.tsv")
	os.WriteFile(bad, []byte("5.1\t方針の本文\nA.5.1.1\t2013 の番号\nno tab here\n"), 0o644)
	code, _, e := run(t, env, "control-texts", bad, "--org", "sample")
	if code != 2 || !strings.Contains(e, "line 2") || !strings.Contains(e, "line 3") {
		t.Fatalf("bad file: %d %s", code, e)
	}
	good := filepath.Join(dir, "good.tsv")
	os.WriteFile(good, []byte("5.1\t方針の本文\\n二行目\nCLD.6.3.1\t分担の本文\n"), 0o644)
	if code, out, e := run(t, env, "control-texts", good, "--org", "sample"); code != 0 || !strings.Contains(out, "changed 2") {
		t.Fatalf("good file: %d %s %s", code, out, e)
	}
	out := filepath.Join(dir, "soa.xlsx")
	if code, _, e := run(t, env, "report", "xlsx", "--org", "sample", "--kind", "soa", "--out", out); code != 0 {
		t.Fatal(e)
	}
	f, _ := excelize.OpenFile(out)
	defer f.Close()
	rows, _ := f.GetRows(f.GetSheetList()[0])
	found := false
	for _, r := range rows {
		if len(r) > 9 && r[0] == "5.1" && r[9] == "方針の本文\n二行目" {
			found = true
		}
	}
	if !found {
		t.Error("the SoA workbook does not show the organization's text of 5.1")
	}
}
