package blob

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// S3Config says where a bucket is and how to sign requests to it.
type S3Config struct {
	// Endpoint is the server's base URL (http://127.0.0.1:8333 for a
	// self-hosted server); empty means AWS in Region.
	Endpoint string
	// Region signs the requests (us-east-1 when empty; most self-hosted
	// servers accept any).
	Region string
	Bucket string
	// Prefix is put before every key, without leading or trailing slash.
	Prefix string
	// AccessKey, SecretKey and SessionToken are the credentials.
	AccessKey, SecretKey, SessionToken string
	// PathStyle addresses the bucket as ENDPOINT/BUCKET/KEY instead of
	// BUCKET.ENDPOINT/KEY: what self-hosted servers expect.
	PathStyle bool
	// Client is the HTTP client (a default with bounded timeouts when nil).
	Client *http.Client
}

// S3 keeps objects in a bucket of an S3-compatible object store. It
// speaks the few requests it needs (PUT, GET, HEAD, DELETE and
// ListObjectsV2) over net/http, signed with AWS Signature Version 4.
type S3 struct {
	cfg    S3Config
	base   *url.URL
	client *http.Client
	// pageSize is how many keys one list request asks for.
	pageSize int
	// partSize is the size of the parts of a multipart upload, which an
	// object larger than it is sent as (a large backup).
	partSize int64
}

// MaxPut is the largest object one PUT may store (S3's own limit); a
// larger one, from a file, is sent in parts.
const MaxPut = 5 << 30

// maxParts is how many parts one object may have.
const maxParts = 10000

var bucketPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]$`)

// ParseS3URL splits s3://BUCKET/PATH into the bucket and the path (no
// leading or trailing slash).
func ParseS3URL(raw string) (bucket, path string, err error) {
	rest, ok := strings.CutPrefix(raw, "s3://")
	if !ok {
		return "", "", fmt.Errorf("%q is not an s3://BUCKET/PATH URL", raw)
	}
	bucket, path, _ = strings.Cut(rest, "/")
	path = strings.Trim(path, "/")
	if !bucketPattern.MatchString(bucket) {
		return "", "", fmt.Errorf("%q: %q is not a valid bucket name (3 to 63 lower-case letters, digits, dots and hyphens)", raw, bucket)
	}
	if len(path) > 900 || strings.Contains(path, "//") || strings.ContainsAny(path, "\\\x00\r\n") {
		return "", "", fmt.Errorf("%q: the path is not a plain key", raw)
	}
	for _, seg := range strings.Split(path, "/") {
		if seg == "." || seg == ".." {
			return "", "", fmt.Errorf("%q: the path is not a plain key", raw)
		}
	}
	return bucket, path, nil
}

// S3Env is the configuration read from the environment variables the AWS
// tools use: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN,
// AWS_REGION (or AWS_DEFAULT_REGION) and AWS_ENDPOINT_URL_S3 (or
// AWS_ENDPOINT_URL). CLOUDISMS_S3_PATH_STYLE=true|false chooses the
// addressing; by default a bucket at a given endpoint is addressed by path.
func S3Env(getenv func(string) string) S3Config {
	first := func(names ...string) string {
		for _, n := range names {
			if v := strings.TrimSpace(getenv(n)); v != "" {
				return v
			}
		}
		return ""
	}
	c := S3Config{
		Endpoint:     first("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"),
		Region:       first("AWS_REGION", "AWS_DEFAULT_REGION"),
		AccessKey:    first("AWS_ACCESS_KEY_ID"),
		SecretKey:    first("AWS_SECRET_ACCESS_KEY"),
		SessionToken: first("AWS_SESSION_TOKEN"),
	}
	c.PathStyle = PathStyle(getenv, c.Endpoint)
	return c
}

// PathStyle is the addressing for a bucket at endpoint: by path at a
// given endpoint (self-hosted servers), by host name at AWS, unless
// CLOUDISMS_S3_PATH_STYLE says true or false.
func PathStyle(getenv func(string) string, endpoint string) bool {
	switch strings.ToLower(strings.TrimSpace(getenv("CLOUDISMS_S3_PATH_STYLE"))) {
	case "true", "1", "yes":
		return true
	case "false", "0", "no":
		return false
	}
	return endpoint != ""
}

// NewS3 checks the configuration; it makes no request (Check does).
func NewS3(cfg S3Config) (*S3, error) {
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if !bucketPattern.MatchString(cfg.Bucket) {
		return nil, fmt.Errorf("object storage: %q is not a valid bucket name", cfg.Bucket)
	}
	cfg.Prefix = strings.Trim(cfg.Prefix, "/")
	if cfg.AccessKey == "" || cfg.SecretKey == "" {
		return nil, errors.New("object storage: no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
	}
	endpoint := cfg.Endpoint
	if endpoint == "" {
		endpoint = "https://s3." + cfg.Region + ".amazonaws.com"
	}
	base, err := url.Parse(endpoint)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" || base.RawQuery != "" {
		return nil, fmt.Errorf("object storage: endpoint %q is not an http(s)://HOST[:PORT] URL", endpoint)
	}
	base.Path = strings.TrimRight(base.Path, "/")
	if !cfg.PathStyle {
		if strings.Contains(cfg.Bucket, ".") && base.Scheme == "https" {
			// A dotted name breaks the server's TLS certificate.
			cfg.PathStyle = true
		} else {
			base.Host = cfg.Bucket + "." + base.Host
		}
	}
	client := cfg.Client
	if client == nil {
		client = &http.Client{Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			TLSHandshakeTimeout:   10 * time.Second,
			ResponseHeaderTimeout: 60 * time.Second,
			IdleConnTimeout:       90 * time.Second,
			MaxIdleConnsPerHost:   16,
		}}
	}
	return &S3{cfg: cfg, base: base, client: client, pageSize: 1000, partSize: 64 << 20}, nil
}

// Config is the configuration the store was made with.
func (s *S3) Config() S3Config { return s.cfg }

func (s *S3) String() string {
	u := "s3://" + s.cfg.Bucket
	if s.cfg.Prefix != "" {
		u += "/" + s.cfg.Prefix
	}
	if s.cfg.Endpoint != "" {
		u += " (" + s.cfg.Endpoint + ")"
	}
	return u
}

// objectPath is the URL path of a key (or of the bucket when key is "").
func (s *S3) objectPath(key string) string {
	p := s.base.Path + "/"
	if s.cfg.PathStyle {
		if key == "" {
			return p + s.cfg.Bucket
		}
		p += s.cfg.Bucket + "/"
	}
	return p + key
}

func (s *S3) fullKey(key string) (string, error) {
	if key == "" || strings.HasPrefix(key, "/") || strings.Contains(key, "//") || strings.ContainsAny(key, "\\\x00\r\n") || len(key) > 900 {
		return "", fmt.Errorf("object key %q: not a plain relative path", key)
	}
	for _, seg := range strings.Split(key, "/") {
		if seg == "." || seg == ".." {
			return "", fmt.Errorf("object key %q: not a plain relative path", key)
		}
	}
	if s.cfg.Prefix == "" {
		return key, nil
	}
	return s.cfg.Prefix + "/" + key, nil
}

// request is one S3 call: its body is read from body() afresh on each
// attempt, with its SHA-256 given ("" for an empty body, or
// UNSIGNED-PAYLOAD when it was not computed).
type request struct {
	op, method string
	key        string // the full key, "" for the bucket
	query      url.Values
	body       func() (io.Reader, error)
	size       int64
	sha256     string
	// noRetry is a body that can be read only once (a stream).
	noRetry bool
}

const emptySHA = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// do sends a request, retrying network failures and server errors (every
// request here is idempotent), and returns a response with a 2xx status
// or 404; any other status is an error naming S3's code and message.
func (s *S3) do(ctx context.Context, r request) (*http.Response, error) {
	var last error
	for attempt := range 3 {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return nil, &UnavailableError{Store: s.String(), Op: r.op, Err: last}
			case <-time.After(time.Duration(attempt*attempt) * 300 * time.Millisecond):
			}
		}
		resp, err := s.once(ctx, r)
		if err == nil {
			return resp, nil
		}
		last = err
		var se *s3Error
		if r.noRetry || ctx.Err() != nil || (errors.As(err, &se) && se.status < 500) {
			break
		}
	}
	var se *s3Error
	if errors.As(last, &se) && se.status < 500 && se.status != http.StatusForbidden {
		return nil, fmt.Errorf("object storage %s: %s: %w", s, r.op, last)
	}
	// Unreachable, timing out, failing, or refusing the credentials:
	// nothing was done, and the request may succeed later.
	return nil, &UnavailableError{Store: s.String(), Op: r.op, Err: last}
}

// s3Error is an error answer of the server.
type s3Error struct {
	status  int
	Code    string `xml:"Code"`
	Message string `xml:"Message"`
}

func (e *s3Error) Error() string {
	switch {
	case e.Code != "" && e.Message != "":
		return fmt.Sprintf("HTTP %d %s: %s", e.status, e.Code, e.Message)
	case e.Code != "":
		return fmt.Sprintf("HTTP %d %s", e.status, e.Code)
	}
	return fmt.Sprintf("HTTP %d", e.status)
}

// CredentialsRefused reports whether err is the server refusing the
// credentials or the signature (a wrong key, a wrong secret, a clock far off).
func CredentialsRefused(err error) bool {
	var se *s3Error
	if !errors.As(err, &se) {
		return false
	}
	switch se.Code {
	case "InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied", "RequestTimeTooSkewed", "ExpiredToken", "InvalidToken":
		return true
	}
	return se.status == http.StatusForbidden
}

func (s *S3) once(ctx context.Context, r request) (*http.Response, error) {
	u := *s.base
	u.Path = s.objectPath(r.key)
	u.RawPath = uriEncode(u.Path, false)
	u.RawQuery = canonicalQuery(r.query)
	var body io.Reader = http.NoBody
	if r.body != nil {
		b, err := r.body()
		if err != nil {
			return nil, err
		}
		body = b
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u.String(), body)
	if err != nil {
		return nil, err
	}
	req.ContentLength = r.size
	if r.body == nil || r.size == 0 {
		req.ContentLength = 0
		req.Body = http.NoBody
	}
	payload := r.sha256
	if payload == "" {
		payload = emptySHA
	}
	s.sign(req, payload, time.Now().UTC())
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 == 2 || resp.StatusCode == http.StatusNotFound && r.method != http.MethodPut {
		return resp, nil
	}
	defer resp.Body.Close()
	se := &s3Error{status: resp.StatusCode}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	xml.Unmarshal(b, se)
	return nil, se
}

// sign adds the headers of AWS Signature Version 4.
func (s *S3) sign(req *http.Request, payload string, now time.Time) {
	stamp := now.Format("20060102T150405Z")
	day := stamp[:8]
	req.Header.Set("X-Amz-Date", stamp)
	req.Header.Set("X-Amz-Content-Sha256", payload)
	if s.cfg.SessionToken != "" {
		req.Header.Set("X-Amz-Security-Token", s.cfg.SessionToken)
	}
	headers := map[string]string{"host": req.URL.Host}
	for k, v := range req.Header {
		lk := strings.ToLower(k)
		if strings.HasPrefix(lk, "x-amz-") || lk == "content-type" || lk == "content-md5" || lk == "range" {
			headers[lk] = strings.Join(strings.Fields(strings.Join(v, ",")), " ")
		}
	}
	names := make([]string, 0, len(headers))
	for k := range headers {
		names = append(names, k)
	}
	sort.Strings(names)
	var canon strings.Builder
	for _, k := range names {
		canon.WriteString(k + ":" + headers[k] + "\n")
	}
	signed := strings.Join(names, ";")
	creq := strings.Join([]string{req.Method, uriEncode(req.URL.Path, false), req.URL.RawQuery, canon.String(), signed, payload}, "\n")
	scope := day + "/" + s.cfg.Region + "/s3/aws4_request"
	h := sha256.Sum256([]byte(creq))
	toSign := "AWS4-HMAC-SHA256\n" + stamp + "\n" + scope + "\n" + hex.EncodeToString(h[:])
	key := hmacSHA([]byte("AWS4"+s.cfg.SecretKey), day)
	key = hmacSHA(key, s.cfg.Region)
	key = hmacSHA(key, "s3")
	key = hmacSHA(key, "aws4_request")
	sig := hex.EncodeToString(hmacSHA(key, toSign))
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+s.cfg.AccessKey+"/"+scope+", SignedHeaders="+signed+", Signature="+sig)
}

func hmacSHA(key []byte, s string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(s))
	return m.Sum(nil)
}

// uriEncode escapes all but the unreserved characters, as Signature
// Version 4 wants (slashes kept in paths).
func uriEncode(s string, encodeSlash bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '_', c == '.', c == '~':
			b.WriteByte(c)
		case c == '/' && !encodeSlash:
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

func canonicalQuery(q url.Values) string {
	if len(q) == 0 {
		return ""
	}
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		vs := append([]string(nil), q[k]...)
		sort.Strings(vs)
		for _, v := range vs {
			parts = append(parts, uriEncode(k, true)+"="+uriEncode(v, true))
		}
	}
	return strings.Join(parts, "&")
}

// Put stores the object with one PUT, which S3 makes visible whole or not
// at all. When r can seek, its SHA-256 is computed first and signed, so
// that the server refuses a body damaged on the way.
func (s *S3) Put(ctx context.Context, key string, r io.Reader, size int64) error {
	return s.PutSHA256(ctx, key, r, size, "")
}

// PutSHA256 is Put with the content's SHA-256 known (hex; "" when not).
func (s *S3) PutSHA256(ctx context.Context, key string, r io.Reader, size int64, sum string) error {
	full, err := s.fullKey(key)
	if err != nil {
		return err
	}
	if ra, ok := r.(readerAtSeeker); ok && size > s.partSize {
		start, err := ra.Seek(0, io.SeekCurrent)
		if err != nil {
			return fmt.Errorf("object %s: %w", key, err)
		}
		return s.putParts(ctx, key, full, io.NewSectionReader(ra, start, size), size)
	}
	if size < 0 || size > MaxPut {
		return fmt.Errorf("object %s: %d bytes: one object holds at most %d", key, size, int64(MaxPut))
	}
	req := request{op: "put " + key, method: http.MethodPut, key: full, size: size, sha256: "UNSIGNED-PAYLOAD"}
	rs, seekable := r.(io.ReadSeeker)
	var start int64
	if seekable {
		if start, err = rs.Seek(0, io.SeekCurrent); err != nil {
			seekable = false
		}
	}
	if seekable && len(sum) == 64 {
		req.sha256 = sum
		req.body = func() (io.Reader, error) {
			if _, err := rs.Seek(start, io.SeekStart); err != nil {
				return nil, err
			}
			return io.LimitReader(rs, size), nil
		}
	} else if seekable {
		h := sha256.New()
		n, err := io.Copy(h, io.LimitReader(rs, size+1))
		if err != nil {
			return fmt.Errorf("object %s: %w", key, err)
		}
		if n != size {
			return fmt.Errorf("object %s: %d bytes read, %d expected", key, n, size)
		}
		req.sha256 = hex.EncodeToString(h.Sum(nil))
		req.body = func() (io.Reader, error) {
			if _, err := rs.Seek(start, io.SeekStart); err != nil {
				return nil, err
			}
			return io.LimitReader(rs, size), nil
		}
	} else {
		// A stream is sent once; it must be exactly size bytes long, or
		// the request fails and nothing is stored.
		req.noRetry = true
		req.body = func() (io.Reader, error) { return &exactReader{r: r, left: size}, nil }
	}
	resp, err := s.do(ctx, req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return nil
}

type readerAtSeeker interface {
	io.ReaderAt
	io.Seeker
}

// putParts sends a large object as a multipart upload: the parts one by
// one, each with its SHA-256 signed, then the list that joins them. The
// object appears whole when the list is accepted, or not at all: a
// failure aborts the upload, so that the server drops the parts.
func (s *S3) putParts(ctx context.Context, key, full string, r *io.SectionReader, size int64) error {
	part := max(s.partSize, (size+maxParts-1)/maxParts)
	resp, err := s.do(ctx, request{op: "start upload of " + key, method: http.MethodPost, key: full, query: url.Values{"uploads": {""}}})
	if err != nil {
		return err
	}
	var started struct {
		UploadID string `xml:"UploadId"`
	}
	err = xml.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&started)
	resp.Body.Close()
	if err != nil || started.UploadID == "" {
		return &UnavailableError{Store: s.String(), Op: "start upload of " + key, Err: fmt.Errorf("no upload id in the answer (%v)", err)}
	}
	id := started.UploadID
	err = s.sendParts(ctx, key, full, id, r, size, part)
	if err != nil {
		// The request's context may be what failed: the abort gets its own.
		bg, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if resp, aerr := s.do(bg, request{op: "abort upload of " + key, method: http.MethodDelete, key: full, query: url.Values{"uploadId": {id}}}); aerr == nil {
			resp.Body.Close()
		}
	}
	return err
}

type completedPart struct {
	PartNumber int    `xml:"PartNumber"`
	ETag       string `xml:"ETag"`
}

func (s *S3) sendParts(ctx context.Context, key, full, id string, r *io.SectionReader, size, part int64) error {
	var done []completedPart
	for off, n := int64(0), 1; off < size; off, n = off+part, n+1 {
		sec := io.NewSectionReader(r, off, min(part, size-off))
		h := sha256.New()
		if _, err := io.Copy(h, sec); err != nil {
			return fmt.Errorf("object %s: %w", key, err)
		}
		q := url.Values{"partNumber": {strconv.Itoa(n)}, "uploadId": {id}}
		resp, err := s.do(ctx, request{op: fmt.Sprintf("put part %d of %s", n, key), method: http.MethodPut, key: full, query: q,
			size: sec.Size(), sha256: hex.EncodeToString(h.Sum(nil)),
			body: func() (io.Reader, error) { _, err := sec.Seek(0, io.SeekStart); return sec, err }})
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		etag := resp.Header.Get("ETag")
		if etag == "" {
			return &UnavailableError{Store: s.String(), Op: fmt.Sprintf("put part %d of %s", n, key), Err: errors.New("no ETag in the answer")}
		}
		done = append(done, completedPart{PartNumber: n, ETag: etag})
	}
	body, _ := xml.Marshal(struct {
		XMLName xml.Name        `xml:"CompleteMultipartUpload"`
		Parts   []completedPart `xml:"Part"`
	}{Parts: done})
	sum := sha256.Sum256(body)
	resp, err := s.do(ctx, request{op: "complete upload of " + key, method: http.MethodPost, key: full, query: url.Values{"uploadId": {id}},
		size: int64(len(body)), sha256: hex.EncodeToString(sum[:]),
		body: func() (io.Reader, error) { return bytes.NewReader(body), nil }})
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	// The answer may be an error although its status is 200.
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if bytes.Contains(b, []byte("<Error>")) {
		se := &s3Error{status: resp.StatusCode}
		xml.Unmarshal(b, se)
		return &UnavailableError{Store: s.String(), Op: "complete upload of " + key, Err: se}
	}
	return nil
}

// exactReader fails when its source ends before left bytes are read, so
// that the request is abandoned rather than completed short.
type exactReader struct {
	r    io.Reader
	left int64
}

func (e *exactReader) Read(p []byte) (int, error) {
	if e.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > e.left {
		p = p[:e.left]
	}
	n, err := e.r.Read(p)
	e.left -= int64(n)
	if errors.Is(err, io.EOF) && e.left > 0 {
		return n, io.ErrUnexpectedEOF
	}
	if err == nil && e.left == 0 {
		err = io.EOF
	}
	return n, err
}

func (s *S3) Open(ctx context.Context, key string) (io.ReadCloser, Object, error) {
	full, err := s.fullKey(key)
	if err != nil {
		return nil, Object{}, err
	}
	resp, err := s.do(ctx, request{op: "get " + key, method: http.MethodGet, key: full})
	if err != nil {
		return nil, Object{}, err
	}
	if resp.StatusCode == http.StatusNotFound {
		resp.Body.Close()
		return nil, Object{}, fmt.Errorf("%s: %w", key, ErrNotFound)
	}
	o := objectOf(key, resp)
	return &sizedBody{rc: resp.Body, left: o.Size}, o, nil
}

// sizedBody reports a body cut short as an error, not a smaller file.
type sizedBody struct {
	rc   io.ReadCloser
	left int64
}

func (b *sizedBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	if errors.Is(err, io.EOF) && b.left > 0 {
		return n, io.ErrUnexpectedEOF
	}
	return n, err
}

func (b *sizedBody) Close() error { return b.rc.Close() }

func objectOf(key string, resp *http.Response) Object {
	o := Object{Key: key, Size: resp.ContentLength}
	if t, err := http.ParseTime(resp.Header.Get("Last-Modified")); err == nil {
		o.Modified = t
	}
	return o
}

func (s *S3) Stat(ctx context.Context, key string) (Object, error) {
	full, err := s.fullKey(key)
	if err != nil {
		return Object{}, err
	}
	resp, err := s.do(ctx, request{op: "head " + key, method: http.MethodHead, key: full})
	if err != nil {
		return Object{}, err
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return Object{}, fmt.Errorf("%s: %w", key, ErrNotFound)
	}
	if n, err := strconv.ParseInt(resp.Header.Get("Content-Length"), 10, 64); err == nil {
		resp.ContentLength = n
	}
	return objectOf(key, resp), nil
}

func (s *S3) Delete(ctx context.Context, key string) error {
	full, err := s.fullKey(key)
	if err != nil {
		return err
	}
	resp, err := s.do(ctx, request{op: "delete " + key, method: http.MethodDelete, key: full})
	if err != nil {
		return err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return nil
}

type listResult struct {
	Contents []struct {
		Key          string `xml:"Key"`
		Size         int64  `xml:"Size"`
		LastModified string `xml:"LastModified"`
	} `xml:"Contents"`
	IsTruncated           bool   `xml:"IsTruncated"`
	NextContinuationToken string `xml:"NextContinuationToken"`
}

// List pages through ListObjectsV2.
func (s *S3) List(ctx context.Context, prefix string, each func(Object) error) error {
	root := ""
	if s.cfg.Prefix != "" {
		root = s.cfg.Prefix + "/"
	}
	token := ""
	for {
		q := url.Values{"list-type": {"2"}, "prefix": {root + prefix}, "max-keys": {strconv.Itoa(s.pageSize)}}
		if token != "" {
			q.Set("continuation-token", token)
		}
		resp, err := s.do(ctx, request{op: "list", method: http.MethodGet, query: q})
		if err != nil {
			return err
		}
		if resp.StatusCode == http.StatusNotFound {
			resp.Body.Close()
			return fmt.Errorf("object storage %s: the bucket does not exist", s)
		}
		var lr listResult
		err = xml.NewDecoder(io.LimitReader(resp.Body, 64<<20)).Decode(&lr)
		resp.Body.Close()
		if err != nil {
			return &UnavailableError{Store: s.String(), Op: "list", Err: fmt.Errorf("reading the answer: %w", err)}
		}
		for _, c := range lr.Contents {
			key, ok := strings.CutPrefix(c.Key, root)
			if !ok || key == "" || strings.HasSuffix(key, "/") {
				continue // not ours, or a folder marker
			}
			o := Object{Key: key, Size: c.Size}
			o.Modified, _ = time.Parse(time.RFC3339, c.LastModified)
			if err := each(o); err != nil {
				return err
			}
		}
		if !lr.IsTruncated || lr.NextContinuationToken == "" {
			return nil
		}
		token = lr.NextContinuationToken
	}
}

// Check lists the bucket and writes and removes a small object under the
// prefix, so that a missing bucket, refused credentials or a read-only
// key are found at start. The message says which.
func (s *S3) Check(ctx context.Context) error {
	err := s.List(ctx, ".cloudisms-check/", func(Object) error { return nil })
	if err == nil {
		b := make([]byte, 8)
		rand.Read(b)
		key := ".cloudisms-check/" + hex.EncodeToString(b)
		if err = s.Put(ctx, key, bytes.NewReader(b), int64(len(b))); err == nil {
			err = s.Delete(ctx, key)
		}
	}
	switch {
	case err == nil:
		return nil
	case CredentialsRefused(err):
		return fmt.Errorf("object storage %s refused the credentials (check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and the key's rights on the bucket): %w", s, err)
	}
	return err
}

// MakeBucket creates the bucket (no error when it exists already and is
// ours); for setting up a server, as tests do.
func (s *S3) MakeBucket(ctx context.Context) error {
	resp, err := s.do(ctx, request{op: "create bucket", method: http.MethodPut, key: ""})
	if err != nil {
		var se *s3Error
		if errors.As(err, &se) && se.Code == "BucketAlreadyOwnedByYou" {
			return nil
		}
		return err
	}
	resp.Body.Close()
	return nil
}
