package server

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"
)

// requireToken answers 401 to every request that does not carry
// `Authorization: Bearer <token>`, before routing, so that an
// unauthenticated client learns nothing, not even which paths exist.
//
// Both tokens are hashed before the constant-time comparison, so that the
// time taken does not even reveal the token's length.
func requireToken(token string, next http.Handler) http.Handler {
	if token == "" {
		return next
	}
	want := sha256.Sum256([]byte(token))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, ok := bearer(r)
		sum := sha256.Sum256([]byte(got))
		if subtle.ConstantTimeCompare(sum[:], want[:]) != 1 || !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="chime"`)
			writeError(w, r, errorf(http.StatusUnauthorized, "missing or wrong bearer token (send Authorization: Bearer TOKEN)"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// bearer returns the token of an `Authorization: Bearer` header; the
// scheme is case-insensitive (RFC 9110).
func bearer(r *http.Request) (string, bool) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	return strings.TrimSpace(token), true
}
