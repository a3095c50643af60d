package localauth

import (
	"encoding/base64"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var secret = []byte("test-secret")

// sign builds a token with arbitrary claims and method, for the rejections
// Mint would never produce.
func sign(t *testing.T, method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	require.NoError(t, err)
	return s
}

func TestMintThenVerifyReturnsSubjectAndExpiry(t *testing.T) {
	tok, err := Mint(secret, "alice", time.Hour)
	require.NoError(t, err)

	c, err := Verify(secret, tok)
	require.NoError(t, err)
	assert.Equal(t, "alice", c.Subject)
	assert.WithinDuration(t, time.Now().Add(time.Hour), c.ExpiresAt, 2*time.Second)
	assert.Equal(t, "alice", c.All["sub"])
	assert.Contains(t, c.All, "exp")
}

func TestVerifyAcceptsEveryValidUserIDCharacter(t *testing.T) {
	for _, sub := range []string{"a", "user_1.x@example.com:tenant-2", strings.Repeat("x", 64)} {
		tok, err := Mint(secret, sub, time.Minute)
		require.NoError(t, err)
		c, err := Verify(secret, tok)
		require.NoError(t, err, sub)
		assert.Equal(t, sub, c.Subject)
	}
}

func TestVerifyRejects(t *testing.T) {
	future := time.Now().Add(time.Hour).Unix()
	valid := jwt.MapClaims{"sub": "alice", "exp": future}
	noneToken := sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, valid)
	goodToken := sign(t, jwt.SigningMethodHS256, secret, valid)
	parts := strings.Split(goodToken, ".")

	tests := []struct {
		name  string
		token string
		want  string
	}{
		{"alg none", noneToken, "not accepted"},
		{"alg none with the signature stripped from a valid token",
			base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + parts[1] + ".", "not accepted"},
		{"HS512 even with the right key", sign(t, jwt.SigningMethodHS512, secret, valid), "not accepted"},
		{"HS384 even with the right key", sign(t, jwt.SigningMethodHS384, secret, valid), "not accepted"},
		{"bad signature (other key)", sign(t, jwt.SigningMethodHS256, []byte("other"), valid), "bad signature"},
		{"tampered payload", parts[0] + "." +
			base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"admin","exp":`+strconv.FormatInt(future, 10)+`}`)) + "." + parts[2], "bad signature"},
		{"expired", sign(t, jwt.SigningMethodHS256, secret, jwt.MapClaims{"sub": "alice", "exp": time.Now().Add(-time.Minute).Unix()}), "expired"},
		{"no exp", sign(t, jwt.SigningMethodHS256, secret, jwt.MapClaims{"sub": "alice"}), "missing exp"},
		{"exp not a number", sign(t, jwt.SigningMethodHS256, secret, jwt.MapClaims{"sub": "alice", "exp": "tomorrow"}), "invalid claims"},
		{"not yet valid", sign(t, jwt.SigningMethodHS256, secret, jwt.MapClaims{"sub": "alice", "exp": future, "nbf": future}), "not valid yet"},
		{"issued in the future", sign(t, jwt.SigningMethodHS256, secret, jwt.MapClaims{"sub": "alice", "exp": future, "iat": future}), "not valid yet"},
		{"no sub", sign(t, jwt.SigningMethodHS256, secret, jwt.MapClaims{"exp": future}), "missing sub"},
		{"empty sub", sign(t, jwt.SigningMethodHS256, secret, jwt.MapClaims{"sub": "", "exp": future}), "missing sub"},
		{"sub with '#'", sign(t, jwt.SigningMethodHS256, secret, jwt.MapClaims{"sub": "G#1", "exp": future}), "not a valid user id"},
		{"sub with '/'", sign(t, jwt.SigningMethodHS256, secret, jwt.MapClaims{"sub": "a/b", "exp": future}), "not a valid user id"},
		{"sub too long", sign(t, jwt.SigningMethodHS256, secret, jwt.MapClaims{"sub": strings.Repeat("x", 65), "exp": future}), "not a valid user id"},
		{"sub not a string", sign(t, jwt.SigningMethodHS256, secret, jwt.MapClaims{"sub": 42, "exp": future}), "missing sub"},
		{"empty string", "", "malformed"},
		{"garbage", "not.a.jwt", "malformed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Verify(secret, tt.token)
			require.ErrorIs(t, err, ErrInvalidToken)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestVerifyRefusesAnEmptySecret(t *testing.T) {
	tok := sign(t, jwt.SigningMethodHS256, []byte{0}, jwt.MapClaims{"sub": "alice", "exp": time.Now().Add(time.Hour).Unix()})
	_, err := Verify(nil, tok)
	assert.Error(t, err)
}

func TestMintRejects(t *testing.T) {
	tests := []struct {
		name   string
		secret []byte
		sub    string
		ttl    time.Duration
	}{
		{"empty secret", nil, "alice", time.Hour},
		{"invalid user id", secret, "a#b", time.Hour},
		{"empty user id", secret, "", time.Hour},
		{"zero ttl", secret, "alice", 0},
		{"negative ttl", secret, "alice", -time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Mint(tt.secret, tt.sub, tt.ttl)
			assert.Error(t, err)
		})
	}
}

// With an issuer and audiences configured, a token must name them as API
// Gateway's JWT authorizer requires: iss equal, and aud (or, without aud,
// client_id) naming one of the audiences. Without them, neither is checked.
func TestAnAuthorizerRequiresItsIssuerAndOneOfItsAudiences(t *testing.T) {
	future := time.Now().Add(time.Hour).Unix()
	a := Authorizer{Secret: secret, Issuer: "https://idp.example", Audience: []string{"web", "mobile"}}
	claims := func(extra jwt.MapClaims) jwt.MapClaims {
		c := jwt.MapClaims{"sub": "alice", "exp": future}
		for k, v := range extra {
			c[k] = v
		}
		return c
	}
	tests := []struct {
		name   string
		claims jwt.MapClaims
		want   string // "" accepted, else part of the error
	}{
		{"iss and one audience", claims(jwt.MapClaims{"iss": "https://idp.example", "aud": "mobile"}), ""},
		{"iss and a list with one audience", claims(jwt.MapClaims{"iss": "https://idp.example", "aud": []string{"other", "web"}}), ""},
		{"client_id instead of aud", claims(jwt.MapClaims{"iss": "https://idp.example", "client_id": "web"}), ""},
		{"no iss", claims(jwt.MapClaims{"aud": "web"}), "iss is not"},
		{"another iss", claims(jwt.MapClaims{"iss": "https://evil.example", "aud": "web"}), "iss is not"},
		{"no aud", claims(jwt.MapClaims{"iss": "https://idp.example"}), "aud names none"},
		{"another aud", claims(jwt.MapClaims{"iss": "https://idp.example", "aud": "desktop"}), "aud names none"},
		{"aud wins over client_id", claims(jwt.MapClaims{"iss": "https://idp.example", "aud": "desktop", "client_id": "web"}), "aud names none"},
		{"a malformed aud", claims(jwt.MapClaims{"iss": "https://idp.example", "aud": 7}), "aud"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := sign(t, jwt.SigningMethodHS256, secret, tt.claims)
			c, err := a.Verify(tok)
			if tt.want == "" {
				require.NoError(t, err)
				assert.Equal(t, "alice", c.Subject)
				return
			}
			require.ErrorIs(t, err, ErrInvalidToken)
			assert.Contains(t, err.Error(), tt.want)
			_, err = Authorizer{Secret: secret}.Verify(tok)
			assert.NoError(t, err, "without an issuer and audiences the same token passes")
		})
	}
}

func TestAnAuthorizerMintsTheClaimsItRequires(t *testing.T) {
	a := Authorizer{Secret: secret, Issuer: "https://idp.example", Audience: []string{"web"}}
	tok, err := a.Mint("alice", time.Hour)
	require.NoError(t, err)
	c, err := a.Verify(tok)
	require.NoError(t, err)
	assert.Equal(t, "https://idp.example", c.All["iss"])
	assert.Equal(t, []any{"web"}, c.All["aud"])

	plain, err := Authorizer{Secret: secret}.Mint("alice", time.Hour)
	require.NoError(t, err)
	_, err = a.Verify(plain)
	assert.ErrorIs(t, err, ErrInvalidToken, "a token minted without them is refused")
}

func TestFromEnvReadsTheSecretIssuerAndAudiences(t *testing.T) {
	t.Setenv("LOCAL_JWT_SECRET", "")
	t.Setenv("LOCAL_JWT_ISSUER", "")
	t.Setenv("LOCAL_JWT_AUDIENCE", "")
	assert.Equal(t, Authorizer{Secret: []byte(DefaultLocalSecret)}, FromEnv())
	t.Setenv("LOCAL_JWT_SECRET", "s")
	t.Setenv("LOCAL_JWT_ISSUER", "https://idp.example")
	t.Setenv("LOCAL_JWT_AUDIENCE", " web, ,mobile ")
	assert.Equal(t, Authorizer{Secret: []byte("s"), Issuer: "https://idp.example", Audience: []string{"web", "mobile"}}, FromEnv())
}
