package blob

import (
	"net/http"
	"time"
)

// SetPageSize makes List ask for n keys at a time, so that tests page.
func SetPageSize(s *S3, n int) { s.pageSize = n }

// Sign signs a request as S3 does before sending it.
func Sign(s *S3, req *http.Request, payload string, now time.Time) { s.sign(req, payload, now) }

// SetPartSize makes objects larger than n bytes go in parts of n bytes.
func SetPartSize(s *S3, n int64) { s.partSize = n }
