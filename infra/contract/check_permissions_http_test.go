package contract

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/infra/devstack"
	"github.com/circles-im/circles/infra/localauth"
)

// Over HTTP, as clients call it: the real functions built from functions/,
// behind the local API with its JWT checks. CheckPermissions answers after
// exactly one DynamoDB call (the request log line counts them), and bad
// input is refused with a clear error and changes nothing.
func TestCheckPermissionsOverHTTPMakesOneDynamoDBCall(t *testing.T) {
	t.Parallel()
	secret := []byte("http-test-secret")
	dep := deployHTTP(t, "http", 3*time.Minute, devstack.DeployOptions{
		Secret: secret,
		Functions: []string{"put-my-profile", "create-group", "create-role", "add-role-members", "create-channel",
			"update-channel-access-list", "check-permissions", "list-channels", "remove-role-members"},
	})
	out := dep.out

	call := func(user, method, path string, body any) (int, map[string]any) {
		t.Helper()
		tok, err := localauth.Mint(secret, user, time.Hour)
		require.NoError(t, err)
		var rd io.Reader
		if body != nil {
			b, err := json.Marshal(body)
			require.NoError(t, err)
			rd = bytes.NewReader(b)
		}
		req, err := http.NewRequest(method, dep.url+path, rd)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var v map[string]any
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&v))
		return resp.StatusCode, v
	}
	ok := func(want int, user, method, path string, body any) map[string]any {
		t.Helper()
		code, v := call(user, method, path, body)
		require.Equal(t, want, code, "%s %s: %v", method, path, v)
		return v
	}
	for _, u := range []string{"alice", "bob", "mallory"} {
		ok(200, u, "PUT", "/users/me", map[string]any{"nickname": u})
	}
	ok(201, "alice", "POST", "/groups", map[string]any{"groupID": "g1", "memberUserIDs": []string{"bob", "mallory"}})
	r := ok(201, "alice", "POST", "/groups/g1/roles", map[string]any{"name": "mods", "auths": map[string]string{"deleteMsg": "allow"}})
	roleID := r["roleID"].(string)
	ok(200, "alice", "POST", "/groups/g1/roles/"+roleID+"/members", map[string]any{"userIDs": []string{"bob"}})
	ch := ok(201, "alice", "POST", "/groups/g1/channels", map[string]any{"name": "general"})
	chID := ch["channelID"].(string)
	ok(200, "alice", "POST", "/groups/g1/channels/"+chID+"/access", map[string]any{"op": "add", "userIDs": []string{"mallory"}})

	got := ok(200, "bob", "GET", "/groups/g1/permissions?auths=sendMsg,deleteMsg,kickMember&channelID="+chID, nil)
	assert.Equal(t, map[string]any{"sendMsg": true, "deleteMsg": true, "kickMember": false}, got["auths"])
	calls := regexp.MustCompile(`"operation":"CheckPermissions".*?"dynamoCalls":(\d+)`).FindAllStringSubmatch(out.String(), -1)
	require.NotEmpty(t, calls, "the request log line of CheckPermissions")
	assert.Equal(t, "1", calls[len(calls)-1][1], "one DynamoDB call after authentication")

	// Read-your-writes: alice takes the role from bob, and his check with
	// consistent=true right after sees it, in one call too.
	ok(200, "alice", "POST", "/groups/g1/roles/"+roleID+"/members/remove", map[string]any{"userIDs": []string{"bob"}})
	got = ok(200, "bob", "GET", "/groups/g1/permissions?consistent=true&auths=sendMsg,deleteMsg,kickMember&channelID="+chID, nil)
	assert.Equal(t, map[string]any{"sendMsg": true, "deleteMsg": false, "kickMember": false}, got["auths"])
	calls = regexp.MustCompile(`"operation":"CheckPermissions".*?"dynamoCalls":(\d+)`).FindAllStringSubmatch(out.String(), -1)
	assert.Equal(t, "1", calls[len(calls)-1][1], "one DynamoDB call with consistent=true")

	// Bad input: a clear error, nothing stored.
	bad := []struct {
		name, method, path string
		body               any
		status             int
		code               string
	}{
		{"an unknown item", "GET", "/groups/g1/permissions?auths=sendMsg,flyToTheMoon", nil, 400, "INVALID_ARGUMENT"},
		{"no items", "GET", "/groups/g1/permissions", nil, 400, "INVALID_ARGUMENT"},
		{"consistent neither true nor false", "GET", "/groups/g1/permissions?auths=sendMsg&consistent=yes", nil, 400, "INVALID_ARGUMENT"},
		{"a missing channel", "GET", "/groups/g1/permissions?auths=sendMsg&channelID=nope", nil, 404, "NOT_FOUND"},
		{"an unknown field", "POST", "/groups/g1/channels", map[string]any{"name": "x", "colour": "red"}, 400, "INVALID_ARGUMENT"},
		{"a bad auth value", "POST", "/groups/g1/roles", map[string]any{"name": "x", "auths": map[string]string{"sendMsg": "maybe"}}, 400, "INVALID_ARGUMENT"},
		{"a bad access op", "POST", "/groups/g1/channels/" + chID + "/access", map[string]any{"op": "toggle", "userIDs": []string{"x"}}, 400, "INVALID_ARGUMENT"},
		{"an access list naming only non-members", "POST", "/groups/g1/channels/" + chID + "/access", map[string]any{"op": "remove", "userIDs": []string{"stranger", "nobody"}}, 403, "NOT_IN_GROUP"},
		{"a bad viewMode", "POST", "/groups/g1/channels", map[string]any{"name": "x", "viewMode": 7}, 400, "INVALID_ARGUMENT"},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			status, v := call("alice", c.method, c.path, c.body)
			assert.Equal(t, c.status, status, "%v", v)
			e, _ := v["error"].(map[string]any)
			require.NotNil(t, e, "an error body: %v", v)
			assert.Equal(t, c.code, e["code"])
			assert.NotEmpty(t, e["message"])
		})
	}
	list := ok(200, "alice", "GET", "/groups/g1/channels", nil)
	assert.Len(t, list["items"], 1, "no refused request created a channel")
}
