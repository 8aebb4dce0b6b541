package cli

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/cloudisms/cloudisms/examples"
	"github.com/cloudisms/cloudisms/internal/authz"
	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/server"
	"github.com/cloudisms/cloudisms/internal/store"
)

func runServe(e *env, args []string) int {
	fs, lang := e.flags("serve")
	sf := e.addStoreFlags(fs)
	listen := fs.String("listen", "127.0.0.1:8080", "ADDR")
	demo := fs.Bool("demo", false, "load the sample organization and create an admin")
	if _, ok := e.parse(fs, lang, args); !ok {
		return exitInvalid
	}
	var handler slog.Handler = slog.NewJSONHandler(e.stderr, nil)
	if isTerminal(e.stderr) {
		handler = slog.NewTextHandler(e.stderr, nil)
	}
	log := slog.New(handler)
	s, ok := e.openStore(sf)
	if !ok {
		return exitInvalid
	}
	defer s.Close()
	if *demo {
		if err := e.loadDemo(s, *listen); err != nil {
			e.errorf("cli.demo", "detail", err.Error())
			return exitInvalid
		}
	}
	h, err := server.Handler(s, log, e.now)
	if err != nil {
		e.errorf("cli.serve", "detail", err.Error())
		return exitInvalid
	}
	// Every instance works the shared export job queue; each job is
	// claimed by exactly one of them.
	go s.RunExportJobs(e.ctx, workerName(*listen), time.Second, log)
	srv := server.New(*listen, h, log)
	err = server.Run(e.ctx, srv, log)
	if errors.Is(err, context.DeadlineExceeded) {
		// Requests still running when the grace period ended were cut off.
		log.Warn("shutdown: requests still running were stopped", "grace", server.ShutdownTimeout)
		return exitOK
	}
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		e.errorf("cli.serve", "detail", err.Error())
		return exitInvalid
	}
	return exitOK
}

// workerName tells instances apart in a job's record.
func workerName(listen string) string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s:%d@%s", host, os.Getpid(), listen)
}

// loadDemo imports the sample organization (when it is not there yet) and
// creates an admin with a fresh password, printed once.
func (e *env) loadDemo(s *store.Store, listen string) error {
	const org, email = "sample", "admin@example.com"
	if _, err := s.Org(e.ctx, org); errors.Is(err, store.ErrNotFound) {
		m, err := bundle.Decode("sample-saas.yaml", examples.SaaS)
		if err != nil {
			return err
		}
		if _, err := s.Import(e.ctx, org, m, "demo"); err != nil {
			return err
		}
	}
	b := make([]byte, 12)
	rand.Read(b)
	password := base64.RawURLEncoding.EncodeToString(b)
	u, err := s.UserByEmail(e.ctx, email)
	switch {
	case errors.Is(err, store.ErrNotFound):
		u, err = s.CreateUser(e.ctx, email, "デモ管理者", i18n.JA, password)
	case err == nil:
		err = s.SetPassword(e.ctx, u.ID, password)
	}
	if err != nil {
		return err
	}
	if err := s.AddMember(e.ctx, org, u.ID, authz.Admin, "p-isms"); err != nil {
		return err
	}
	token, _, err := s.CreateToken(e.ctx, u.ID, "demo", e.now().Add(30*24*time.Hour))
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, i18n.M("cli.demo_login", "url", "http://"+listen, "email", email, "password", password, "token", token, "org", org).In(e.lang))
	return nil
}
