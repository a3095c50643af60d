package devstack

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRouterMatch(t *testing.T) {
	routes := []Route{
		{Method: "GET", Path: "/users", LogicalID: "GetUsersFunction"},
		{Method: "PUT", Path: "/users/me", LogicalID: "PutMyProfileFunction"},
		{Method: "GET", Path: "/users/me/groups", LogicalID: "GetJoinedGroupListFunction"},
		{Method: "PUT", Path: "/users/{userID}", LogicalID: "PutUserFunction"},
		{Method: "PUT", Path: "/admin/users/{userID}", LogicalID: "ImportUserFunction"},
		{Method: "POST", Path: "/groups/{groupID}/owner", LogicalID: "TransferGroupOwnerFunction"},
		{Method: "ANY", Path: "/groups/{groupID}/owner", LogicalID: "AnyOwnerFunction"},
		{Method: "GET", Path: "/files/{path+}", LogicalID: "FilesFunction"},
		{Method: "GET", Path: "/files/special", LogicalID: "SpecialFileFunction"},
		{Method: "GET", Path: "/", LogicalID: "RootFunction"},
	}
	rt, err := NewRouter(routes)
	require.NoError(t, err)

	tests := []struct {
		name      string
		method    string
		path      string
		want      string // logical id; "" for no match
		wantParam map[string]string
	}{
		{"literal route", "GET", "/users", "GetUsersFunction", nil},
		{"literal beats parameter", "PUT", "/users/me", "PutMyProfileFunction", nil},
		{"parameter when the literal differs", "PUT", "/users/bob", "PutUserFunction", map[string]string{"userID": "bob"}},
		{"deeper literal route", "GET", "/users/me/groups", "GetJoinedGroupListFunction", nil},
		{"parameter in the middle", "POST", "/groups/g1/owner", "TransferGroupOwnerFunction", map[string]string{"groupID": "g1"}},
		{"own method beats ANY", "POST", "/groups/g1/owner", "TransferGroupOwnerFunction", map[string]string{"groupID": "g1"}},
		{"ANY takes other methods", "DELETE", "/groups/g1/owner", "AnyOwnerFunction", map[string]string{"groupID": "g1"}},
		{"percent-encoded parameter is decoded", "PUT", "/admin/users/a%40b.c", "ImportUserFunction", map[string]string{"userID": "a@b.c"}},
		{"encoded slash stays inside its segment", "PUT", "/admin/users/a%2Fb", "ImportUserFunction", map[string]string{"userID": "a/b"}},
		{"greedy parameter takes the rest", "GET", "/files/a/b/c", "FilesFunction", map[string]string{"path": "a/b/c"}},
		{"literal beats greedy", "GET", "/files/special", "SpecialFileFunction", nil},
		{"greedy needs a segment", "GET", "/files", "", nil},
		{"root", "GET", "/", "RootFunction", nil},
		{"wrong method", "DELETE", "/users", "", nil},
		{"unknown path", "GET", "/nope", "", nil},
		{"extra segment", "GET", "/users/me/groups/x", "", nil},
		{"trailing slash is another path", "GET", "/users/", "", nil},
		{"empty parameter segment", "POST", "/groups//owner", "", nil},
		{"bad escape", "PUT", "/admin/users/%zz", "", nil},
		{"case matters", "GET", "/Users", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, ok := rt.Match(tt.method, tt.path)
			if tt.want == "" {
				assert.False(t, ok, "matched %s", m.Route.LogicalID)
				return
			}
			require.True(t, ok)
			assert.Equal(t, tt.want, m.Route.LogicalID)
			assert.Equal(t, tt.wantParam, m.Params)
		})
	}
}

func TestNewRouterRejectsMalformedPaths(t *testing.T) {
	tests := []struct{ name, path string }{
		{"no leading slash", "users"},
		{"greedy not last", "/a/{p+}/b"},
		{"parameter inside a segment", "/a/x{p}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewRouter([]Route{{Method: "GET", Path: tt.path}})
			assert.Error(t, err)
		})
	}
}

func TestRouterMatchesEveryRouteOfTheRepoTemplate(t *testing.T) {
	routes, err := Routes()
	require.NoError(t, err)
	require.NotEmpty(t, routes)
	rt, err := NewRouter(routes)
	require.NoError(t, err)
	for _, r := range routes {
		path := r.Path
		for _, p := range []string{"{groupID}", "{userID}", "{roleID}", "{channelID}"} {
			path = strings.ReplaceAll(path, p, "x1")
		}
		m, ok := rt.Match(r.Method, path)
		require.True(t, ok, r.Key())
		assert.Equal(t, r.LogicalID, m.Route.LogicalID, r.Key())
	}
}
