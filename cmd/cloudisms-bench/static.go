package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// The static scenario is the yardstick of the others: the bench tool
// fetches the dashboard once, as the ops scenario's user sees it, and
// serves those same bytes from a plain handler of its own, in this
// process, which its clients then request. A server doing no work at all
// for a page of that size reaches its throughput on this machine; the
// ratio of cloudisms's throughput to it says how much of the machine the
// work itself takes, apart from HTTP and the generator.
const kindStatic = "static"

// staticServer serves one page's bytes on a loopback port until closed.
type staticServer struct {
	srv *http.Server
	url string
}

// startStatic fetches the dashboard and serves its bytes.
func (c *client) startStatic() (*staticServer, error) {
	req, err := http.NewRequest("GET", c.cfg.url+"/orgs/"+url.PathEscape(c.cfg.org)+"/", nil)
	if err != nil {
		return nil, err
	}
	req.AddCookie(c.session)
	res, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("static: fetch the dashboard: %w", err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, fmt.Errorf("static: read the dashboard: %w", err)
	}
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("static: dashboard: HTTP %d %s", res.StatusCode, snippet(body))
	}
	ctype := res.Header.Get("Content-Type")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("static: listen: %w", err)
	}
	size := strconv.Itoa(len(body))
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", ctype)
		w.Header().Set("Content-Length", size)
		w.Write(body)
	})}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Println("cloudisms-bench: static server:", err)
		}
	}()
	return &staticServer{srv: srv, url: "http://" + ln.Addr().String() + "/"}, nil
}

func (s *staticServer) close() { s.srv.Close() }

// static GETs the static page.
func (c *client) static() outcome {
	res, err := c.http.Get(c.staticURL)
	if err != nil {
		return transportErr(err, kindStatic)
	}
	defer res.Body.Close()
	if _, err := io.Copy(io.Discard, res.Body); err != nil {
		return transportErr(err, kindStatic)
	}
	if res.StatusCode != http.StatusOK {
		return statusErr(result{status: res.StatusCode}, kindStatic)
	}
	return outcome{}
}
