package cli

import (
	"strconv"

	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/generate"
)

func runGenerate(e *env, args []string) int {
	fs, lang := e.flags("generate")
	services := fs.String("services", "10", "N")
	assets := fs.String("assets", "100", "N")
	risks := fs.String("risks", "100", "N")
	seed := fs.String("seed", "1", "S")
	asOfFlag := fs.String("as-of", "", "YYYY-MM-DD")
	out := fs.String("o", "", "FILE")
	pos, ok := e.parse(fs, lang, args)
	if !ok {
		return exitInvalid
	}
	if len(pos) > 0 {
		e.errorf("cli.no_args", "command", "generate")
		return exitInvalid
	}
	nums := map[string]*string{"--services": services, "--assets": assets, "--risks": risks, "--seed": seed}
	vals := map[string]int{}
	for _, name := range []string{"--services", "--assets", "--risks", "--seed"} {
		n, err := strconv.Atoi(*nums[name])
		if err != nil || n < 0 {
			e.errorf("cli.bad_number", "flag", name, "value", *nums[name])
			return exitInvalid
		}
		vals[name] = n
	}
	asOf, ok := e.asOf(*asOfFlag)
	if !ok {
		return exitInvalid
	}
	bar := e.progress("ops.progress_generate")
	m, err := generate.ISMS(generate.Options{Services: vals["--services"], Assets: vals["--assets"], Risks: vals["--risks"],
		Seed: uint64(vals["--seed"]), AsOf: asOf, Progress: bar.Update})
	bar.Done()
	if err != nil {
		e.errorf("cli.generate", "detail", err.Error())
		return exitInvalid
	}
	b, err := bundle.Encode(m)
	if err != nil {
		e.errorf("cli.encode", "detail", err.Error())
		return exitInvalid
	}
	if *out == "" {
		_, _ = e.stdout.Write(b)
		return exitOK
	}
	if err := writeFileAtomic(*out, b); err != nil {
		e.errorf("cli.write", "file", *out, "detail", err.Error())
		return exitInvalid
	}
	return exitOK
}
