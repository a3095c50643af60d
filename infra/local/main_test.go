package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
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

// While the stack is not up (its env file not yet written), serve already
// holds the port: the API answers 503 with Retry-After and the error
// envelope at once, and the reference is served.
func TestServeAnswers503WithRetryAfterUntilTheStackIsReady(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	require.NoError(t, ln.Close())

	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() {
		served <- serve(ctx, []string{"-port", port, "-env-file", filepath.Join(t.TempDir(), "never")})
	}()
	base := "http://127.0.0.1:" + port

	var resp *http.Response
	require.Eventually(t, func() bool {
		resp, err = http.Get(base + "/groups?groupIDs=g1")
		return err == nil
	}, 30*time.Second, 20*time.Millisecond, "serve claims its port")
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	assert.Equal(t, "1", resp.Header.Get("Retry-After"))
	var e struct {
		Error struct {
			Code      string `json:"code"`
			RequestID string `json:"requestId"`
		} `json:"error"`
	}
	require.NoError(t, json.Unmarshal(body, &e), string(body))
	assert.Equal(t, "UNAVAILABLE", e.Error.Code)
	assert.NotEmpty(t, e.Error.RequestID)

	docs, err := http.Get(base + "/docs/openapi.yaml")
	require.NoError(t, err)
	docs.Body.Close()
	assert.Equal(t, http.StatusOK, docs.StatusCode, "the reference needs no stack")

	cancel()
	select {
	case err := <-served:
		assert.ErrorIs(t, err, context.Canceled)
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
	_, err = http.Get(base + "/groups")
	assert.Error(t, err, "the port is released")
}
