// Package localauth mints and verifies the HS256 JWTs of the local API. In AWS,
// API Gateway's JWT authorizer checks tokens and the handlers read the
// verified claims from the request context; locally, the local API server
// calls Verify and puts the same claims there, so handlers cannot tell the
// difference.
//
// Its rules, those of the deployed authorizer:
//   - Only HS256 with the local secret; alg none and other algorithms are
//     refused. exp is required and must be in the future, nbf (if any) in
//     the past, and sub must be a valid user ID.
//   - With an issuer configured (LOCAL_JWT_ISSUER, the template's
//     JwtIssuer), iss must equal it.
//   - With audiences configured (LOCAL_JWT_AUDIENCE, comma separated, the
//     template's JwtAudience), aud must name one of them; a token without
//     aud may name one in client_id instead (Cognito's access tokens).
//   - Without them, iss and aud are not checked, as before they existed.
package localauth

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
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

// Authorizer is the local JWT authorizer: the key, and the issuer and
// audiences it requires (empty: not checked).
type Authorizer struct {
	Secret   []byte
	Issuer   string
	Audience []string
}

// FromEnv is the authorizer that LOCAL_JWT_SECRET (default
// DefaultLocalSecret), LOCAL_JWT_ISSUER and LOCAL_JWT_AUDIENCE configure;
// `make token` mints with it and `make run` verifies with it.
func FromEnv() Authorizer {
	a := Authorizer{Secret: []byte(DefaultLocalSecret), Issuer: os.Getenv("LOCAL_JWT_ISSUER")}
	if s := os.Getenv("LOCAL_JWT_SECRET"); s != "" {
		a.Secret = []byte(s)
	}
	a.Audience = SplitList(os.Getenv("LOCAL_JWT_AUDIENCE"))
	return a
}

// SplitList splits a comma-separated list, as the template's JwtAudience
// is, dropping blanks.
func SplitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// Mint signs a token for sub that expires after ttl, with the issuer and
// audiences a verifies.
func (a Authorizer) Mint(sub string, ttl time.Duration) (string, error) {
	claims := jwt.MapClaims{}
	if a.Issuer != "" {
		claims["iss"] = a.Issuer
	}
	if len(a.Audience) > 0 {
		claims["aud"] = a.Audience
	}
	return mint(a.Secret, sub, ttl, claims)
}

// Verify checks token as the deployed authorizer would (see the package
// doc).
func (a Authorizer) Verify(token string) (Claims, error) {
	c, err := Verify(a.Secret, token)
	if err != nil {
		return c, err
	}
	if a.Issuer != "" {
		if iss, _ := c.All["iss"].(string); iss != a.Issuer {
			return Claims{}, fmt.Errorf("%w: iss is not %s", ErrInvalidToken, a.Issuer)
		}
	}
	if len(a.Audience) > 0 {
		aud, err := jwt.MapClaims(c.All).GetAudience()
		if err != nil {
			return Claims{}, fmt.Errorf("%w: malformed aud", ErrInvalidToken)
		}
		if _, has := c.All["aud"]; !has {
			if id, _ := c.All["client_id"].(string); id != "" {
				aud = []string{id}
			}
		}
		if !slices.ContainsFunc(aud, func(v string) bool { return slices.Contains(a.Audience, v) }) {
			return Claims{}, fmt.Errorf("%w: aud names none of the accepted audiences", ErrInvalidToken)
		}
	}
	return c, nil
}

// UserTokens gives the tools that call the API as several users (make
// seed, the examples) a token per user: the shell command TOKEN_CMD's,
// run with the user ID as its last argument, when it is set (a deployed
// stack's identity provider); else one minted by FromEnv.
func UserTokens() func(ctx context.Context, user string) (string, error) {
	if cmd := os.Getenv("TOKEN_CMD"); cmd != "" {
		return func(ctx context.Context, user string) (string, error) {
			out, err := exec.CommandContext(ctx, "sh", "-c", cmd+` "$1"`, "token", user).Output()
			if err != nil {
				return "", fmt.Errorf("TOKEN_CMD: %w", err)
			}
			return strings.TrimSpace(string(out)), nil
		}
	}
	a := FromEnv()
	return func(_ context.Context, user string) (string, error) { return a.Mint(user, time.Hour) }
}

// Mint signs a token for sub that expires after ttl.
func Mint(secret []byte, sub string, ttl time.Duration) (string, error) {
	return mint(secret, sub, ttl, jwt.MapClaims{})
}

func mint(secret []byte, sub string, ttl time.Duration, claims jwt.MapClaims) (string, error) {
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
	claims["sub"], claims["iat"], claims["exp"] = sub, now.Unix(), now.Add(ttl).Unix()
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(secret)
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
		jwt.WithIssuedAt(), // a token issued in the future is refused
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
