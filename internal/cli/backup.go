package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/store/blob"
)

// runBackup writes a backup of the whole store while servers go on
// serving. The archive is written to a temporary file beside FILE and
// renamed when complete, so FILE is never a half-written backup. With
// --to s3://BUCKET/KEY the finished archive is sent with one PUT (or a
// multipart upload when large), which the bucket shows whole or not at all.
func runBackup(e *env, args []string) int {
	fs, lang := e.flags("backup")
	sf := e.addStoreFlags(fs)
	to := fs.String("to", "", "FILE|s3://BUCKET/KEY")
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
	var (
		bucket *blob.S3
		key    string
		dir    = filepath.Dir(*to)
	)
	if strings.HasPrefix(*to, "s3://") {
		var err error
		bucket, key, err = e.bucket(sf.s3, *to)
		if err == nil && key == "" {
			err = fmt.Errorf("%s names no object: give s3://BUCKET/KEY", *to)
		}
		if err != nil {
			e.errorf("ops.backup_failed", "file", *to, "detail", err.Error())
			return exitInvalid
		}
		dir = os.TempDir()
	}
	s, ok := e.openStore(sf)
	if !ok {
		return exitInvalid
	}
	defer s.Close()
	if bucket != nil {
		dir = s.TempDir()
	}
	// CreateTemp makes the file readable by its owner only, as a backup
	// holding password hashes must be.
	tmp, err := os.CreateTemp(dir, ".cloudisms-backup-*")
	if err != nil {
		e.errorf("cli.write", "file", *to, "detail", err.Error())
		return exitInvalid
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	bar := e.progress("ops.progress_backup")
	res, err := s.Backup(e.ctx, tmp, bar.Update)
	bar.Done()
	switch {
	case err != nil:
	case bucket != nil:
		err = putFile(e.ctx, bucket, key, tmp, res.Bytes)
	default:
		err = tmp.Sync()
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Rename(tmp.Name(), *to)
		}
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

// putFile sends a written file to the bucket.
func putFile(ctx context.Context, b *blob.S3, key string, f *os.File, size int64) error {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	return b.Put(ctx, key, f, size)
}

// runRestore reads a backup into an empty store, from a file or from
// s3://BUCKET/KEY.
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
	var f io.ReadCloser
	if strings.HasPrefix(file, "s3://") {
		b, key, err := e.bucket(sf.s3, file)
		if err == nil && key == "" {
			err = fmt.Errorf("%s names no object: give s3://BUCKET/KEY", file)
		}
		if err == nil {
			f, _, err = b.Open(e.ctx, key)
		}
		if err != nil {
			e.errorf("cli.read", "file", file, "detail", err.Error())
			return exitInvalid
		}
	} else {
		var err error
		if f, err = os.Open(file); err != nil {
			e.errorf("cli.read", "file", file, "detail", err.Error())
			return exitInvalid
		}
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

// runEvidence: evidence gc [--delete] [--min-age D] finds the evidence
// files that no item refers to any more and, told to, deletes them.
func runEvidence(e *env, args []string) int {
	if len(args) == 0 || args[0] != "gc" {
		e.errorf("s3.evidence_usage")
		return exitInvalid
	}
	fs, lang := e.flags("evidence gc")
	sf := e.addStoreFlags(fs)
	del := fs.Bool("delete", false, "delete what is found")
	minAge := fs.Duration("min-age", store.DefaultGCMinAge, "DURATION")
	pos, ok := e.parse(fs, lang, args[1:])
	if !ok {
		return exitInvalid
	}
	if len(pos) > 0 {
		e.errorf("cli.no_args", "command", "evidence gc")
		return exitInvalid
	}
	if *minAge < 0 {
		e.errorf("cli.bad_value", "flag", "--min-age", "value", minAge.String(), "allowed", "0s, 1h, 24h, …")
		return exitInvalid
	}
	s, ok := e.openStore(sf)
	if !ok {
		return exitInvalid
	}
	defer s.Close()
	res, err := s.CollectEvidence(e.ctx, *minAge, *del)
	for _, g := range res.Garbage {
		owners := strings.Join(g.Orgs, ", ")
		if owners == "" {
			owners = "-"
		}
		fmt.Fprintf(e.stdout, "%s\t%d\t%s\t%s\n", g.SHA256, g.Size, g.Modified.UTC().Format("2006-01-02T15:04:05Z"), owners)
	}
	if err != nil {
		e.errorf("s3.gc_failed", "store", s.Evidence(), "detail", err.Error())
		return exitInvalid
	}
	var size int64
	for _, g := range res.Garbage {
		size += g.Size
	}
	key := "s3.gc_report"
	if *del {
		key = "s3.gc_deleted"
	}
	fmt.Fprintln(e.stdout, i18n.M(key, "store", s.Evidence(), "objects", res.Objects, "referenced", res.Referenced,
		"recent", res.Recent, "min_age", minAge.String(), "garbage", len(res.Garbage), "bytes", size,
		"deleted", res.Deleted, "deleted_bytes", res.Bytes, "other", res.Other).In(e.lang))
	return exitOK
}
