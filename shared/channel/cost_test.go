package channel_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/shared/channel"
	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/group"
	"github.com/circles-im/circles/shared/role"
	"github.com/circles-im/circles/shared/store"
)

func groupMute(seconds int64) group.MuteMemberInput {
	return group.MuteMemberInput{MutedSeconds: seconds}
}

// The acceptance test of CheckPermissions: the call chat services make on every
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
		// The channel is invisible to her: NOT_FOUND, as a missing channel (want nil).
		{"a blacklisted member in the channel", "erin", "", target.ChannelID, nil},
		{"an admin about another user in the channel", "bob", "dave", target.ChannelID, map[string]bool{"sendMsg": true, "deleteMsg": false, "remindEveryone": false, "manageChannel": false, "kickMember": false}},
		{"an app admin about a member", "admin", "carol", target.ChannelID, map[string]bool{"sendMsg": false, "deleteMsg": true, "remindEveryone": false, "manageChannel": false, "kickMember": false}},
		{"the owner in another channel", "alice", "", channels[3].ChannelID, map[string]bool{"sendMsg": true, "deleteMsg": true, "remindEveryone": true, "manageChannel": true, "kickMember": true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx, meter := store.WithMeter(f.ctx)
			res, err := f.svc.CheckPermissions(ctx, admins.Actor(c.actor), "g1", items, c.channelID, c.user)
			if c.want == nil {
				assert.Equal(t, errcode.NotFound, errcode.CodeOf(err), "%v", err)
			} else {
				require.NoError(t, err)
				assert.Equal(t, c.want, res.Auths)
			}
			assert.Equal(t, 1, meter.Calls(), "calls: %v", meter.CallsByOperation())
			assert.Equal(t, map[string]int{"BatchGetItem": 1}, meter.CallsByOperation())
		})
	}
}

// CheckPermissions reads nothing it writes from, so it reads its items
// eventually consistent by default: for a member with three roles in a
// public channel, eight items at half a unit each, in one BatchGetItem.
// consistent=true (store.WithConsistentReads) reads the same items in one
// call at a unit each, and sees a change committed just before it.
func TestCheckPermissionsCostsAtMostFourReadUnitsAndConsistentReadsSeeTheChangeJustCommitted(t *testing.T) {
	f := newFixture(t)
	mods := f.role("mods", map[string]string{"deleteMsg": "allow"}, "carol")
	f.role("helpers", map[string]string{"remindOther": "allow"}, "carol")
	f.role("regulars", nil, "carol")
	ch := f.channel("general", store.ChannelPublic)
	items := []string{"sendMsg", "deleteMsg", "remindOther", "kickMember"}
	check := func(ctx context.Context) (map[string]bool, *store.Meter) {
		t.Helper()
		ctx, meter := store.WithMeter(ctx)
		res, err := f.svc.CheckPermissions(ctx, admins.Actor("carol"), "g1", items, ch.ChannelID, "")
		require.NoError(t, err)
		assert.Equal(t, map[string]int{"BatchGetItem": 1}, meter.CallsByOperation(), "one call")
		return res.Auths, meter
	}

	held, eventual := check(f.ctx)
	assert.Equal(t, map[string]bool{"sendMsg": true, "deleteMsg": true, "remindOther": true, "kickMember": false}, held)
	assert.Greater(t, eventual.ReadUnits(), 0.0)
	assert.LessOrEqual(t, eventual.ReadUnits(), 4.0, "read units")

	// Carol leaves mods; the consistent check right after sees it.
	_, err := f.roles.RemoveRoleMembers(f.ctx, admins.Actor("alice"), "g1", mods.RoleID, role.RoleMembersInput{UserIDs: []string{"carol"}})
	require.NoError(t, err)
	held, consistent := check(store.WithConsistentReads(f.ctx))
	assert.Equal(t, map[string]bool{"sendMsg": true, "deleteMsg": false, "remindOther": true, "kickMember": false}, held)
	// The same items, each a strongly consistent read: twice the units,
	// which is how the meter sees that DynamoDB was asked for it.
	_, eventual = check(f.ctx)
	assert.Equal(t, 2*eventual.ReadUnits(), consistent.ReadUnits(), "consistent reads cost twice the eventual ones")
}

// deleteRoleCost builds a role named in the access list and channel roles
// of n channels, deletes it, and answers the request's DynamoDB calls and
// consumed capacity, with the fixture.
func deleteRoleCost(t *testing.T, n int) (int, float64, *fixture) {
	f := buildFixture(t)
	r := f.role("mods", nil, "carol", "dave")
	for i := range n {
		ch := f.channel(fmt.Sprintf("c%04d", i), store.ChannelPrivate)
		_, err := f.svc.UpdateChannelAccessList(f.ctx, admins.Actor("alice"), "g1", ch.ChannelID, channel.AccessListInput{Op: "add", RoleIDs: []string{r.RoleID}})
		require.NoError(t, err)
		_, err = f.svc.AddChannelRole(f.ctx, admins.Actor("alice"), "g1", ch.ChannelID, channel.ChannelRoleInput{ParentRoleID: r.RoleID})
		require.NoError(t, err)
	}
	ctx, meter := store.WithMeter(f.ctx)
	require.NoError(t, f.roles.DeleteRole(ctx, admins.Actor("alice"), "g1", r.RoleID))
	return meter.Calls(), meter.Capacity(), f
}

// DeleteRole commits the tombstone and answers: its cost is the same for a
// role named in one channel as in forty, and the cleanup consumer, in
// bounded steps that resume where the last one stopped, removes the rest.
func TestDeleteRoleCostsTheSameWhateverTheChannelsAndTheConsumerFinishesTheCleanup(t *testing.T) {
	t.Parallel()
	calls1, capacity1, _ := deleteRoleCost(t, 1)
	calls40, capacity40, f := deleteRoleCost(t, 40)
	assert.Equal(t, calls1, calls40, "calls")
	assert.Equal(t, capacity1, capacity40, "consumed capacity")

	evs, err := f.st.ListEvents(f.ctx, "g1", f.version()-1, 1)
	require.NoError(t, err)
	require.Len(t, evs, 1)
	const step = 5
	steps := 0
	for done := false; !done; steps++ {
		require.Less(t, steps, 100, "the cleanup ends")
		ctx, meter := store.WithMeter(f.ctx)
		done, err = f.groups.OnGroupEvent(ctx, evs[0], step)
		require.NoError(t, err)
		// The roles item, a page of RM records, a page of at most step
		// channels, a read and a write per channel, the cursor.
		assert.LessOrEqual(t, meter.Calls(), 4+2*step, "step %d: %v", steps, meter.CallsByOperation())
	}
	assert.GreaterOrEqual(t, steps, 40/step, "the channels take several bounded steps")

	g, ms, err := f.st.Snapshot(f.ctx, "g1", "carol", "dave")
	require.NoError(t, err)
	assert.Empty(t, g.Roles.Deleted, "the tombstone goes last")
	assert.Empty(t, g.Roles.CleanupFrom)
	assert.Empty(t, ms["carol"].RoleIDs)
	assert.Empty(t, ms["dave"].RoleIDs)
	page, err := f.st.ListChannels(f.ctx, "g1", 100, "")
	require.NoError(t, err)
	require.Len(t, page.Items, 40)
	for _, ch := range page.Items {
		assert.Empty(t, ch.Roles, ch.Name)
		assert.Empty(t, ch.RoleAuths, ch.Name)
	}
}
