package s3api

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// awsEnv lists every variable LoadConfig reads, so that a test starts
// from none of them.
var awsEnv = []string{
	"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_CA_BUNDLE", "AWS_MAX_ATTEMPTS",
	"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
	"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_WEB_IDENTITY_TOKEN_FILE",
	"AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE",
	"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
	"AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
	"AWS_EC2_METADATA_DISABLED", "AWS_EC2_METADATA_SERVICE_ENDPOINT", "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE",
}

// cleanEnv clears the AWS environment and points the shared files at
// credentials and config in a new directory, written when not "".
func cleanEnv(t *testing.T, credentials, config string) {
	t.Helper()
	for _, k := range awsEnv {
		t.Setenv(k, "")
	}
	dir := t.TempDir()
	t.Setenv("HOME", dir) // no ~/.aws of the machine's
	for name, text := range map[string]string{"credentials": credentials, "config": config} {
		p := filepath.Join(dir, name)
		if text != "" {
			if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		if name == "credentials" {
			t.Setenv("AWS_SHARED_CREDENTIALS_FILE", p)
		} else {
			t.Setenv("AWS_CONFIG_FILE", p)
		}
	}
}

const (
	testCredentials = `
[default]
aws_access_key_id = DEFKEY
aws_secret_access_key = defsecret

[dev]
aws_access_key_id=DEVKEY
aws_secret_access_key=devsecret
aws_session_token=devtoken
`
	testConfig = `
# comment
[default]
region = eu-central-1

[profile dev]
region = ap-south-1
endpoint_url = http://dev.example:9000

[profile local]
aws_access_key_id = LOCALKEY
aws_secret_access_key = localsecret
services = local-s3

[services local-s3]
s3 =
  endpoint_url = http://127.0.0.1:8333
sts =
  endpoint_url = http://127.0.0.1:1

[profile sso]
sso_session = corp
sso_account_id = 123

[profile role]
role_arn = arn:aws:iam::123:role/x
source_profile = default

[profile process]
credential_process = /bin/creds

[profile bare]
region = us-west-1
max_attempts = 7
`
)

// TestLoadConfig_Chain: where the region, the endpoint and the
// credentials come from, and in which order.
func TestLoadConfig_Chain(t *testing.T) {
	for _, c := range []struct {
		name     string
		env      map[string]string
		region   string
		endpoint string
		key      string
		token    string
		attempts int
	}{
		{"default profile", nil, "eu-central-1", "", "DEFKEY", "", 0},
		{"environment over profile", map[string]string{"AWS_ACCESS_KEY_ID": "ENVKEY", "AWS_SECRET_ACCESS_KEY": "s", "AWS_SESSION_TOKEN": "t"}, "eu-central-1", "", "ENVKEY", "t", 0},
		{"a key without its secret", map[string]string{"AWS_ACCESS_KEY_ID": "ENVKEY"}, "eu-central-1", "", "DEFKEY", "", 0},
		{"named profile", map[string]string{"AWS_PROFILE": "dev"}, "ap-south-1", "http://dev.example:9000", "DEVKEY", "devtoken", 0},
		{"AWS_DEFAULT_PROFILE", map[string]string{"AWS_DEFAULT_PROFILE": "dev"}, "ap-south-1", "http://dev.example:9000", "DEVKEY", "devtoken", 0},
		{"profile in the config file", map[string]string{"AWS_PROFILE": "local"}, "us-east-1", "http://127.0.0.1:8333", "LOCALKEY", "", 0},
		{"AWS_REGION first", map[string]string{"AWS_PROFILE": "dev", "AWS_REGION": "sa-east-1", "AWS_DEFAULT_REGION": "us-west-2"}, "sa-east-1", "http://dev.example:9000", "DEVKEY", "devtoken", 0},
		{"AWS_DEFAULT_REGION", map[string]string{"AWS_DEFAULT_REGION": "us-west-2"}, "us-west-2", "", "DEFKEY", "", 0},
		{"AWS_ENDPOINT_URL", map[string]string{"AWS_PROFILE": "dev", "AWS_ENDPOINT_URL": "http://all.example"}, "ap-south-1", "http://all.example", "DEVKEY", "devtoken", 0},
		{"AWS_ENDPOINT_URL_S3 first", map[string]string{"AWS_ENDPOINT_URL": "http://all.example", "AWS_ENDPOINT_URL_S3": "https://s3.example"}, "eu-central-1", "https://s3.example", "DEFKEY", "", 0},
		{"ignored endpoints", map[string]string{"AWS_PROFILE": "dev", "AWS_ENDPOINT_URL": "http://all.example", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"}, "ap-south-1", "", "DEVKEY", "devtoken", 0},
		{"AWS_MAX_ATTEMPTS", map[string]string{"AWS_MAX_ATTEMPTS": "2"}, "eu-central-1", "", "DEFKEY", "", 2},
		{"max_attempts", map[string]string{"AWS_PROFILE": "bare", "AWS_ACCESS_KEY_ID": "K", "AWS_SECRET_ACCESS_KEY": "S"}, "us-west-1", "", "K", "", 7},
	} {
		t.Run(c.name, func(t *testing.T) {
			cleanEnv(t, testCredentials, testConfig)
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			cfg, err := LoadConfig()
			if err != nil {
				t.Fatal(err)
			}
			cl, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			if cl.Region() != c.region || cfg.Endpoint != c.endpoint || cfg.Attempts != c.attempts {
				t.Errorf("region %q endpoint %q attempts %d, want %q %q %d", cl.Region(), cfg.Endpoint, cfg.Attempts, c.region, c.endpoint, c.attempts)
			}
			creds, err := cfg.Credentials(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if creds.AccessKeyID != c.key || creds.SessionToken != c.token || creds.SecretAccessKey == "" {
				t.Errorf("credentials %+v, want key %s token %q", creds, c.key, c.token)
			}
		})
	}
}

// TestLoadConfig_Errors: each configuration chime cannot use is one line
// naming what is wrong and what to do.
func TestLoadConfig_Errors(t *testing.T) {
	for _, c := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"missing profile", map[string]string{"AWS_PROFILE": "nosuch"}, `AWS profile "nosuch" is in neither`},
		{"sso", map[string]string{"AWS_PROFILE": "sso"}, `AWS profile "sso" gets its credentials by sso_session, which chime does not support: export them first (eval "$(aws configure export-credentials --profile sso --format env)")`},
		{"assume role", map[string]string{"AWS_PROFILE": "role"}, `by role_arn, which chime does not support`},
		{"credential process", map[string]string{"AWS_PROFILE": "process"}, `by credential_process, which chime does not support`},
		{"web identity", map[string]string{"AWS_PROFILE": "bare", "AWS_WEB_IDENTITY_TOKEN_FILE": "/var/run/token"}, "chime does not support web identity credentials"},
		{"endpoint not a URL", map[string]string{"AWS_ENDPOINT_URL": "127.0.0.1:9000"}, `AWS_ENDPOINT_URL "127.0.0.1:9000" is not an endpoint URL`},
		{"endpoint ftp", map[string]string{"AWS_ENDPOINT_URL_S3": "ftp://host"}, `AWS_ENDPOINT_URL_S3 "ftp://host" is not an endpoint URL`},
		{"attempts not a number", map[string]string{"AWS_MAX_ATTEMPTS": "many"}, `AWS_MAX_ATTEMPTS "many" is not a number of attempts`},
		{"no attempts", map[string]string{"AWS_MAX_ATTEMPTS": "0"}, `AWS_MAX_ATTEMPTS "0" is not a number of attempts`},
		{"container over plain http elsewhere", map[string]string{"AWS_PROFILE": "bare", "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://creds.example/x"}, "plain http only to a loopback address"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cleanEnv(t, testCredentials, testConfig)
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			_, err := LoadConfig()
			if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("got %v, want one line with %q", err, c.want)
			}
		})
	}
}

// TestLoadConfig_NoCredentials: with none anywhere and the metadata
// service disabled, the first request says so (LoadConfig sends none).
func TestLoadConfig_NoCredentials(t *testing.T) {
	cleanEnv(t, "", "")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	cfg, err := LoadConfig()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Region != "" || cfg.Endpoint != "" {
		t.Fatalf("region %q endpoint %q from nothing", cfg.Region, cfg.Endpoint)
	}
	_, err = cfg.Credentials(context.Background())
	if !errors.Is(err, ErrNoCredentials) || !strings.Contains(err.Error(), "set AWS_ACCESS_KEY_ID") {
		t.Fatalf("got %v", err)
	}
}

// TestLoadConfig_BadFile: a shared file chime cannot read says where.
func TestLoadConfig_BadFile(t *testing.T) {
	cleanEnv(t, "[default]\naws_access_key_id\n", "")
	_, err := LoadConfig()
	if err == nil || !strings.Contains(err.Error(), "credentials:2: neither a [section] nor key = value") {
		t.Fatalf("got %v", err)
	}
}
