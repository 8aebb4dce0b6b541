package cli

import (
	"github.com/cloudisms/cloudisms/internal/authz"

	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/store"
)

// minPassword is the store's minimum, checked here first to say so in the
// user's language.
const minPassword = 10

// defaultTokenLife is how long an API token lives without --expires-in.
const defaultTokenLife = 90 * 24 * time.Hour

// shortTime shows a stored time to the second ("" stays "").
func shortTime(s string) string {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return s
	}
	return t.UTC().Format(time.RFC3339)
}

// subcommand checks that args start with one of the allowed subcommands.
func (e *env) subcommand(cmd string, args []string, allowed ...string) (string, bool) {
	if len(args) > 0 {
		for _, a := range allowed {
			if args[0] == a {
				return a, true
			}
		}
	}
	e.errorf("cli.subcommand", "command", cmd, "allowed", strings.Join(allowed, ", "))
	return "", false
}

// password reads a new password from CLOUDISMS_PASSWORD, else from one line
// of standard input (never from a flag: command lines are visible to every
// user of the machine and kept in shell histories).
func (e *env) password() (string, bool) {
	p := e.getenv("CLOUDISMS_PASSWORD")
	if p == "" {
		if f, ok := e.stdin.(*os.File); ok && isTerminal(f) {
			fmt.Fprint(e.stderr, i18n.M("cli.password_prompt").In(e.lang))
		}
		line, err := bufio.NewReader(e.stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			e.errorf("cli.read", "file", "-", "detail", err.Error())
			return "", false
		}
		p = strings.TrimRight(line, "\r\n")
	}
	if p == "" {
		e.errorf("cli.password_missing")
		return "", false
	}
	if utf8.RuneCountInString(p) < minPassword {
		e.errorf("cli.password_short", "n", minPassword)
		return "", false
	}
	return p, true
}

// email checks the form of an email address given on the command line.
func (e *env) email(s string) bool {
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 {
		e.errorf("cli.bad_email", "value", s)
		return false
	}
	return true
}

// userByEmail finds a user, saying so when there is none.
func (e *env) userByEmail(s *store.Store, email string) (store.User, bool) {
	u, err := s.UserByEmail(e.ctx, email)
	if errors.Is(err, store.ErrNotFound) {
		e.errorf("cli.user_unknown", "email", email)
		return u, false
	}
	if err != nil {
		e.errorf("cli.store", "detail", err.Error())
		return u, false
	}
	return u, true
}

func runUser(e *env, args []string) int {
	sub, ok := e.subcommand("user", args, "add", "passwd", "list", "disable", "unlock", "totp-off", "passkeys-off", "security-log")
	if !ok {
		return exitInvalid
	}
	fs, lang := e.flags("user " + sub)
	sf := e.addStoreFlags(fs)
	var name, org *string
	var before *int64
	if sub == "add" {
		name = fs.String("name", "", "NAME")
	}
	if sub == "security-log" {
		org = fs.String("org", "", "ID")
		before = fs.Int64("before", 0, "ID")
	}
	pos, ok := e.parse(fs, lang, args[1:])
	if !ok {
		return exitInvalid
	}
	var email, password string
	switch sub {
	case "list", "security-log":
		if len(pos) > 0 {
			e.errorf("cli.no_args", "command", "user "+sub)
			return exitInvalid
		}
	default:
		if len(pos) != 1 {
			e.errorf("cli.one_email", "command", "user "+sub)
			return exitInvalid
		}
		email = pos[0]
		if !e.email(email) {
			return exitInvalid
		}
	}
	if sub == "add" && strings.TrimSpace(*name) == "" {
		e.errorf("cli.need_flag", "flag", "--name")
		return exitInvalid
	}
	if sub == "add" || sub == "passwd" {
		if password, ok = e.password(); !ok {
			return exitInvalid
		}
	}
	s, ok := e.openStore(sf)
	if !ok {
		return exitInvalid
	}
	defer s.Close()
	switch sub {
	case "add":
		// --lang sets the new user's language as well as this command's.
		u, err := s.CreateUser(e.ctx, email, *name, e.lang, password)
		if errors.Is(err, store.ErrExists) {
			e.errorf("cli.user_exists", "email", strings.ToLower(email))
			return exitInvalid
		}
		if err != nil {
			e.errorf("cli.store", "detail", err.Error())
			return exitInvalid
		}
		fmt.Fprintln(e.stdout, i18n.M("cli.user_added", "email", u.Email, "id", u.ID, "lang", u.Lang).In(e.lang))
	case "passwd":
		u, ok := e.userByEmail(s, email)
		if !ok {
			return exitInvalid
		}
		if err := s.SetPassword(e.ctx, u.ID, password); err != nil {
			e.errorf("cli.store", "detail", err.Error())
			return exitInvalid
		}
		fmt.Fprintln(e.stdout, i18n.M("cli.password_set", "email", u.Email).In(e.lang))
	case "disable":
		u, ok := e.userByEmail(s, email)
		if !ok {
			return exitInvalid
		}
		if err := s.DisableUser(e.ctx, u.ID); err != nil {
			e.errorf("cli.store", "detail", err.Error())
			return exitInvalid
		}
		fmt.Fprintln(e.stdout, i18n.M("cli.user_disabled", "email", u.Email).In(e.lang))
	case "unlock":
		u, ok := e.userByEmail(s, email)
		if !ok {
			return exitInvalid
		}
		blk, err := s.LoginBlockOf(e.ctx, u.Email)
		if err == nil {
			err = s.ClearLoginThrottle(e.ctx, u.Email)
		}
		if err != nil {
			e.errorf("cli.store", "detail", err.Error())
			return exitInvalid
		}
		fmt.Fprintln(e.stdout, i18n.M("cli.user_unlocked", "email", u.Email, "n", blk.Failures, "addresses", len(blk.Addresses)).In(e.lang))
	case "totp-off":
		u, ok := e.userByEmail(s, email)
		if !ok {
			return exitInvalid
		}
		if err := s.ResetTOTP(e.ctx, u.ID); err != nil {
			e.errorf("cli.store", "detail", err.Error())
			return exitInvalid
		}
		fmt.Fprintln(e.stdout, i18n.M("cli.totp_off", "email", u.Email).In(e.lang))
	case "passkeys-off":
		u, ok := e.userByEmail(s, email)
		if !ok {
			return exitInvalid
		}
		n, err := s.ResetPasskeys(e.ctx, u.ID)
		if err != nil {
			e.errorf("cli.store", "detail", err.Error())
			return exitInvalid
		}
		fmt.Fprintln(e.stdout, i18n.M("cli.passkeys_off", "email", u.Email, "n", n).In(e.lang))
	case "security-log":
		return e.securityLog(s, *org, *before)
	case "list":
		users, err := s.Users(e.ctx)
		if err != nil {
			e.errorf("cli.store", "detail", err.Error())
			return exitInvalid
		}
		rows := make([][]string, 0, len(users))
		for _, u := range users {
			state := i18n.M("cli.user_active").In(e.lang)
			if u.Disabled {
				state = i18n.M("cli.user_inactive").In(e.lang)
			}
			rows = append(rows, []string{strconv.FormatInt(u.ID, 10), u.Email, u.Name, u.Lang, state, shortTime(u.CreatedAt)})
		}
		writeTable(e.stdout, rows, false)
	}
	return exitOK
}

func runMember(e *env, args []string) int {
	sub, ok := e.subcommand("member", args, "add", "list")
	if !ok {
		return exitInvalid
	}
	fs, lang := e.flags("member " + sub)
	sf := e.addStoreFlags(fs)
	org := fs.String("org", "", "ID")
	var email, role, person *string
	if sub == "add" {
		email = fs.String("email", "", "EMAIL")
		role = fs.String("role", "", strings.Join(authz.Roles, "|"))
		person = fs.String("person", "", "PERSON_ID")
	}
	pos, ok := e.parse(fs, lang, args[1:])
	if !ok || !e.needOrg(*org) {
		return exitInvalid
	}
	if len(pos) > 0 {
		e.errorf("cli.no_args", "command", "member "+sub)
		return exitInvalid
	}
	if sub == "add" {
		if *email == "" {
			e.errorf("cli.need_flag", "flag", "--email")
			return exitInvalid
		}
		if !e.email(*email) {
			return exitInvalid
		}
		if *role == "" {
			e.errorf("cli.need_role", "allowed", strings.Join(authz.Roles, ", "))
			return exitInvalid
		}
		if !e.oneOf("--role", *role, authz.Roles...) {
			return exitInvalid
		}
	}
	s, ok := e.openStore(sf)
	if !ok {
		return exitInvalid
	}
	defer s.Close()
	if _, err := s.Org(e.ctx, *org); errors.Is(err, store.ErrNotFound) {
		e.errorf("cli.org_unknown", "org", *org)
		return exitInvalid
	} else if err != nil {
		e.errorf("cli.store", "detail", err.Error())
		return exitInvalid
	}
	if sub == "list" {
		members, err := s.Members(e.ctx, *org)
		if err != nil {
			e.errorf("cli.store", "detail", err.Error())
			return exitInvalid
		}
		rows := make([][]string, 0, len(members))
		for _, m := range members {
			u, err := s.UserByID(e.ctx, m.UserID)
			if err != nil {
				e.errorf("cli.store", "detail", err.Error())
				return exitInvalid
			}
			rows = append(rows, []string{u.Email, m.Role, m.Person})
		}
		writeTable(e.stdout, rows, false)
		return exitOK
	}
	u, ok := e.userByEmail(s, *email)
	if !ok {
		return exitInvalid
	}
	if *person != "" {
		// The person must be in the organization's ISMS: a risk owner
		// approves the risks that person owns.
		items, err := s.Items(e.ctx, *org)
		if err != nil {
			e.errorf("cli.store", "detail", err.Error())
			return exitInvalid
		}
		found := false
		for _, it := range items {
			if it.Kind == "people" && it.Key == *person {
				found = true
				break
			}
		}
		if !found {
			e.errorf("cli.person_unknown", "org", *org, "person", *person)
			return exitInvalid
		}
	}
	if err := s.AddMember(e.ctx, *org, u.ID, *role, *person); err != nil {
		e.errorf("cli.store", "detail", err.Error())
		return exitInvalid
	}
	fmt.Fprintln(e.stdout, i18n.M("cli.member_added", "email", u.Email, "org", *org, "role", *role).In(e.lang))
	return exitOK
}

// lifetime parses --expires-in: a number of days (90d) or a Go duration
// (12h, 30m); it must be positive.
func lifetime(s string) (time.Duration, bool) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil || days <= 0 || days > 100*366 {
			return 0, false
		}
		return time.Duration(days) * 24 * time.Hour, true
	}
	d, err := time.ParseDuration(s)
	return d, err == nil && d > 0
}

func runToken(e *env, args []string) int {
	sub, ok := e.subcommand("token", args, "create", "list", "revoke")
	if !ok {
		return exitInvalid
	}
	fs, lang := e.flags("token " + sub)
	sf := e.addStoreFlags(fs)
	var email, name, expiresIn *string
	if sub != "revoke" {
		email = fs.String("email", "", "EMAIL")
	}
	if sub == "create" {
		name = fs.String("name", "", "NAME")
		expiresIn = fs.String("expires-in", "90d", "DURATION")
	}
	pos, ok := e.parse(fs, lang, args[1:])
	if !ok {
		return exitInvalid
	}
	var id int64
	life := defaultTokenLife
	if sub == "revoke" {
		var err error
		if len(pos) == 1 {
			id, err = strconv.ParseInt(pos[0], 10, 64)
		}
		if len(pos) != 1 || err != nil || id <= 0 {
			e.errorf("cli.token_id")
			return exitInvalid
		}
	} else {
		if len(pos) > 0 {
			e.errorf("cli.no_args", "command", "token "+sub)
			return exitInvalid
		}
		if *email == "" {
			e.errorf("cli.need_flag", "flag", "--email")
			return exitInvalid
		}
		if !e.email(*email) {
			return exitInvalid
		}
	}
	if sub == "create" {
		if strings.TrimSpace(*name) == "" {
			e.errorf("cli.need_flag", "flag", "--name")
			return exitInvalid
		}
		if life, ok = lifetime(*expiresIn); !ok {
			e.errorf("cli.bad_duration", "flag", "--expires-in", "value", *expiresIn)
			return exitInvalid
		}
	}
	s, ok := e.openStore(sf)
	if !ok {
		return exitInvalid
	}
	defer s.Close()
	if sub == "revoke" {
		err := s.RevokeToken(e.ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			e.errorf("cli.token_unknown", "id", id)
			return exitInvalid
		}
		if err != nil {
			e.errorf("cli.store", "detail", err.Error())
			return exitInvalid
		}
		fmt.Fprintln(e.stdout, i18n.M("cli.token_revoked", "id", id).In(e.lang))
		return exitOK
	}
	u, ok := e.userByEmail(s, *email)
	if !ok {
		return exitInvalid
	}
	if sub == "list" {
		tokens, err := s.Tokens(e.ctx, u.ID)
		if err != nil {
			e.errorf("cli.store", "detail", err.Error())
			return exitInvalid
		}
		rows := make([][]string, 0, len(tokens))
		for _, t := range tokens {
			state := i18n.M("cli.token_active").In(e.lang)
			if t.RevokedAt != "" {
				state = i18n.M("cli.token_revoked_state").In(e.lang)
			}
			rows = append(rows, []string{strconv.FormatInt(t.ID, 10), t.Name, shortTime(t.CreatedAt), shortTime(t.ExpiresAt), state})
		}
		writeTable(e.stdout, rows, false)
		return exitOK
	}
	if u.Disabled {
		e.errorf("cli.user_is_disabled", "email", u.Email)
		return exitInvalid
	}
	secret, t, err := s.CreateToken(e.ctx, u.ID, *name, e.now().Add(life))
	if err != nil {
		e.errorf("cli.store", "detail", err.Error())
		return exitInvalid
	}
	// The note goes to standard error and the secret alone to standard
	// output, so that a script can capture it.
	fmt.Fprintln(e.stderr, i18n.M("cli.token_created", "id", t.ID, "name", t.Name, "email", u.Email, "expires", shortTime(t.ExpiresAt)).In(e.lang))
	fmt.Fprintln(e.stdout, secret)
	return exitOK
}

// securityLog prints a page of the security log (every organization's
// and the unknown emails', or one organization's), newest first, and how
// to ask for the next page.
func (e *env) securityLog(s *store.Store, org string, before int64) int {
	var evs []store.SecurityEvent
	var next int64
	var err error
	if org != "" {
		evs, next, err = s.SecurityLog(e.ctx, org, before, 100)
	} else {
		evs, next, err = s.SecurityLogAll(e.ctx, before, 100)
	}
	if err != nil {
		e.errorf("cli.store", "detail", err.Error())
		return exitInvalid
	}
	rows := make([][]string, 0, len(evs))
	for _, ev := range evs {
		who := ev.Email
		if ev.Org != "" {
			who += " (" + ev.Org + ")"
		}
		detail := ev.Detail
		if ev.Repeats > 1 {
			detail = strings.TrimSpace(detail + " " + i18n.M("seclog.repeats", "n", ev.Repeats, "last", shortTime(ev.LastAt)).In(e.lang))
		}
		rows = append(rows, []string{strconv.FormatInt(ev.ID, 10), shortTime(ev.At), who, i18n.M("seclog.kind." + ev.Kind).In(e.lang), detail, ev.Address})
	}
	writeTable(e.stdout, rows, false)
	if next != 0 {
		fmt.Fprintln(e.stdout, i18n.M("cli.security_log_more", "before", next).In(e.lang))
	}
	return exitOK
}
