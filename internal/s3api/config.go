package s3api

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// DefaultRegion is the region when none is configured: custom endpoints
// ignore it, and AWS routes us-east-1's signatures everywhere.
const DefaultRegion = "us-east-1"

// Config is where and how a Client reaches S3. The zero value of every
// field but Credentials is a default.
type Config struct {
	// Endpoint is a custom endpoint, http[s]://HOST[:PORT][/PATH]
	// (MinIO, SeaweedFS, Ceph RGW, R2), whose buckets are addressed by
	// path; "" is AWS, whose buckets are addressed by virtual host.
	Endpoint string
	// Region signs the requests; "" is DefaultRegion.
	Region string
	// Credentials sign the requests.
	Credentials Provider
	// CABundle is a PEM file of the certificates to trust instead of
	// the system's, over TLS; "" for the system's.
	CABundle string
	// Timeout bounds the silence of each attempt of a request: it fails
	// once nothing moved either way for that long, or its reply's
	// headers took longer (a transfer that progresses takes what it
	// takes); 0 is 30 s.
	Timeout time.Duration
	// Attempts bounds the attempts of each request; 0 is 4. LoadConfig
	// sets it from AWS_MAX_ATTEMPTS or the profile's max_attempts.
	Attempts int
	// MaxBackoff bounds the pause between attempts; 0 is 2 s.
	MaxBackoff time.Duration
}

// LoadConfig reads the configuration of the standard AWS environment and
// shared files (see the package documentation). It sends no request:
// credentials from the container or instance metadata service are
// fetched on the first request that needs them.
func LoadConfig() (Config, error) {
	profile := cmp.Or(os.Getenv("AWS_PROFILE"), os.Getenv("AWS_DEFAULT_PROFILE"))
	prof, err := loadProfile(profile)
	if err != nil {
		return Config{}, err
	}
	c := Config{
		Region:   cmp.Or(os.Getenv("AWS_REGION"), os.Getenv("AWS_DEFAULT_REGION"), prof.get("region")),
		CABundle: cmp.Or(os.Getenv("AWS_CA_BUNDLE"), prof.get("ca_bundle")),
	}
	if c.Endpoint, err = endpointFrom(prof); err != nil {
		return Config{}, err
	}
	if c.Attempts, err = attemptsFrom(prof); err != nil {
		return Config{}, err
	}
	if c.Credentials, err = credentialChain(prof); err != nil {
		return Config{}, err
	}
	return c, nil
}

// endpointFrom is the custom endpoint configured: AWS_ENDPOINT_URL_S3,
// AWS_ENDPOINT_URL, the s3 endpoint_url of the profile's services
// section, the profile's endpoint_url; none when
// AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true.
func endpointFrom(prof profile) (string, error) {
	if strings.EqualFold(os.Getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"), "true") {
		return "", nil
	}
	e, from := os.Getenv("AWS_ENDPOINT_URL_S3"), "AWS_ENDPOINT_URL_S3"
	if e == "" {
		e, from = os.Getenv("AWS_ENDPOINT_URL"), "AWS_ENDPOINT_URL"
	}
	if e == "" {
		e, from = cmp.Or(prof.services["s3.endpoint_url"], prof.get("endpoint_url")), "endpoint_url of profile "+prof.name
	}
	if e == "" {
		return "", nil
	}
	u, err := url.Parse(e)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("%s %q is not an endpoint URL (http[s]://HOST[:PORT])", from, e)
	}
	return e, nil
}

// attemptsFrom is the number of attempts configured: AWS_MAX_ATTEMPTS,
// the profile's max_attempts; 0 when neither says.
func attemptsFrom(prof profile) (int, error) {
	v, from := os.Getenv("AWS_MAX_ATTEMPTS"), "AWS_MAX_ATTEMPTS"
	if v == "" {
		v, from = prof.get("max_attempts"), "max_attempts of profile "+prof.name
	}
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("%s %q is not a number of attempts (1 or more)", from, v)
	}
	return n, nil
}

// profile is a named profile of the shared files: its keys from the
// credentials file over those of the config file, and its services
// section.
type profile struct {
	name     string
	creds    map[string]string // credentials file
	conf     map[string]string // config file
	services map[string]string
}

func (p profile) get(k string) string { return cmp.Or(p.creds[k], p.conf[k]) }

// loadProfile reads the profile name ("" for default) from the shared
// credentials file (AWS_SHARED_CREDENTIALS_FILE, ~/.aws/credentials) and
// config file (AWS_CONFIG_FILE, ~/.aws/config). Missing files are empty;
// a profile named explicitly must exist in one of them.
func loadProfile(name string) (profile, error) {
	explicit := name != ""
	p := profile{name: cmp.Or(name, "default")}
	credsFile, confFile := sharedFiles()
	creds, err := readINI(credsFile)
	if err != nil {
		return p, err
	}
	conf, err := readINI(confFile)
	if err != nil {
		return p, err
	}
	p.creds = creds[p.name]
	p.conf = conf["profile "+p.name]
	if p.conf == nil && p.name == "default" {
		p.conf = conf["default"]
	}
	if explicit && p.creds == nil && p.conf == nil {
		return p, fmt.Errorf("AWS profile %q is in neither %s nor %s", p.name, credsFile, confFile)
	}
	if s := p.conf["services"]; s != "" {
		p.services = conf["services "+s]
	}
	return p, nil
}

// sharedFiles are the paths of the shared credentials and config files.
func sharedFiles() (creds, conf string) {
	home, _ := os.UserHomeDir()
	creds = cmp.Or(os.Getenv("AWS_SHARED_CREDENTIALS_FILE"), filepath.Join(home, ".aws", "credentials"))
	conf = cmp.Or(os.Getenv("AWS_CONFIG_FILE"), filepath.Join(home, ".aws", "config"))
	return creds, conf
}

// readINI reads and parses a shared file; a missing one is empty.
func readINI(path string) (iniFile, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return iniFile{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the AWS shared file: %w", err)
	}
	return parseINI(path, data)
}
