package devstack

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Held closed, the gate answers 503 with Retry-After and the API's error
// envelope at once; opened, it serves the API.
func TestTheGateAnswers503UntilOpenedThenServesTheAPI(t *testing.T) {
	g := &Gate{RetryAfter: 2}
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)

	for _, path := range []string{"/groups", "/users/me"} {
		resp, err := http.Post(srv.URL+path, "application/json", nil)
		require.NoError(t, err)
		var body apiErrorBody
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
		resp.Body.Close()
		assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
		assert.Equal(t, "2", resp.Header.Get("Retry-After"))
		assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
		assert.Equal(t, "UNAVAILABLE", body.Error.Code)
		assert.Equal(t, 500, body.Error.ErrCode)
		assert.Contains(t, body.Error.Message, "starting")
		assert.Equal(t, resp.Header.Get("Apigw-Requestid"), body.Error.RequestID)
		assert.NotEmpty(t, body.Error.RequestID)
	}
	assert.False(t, g.Ready())

	g.Open(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) }))
	assert.True(t, g.Ready())
	resp, err := http.Get(srv.URL + "/groups")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusTeapot, resp.StatusCode)
	assert.Empty(t, resp.Header.Get("Retry-After"))
}
