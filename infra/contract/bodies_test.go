package contract

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops"
)

// TestOperationsTakeABodyExactlyWhereOpenAPIDeclaresOne: shared/api refuses
// a body for every operation whose declaration in shared/ops takes none, so
// the declarations must be openapi.yaml's.
func TestOperationsTakeABodyExactlyWhereOpenAPIDeclaresOne(t *testing.T) {
	r := load(t)
	for _, rt := range sortedRoutes(r.Ops) {
		op := r.Ops[rt].Op
		id := strAt(op, "operationId")
		decl, ok := ops.Find(id)
		require.True(t, ok, "%s (%s) has no declaration in shared/ops", id, rt)
		body := decl.Body
		assert.Equal(t, op["requestBody"] != nil, body != api.NoBody, "%s (%s): whether the declaration takes a body, against openapi.yaml's requestBody", id, rt)
		if rb, ok := op["requestBody"].(map[string]any); ok {
			assert.Equal(t, rb["required"] == true, body == api.RequiredBody, "%s (%s): whether the declaration needs a body, against the requestBody's required", id, rt)
		}
	}
}

// rawBody is a request body sent as it is, not JSON-encoded.
type rawBody string

// checkBodiesAreDecoded sends every route of openapi.yaml, through the real
// functions, a malformed body, and every route that takes no body one with
// a field: each answers 400 INVALID_ARGUMENT, and the group is left at its
// version. path fills the path parameters.
func checkBodiesAreDecoded(t *testing.T, c *apiClient, groupID string, path map[string]string) {
	t.Helper()
	version := func() any {
		return c.ok(200, "alice", "GET", "/groups?groupIDs="+groupID, nil)["items"].([]any)[0].(map[string]any)["version"]
	}
	before := version()
	for _, rt := range sortedRoutes(c.r.Ops) {
		p := rt.Path
		for name, v := range path {
			p = strings.ReplaceAll(p, "{"+name+"}", v)
		}
		user := "alice"
		if strings.HasPrefix(rt.Path, "/admin/") || rt.Path == "/custom-auths" {
			user = "admin"
		}
		c.fail(400, "INVALID_ARGUMENT", user, rt.Method, p, rawBody(`{"bogus":`))
		rb, _ := c.r.Ops[rt].Op["requestBody"].(map[string]any)
		switch {
		case rb == nil:
			c.fail(400, "INVALID_ARGUMENT", user, rt.Method, p, rawBody(`{"bogus":true}`))
		case rb["required"] == true:
			c.fail(400, "INVALID_ARGUMENT", user, rt.Method, p, rawBody(""))
		}
	}
	assert.Equal(t, before, version(), "refused bodies changed nothing")
}
