package cli

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/cloudisms/cloudisms/internal/i18n"
)

// runBackup writes a backup of the whole store while servers go on
// serving. The archive is written to a temporary file beside FILE and
// renamed when complete, so FILE is never a half-written backup.
func runBackup(e *env, args []string) int {
	fs, lang := e.flags("backup")
	sf := e.addStoreFlags(fs)
	to := fs.String("to", "", "FILE")
	pos, ok := e.parse(fs, lang, args)
	if !ok {
		return exitInvalid
	}
	if len(pos) > 0 {
		e.errorf("cli.no_args", "command", "backup")
		return exitInvalid
	}
	if *to == "" {
		e.errorf("cli.need_flag", "flag", "--to")
		return exitInvalid
	}
	s, ok := e.openStore(sf)
	if !ok {
		return exitInvalid
	}
	defer s.Close()
	// CreateTemp makes the file readable by its owner only, as a backup
	// holding password hashes must be.
	tmp, err := os.CreateTemp(filepath.Dir(*to), ".cloudisms-backup-*")
	if err != nil {
		e.errorf("cli.write", "file", *to, "detail", err.Error())
		return exitInvalid
	}
	defer os.Remove(tmp.Name())
	bar := e.progress("ops.progress_backup")
	res, err := s.Backup(e.ctx, tmp, bar.Update)
	bar.Done()
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), *to)
	}
	if err != nil {
		e.errorf("ops.backup_failed", "file", *to, "detail", err.Error())
		return exitInvalid
	}
	m := res.Manifest
	fmt.Fprintln(e.stdout, i18n.M("ops.backed_up", "file", *to, "orgs", len(m.Orgs), "items", m.Rows("items"),
		"history", m.Rows("history"), "users", m.Rows("users"), "evidence", m.Evidence, "bytes", res.Bytes).In(e.lang))
	return exitOK
}

// runRestore reads a backup into an empty store.
func runRestore(e *env, args []string) int {
	fs, lang := e.flags("restore")
	sf := e.addStoreFlags(fs)
	pos, ok := e.parse(fs, lang, args)
	if !ok {
		return exitInvalid
	}
	file, ok := e.oneFile("restore", pos)
	if !ok {
		return exitInvalid
	}
	f, err := os.Open(file)
	if err != nil {
		e.errorf("cli.read", "file", file, "detail", err.Error())
		return exitInvalid
	}
	defer f.Close()
	s, ok := e.openStore(sf)
	if !ok {
		return exitInvalid
	}
	defer s.Close()
	bar := e.progress("ops.progress_restore")
	res, err := s.Restore(e.ctx, f, bar.Update)
	bar.Done()
	if err != nil {
		e.errorf("ops.restore_failed", "file", file, "detail", err.Error())
		return exitInvalid
	}
	m := res.Manifest
	fmt.Fprintln(e.stdout, i18n.M("ops.restored", "file", file, "created", m.CreatedAt, "orgs", len(m.Orgs), "rows", res.Rows,
		"evidence", res.Evidence, "history", res.History).In(e.lang))
	return exitOK
}
