package pack

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
)

// ServeZip sends a finished pack (the job's stored file, size bytes) as a
// download named for the organization and the period. The web page and
// the API send it alike.
func ServeZip(w http.ResponseWriter, org, params string, file io.Reader, size int64) {
	var p Params
	json.Unmarshal([]byte(params), &p) // the job's own parameters, written by CreateJob
	name := org + "-audit-pack-" + p.From + "-" + p.To + ".zip"
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", `attachment; filename="`+url.PathEscape(name)+`"`)
	w.Header().Set("Content-Length", strconv.FormatInt(size, 10))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	io.Copy(w, file)
}
