package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// Web page kinds of the ops scenario: what a person in the ISMS office
// opens most (the dashboard, the risk register, the SoA), against the API's
// check and edits.
const (
	kindDashboard = "dashboard"
	kindRiskPage  = "risk-page"
	kindSoAPage   = "soa-page"
)

// login signs in with -email and -password and keeps the session cookie
// for the web pages.
func (c *client) login() error {
	body, _ := json.Marshal(map[string]string{"email": c.cfg.email, "password": c.cfg.password})
	res, err := c.http.Post(c.cfg.url+"/api/v1/session", "application/json", bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("login: %w", err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("login: HTTP %d %s", res.StatusCode, snippet(b))
	}
	for _, ck := range res.Cookies() {
		if ck.Name == "cloudisms_session" {
			c.session = ck
			return nil
		}
	}
	return fmt.Errorf("login: no session cookie")
}

// page GETs a web page of the organization with the session cookie.
func (c *client) page(path, what string) outcome {
	req, err := http.NewRequest("GET", c.cfg.url+"/orgs/"+url.PathEscape(c.cfg.org)+path, nil)
	if err != nil {
		return outcome{err: what + ": " + err.Error()}
	}
	req.AddCookie(c.session)
	res, err := c.http.Do(req)
	if err != nil {
		return transportErr(err, what)
	}
	defer res.Body.Close()
	_, err = io.Copy(io.Discard, res.Body)
	switch {
	case err != nil:
		return transportErr(err, what)
	case res.StatusCode != http.StatusOK:
		return statusErr(result{status: res.StatusCode}, what)
	}
	return outcome{}
}
