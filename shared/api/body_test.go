package api_test

import (
	"context"
	"encoding/base64"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/shared/api"
)

// MuteGroup answered 200 to the body `{"bogus":`: an operation that takes
// no body refuses any but none or {}, before its handler runs.
func TestAnOperationWithoutABodyRefusesAnyButNoneOrAnEmptyObject(t *testing.T) {
	ctx := context.Background()
	d := newDeps(t)
	ran := 0
	mute := func(context.Context, *api.Request, *api.Deps) (any, error) {
		ran++
		return struct{}{}, nil
	}
	cases := []struct {
		name   string
		body   string
		base64 bool
		status int
	}{
		{"no body", "", false, 200},
		{"an empty object", "{}", false, 200},
		{"an empty object with spaces", " { }\n", false, 200},
		{"an empty object, base64", "{}", true, 200},
		{"malformed JSON", `{"bogus":`, false, 400},
		{"a field", `{"bogus":true}`, false, 400},
		{"a field, base64", `{"mutedSeconds":60}`, true, 400},
		{"null", "null", false, 400},
		{"an array", "[]", false, 400},
		{"a string", `"x"`, false, 400},
		{"two objects", "{} {}", false, 400},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ev := request("alice", "POST", "/groups/g1/mute", c.body, nil)
			if c.base64 {
				ev.Body, ev.IsBase64Encoded = base64.StdEncoding.EncodeToString([]byte(c.body)), true
			}
			before := ran
			resp := api.Serve(ctx, "MuteGroup", mute, d, ev)
			require.Equal(t, c.status, resp.StatusCode, resp.Body)
			if c.status == 200 {
				assert.Equal(t, before+1, ran)
				return
			}
			assert.Equal(t, before, ran, "the handler never ran")
			e := decodeError(t, resp.Body)
			assert.Equal(t, "INVALID_ARGUMENT", e.Error.Code)
			assert.Equal(t, 1001, e.Error.ErrCode)
			assert.NotEmpty(t, e.Error.Message)
		})
	}
	assert.True(t, api.TakesBody("MuteGroupMember"))
	assert.False(t, api.TakesBody("MuteGroup"))
}
