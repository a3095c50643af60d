// Package localauth mints and verifies the HS256 JWTs of the local API. In AWS,
// API Gateway's JWT authorizer checks tokens and the handlers read the
// verified claims from the request context; locally, the local API server
// calls Verify and puts the same claims there, so handlers cannot tell the
// difference.
package localauth

import (
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// DefaultLocalSecret is the signing key of the local API when
// LOCAL_JWT_SECRET is unset. It protects nothing; it only makes local
// requests carry a real, verifiable token.
const DefaultLocalSecret = "circles-local-dev-secret"

// ErrInvalidToken is wrapped by every error Verify returns.
var ErrInvalidToken = errors.New("invalid token")

// subjectPattern is the ID format of the spec: no '#' or '/' may reach a key.
var subjectPattern = regexp.MustCompile(`^[A-Za-z0-9_.@:-]{1,64}$`)

// Claims are the verified claims of a token.
type Claims struct {
	Subject   string
	ExpiresAt time.Time
	// All holds every claim of the token as decoded from JSON (numbers are
	// float64 or json.Number), for the authorizer context.
	All map[string]any
}

// Mint signs a token for sub that expires after ttl.
func Mint(secret []byte, sub string, ttl time.Duration) (string, error) {
	if len(secret) == 0 {
		return "", errors.New("localauth: empty secret")
	}
	if !subjectPattern.MatchString(sub) {
		return "", fmt.Errorf("localauth: user id %q does not match %s", sub, subjectPattern)
	}
	if ttl <= 0 {
		return "", fmt.Errorf("localauth: ttl %v must be positive", ttl)
	}
	now := time.Now()
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"sub": sub,
		"iat": now.Unix(),
		"exp": now.Add(ttl).Unix(),
	})
	return tok.SignedString(secret)
}

// Verify checks token and returns its claims. It accepts only HS256 tokens
// signed with secret (so "alg: none" and algorithm confusion are refused),
// with an exp in the future and a sub that is a valid user id. Every error
// wraps ErrInvalidToken and its message is safe to show to the caller.
func Verify(secret []byte, token string) (Claims, error) {
	if len(secret) == 0 {
		return Claims{}, errors.New("localauth: empty secret")
	}
	claims := jwt.MapClaims{}
	tok, err := jwt.ParseWithClaims(token, claims,
		func(*jwt.Token) (any, error) { return secret, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithExpirationRequired(),
	)
	if err != nil {
		if tok != nil && tok.Method != nil && tok.Method.Alg() != jwt.SigningMethodHS256.Alg() {
			return Claims{}, fmt.Errorf("%w: signing algorithm %q is not accepted", ErrInvalidToken, tok.Method.Alg())
		}
		return Claims{}, fmt.Errorf("%w: %s", ErrInvalidToken, reason(err))
	}
	sub, err := claims.GetSubject()
	if err != nil || sub == "" {
		return Claims{}, fmt.Errorf("%w: missing sub claim", ErrInvalidToken)
	}
	if !subjectPattern.MatchString(sub) {
		return Claims{}, fmt.Errorf("%w: sub is not a valid user id", ErrInvalidToken)
	}
	exp, err := claims.GetExpirationTime()
	if err != nil || exp == nil {
		return Claims{}, fmt.Errorf("%w: missing exp claim", ErrInvalidToken)
	}
	return Claims{Subject: sub, ExpiresAt: exp.Time, All: claims}, nil
}

// reason turns jwt's errors into short messages for the 401 body.
func reason(err error) string {
	switch {
	case errors.Is(err, jwt.ErrTokenMalformed):
		return "malformed token"
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return "bad signature"
	case errors.Is(err, jwt.ErrTokenUnverifiable):
		return "unsupported signing algorithm"
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		return "missing exp claim"
	case errors.Is(err, jwt.ErrTokenExpired):
		return "token expired"
	case errors.Is(err, jwt.ErrTokenNotValidYet), errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return "token not valid yet"
	case errors.Is(err, jwt.ErrTokenInvalidClaims):
		return "invalid claims"
	}
	return "invalid token"
}
