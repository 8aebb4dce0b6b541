package cli

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"github.com/cloudisms/cloudisms/internal/mail"
	"github.com/cloudisms/cloudisms/internal/web/daily"
	"log/slog"
	"net"
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
	metricsListen := fs.String("metrics-listen", "", "ADDR")
	profiling := fs.Bool("pprof", false, "serve Go profiles on the metrics listener")
	ipHeader := fs.String("client-ip-header", "", "HEADER")
	proxies := fs.String("trusted-proxy", "", "ADDR|CIDR,…")
	smtpAddr := fs.String("smtp", os.Getenv("CLOUDISMS_SMTP"), "HOST:PORT")
	smtpFrom := fs.String("smtp-from", os.Getenv("CLOUDISMS_SMTP_FROM"), "ADDRESS")
	smtpUser := fs.String("smtp-user", os.Getenv("CLOUDISMS_SMTP_USER"), "NAME")
	baseURL := fs.String("base-url", os.Getenv("CLOUDISMS_BASE_URL"), "URL")
	if _, ok := e.parse(fs, lang, args); !ok {
		return exitInvalid
	}
	// Mail (invitations) goes through the operator's SMTP server; the
	// password only from the environment, never a flag others can read.
	if *profiling && *metricsListen == "" {
		e.errorf("cli.serve", "detail", "--pprof needs --metrics-listen (profiles are never served on the main address)")
		return exitInvalid
	}
	mailer := mail.Config{Addr: *smtpAddr, From: *smtpFrom, Username: *smtpUser, Password: os.Getenv("CLOUDISMS_SMTP_PASSWORD")}
	if err := mailer.Check(); err != nil {
		e.errorf("cli.serve", "detail", err.Error())
		return exitInvalid
	}
	proxy, err := server.ParseTrustedProxy(*ipHeader, *proxies)
	if err != nil {
		e.errorf("cli.serve", "detail", err.Error())
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
	// Which database and which store of evidence files this instance
	// uses (never a secret), for whoever reads the logs of several.
	log.Info("store", "database", s.Dialect(), "evidence", s.Evidence())
	if mailer.Enabled() {
		log.Info("mail", "smtp", mailer.Addr, "from", mailer.From)
	}
	// /metrics: on an address of its own with --metrics-listen, and behind
	// a bearer token when CLOUDISMS_METRICS_TOKEN is set.
	hs, err := server.Build(s, log, e.now, server.Options{MetricsToken: os.Getenv("CLOUDISMS_METRICS_TOKEN"), MetricsApart: *metricsListen != "", Profiling: *profiling,
		Mail: mailer, BaseURL: *baseURL, PublicURL: publicURL(*baseURL, *listen)})
	if err != nil {
		e.errorf("cli.serve", "detail", err.Error())
		return exitInvalid
	}
	// The first whole-ISMS loads run in the background; /readyz waits for them.
	hs.WarmUp(e.ctx, log)
	h := proxy.Wrap(hs.Main)
	if *metricsListen != "" {
		msrv := server.New(*metricsListen, hs.Metrics, log)
		go func() {
			if err := server.Run(e.ctx, msrv, log); err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Error("metrics listener", "addr", *metricsListen, "err", err)
			}
		}()
	}
	// Every instance works the shared export job queue; each job is
	// claimed by exactly one of them.
	go s.RunExportJobs(e.ctx, workerName(*listen), time.Second, log)
	// With mail, each user's daily digest (one instance sends each).
	if mailer.Enabled() {
		go daily.RunDigests(e.ctx, hs.UI, workerName(*listen), time.Minute, log)
	}
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
	// The admin, its password and its token are made once: a later
	// start keeps them (a restart must not reset a password someone
	// uses, nor pile up 30-day tokens) and says how to make new ones.
	u, err := s.UserByEmail(e.ctx, email)
	if err == nil {
		if err := s.AddMember(e.ctx, org, u.ID, authz.Admin, "p-isms"); err != nil {
			return err
		}
		if tokens, err := s.Tokens(e.ctx, u.ID); err == nil {
			now := e.now().UTC().Format(time.RFC3339Nano)
			for _, t := range tokens {
				if t.Name == "demo" && t.RevokedAt == "" && t.ExpiresAt > now {
					fmt.Fprintln(e.stdout, i18n.M("cli.demo_again", "url", "http://"+listen, "email", email, "org", org).In(e.lang))
					return nil
				}
			}
		}
		token, _, err := s.CreateToken(e.ctx, u.ID, "demo", e.now().Add(30*24*time.Hour))
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, i18n.M("cli.demo_new_token", "url", "http://"+listen, "email", email, "token", token, "org", org).In(e.lang))
		return nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	b := make([]byte, 12)
	rand.Read(b)
	password := base64.RawURLEncoding.EncodeToString(b)
	if u, err = s.CreateUser(e.ctx, email, "デモ管理者", i18n.JA, password); err != nil {
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

// publicURL is the address passkeys belong to: --base-url when set, else
// http://localhost with the port of --listen, which a browser on the same
// machine accepts for passkeys (it does not for 127.0.0.1).
func publicURL(baseURL, listen string) string {
	if baseURL != "" {
		return baseURL
	}
	_, port, err := net.SplitHostPort(listen)
	if err != nil || port == "" {
		return ""
	}
	return "http://localhost:" + port
}
