package main

import (
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/infra/localauth"
)

// stdout captures what f prints.
func stdout(t *testing.T, f func() error) (string, error) {
	t.Helper()
	r, w, err := os.Pipe()
	require.NoError(t, err)
	orig := os.Stdout
	os.Stdout = w
	ferr := f()
	os.Stdout = orig
	require.NoError(t, w.Close())
	out, err := io.ReadAll(r)
	require.NoError(t, err)
	return string(out), ferr
}

func TestTokenPrintsATokenTheLocalAPIAccepts(t *testing.T) {
	tests := []struct {
		name   string
		secret string // LOCAL_JWT_SECRET
		verify string // key the token must verify with
	}{
		{"default secret", "", localauth.DefaultLocalSecret},
		{"LOCAL_JWT_SECRET", "s3cret", "s3cret"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("LOCAL_JWT_SECRET", tt.secret)
			out, err := stdout(t, func() error { return token([]string{"-user", "alice", "-ttl", "1h"}) })
			require.NoError(t, err)
			c, err := localauth.Verify([]byte(tt.verify), strings.TrimSpace(out))
			require.NoError(t, err)
			assert.Equal(t, "alice", c.Subject)
			assert.WithinDuration(t, time.Now().Add(time.Hour), c.ExpiresAt, 5*time.Second)
		})
	}
}

func TestTokenRequiresAValidUser(t *testing.T) {
	for _, args := range [][]string{{}, {"-user", "a/b"}} {
		_, err := stdout(t, func() error { return token(args) })
		assert.Error(t, err, "%v", args)
	}
}

// make token mints iss and aud from LOCAL_JWT_ISSUER / LOCAL_JWT_AUDIENCE,
// or from -iss / -aud, so that the local API configured with them accepts
// the token as the deployed authorizer would.
func TestTokenCarriesTheIssuerAndAudienceTheAPIRequires(t *testing.T) {
	t.Setenv("LOCAL_JWT_SECRET", "")
	t.Setenv("LOCAL_JWT_ISSUER", "https://idp.example")
	t.Setenv("LOCAL_JWT_AUDIENCE", "web,mobile")
	want := localauth.Authorizer{Secret: []byte(localauth.DefaultLocalSecret), Issuer: "https://idp.example", Audience: []string{"mobile"}}

	out, err := stdout(t, func() error { return token([]string{"-user", "alice"}) })
	require.NoError(t, err)
	c, err := want.Verify(strings.TrimSpace(out))
	require.NoError(t, err)
	assert.Equal(t, []any{"web", "mobile"}, c.All["aud"])

	out, err = stdout(t, func() error { return token([]string{"-user", "alice", "-aud", "desktop"}) })
	require.NoError(t, err)
	_, err = want.Verify(strings.TrimSpace(out))
	assert.ErrorIs(t, err, localauth.ErrInvalidToken, "-aud overrides the environment")
}
