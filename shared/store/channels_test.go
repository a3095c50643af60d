package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/event"
	"github.com/circles-im/circles/shared/store"
)

// channelGroup is g1 with alice (owner) and the given members, and one
// public channel c1.
func channelGroup(t *testing.T, others ...string) (*store.Store, *store.Group, *store.Channel) {
	t.Helper()
	ctx := context.Background()
	st := newStore(t)
	seedProfiles(t, st, append([]string{"alice"}, others...)...)
	ms := []*store.Member{member("g1", "alice", store.RoleOwner)}
	for _, id := range others {
		ms = append(ms, member("g1", id, store.RoleMember))
	}
	g := newGroup("g1", "alice")
	_, err := st.CreateGroup(ctx, g, ms, event.New(event.GroupCreated, "alice", nil))
	require.NoError(t, err)
	ch := &store.Channel{ChannelID: "c1", Name: "general"}
	_, err = st.CreateChannel(ctx, g, ch, event.New(event.ChannelCreated, "alice", nil))
	require.NoError(t, err)
	return st, g, ch
}

func TestChannelWritesAreConditionedOnTheRevRead(t *testing.T) {
	ctx := context.Background()
	st, g, ch := channelGroup(t)
	assert.EqualValues(t, 1, ch.Rev)

	_, err := st.CreateChannel(ctx, g, &store.Channel{ChannelID: "c1", Name: "again"}, event.New(event.ChannelCreated, "alice", nil))
	// Only a client-chosen ID can exist already, and a retry cannot
	// succeed: INVALID_ARGUMENT, not CONFLICT.
	assert.Equal(t, errcode.InvalidArgument, errcode.CodeOf(err), "a channel ID is created once")

	next := *ch
	next.Name = "renamed"
	_, err = st.UpdateChannel(ctx, g, &next, event.New(event.ChannelUpdated, "alice", nil))
	require.NoError(t, err)
	assert.EqualValues(t, 2, next.Rev)

	stale := *ch // still at rev 1
	stale.Name = "stale"
	fresh, _, err := st.Snapshot(ctx, "g1")
	require.NoError(t, err)
	_, err = st.UpdateChannel(ctx, fresh, &stale, event.New(event.ChannelUpdated, "alice", nil))
	assert.True(t, store.IsRetryable(err), "a write on a stale rev is a lost race: %v", err)

	got, err := st.GetChannel(ctx, "g1", "c1")
	require.NoError(t, err)
	assert.Equal(t, "renamed", got.Name)
	assert.EqualValues(t, 2, got.Rev)
	stored, err := st.GetGroup(ctx, "g1")
	require.NoError(t, err)
	assert.EqualValues(t, 3, stored.Version, "create and one update, nothing for the refused write")

	_, err = st.DeleteChannel(ctx, fresh, got, event.New(event.ChannelDeleted, "alice", nil))
	require.NoError(t, err)
	_, err = st.GetChannel(ctx, "g1", "c1")
	assert.Equal(t, errcode.NotFound, errcode.CodeOf(err))
	_, err = st.UpdateChannel(ctx, fresh, got, event.New(event.ChannelUpdated, "alice", nil))
	assert.Equal(t, errcode.NotFound, errcode.CodeOf(err), "a deleted channel is not found")
}

func TestChannelAccessListAddsAndRemovesSetEntries(t *testing.T) {
	ctx := context.Background()
	st, g, ch := channelGroup(t)
	_, err := st.UpdateChannelAccess(ctx, g, ch, true, []string{"bob", "carol"}, []string{"everyone"}, event.New(event.ChannelAccessListUpdate, "alice", nil))
	require.NoError(t, err)
	_, err = st.UpdateChannelAccess(ctx, g, ch, true, []string{"bob", "dave"}, nil, event.New(event.ChannelAccessListUpdate, "alice", nil))
	require.NoError(t, err)
	got, err := st.GetChannel(ctx, "g1", "c1")
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"bob", "carol", "dave"}, got.Users)
	assert.ElementsMatch(t, []string{"everyone"}, got.Roles)
	assert.EqualValues(t, 3, got.Rev)

	_, err = st.UpdateChannelAccess(ctx, g, ch, false, []string{"bob", "nobody"}, []string{"everyone"}, event.New(event.ChannelAccessListUpdate, "alice", nil))
	require.NoError(t, err)
	got, err = st.GetChannel(ctx, "g1", "c1")
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"carol", "dave"}, got.Users)
	assert.Empty(t, got.Roles)
}

func TestChannelRolesAreEntriesOfTheChannelItem(t *testing.T) {
	ctx := context.Background()
	st, g, ch := channelGroup(t)
	cr := &store.ChannelRole{ParentRoleID: "everyone"}
	_, err := st.PutChannelRole(ctx, g, ch, cr, true, event.New(event.ChannelRoleAuthUpdate, "alice", nil))
	require.NoError(t, err)

	fresh, _, err := st.Snapshot(ctx, "g1")
	require.NoError(t, err)
	again := *ch
	_, err = st.PutChannelRole(ctx, fresh, &again, &store.ChannelRole{ParentRoleID: "everyone"}, true, event.New(event.ChannelRoleAuthUpdate, "alice", nil))
	assert.True(t, store.IsRetryable(err), "an existing channel role is not created again")

	_, err = st.PutChannelRole(ctx, g, ch, &store.ChannelRole{ParentRoleID: "everyone", Auths: map[string]string{"sendMsg": "deny"}}, false, event.New(event.ChannelRoleAuthUpdate, "alice", nil))
	require.NoError(t, err)
	got, err := st.GetChannel(ctx, "g1", "c1")
	require.NoError(t, err)
	require.Contains(t, got.RoleAuths, "everyone")
	assert.Equal(t, map[string]string{"sendMsg": "deny"}, got.RoleAuths["everyone"].Auths)
	assert.Equal(t, "c1", got.RoleAuths["everyone"].ChannelID)

	_, err = st.RemoveChannelRole(ctx, g, ch, "everyone", event.New(event.ChannelRoleAuthUpdate, "alice", nil))
	require.NoError(t, err)
	got, err = st.GetChannel(ctx, "g1", "c1")
	require.NoError(t, err)
	assert.Empty(t, got.RoleAuths)
	_, err = st.PutChannelRole(ctx, g, ch, &store.ChannelRole{ParentRoleID: "everyone"}, false, event.New(event.ChannelRoleAuthUpdate, "alice", nil))
	assert.Error(t, err, "a removed channel role is not updated")
}

func TestOverrideIsWrittenOnlyForTheMembershipRead(t *testing.T) {
	ctx := context.Background()
	st, g, ch := channelGroup(t, "bob")
	_, ms, err := st.Snapshot(ctx, "g1", "bob")
	require.NoError(t, err)
	bob := ms["bob"]

	stale := *bob
	stale.JoinTime = bob.JoinTime - 1
	_, err = st.PutMemberOverride(ctx, g, ch, &stale, &store.MemberOverride{Auths: map[string]string{"sendMsg": "deny"}}, event.New(event.MemberRoleAuthUpdate, "alice", nil))
	assert.True(t, store.IsRetryable(err), "a membership other than the one read is a lost race: %v", err)
	ghost := &store.Member{GroupID: "g1", UserID: "ghost", JoinTime: 1}
	fresh, _, err := st.Snapshot(ctx, "g1")
	require.NoError(t, err)
	_, err = st.PutMemberOverride(ctx, fresh, ch, ghost, &store.MemberOverride{}, event.New(event.MemberRoleAuthUpdate, "alice", nil))
	assert.Equal(t, errcode.NotInGroup, errcode.CodeOf(err))
	ov, err := st.GetMemberOverride(ctx, "g1", "c1", "bob")
	require.NoError(t, err)
	assert.Nil(t, ov, "nothing was written")

	_, err = st.PutMemberOverride(ctx, fresh, ch, bob, &store.MemberOverride{Auths: map[string]string{"sendMsg": "deny"}}, event.New(event.MemberRoleAuthUpdate, "alice", nil))
	require.NoError(t, err)
	ov, err = st.GetMemberOverride(ctx, "g1", "c1", "bob")
	require.NoError(t, err)
	require.NotNil(t, ov)
	assert.Equal(t, bob.JoinTime, ov.JoinTime)

	_, err = st.DeleteMemberOverride(ctx, fresh, ch, "bob", event.New(event.MemberRoleAuthUpdate, "alice", nil))
	require.NoError(t, err)
	_, err = st.DeleteMemberOverride(ctx, fresh, ch, "bob", event.New(event.MemberRoleAuthUpdate, "alice", nil))
	assert.Equal(t, errcode.NotFound, errcode.CodeOf(err))
}

func TestListChannelsReadsOnlyChannelsAndPages(t *testing.T) {
	ctx := context.Background()
	st, g, ch := channelGroup(t, "bob")
	for _, id := range []string{"c2", "c3"} {
		_, err := st.CreateChannel(ctx, g, &store.Channel{ChannelID: id, Name: id}, event.New(event.ChannelCreated, "alice", nil))
		require.NoError(t, err)
	}
	_, ms, err := st.Snapshot(ctx, "g1", "bob")
	require.NoError(t, err)
	// CO#c1#bob sorts between C#c1 and C#c2: it must not show up.
	_, err = st.PutMemberOverride(ctx, g, ch, ms["bob"], &store.MemberOverride{}, event.New(event.MemberRoleAuthUpdate, "alice", nil))
	require.NoError(t, err)

	first, err := st.ListChannels(ctx, "g1", 2, "")
	require.NoError(t, err)
	require.Len(t, first.Items, 2)
	assert.Equal(t, "c1", first.Items[0].ChannelID)
	assert.Equal(t, "c2", first.Items[1].ChannelID)
	require.NotEmpty(t, first.NextCursor)
	second, err := st.ListChannels(ctx, "g1", 2, first.NextCursor)
	require.NoError(t, err)
	require.Len(t, second.Items, 1)
	assert.Equal(t, "c3", second.Items[0].ChannelID)
	assert.Empty(t, second.NextCursor)
}

func TestCleanupDeletedChannelRemovesOverridesInBoundedSteps(t *testing.T) {
	ctx := context.Background()
	others := []string{"m1", "m2", "m3", "m4", "m5"}
	st, g, ch := channelGroup(t, others...)
	_, ms, err := st.Snapshot(ctx, "g1", others...)
	require.NoError(t, err)
	for _, id := range others {
		_, err := st.PutMemberOverride(ctx, g, ch, ms[id], &store.MemberOverride{}, event.New(event.MemberRoleAuthUpdate, "alice", nil))
		require.NoError(t, err)
	}
	_, err = st.CleanupDeletedChannel(ctx, "g1", "c1", 10)
	assert.Equal(t, errcode.InvalidArgument, errcode.CodeOf(err), "a live channel keeps its overrides")

	_, err = st.DeleteChannel(ctx, g, ch, event.New(event.ChannelDeleted, "alice", nil))
	require.NoError(t, err)
	done, err := st.CleanupDeletedChannel(ctx, "g1", "c1", 3)
	require.NoError(t, err)
	assert.False(t, done, "a bounded step leaves the rest")
	done, err = st.CleanupDeletedChannel(ctx, "g1", "c1", 3)
	require.NoError(t, err)
	assert.True(t, done)
	done, err = st.CleanupDeletedChannel(ctx, "g1", "c1", 3)
	require.NoError(t, err)
	assert.True(t, done, "running it again is harmless")
	for _, id := range others {
		ov, err := st.GetMemberOverride(ctx, "g1", "c1", id)
		require.NoError(t, err)
		assert.Nil(t, ov, fmt.Sprintf("override of %s removed", id))
	}
}

func TestPermissionStateIsReadInOneCall(t *testing.T) {
	st, g, ch := channelGroup(t, "bob")
	_, ms, err := st.Snapshot(context.Background(), "g1", "bob")
	require.NoError(t, err)
	_, err = st.PutMemberOverride(context.Background(), g, ch, ms["bob"], &store.MemberOverride{Auths: map[string]string{"sendMsg": "deny"}}, event.New(event.MemberRoleAuthUpdate, "alice", nil))
	require.NoError(t, err)

	ctx, meter := store.WithMeter(context.Background())
	state, err := st.LoadChannelState(ctx, "g1", "c1", "alice", "bob")
	require.NoError(t, err)
	assert.Equal(t, 1, meter.Calls())
	assert.Equal(t, map[string]int{"TransactGetItems": 1}, meter.CallsByOperation())
	assert.Equal(t, "g1", state.Group.GroupID)
	assert.NotNil(t, state.Group.Roles)
	assert.NotNil(t, state.Custom)
	assert.Len(t, state.Members, 2)
	require.NotNil(t, state.Channel)
	assert.Equal(t, "c1", state.Channel.ChannelID)
	require.Contains(t, state.Overrides, "bob")
	assert.NotContains(t, state.Overrides, "alice")

	state, err = st.LoadChannelState(ctx, "g1", "nope", "bob")
	require.NoError(t, err)
	assert.Nil(t, state.Channel, "a missing channel is nil, for the caller to answer NOT_FOUND")
}
