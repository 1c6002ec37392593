package s3api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// Temporary credentials from the services of the machine or container
// chime runs on: the container credentials endpoint (ECS tasks, EKS Pod
// Identity) and the EC2 instance metadata service (IMDSv2: a PUT for a
// session token, then the instance role's credentials with it). Both
// reply with JSON; the credentials expire, and the Client's cache fetches
// them again before they do.

const (
	containerEndpoint = "http://169.254.170.2"
	imdsEndpoint      = "http://169.254.169.254"
	imdsEndpointIPv6  = "http://[fd00:ec2::254]"
	imdsTokenTTL      = "21600" // seconds: the most IMDS grants
	// metadataTimeout bounds each request to a metadata service: off EC2
	// its address answers nothing, and the command must not wait long to
	// say there are no credentials.
	metadataTimeout = 2 * time.Second
)

// metadataCredentials is the reply of both services.
type metadataCredentials struct {
	Code            string // IMDS: "Success"
	Message         string
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string
	Token           string
	Expiration      time.Time
}

func (m metadataCredentials) credentials(from string) (Credentials, error) {
	if m.Code != "" && m.Code != "Success" || m.AccessKeyID == "" || m.SecretAccessKey == "" {
		return Credentials{}, fmt.Errorf("%s gave no credentials: %s", from, cmpOrJoin(m.Code, m.Message, "no key pair in its reply"))
	}
	return Credentials{AccessKeyID: m.AccessKeyID, SecretAccessKey: m.SecretAccessKey, SessionToken: m.Token, Expires: m.Expiration}, nil
}

func cmpOrJoin(code, msg, otherwise string) string {
	if s := strings.TrimSpace(code + " " + msg); s != "" {
		return s
	}
	return otherwise
}

// containerSource is the container credentials endpoint, when the
// environment names one: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (on
// 169.254.170.2) or AWS_CONTAINER_CREDENTIALS_FULL_URI (over plain HTTP
// only to a loopback address or the ECS and EKS agents), with the
// Authorization of AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE or
// AWS_CONTAINER_AUTHORIZATION_TOKEN.
func containerSource() (Provider, bool, error) {
	uri := ""
	if rel := os.Getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"); rel != "" {
		uri = containerEndpoint + rel
	} else if full := os.Getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI"); full != "" {
		if err := checkContainerURI(full); err != nil {
			return nil, true, err
		}
		uri = full
	} else {
		return nil, false, nil
	}
	return func(ctx context.Context) (Credentials, error) {
		h := http.Header{}
		token := os.Getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN")
		if f := os.Getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"); f != "" {
			b, err := os.ReadFile(f)
			if err != nil {
				return Credentials{}, fmt.Errorf("container credentials: %w", err)
			}
			token = strings.TrimSpace(string(b))
		}
		if token != "" {
			h.Set("Authorization", token)
		}
		body, err := metadataRequest(ctx, http.MethodGet, uri, h)
		if err != nil {
			return Credentials{}, fmt.Errorf("container credentials from %s: %w", uri, err)
		}
		var m metadataCredentials
		if err := json.Unmarshal(body, &m); err != nil {
			return Credentials{}, fmt.Errorf("container credentials from %s: %w", uri, err)
		}
		return m.credentials("the container credentials endpoint " + uri)
	}, true, nil
}

// checkContainerURI refuses to send the container's authorization token
// in clear to a host that is not local or an AWS agent.
func checkContainerURI(s string) error {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return fmt.Errorf("AWS_CONTAINER_CREDENTIALS_FULL_URI %q is not an http[s] URL", s)
	}
	if u.Scheme == "https" {
		return nil
	}
	host := u.Hostname()
	ip := net.ParseIP(host)
	switch {
	case host == "localhost", ip != nil && ip.IsLoopback(),
		host == "169.254.170.2", host == "169.254.170.23", host == "fd00:ec2::23":
		return nil
	}
	return fmt.Errorf("AWS_CONTAINER_CREDENTIALS_FULL_URI %q: plain http only to a loopback address or the ECS/EKS agents", s)
}

// imdsSource is the instance metadata service: at
// AWS_EC2_METADATA_SERVICE_ENDPOINT, or 169.254.169.254 (fd00:ec2::254
// when AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE is IPv6).
func imdsSource() Provider {
	base := imdsEndpoint
	if strings.EqualFold(os.Getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE"), "IPv6") {
		base = imdsEndpointIPv6
	}
	if e := os.Getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT"); e != "" {
		base = strings.TrimSuffix(e, "/")
	}
	return func(ctx context.Context) (Credentials, error) {
		c, err := imdsCredentials(ctx, base)
		if err != nil {
			return Credentials{}, fmt.Errorf("%w: none in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) or the shared files (AWS_PROFILE), and the instance metadata service at %s: %v", ErrNoCredentials, base, err)
		}
		return c, nil
	}
}

// imdsCredentials asks IMDSv2 for the instance role's credentials.
func imdsCredentials(ctx context.Context, base string) (Credentials, error) {
	token, err := metadataRequest(ctx, http.MethodPut, base+"/latest/api/token",
		http.Header{"X-Aws-Ec2-Metadata-Token-Ttl-Seconds": {imdsTokenTTL}})
	if err != nil {
		return Credentials{}, fmt.Errorf("session token: %w", err)
	}
	h := http.Header{"X-Aws-Ec2-Metadata-Token": {strings.TrimSpace(string(token))}}
	const creds = "/latest/meta-data/iam/security-credentials/"
	roles, err := metadataRequest(ctx, http.MethodGet, base+creds, h)
	if err != nil {
		return Credentials{}, fmt.Errorf("instance role: %w", err)
	}
	role, _, _ := strings.Cut(strings.TrimSpace(string(roles)), "\n")
	if role == "" {
		return Credentials{}, errors.New("the instance has no IAM role")
	}
	body, err := metadataRequest(ctx, http.MethodGet, base+creds+url.PathEscape(role), h)
	if err != nil {
		return Credentials{}, fmt.Errorf("credentials of role %s: %w", role, err)
	}
	var m metadataCredentials
	if err := json.Unmarshal(body, &m); err != nil {
		return Credentials{}, fmt.Errorf("credentials of role %s: %w", role, err)
	}
	return m.credentials("the instance metadata service")
}

// metadataClient reaches the metadata services directly: they are
// link-local, never behind a proxy. Made per fetch (they are rare), so
// that nothing is built at start-up.
func metadataClient() *http.Client {
	return &http.Client{Transport: &http.Transport{
		DialContext:       (&net.Dialer{Timeout: metadataTimeout}).DialContext,
		DisableKeepAlives: true,
	}}
}

// metadataRequest sends one request to a metadata service and returns
// the reply's body: each attempt within metadataTimeout, a second one
// after a 5xx reply or a lost connection.
func metadataRequest(ctx context.Context, method, uri string, h http.Header) ([]byte, error) {
	var err error
	for attempt := 0; attempt < 2; attempt++ {
		var body []byte
		var retry bool
		body, retry, err = metadataOnce(ctx, method, uri, h)
		if err == nil || !retry {
			return body, err
		}
	}
	return nil, err
}

func metadataOnce(ctx context.Context, method, uri string, h http.Header) (body []byte, retry bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, metadataTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, uri, nil)
	if err != nil {
		return nil, false, err
	}
	req.Header = h.Clone()
	resp, err := metadataClient().Do(req)
	if err != nil {
		var ne net.Error
		return nil, !errors.As(err, &ne) || !ne.Timeout(), err
	}
	defer resp.Body.Close()
	body, err = io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, true, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, resp.StatusCode >= 500, fmt.Errorf("%s %s: %s", method, uri, resp.Status)
	}
	return body, false, nil
}
