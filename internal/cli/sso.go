package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/sso"
	"github.com/cloudisms/cloudisms/internal/store"
)

// runSSO sets, shows and removes the instance's OpenID provider (sso
// set|show|remove), which organizations may then choose on their single
// sign-on page. The client secret comes from CLOUDISMS_SSO_SECRET or one
// line of standard input, never from a flag, and is never printed.
func runSSO(e *env, args []string) int {
	sub, ok := e.subcommand("sso", args, "set", "show", "remove")
	if !ok {
		return exitInvalid
	}
	fs, lang := e.flags("sso " + sub)
	sf := e.addStoreFlags(fs)
	var issuer, clientID, label *string
	var noCheck *bool
	if sub == "set" {
		issuer = fs.String("issuer", "", "URL")
		clientID = fs.String("client-id", "", "ID")
		label = fs.String("label", "", "TEXT")
		noCheck = fs.Bool("no-check", false, "")
	}
	pos, ok := e.parse(fs, lang, args[1:])
	if !ok {
		return exitInvalid
	}
	if len(pos) > 0 {
		e.errorf("cli.no_args", "command", "sso "+sub)
		return exitInvalid
	}
	var secret string
	if sub == "set" {
		if strings.TrimSpace(*issuer) == "" {
			e.errorf("cli.need_flag", "flag", "--issuer")
			return exitInvalid
		}
		if strings.TrimSpace(*clientID) == "" {
			e.errorf("cli.need_flag", "flag", "--client-id")
			return exitInvalid
		}
		if secret, ok = e.ssoSecret(); !ok {
			return exitInvalid
		}
		if err := store.CheckIssuer(strings.TrimSpace(*issuer)); err != nil {
			e.errorf("sso.cli_bad", "detail", err.Error())
			return exitInvalid
		}
		if !*noCheck {
			// The provider's configuration is fetched now, so that a typo
			// is caught here rather than at someone's sign-in.
			if _, err := sso.New(time.Now).Discover(e.ctx, strings.TrimSpace(*issuer)); err != nil {
				e.errorf("sso.cli_discovery", "detail", err.Error())
				return exitInvalid
			}
		}
	}
	s, ok := e.openStore(sf)
	if !ok {
		return exitInvalid
	}
	defer s.Close()
	switch sub {
	case "set":
		p := store.InstanceSSO{Issuer: *issuer, ClientID: *clientID, ClientSecret: secret, Label: *label, UpdatedBy: "operator"}
		if err := s.SetInstanceSSO(e.ctx, p); err != nil {
			e.errorf("sso.cli_bad", "detail", err.Error())
			return exitInvalid
		}
		fmt.Fprintln(e.stdout, i18n.M("sso.cli_set", "issuer", strings.TrimSpace(*issuer)).In(e.lang))
	case "show":
		p, err := s.InstanceSSOProvider(e.ctx)
		if errors.Is(err, store.ErrNotFound) {
			fmt.Fprintln(e.stdout, i18n.M("sso.cli_none").In(e.lang))
			return exitOK
		}
		if err != nil {
			e.errorf("cli.store", "detail", err.Error())
			return exitInvalid
		}
		orgs, err := s.OrgsUsingInstanceSSO(e.ctx)
		if err != nil {
			e.errorf("cli.store", "detail", err.Error())
			return exitInvalid
		}
		writeTable(e.stdout, [][]string{
			{i18n.M("sso.issuer").In(e.lang), p.Issuer},
			{i18n.M("sso.client_id").In(e.lang), p.ClientID},
			{i18n.M("sso.client_secret").In(e.lang), i18n.M("sso.cli_secret_kept").In(e.lang)},
			{i18n.M("sso.cli_label").In(e.lang), p.Label},
			{i18n.M("sso.cli_orgs").In(e.lang), strings.Join(orgs, ", ")},
			{i18n.M("sso.cli_updated").In(e.lang), shortTime(p.UpdatedAt)},
		}, false)
	case "remove":
		orgs, err := s.DeleteInstanceSSO(e.ctx, "operator")
		if errors.Is(err, store.ErrNotFound) {
			fmt.Fprintln(e.stdout, i18n.M("sso.cli_none").In(e.lang))
			return exitOK
		}
		if err != nil {
			e.errorf("cli.store", "detail", err.Error())
			return exitInvalid
		}
		fmt.Fprintln(e.stdout, i18n.M("sso.cli_removed", "orgs", strings.Join(orgs, ", "), "n", len(orgs)).In(e.lang))
	}
	return exitOK
}

// ssoSecret reads the client secret from CLOUDISMS_SSO_SECRET, else one
// line of standard input; empty keeps the saved one.
func (e *env) ssoSecret() (string, bool) {
	if v := e.getenv("CLOUDISMS_SSO_SECRET"); v != "" {
		return v, true
	}
	if f, ok := e.stdin.(*os.File); ok && isTerminal(f) {
		fmt.Fprint(e.stderr, i18n.M("sso.cli_secret_prompt").In(e.lang))
	}
	line, err := bufio.NewReader(e.stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		e.errorf("cli.read", "file", "-", "detail", err.Error())
		return "", false
	}
	return strings.TrimRight(line, "\r\n"), true
}
