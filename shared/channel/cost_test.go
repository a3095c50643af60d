package channel_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/shared/channel"
	"github.com/circles-im/circles/shared/group"
	"github.com/circles-im/circles/shared/role"
	"github.com/circles-im/circles/shared/store"
)

func groupMute(seconds int64) group.MuteMemberInput {
	return group.MuteMemberInput{MutedSeconds: seconds}
}

// The acceptance test of SPEC §4.4: the call chat services make on every
// message costs one DynamoDB call, however big the group's configuration.
func TestCheckPermissionsUsesExactlyOneDynamoDBCallAfterAuthentication(t *testing.T) {
	f := newFixture(t)
	var roleIDs []string
	for i := range 20 {
		roleIDs = append(roleIDs, f.role(fmt.Sprintf("r%02d", i), map[string]string{"deleteMsg": "allow"}).RoleID)
	}
	_, err := f.roles.AddRoleMembers(f.ctx, admins.Actor("alice"), "g1", roleIDs[3], role.RoleMembersInput{UserIDs: []string{"carol"}})
	require.NoError(t, err)
	var channels []*store.Channel
	for i := range 50 {
		channels = append(channels, f.channel(fmt.Sprintf("c%02d", i), store.ChannelPublic))
	}
	target := channels[17]
	blacklist := make([]string, store.MaxAccessUsers)
	for i := range blacklist {
		blacklist[i] = fmt.Sprintf("blocked%04d", i)
	}
	f.bulkMembers(blacklist[:999]...)
	blacklist[999] = "erin"
	_, err = f.svc.UpdateChannelAccessList(f.ctx, admins.Actor("alice"), "g1", target.ChannelID, channel.AccessListInput{Op: "add", UserIDs: blacklist, RoleIDs: roleIDs[10:]})
	require.NoError(t, err)
	_, err = f.svc.AddChannelRole(f.ctx, admins.Actor("alice"), "g1", target.ChannelID, channel.ChannelRoleInput{ParentRoleID: roleIDs[3]})
	require.NoError(t, err)
	_, err = f.svc.SetChannelMemberAuths(f.ctx, admins.Actor("alice"), "g1", target.ChannelID, "carol", channel.AuthsInput{Auths: map[string]string{"sendMsg": "deny"}})
	require.NoError(t, err)

	items := []string{"sendMsg", "deleteMsg", "remindEveryone", "manageChannel", "kickMember"}
	cases := []struct {
		name, actor, user, channelID string
		want                         map[string]bool
	}{
		{"a member about themselves, server level", "carol", "", "", map[string]bool{"sendMsg": true, "deleteMsg": true, "remindEveryone": false, "manageChannel": false, "kickMember": false}},
		{"a member about themselves in the channel", "carol", "", target.ChannelID, map[string]bool{"sendMsg": false, "deleteMsg": true, "remindEveryone": false, "manageChannel": false, "kickMember": false}},
		{"a blacklisted member in the channel", "erin", "", target.ChannelID, map[string]bool{"sendMsg": false, "deleteMsg": false, "remindEveryone": false, "manageChannel": false, "kickMember": false}},
		{"an admin about another user in the channel", "bob", "dave", target.ChannelID, map[string]bool{"sendMsg": true, "deleteMsg": false, "remindEveryone": false, "manageChannel": false, "kickMember": false}},
		{"an app admin about a member", "admin", "carol", target.ChannelID, map[string]bool{"sendMsg": false, "deleteMsg": true, "remindEveryone": false, "manageChannel": false, "kickMember": false}},
		{"the owner in another channel", "alice", "", channels[3].ChannelID, map[string]bool{"sendMsg": true, "deleteMsg": true, "remindEveryone": true, "manageChannel": true, "kickMember": true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx, meter := store.WithMeter(f.ctx)
			res, err := f.svc.CheckPermissions(ctx, admins.Actor(c.actor), "g1", items, c.channelID, c.user)
			require.NoError(t, err)
			assert.Equal(t, c.want, res.Auths)
			assert.Equal(t, 1, meter.Calls(), "calls: %v", meter.CallsByOperation())
			assert.Equal(t, map[string]int{"TransactGetItems": 1}, meter.CallsByOperation())
		})
	}
}
