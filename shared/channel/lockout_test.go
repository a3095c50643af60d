package channel_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/shared/channel"
	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/store"
)

// UpdateRole's self-lockout guard holds for channel roles too: carol, who
// gets manageChannel in the channel only through the lower of her two
// roles, may not deny it on that role's channel role.
func TestAChannelRoleChangeMayNotLockTheActorOut(t *testing.T) {
	f := newFixture(t)
	high := f.role("high", map[string]string{"manageRole": "allow"}, "carol")
	low := f.role("low", map[string]string{"manageChannel": "allow", "deleteMsg": "allow"}, "carol")
	require.Less(t, high.Priority, low.Priority)
	ch := f.channel("general", store.ChannelPublic)
	_, err := f.svc.AddChannelRole(f.ctx, admins.Actor("alice"), "g1", ch.ChannelID, channel.ChannelRoleInput{ParentRoleID: low.RoleID})
	require.NoError(t, err)
	require.True(t, f.holds("carol", ch.ChannelID, "manageChannel"))
	before := f.version()

	_, err = f.svc.UpdateChannelRole(f.ctx, admins.Actor("carol"), "g1", ch.ChannelID, low.RoleID, channel.AuthsInput{Auths: map[string]string{"manageChannel": "deny"}})
	requireCode(t, errcode.NoPermission, err)
	assert.Contains(t, err.Error(), "lock yourself out")
	assert.Equal(t, before, f.version(), "nothing changed")
	assert.True(t, f.holds("carol", ch.ChannelID, "manageChannel"))

	// Any item she holds only through that role is guarded the same way.
	_, err = f.svc.UpdateChannelRole(f.ctx, admins.Actor("carol"), "g1", ch.ChannelID, low.RoleID, channel.AuthsInput{Auths: map[string]string{"deleteMsg": "deny"}})
	requireCode(t, errcode.NoPermission, err)

	// A change that keeps what she holds is fine.
	cr, err := f.svc.UpdateChannelRole(f.ctx, admins.Actor("carol"), "g1", ch.ChannelID, low.RoleID, channel.AuthsInput{Auths: map[string]string{"manageChannel": "allow"}})
	require.NoError(t, err)
	assert.Equal(t, "allow", cr.Auths["manageChannel"])
	assert.Equal(t, before+1, f.version())
}
