package blob_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cloudisms/cloudisms/internal/store/blob"
	"github.com/cloudisms/cloudisms/internal/store/blob/weedtest"
)

func TestMain(m *testing.M) { os.Exit(weedtest.Main(m)) }

func newS3(t *testing.T, cfg blob.S3Config) *blob.S3 {
	t.Helper()
	b, err := blob.NewS3(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestS3 runs the object store contract against a real S3 server: objects
// round-trip under the prefix, a cut stream stores nothing, listing pages
// and stays within the prefix, and keys with any character survive.
func TestS3(t *testing.T) {
	srv := weedtest.Start(t)
	ctx := context.Background()
	bucket := srv.Bucket(t)
	b := newS3(t, srv.Config(bucket, "evidence/one"))
	other := newS3(t, srv.Config(bucket, "evidence/two"))
	blob.SetPageSize(b, 2)
	if err := b.Check(ctx); err != nil {
		t.Fatal(err)
	}
	payload := bytes.Repeat([]byte("0123456789"), 100_000)
	if err := b.Put(ctx, "ab/abc", bytes.NewReader(payload), int64(len(payload))); err != nil {
		t.Fatal(err)
	}
	rc, o, err := b.Open(ctx, "ab/abc")
	if err != nil || o.Size != int64(len(payload)) {
		t.Fatalf("open: %v %+v", err, o)
	}
	got, err := io.ReadAll(rc)
	rc.Close()
	if err != nil || !bytes.Equal(got, payload) {
		t.Fatalf("content differs (%d bytes, %v)", len(got), err)
	}
	if st, err := b.Stat(ctx, "ab/abc"); err != nil || st.Size != o.Size || time.Since(st.Modified) > time.Hour {
		t.Errorf("stat: %v %+v", err, st)
	}
	// Another prefix of the same bucket does not see it.
	if _, err := other.Stat(ctx, "ab/abc"); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("other prefix: %v", err)
	}
	// A stream that ends early (a cut upload) stores nothing.
	err = b.Put(ctx, "cd/cde", io.MultiReader(strings.NewReader("hel")), 5)
	if err == nil {
		t.Error("a short stream was stored")
	}
	if _, err := b.Stat(ctx, "cd/cde"); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("after a short write: %v", err)
	}
	// A seekable reader shorter than said is refused before sending.
	if err := b.Put(ctx, "cd/cdf", strings.NewReader("hel"), 5); err == nil {
		t.Error("a short file was stored")
	}
	// A body whose signed SHA-256 does not match (damaged on the way) is
	// refused by the server, and nothing is stored.
	wrong := strings.Repeat("0", 64)
	if err := b.PutSHA256(ctx, "cd/cdg", strings.NewReader("hello"), 5, wrong); err == nil {
		t.Error("a body that does not match its SHA-256 was stored")
	}
	if _, err := b.Stat(ctx, "cd/cdg"); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("after a mismatched body: %v", err)
	}
	odd := "ef/ä b+c=d&e%f"
	for _, k := range []string{"ab/abd", "ab/abe", "cd/cdx", odd, "empty"} {
		body := k
		if k == "empty" {
			body = ""
		}
		if err := b.Put(ctx, k, strings.NewReader(body), int64(len(body))); err != nil {
			t.Fatalf("put %q: %v", k, err)
		}
	}
	if err := other.Put(ctx, "ab/zzz", strings.NewReader("z"), 1); err != nil {
		t.Fatal(err)
	}
	var keys []string
	if err := b.List(ctx, "", func(o blob.Object) error { keys = append(keys, o.Key); return nil }); err != nil {
		t.Fatal(err)
	}
	want := []string{"ab/abc", "ab/abd", "ab/abe", "cd/cdx", "empty", odd}
	slices.Sort(keys)
	slices.Sort(want)
	if !slices.Equal(keys, want) {
		t.Errorf("listed %q, want %q", keys, want)
	}
	keys = nil
	b.List(ctx, "ab/", func(o blob.Object) error { keys = append(keys, o.Key); return nil })
	if len(keys) != 3 {
		t.Errorf("listed under ab/: %q", keys)
	}
	rc, _, err = b.Open(ctx, odd)
	if err != nil {
		t.Fatal(err)
	}
	got, _ = io.ReadAll(rc)
	rc.Close()
	if string(got) != odd {
		t.Errorf("odd key read %q", got)
	}
	for _, key := range []string{"../x", "/etc/passwd", "a/../../x", "", `a\b`, "a//b"} {
		if err := b.Put(ctx, key, strings.NewReader("x"), 1); err == nil {
			t.Errorf("key %q accepted", key)
		}
	}
	if err := b.Delete(ctx, "ab/abc"); err != nil {
		t.Fatal(err)
	}
	if err := b.Delete(ctx, "ab/abc"); err != nil {
		t.Errorf("deleting twice: %v", err)
	}
	if _, _, err := b.Open(ctx, "ab/abc"); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("after delete: %v", err)
	}
}

// TestS3Faults: refused credentials are named as such at Check; a bucket
// that does not exist or a server that does not answer fail clearly, the
// latter as unavailable (what the server answers 503 for).
func TestS3Faults(t *testing.T) {
	srv := weedtest.Start(t)
	ctx := context.Background()
	bucket := srv.Bucket(t)
	cfg := srv.Config(bucket, "p")
	cfg.SecretKey = "wrong" + cfg.SecretKey
	err := newS3(t, cfg).Check(ctx)
	if err == nil || !strings.Contains(err.Error(), "refused the credentials") || !blob.CredentialsRefused(err) {
		t.Errorf("wrong secret: %v", err)
	}
	cfg = srv.Config(bucket, "p")
	cfg.AccessKey = "NOSUCHKEY"
	if err := newS3(t, cfg).Check(ctx); err == nil || !strings.Contains(err.Error(), "refused the credentials") {
		t.Errorf("unknown key: %v", err)
	}
	if err := newS3(t, srv.Config("no-such-bucket-here", "p")).Check(ctx); err == nil {
		t.Error("a missing bucket passed the check")
	} else {
		t.Logf("missing bucket: %v", err)
	}
	// A port nobody listens on.
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	cfg = srv.Config(bucket, "p")
	cfg.Endpoint = "http://" + addr
	start := time.Now()
	err = newS3(t, cfg).Put(ctx, "ab/x", strings.NewReader("x"), 1)
	if !blob.Unavailable(err) {
		t.Errorf("unreachable: %v (not unavailable)", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("unreachable took %v", d)
	}
}

func TestParseS3URL(t *testing.T) {
	for _, c := range []struct {
		in, bucket, path string
		ok               bool
	}{
		{"s3://bucket/a/b", "bucket", "a/b", true},
		{"s3://bucket", "bucket", "", true},
		{"s3://bucket/a/b/", "bucket", "a/b", true},
		{"s3://Bucket/a", "", "", false},
		{"s3://b/a", "", "", false},
		{"s3://bucket/a/../b", "", "", false},
		{"http://bucket/a", "", "", false},
		{"s3://bucket/a//b", "", "", false},
	} {
		b, p, err := blob.ParseS3URL(c.in)
		if (err == nil) != c.ok || b != c.bucket || p != c.path {
			t.Errorf("%s: %q %q %v", c.in, b, p, err)
		}
	}
}

// TestSigV4Example signs the GET Object example of AWS's Signature
// Version 4 documentation and compares the signature it gives.
func TestSigV4Example(t *testing.T) {
	b := newS3(t, blob.S3Config{Endpoint: "https://s3.amazonaws.com", Bucket: "examplebucket", Region: "us-east-1",
		AccessKey: "AKIAIOSFODNN7EXAMPLE", SecretKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"})
	req, _ := http.NewRequest("GET", "https://examplebucket.s3.amazonaws.com/test.txt", nil)
	req.Header.Set("Range", "bytes=0-9")
	blob.Sign(b, req, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", time.Date(2013, 5, 24, 0, 0, 0, 0, time.UTC))
	want := "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
	if got := req.Header.Get("Authorization"); got != want {
		t.Errorf("Authorization:\n%s\nwant\n%s", got, want)
	}
}

// TestS3Parts: an object larger than the part size, from a file, goes up
// as a multipart upload and reads back whole; nothing of it is listed
// but the object.
func TestS3Parts(t *testing.T) {
	srv := weedtest.Start(t)
	ctx := context.Background()
	b := newS3(t, srv.Config(srv.Bucket(t), "backups"))
	blob.SetPartSize(b, 5<<20)
	content := make([]byte, 12<<20+3)
	for i := range content {
		content[i] = byte(i * 31 >> 7)
	}
	f, err := os.CreateTemp(t.TempDir(), "big")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	f.Write(content)
	f.Seek(0, io.SeekStart)
	if err := b.Put(ctx, "big.tar.gz", f, int64(len(content))); err != nil {
		t.Fatal(err)
	}
	rc, o, err := b.Open(ctx, "big.tar.gz")
	if err != nil || o.Size != int64(len(content)) {
		t.Fatalf("open: %v %+v", err, o)
	}
	got, err := io.ReadAll(rc)
	rc.Close()
	if err != nil || !bytes.Equal(got, content) {
		t.Fatalf("read back %d bytes, %v", len(got), err)
	}
	var keys []string
	b.List(ctx, "", func(o blob.Object) error { keys = append(keys, o.Key); return nil })
	if !slices.Equal(keys, []string{"big.tar.gz"}) {
		t.Errorf("listed %q", keys)
	}
}
