package s3_test

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chime-tsdb/chime/tsdb/vfs/s3"
)

// TestStore_Errors: what a failed request says, in one line, against
// endpoints that misbehave in each way (no real server needed).
func TestStore_Errors(t *testing.T) {
	stalled := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	defer stalled.Close()
	noBucket := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(404)
		fmt.Fprint(w, "<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message></Error>")
	}))
	defer noBucket.Close()
	denied := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(403)
		fmt.Fprint(w, "<Error><Code>SignatureDoesNotMatch</Code><Message>no</Message></Error>")
	}))
	defer denied.Close()
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	refused := "http://" + l.Addr().String()
	l.Close()
	for _, c := range []struct {
		name, endpoint, want string
	}{
		{"stalled", stalled.URL, "no reply in time from the S3 endpoint at " + stalled.URL + " (nothing moved for 200ms)"},
		{"refused", refused, "cannot reach the S3 endpoint at " + refused + ": dial tcp "},
		{"no bucket", noBucket.URL, `bucket "b" does not exist at ` + noBucket.URL},
		{"denied", denied.URL, "access denied at " + denied.URL + " (SignatureDoesNotMatch): check the credentials"},
	} {
		t.Run(c.name, func(t *testing.T) {
			for k, v := range map[string]string{"AWS_ENDPOINT_URL": c.endpoint, "AWS_ACCESS_KEY_ID": "K", "AWS_SECRET_ACCESS_KEY": "S",
				"AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null", "AWS_PROFILE": "", "AWS_MAX_ATTEMPTS": ""} {
				t.Setenv(k, v)
			}
			st, err := s3.Open("s3://b/db", s3.Options{Timeout: 200 * time.Millisecond, Attempts: 2})
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			_, err = st.List()
			if err == nil || !strings.HasPrefix(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("got %v\nwant %s...", err, c.want)
			}
			if d := time.Since(start); d > 10*time.Second {
				t.Fatalf("took %v", d)
			}
		})
	}
}
