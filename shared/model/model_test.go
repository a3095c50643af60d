package model

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

func jsonKeys(t *testing.T, v any) map[string]any {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	var out map[string]any
	require.NoError(t, json.Unmarshal(b, &out))
	return out
}

func TestAMaskedMemberShowsOnlyItsPublicFieldsInJSON(t *testing.T) {
	m := &Member{GroupID: "g", UserID: "u", Nickname: "n", FaceURL: "f", RoleLevel: RoleAdmin, JoinTime: 7,
		JoinSource: JoinBySearch, InviterUserID: "i", OperatorUserID: "o", MuteEndTime: 9, Ex: "e", RoleIDs: []string{"r"}}
	cases := []struct {
		name string
		m    *Member
		want []string
	}{
		{"the full record", m, []string{"groupID", "userID", "nickname", "faceURL", "roleLevel", "joinTime", "joinSource",
			"inviterUserID", "operatorUserID", "muteEndTime", "ex", "roleIDs"}},
		{"its public view", m.PublicView(), []string{"groupID", "userID", "nickname", "faceURL", "roleLevel"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := jsonKeys(t, c.m)
			assert.ElementsMatch(t, c.want, keysOf(got))
			assert.Equal(t, "n", got["nickname"])
			assert.EqualValues(t, RoleAdmin, got["roleLevel"])
		})
	}
	assert.False(t, m.Masked, "the public view is a copy")
}

func keysOf(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestAGroupsJSONLeavesOutWhatIsNotTheClients(t *testing.T) {
	g := &Group{GroupID: "g", ChannelCount: 3, Roles: DefaultRoles("g", 1)}
	got := jsonKeys(t, g)
	assert.NotContains(t, got, "roleLevel", "only the caller's own level, when they are a member")
	assert.NotContains(t, got, "Roles")
	assert.NotContains(t, got, "ChannelCount")
	g.RoleLevel = RoleOwner
	assert.EqualValues(t, RoleOwner, jsonKeys(t, g)["roleLevel"])
}

func TestCustomCountsTheCustomRolesOnly(t *testing.T) {
	r := DefaultRoles("g", 1)
	assert.Equal(t, 0, r.Custom(), "@everyone is not a custom role")
	for i := range 3 {
		id := fmt.Sprintf("r%d", i)
		r.Roles[id] = &Role{RoleID: id, Type: RoleTypeCustom, Priority: i + 1}
	}
	assert.Equal(t, 3, r.Custom())
}

// A clone is equal to what it copies and shares nothing with it: the next
// configuration is built on it while the one read stays as it was.
func TestRolesCloneIsADeepCopy(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		r := DefaultRoles("g", 1)
		r.Rev = rapid.Int64Range(0, 100).Draw(t, "rev")
		for i := range rapid.IntRange(0, 4).Draw(t, "roles") {
			id := fmt.Sprintf("r%d", i)
			auths := rapid.MapOf(rapid.SampledFrom([]string{"sendMsg", "kickMember", "10000"}), rapid.SampledFrom([]string{AuthAllow, AuthDeny})).Draw(t, id)
			r.Roles[id] = &Role{RoleID: id, Type: RoleTypeCustom, Priority: i + 1, Auths: auths}
		}
		if rapid.Bool().Draw(t, "deleted") {
			r.Deleted["gone"] = 5
			r.CleanupFrom = map[string]string{"gone": "c1"}
		}
		before, err := json.Marshal(r)
		require.NoError(t, err)

		c := r.Clone()
		require.Equal(t, r, c)
		for _, role := range c.Roles {
			role.Auths["manageGroup"] = AuthAllow
			role.Priority = 99
		}
		c.Roles["new"] = &Role{RoleID: "new"}
		c.Deleted["other"] = 6
		if c.CleanupFrom != nil {
			c.CleanupFrom["gone"] = "c9"
		}
		c.Rev++
		after, err := json.Marshal(r)
		require.NoError(t, err)
		require.JSONEq(t, string(before), string(after), "the original is untouched")
	})
}
