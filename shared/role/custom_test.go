package role_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/permission"
	"github.com/circles-im/circles/shared/role"
	"github.com/circles-im/circles/shared/store"
)

func TestACustomItemsDefaultRightApplies(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	pin, err := f.roles.CreateCustomAuth(f.ctx, as("root"), role.CustomAuthInput{Name: "pin", DefaultRight: "allow"})
	require.NoError(t, err)
	ban, err := f.roles.CreateCustomAuth(f.ctx, as("root"), role.CustomAuthInput{Name: "ban", DefaultRight: "deny"})
	require.NoError(t, err)
	assert.Equal(t, "10000", pin.Key)
	assert.Equal(t, "10001", ban.Key)
	list, err := f.roles.ListCustomAuths(f.ctx, as("root"))
	require.NoError(t, err)
	assert.Equal(t, []*store.CustomAuth{pin, ban}, list.Items)
	_, err = f.roles.ListCustomAuths(f.ctx, as("frank"))
	assert.Equal(t, errcode.NoPermission, errcode.CodeOf(err), "listing is for app admins only")

	// A role that never set the items lets @everyone's default decide.
	plain := f.createRole(t, "plain", 1, map[string]string{"kickMember": "allow"})
	f.give(t, plain.RoleID, "carol")
	holds := func(it string) bool {
		g, ms, custom, err := f.st.RoleSnapshot(f.ctx, "g1", "carol")
		require.NoError(t, err)
		return permission.HoldsIn(as("carol"), g, ms["carol"], custom, nil, nil, permission.Item(it))
	}
	assert.True(t, holds(pin.Key), "defaultRight allow applies on @everyone")
	assert.False(t, holds(ban.Key), "defaultRight deny applies on @everyone")

	_, err = f.roles.UpdateRole(f.ctx, as("alice"), "g1", store.EveryoneRoleID, role.RoleInput{Auths: map[string]string{pin.Key: "deny"}})
	require.NoError(t, err)
	assert.False(t, holds(pin.Key), "@everyone's own setting replaces the default")
	_, err = f.roles.UpdateRole(f.ctx, as("alice"), "g1", plain.RoleID, role.RoleInput{Auths: map[string]string{ban.Key: "allow"}})
	require.NoError(t, err)
	assert.True(t, holds(ban.Key), "a custom role's allow wins")
}
