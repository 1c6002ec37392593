package s3api

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Signature Version 4 (AWS's "Signing AWS API requests"): the request is
// reduced to a canonical form, whose hash is signed, with a key derived
// from the secret for the day, region and service, in the Authorization
// header.

const (
	algorithm  = "AWS4-HMAC-SHA256"
	service    = "s3"
	amzDate    = "20060102T150405Z"
	scopeDate  = "20060102"
	terminator = "aws4_request"

	// unsignedPayload is the payload hash of a body left out of the
	// signature (over TLS, which protects it).
	unsignedPayload = "UNSIGNED-PAYLOAD"
	// emptyHash is the SHA-256 of no bytes.
	emptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
)

// sign signs r for region at time t: it sets X-Amz-Date,
// X-Amz-Content-Sha256 (payloadHash), X-Amz-Security-Token for temporary
// credentials, and Authorization. Every header r carries then is signed,
// with host and, for a body, content-length; r's URL must be in the form
// it is sent (its escaped path is signed as it is: S3 does not encode
// paths twice).
func sign(r *http.Request, c Credentials, region, payloadHash string, t time.Time) {
	t = t.UTC()
	r.Header.Set("X-Amz-Date", t.Format(amzDate))
	r.Header.Set("X-Amz-Content-Sha256", payloadHash)
	if c.SessionToken != "" {
		r.Header.Set("X-Amz-Security-Token", c.SessionToken)
	}
	r.Header.Del("Authorization")
	names, canonical := canonicalHeaders(r)
	req := strings.Join([]string{
		r.Method,
		canonicalPath(r.URL),
		canonicalQuery(r.URL),
		canonical,
		names,
		payloadHash,
	}, "\n")
	scope := t.Format(scopeDate) + "/" + region + "/" + service + "/" + terminator
	toSign := algorithm + "\n" + t.Format(amzDate) + "\n" + scope + "\n" + hexSHA256([]byte(req))
	key := signingKey(c.SecretAccessKey, t.Format(scopeDate), region)
	r.Header.Set("Authorization", algorithm+" Credential="+c.AccessKeyID+"/"+scope+
		", SignedHeaders="+names+", Signature="+hex.EncodeToString(hmacSHA256(key, toSign)))
}

// signingKey derives the day's key from the secret.
func signingKey(secret, day, region string) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), day)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, service)
	return hmacSHA256(k, terminator)
}

func hmacSHA256(key []byte, data string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(data))
	return h.Sum(nil)
}

func hexSHA256(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// unsigned reports the headers left out of signatures (lower case):
// proxies and transports may change them.
func unsigned(name string) bool {
	switch name {
	case "authorization", "user-agent", "x-amzn-trace-id", "expect", "transfer-encoding", "content-length":
		return true
	}
	return false
}

// canonicalHeaders returns the signed header names (lower case, sorted,
// joined by ';') and their canonical block: "name:value\n" each, values
// trimmed, inner runs of spaces made one, several values joined by ','.
func canonicalHeaders(r *http.Request) (names, block string) {
	vals := map[string][]string{"host": {hostOf(r)}}
	if r.ContentLength > 0 {
		vals["content-length"] = []string{strconv.FormatInt(r.ContentLength, 10)}
	}
	for k, v := range r.Header {
		k = strings.ToLower(k)
		if unsigned(k) { // content-length: from r.ContentLength, as sent
			continue
		}
		vals[k] = append(vals[k], v...)
	}
	keys := make([]string, 0, len(vals))
	for k := range vals {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(k)
		b.WriteByte(':')
		for i, v := range vals[k] {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strings.Join(strings.Fields(v), " "))
		}
		b.WriteByte('\n')
	}
	return strings.Join(keys, ";"), b.String()
}

func hostOf(r *http.Request) string {
	if r.Host != "" {
		return r.Host
	}
	return r.URL.Host
}

// canonicalPath is the path as sent.
func canonicalPath(u *url.URL) string {
	if p := u.EscapedPath(); p != "" {
		return p
	}
	return "/"
}

// canonicalQuery is the query's parameters sorted by name, then value,
// each encoded (escape).
func canonicalQuery(u *url.URL) string {
	q := u.Query()
	pairs := make([][2]string, 0, len(q))
	for k, vs := range q {
		for _, v := range vs {
			pairs = append(pairs, [2]string{escape(k, false), escape(v, false)})
		}
	}
	slices.SortFunc(pairs, func(a, b [2]string) int {
		if c := strings.Compare(a[0], b[0]); c != 0 {
			return c
		}
		return strings.Compare(a[1], b[1])
	})
	var b strings.Builder
	for i, p := range pairs {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p[0] + "=" + p[1])
	}
	return b.String()
}

// escape percent-encodes every byte of s but the unreserved characters
// (A-Z a-z 0-9 - . _ ~), and '/' when it is a path's: SigV4's URI
// encoding, which the request's URL must use too.
func escape(s string, path bool) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
			c == '-' || c == '.' || c == '_' || c == '~' || c == '/' && path {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}
