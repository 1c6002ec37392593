package s3api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// fakeIMDS is an instance metadata service that gives IMDSv2 sessions
// only, and the credentials of one role, expiring at expires.
type fakeIMDS struct {
	role    string
	expires time.Time
	fetches atomic.Int32 // of the credentials
	v1only  bool
}

func (f *fakeIMDS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	const token = "TOKEN-123"
	const creds = "/latest/meta-data/iam/security-credentials/"
	switch {
	case r.URL.Path == "/latest/api/token" && r.Method == http.MethodPut:
		if f.v1only || r.Header.Get("X-Aws-Ec2-Metadata-Token-Ttl-Seconds") == "" {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		w.Write([]byte(token))
	case r.Header.Get("X-Aws-Ec2-Metadata-Token") != token:
		http.Error(w, "unauthorized", http.StatusUnauthorized)
	case r.URL.Path == creds && f.role != "":
		w.Write([]byte(f.role + "\n"))
	case r.URL.Path == creds+f.role && f.role != "":
		f.fetches.Add(1)
		json.NewEncoder(w).Encode(map[string]any{
			"Code": "Success", "Type": "AWS-HMAC", "LastUpdated": time.Now().UTC(),
			"AccessKeyId": "ASIAIMDS", "SecretAccessKey": "imdssecret", "Token": "imdstoken", "Expiration": f.expires.UTC(),
		})
	default:
		http.NotFound(w, r)
	}
}

// signedWith is a fake S3 endpoint that records the key and session
// token of the requests it gets.
func signedWith(t *testing.T) (*httptest.Server, *atomic.Value) {
	var seen atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		key, _, _ := strings.Cut(strings.TrimPrefix(auth, algorithm+" Credential="), "/")
		seen.Store(key + " " + r.Header.Get("X-Amz-Security-Token"))
	}))
	t.Cleanup(srv.Close)
	return srv, &seen
}

// TestIMDS: with no credentials configured, the instance role's, from
// IMDSv2, sign the requests, and are fetched again before they expire.
func TestIMDS(t *testing.T) {
	cleanEnv(t, "", "")
	imds := &fakeIMDS{role: "chime-role", expires: time.Now().Add(time.Hour)}
	md := httptest.NewServer(imds)
	defer md.Close()
	t.Setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", md.URL+"/")
	s3, seen := signedWith(t)
	t.Setenv("AWS_ENDPOINT_URL", s3.URL)
	cfg, err := LoadConfig()
	if err != nil {
		t.Fatal(err)
	}
	cl, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := cl.HeadBucket(context.Background(), "b"); err != nil {
			t.Fatal(err)
		}
	}
	if got := seen.Load(); got != "ASIAIMDS imdstoken" || imds.fetches.Load() != 1 {
		t.Fatalf("signed with %v after %d fetches", got, imds.fetches.Load())
	}
	// Credentials within refreshBefore of their expiry are fetched again.
	imds.expires = time.Now().Add(refreshBefore / 2)
	cl.creds.c.Expires = imds.expires
	for range 2 {
		if err := cl.HeadBucket(context.Background(), "b"); err != nil {
			t.Fatal(err)
		}
	}
	if imds.fetches.Load() != 3 {
		t.Fatalf("%d fetches of expiring credentials, want one per request", imds.fetches.Load())
	}
}

// TestIMDS_Errors: no role, or no IMDSv2, is one line saying there are no
// credentials and why, quickly.
func TestIMDS_Errors(t *testing.T) {
	for _, c := range []struct {
		name string
		imds *fakeIMDS
		want string
	}{
		{"no role", &fakeIMDS{}, "instance role: GET "},
		{"IMDSv1 only", &fakeIMDS{role: "r", v1only: true}, "session token: PUT "},
	} {
		t.Run(c.name, func(t *testing.T) {
			cleanEnv(t, "", "")
			md := httptest.NewServer(c.imds)
			defer md.Close()
			t.Setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", md.URL)
			cfg, err := LoadConfig()
			if err != nil {
				t.Fatal(err)
			}
			_, err = cfg.Credentials(context.Background())
			if !errors.Is(err, ErrNoCredentials) || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("got %v", err)
			}
		})
	}
}

// TestContainer: the container endpoint's credentials, asked for with
// the authorization token of the file, sign the requests; an endpoint
// that answers 500 is asked twice.
func TestContainer(t *testing.T) {
	cleanEnv(t, "", "")
	var calls atomic.Int32
	ep := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			http.Error(w, "busy", http.StatusInternalServerError)
			return
		}
		if r.Header.Get("Authorization") != "pod-token" || r.URL.Path != "/v1/credentials" {
			http.Error(w, `{"code":"AccessDenied"}`, http.StatusForbidden)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{
			"AccessKeyId": "ASIAPOD", "SecretAccessKey": "podsecret", "Token": "podtoken", "Expiration": time.Now().Add(time.Hour).UTC(),
		})
	}))
	defer ep.Close()
	tokenFile := filepath.Join(t.TempDir(), "token")
	os.WriteFile(tokenFile, []byte("pod-token\n"), 0o600)
	t.Setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", ep.URL+"/v1/credentials")
	t.Setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "ignored: the file's comes first")
	t.Setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", tokenFile)
	t.Setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:1") // never asked
	s3, seen := signedWith(t)
	t.Setenv("AWS_ENDPOINT_URL", s3.URL)
	cfg, err := LoadConfig()
	if err != nil {
		t.Fatal(err)
	}
	cl, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := cl.HeadBucket(context.Background(), "b"); err != nil {
		t.Fatal(err)
	}
	if got := seen.Load(); got != "ASIAPOD podtoken" || calls.Load() != 2 {
		t.Fatalf("signed with %v after %d calls", got, calls.Load())
	}
}

// TestCredentialCache: credentials that do not expire are fetched once;
// a failure is not asked again for failureHold; credentials still valid
// outlive a failed refresh.
func TestCredentialCache(t *testing.T) {
	var n atomic.Int32
	fail := false
	expires := time.Time{}
	cc := &credentialCache{p: func(context.Context) (Credentials, error) {
		n.Add(1)
		if fail {
			return Credentials{}, errors.New("down")
		}
		return Credentials{AccessKeyID: "K", SecretAccessKey: "S", Expires: expires}, nil
	}}
	ctx := context.Background()
	for range 5 {
		if _, err := cc.get(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n.Load() != 1 {
		t.Fatalf("%d fetches of lasting credentials", n.Load())
	}
	cc.c.Expires = time.Now().Add(refreshBefore / 2) // due for a refresh, still valid
	fail = true
	if c, err := cc.get(ctx); err != nil || c.AccessKeyID != "K" {
		t.Fatalf("a failed refresh of valid credentials: %v", err)
	}
	cc.c.Expires = time.Now().Add(-time.Second) // expired
	for range 3 {
		if _, err := cc.get(ctx); err == nil {
			t.Fatal("expired credentials returned")
		}
	}
	if n.Load() != 2 {
		t.Fatalf("%d fetches: a failure was not held", n.Load())
	}
}
