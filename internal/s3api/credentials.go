package s3api

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"
)

// Credentials are an access key pair, and the session token of temporary
// credentials.
type Credentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	// Expires is when temporary credentials stop working; zero for
	// credentials that do not expire.
	Expires time.Time
}

// Provider supplies credentials: a fixed pair, or temporary credentials
// fetched from the container or instance metadata service. A Client
// caches what it returns (see credentialCache).
type Provider func(ctx context.Context) (Credentials, error)

// Static is a Provider of fixed credentials.
func Static(c Credentials) Provider {
	return func(context.Context) (Credentials, error) { return c, nil }
}

// ErrNoCredentials is wrapped when no credentials are configured
// anywhere the chain looks.
var ErrNoCredentials = errors.New("no AWS credentials")

const (
	// refreshBefore is how long before they expire temporary credentials
	// are fetched again: a request signed with them must arrive in time.
	refreshBefore = 5 * time.Minute
	// failureHold is how long a failure to fetch credentials is returned
	// again without a new fetch, so that parallel requests do not all
	// wait on a metadata service that is not there.
	failureHold = 5 * time.Second
)

// credentialCache holds a provider's latest credentials, fetched once
// for concurrent callers.
type credentialCache struct {
	p Provider

	mu    sync.Mutex // held during a fetch: waiters get its outcome
	c     Credentials
	ok    bool
	err   error
	errAt time.Time
}

func (cc *credentialCache) get(ctx context.Context) (Credentials, error) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	now := time.Now()
	if cc.ok && (cc.c.Expires.IsZero() || now.Before(cc.c.Expires.Add(-refreshBefore))) {
		return cc.c, nil
	}
	if cc.err != nil && now.Sub(cc.errAt) < failureHold {
		return Credentials{}, cc.err
	}
	c, err := cc.p(ctx)
	if err != nil {
		cc.err, cc.errAt = err, now
		if cc.ok && now.Before(cc.c.Expires) {
			return cc.c, nil // still valid: the refresh can wait
		}
		return Credentials{}, err
	}
	cc.c, cc.ok, cc.err = c, true, nil
	return c, nil
}

// credentialChain picks the source of credentials, in the order of the
// SDK's default chain: the environment's key pair, the profile's, the
// container endpoint, the EC2 instance metadata service. The sources it
// does not support (web identity, single sign-on, assume-role, external
// processes) are an error naming the way around them.
func credentialChain(p profile) (Provider, error) {
	if id, secret := os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY"); id != "" && secret != "" {
		return Static(Credentials{AccessKeyID: id, SecretAccessKey: secret, SessionToken: os.Getenv("AWS_SESSION_TOKEN")}), nil
	}
	if os.Getenv("AWS_WEB_IDENTITY_TOKEN_FILE") != "" {
		return nil, fmt.Errorf("AWS_WEB_IDENTITY_TOKEN_FILE is set, but chime does not support web identity credentials: export credentials first (%s)", exportHint(p.name))
	}
	if id, secret := p.get("aws_access_key_id"), p.get("aws_secret_access_key"); id != "" && secret != "" {
		return Static(Credentials{AccessKeyID: id, SecretAccessKey: secret, SessionToken: p.get("aws_session_token")}), nil
	}
	for _, k := range []string{"sso_session", "sso_start_url", "role_arn", "credential_source", "source_profile", "web_identity_token_file", "credential_process", "login_session"} {
		if p.get(k) != "" {
			return nil, fmt.Errorf("AWS profile %q gets its credentials by %s, which chime does not support: export them first (%s)", p.name, k, exportHint(p.name))
		}
	}
	if c, ok, err := containerSource(); ok || err != nil {
		return c, err
	}
	if !strings.EqualFold(os.Getenv("AWS_EC2_METADATA_DISABLED"), "true") {
		return imdsSource(), nil
	}
	return func(context.Context) (Credentials, error) {
		return Credentials{}, fmt.Errorf("%w: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE", ErrNoCredentials)
	}, nil
}

func exportHint(profile string) string {
	return fmt.Sprintf(`eval "$(aws configure export-credentials --profile %s --format env)"`, profile)
}
