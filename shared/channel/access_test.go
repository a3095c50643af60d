package channel_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/shared/channel"
	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/event"
	"github.com/circles-im/circles/shared/group"
	"github.com/circles-im/circles/shared/store"
)

// eve, owner of her own group, names users of another group (and one who
// does not exist) in her channel's access list: nothing is committed, so no
// event can reach anyone's inbox.
func TestAnAccessListChangeNamingNonMembersWritesNothingIntoAnyInbox(t *testing.T) {
	f := newFixture(t)
	eve := admins.Actor("eve")
	_, err := f.groups.PutMyProfile(f.ctx, eve, group.ProfileInput{Nickname: "eve"})
	require.NoError(t, err)
	_, err = f.groups.Create(f.ctx, eve, group.CreateInput{GroupID: "geve", GroupName: "eve's"})
	require.NoError(t, err)
	ch, err := f.svc.CreateChannel(f.ctx, eve, "geve", channel.ChannelInput{Name: ptr("c")})
	require.NoError(t, err)
	before, err := f.st.GetGroup(f.ctx, "geve")
	require.NoError(t, err)

	for _, op := range []string{"remove", "add"} {
		_, err = f.svc.UpdateChannelAccessList(f.ctx, eve, "geve", ch.ChannelID, channel.AccessListInput{Op: op, UserIDs: []string{"alice", "nobody"}})
		requireCode(t, errcode.NotInGroup, err)
	}

	after, err := f.st.GetGroup(f.ctx, "geve")
	require.NoError(t, err)
	assert.Equal(t, before.Version, after.Version, "no version committed")
	evs, err := f.st.ListEvents(f.ctx, "geve", before.Version, 10)
	require.NoError(t, err)
	assert.Empty(t, evs, "no event, so no inbox entry for anyone")
	list, err := f.svc.GetChannelAccessList(f.ctx, eve, "geve", ch.ChannelID)
	require.NoError(t, err)
	assert.Empty(t, list.UserIDs)
}

// Members and existing roles are applied; the rest of the request lands in
// failed, as a kick's targets do.
func TestAnAccessListChangeAppliesMembersAndRolesAndFailsTheOthers(t *testing.T) {
	f := newFixture(t)
	mods := f.role("mods", nil)
	ch := f.channel("general", store.ChannelPublic)

	list, err := f.svc.UpdateChannelAccessList(f.ctx, admins.Actor("alice"), "g1", ch.ChannelID,
		channel.AccessListInput{Op: "add", UserIDs: []string{"dave", "nobody"}, RoleIDs: []string{mods.RoleID, "no-such-role"}})
	require.NoError(t, err)
	assert.Equal(t, []string{"dave"}, list.UserIDs)
	assert.Equal(t, []string{mods.RoleID}, list.RoleIDs)
	require.Len(t, list.Failed, 2)
	assert.Equal(t, channel.FailedID{UserID: "nobody", Code: errcode.NotInGroup, Message: list.Failed[0].Message}, list.Failed[0])
	assert.Equal(t, channel.FailedID{RoleID: "no-such-role", Code: errcode.NotFound, Message: list.Failed[1].Message}, list.Failed[1])

	stored, err := f.svc.GetChannelAccessList(f.ctx, admins.Actor("alice"), "g1", ch.ChannelID)
	require.NoError(t, err)
	assert.Equal(t, []string{"dave"}, stored.UserIDs)
	assert.Equal(t, []string{mods.RoleID}, stored.RoleIDs)
	assert.Nil(t, stored.Failed)
}

// A member who leaves while listed can still be taken off the list, and
// nobody is notified of it: they are no longer in the group.
func TestAListedUserWhoLeftCanBeRemovedWithoutANotification(t *testing.T) {
	f := newFixture(t)
	ch := f.channel("general", store.ChannelPublic)
	_, err := f.svc.UpdateChannelAccessList(f.ctx, admins.Actor("alice"), "g1", ch.ChannelID, channel.AccessListInput{Op: "add", UserIDs: []string{"erin"}})
	require.NoError(t, err)
	require.NoError(t, f.groups.Quit(f.ctx, admins.Actor("erin"), "g1", group.QuitInput{}))
	before := f.version()

	list, err := f.svc.UpdateChannelAccessList(f.ctx, admins.Actor("alice"), "g1", ch.ChannelID, channel.AccessListInput{Op: "remove", UserIDs: []string{"erin"}})
	require.NoError(t, err)
	assert.Empty(t, list.UserIDs)
	assert.Empty(t, list.Failed)
	evs := f.events(before)
	require.Len(t, evs, 1)
	assert.Equal(t, []any{"erin"}, evs[0].Payload["userIDs"])
	assert.Empty(t, evs[0].Recipients)
}

// Adding what is listed or removing what is not commits nothing: no
// version, no event.
func TestAnAccessListChangeThatChangesNothingCommitsNothing(t *testing.T) {
	f := newFixture(t)
	mods := f.role("mods", nil)
	ch := f.channel("general", store.ChannelPublic)
	_, err := f.svc.UpdateChannelAccessList(f.ctx, admins.Actor("alice"), "g1", ch.ChannelID, channel.AccessListInput{Op: "add", UserIDs: []string{"dave"}, RoleIDs: []string{mods.RoleID}})
	require.NoError(t, err)
	before := f.version()

	for _, in := range []channel.AccessListInput{
		{Op: "add", UserIDs: []string{"dave"}, RoleIDs: []string{mods.RoleID}},
		{Op: "remove", UserIDs: []string{"erin"}, RoleIDs: []string{store.EveryoneRoleID}},
	} {
		list, err := f.svc.UpdateChannelAccessList(f.ctx, admins.Actor("alice"), "g1", ch.ChannelID, in)
		require.NoError(t, err, in.Op)
		assert.Equal(t, []string{"dave"}, list.UserIDs, in.Op)
		assert.Equal(t, []string{mods.RoleID}, list.RoleIDs, in.Op)
	}
	assert.Equal(t, before, f.version(), "no version committed")
	assert.Empty(t, f.events(before))
}

// The event goes to the members whose sight of the channel changed, and
// names only what changed. The owner and admins see every channel; carol
// already sees the private channel through her role.
func TestAnAccessListEventReachesOnlyMembersWhoseSightOfTheChannelChanged(t *testing.T) {
	f := newFixture(t)
	mods := f.role("mods", nil, "carol")
	ch := f.channel("secret", store.ChannelPrivate)
	_, err := f.svc.UpdateChannelAccessList(f.ctx, admins.Actor("alice"), "g1", ch.ChannelID, channel.AccessListInput{Op: "add", UserIDs: []string{"erin"}, RoleIDs: []string{mods.RoleID}})
	require.NoError(t, err)
	before := f.version()

	_, err = f.svc.UpdateChannelAccessList(f.ctx, admins.Actor("alice"), "g1", ch.ChannelID,
		channel.AccessListInput{Op: "add", UserIDs: []string{"alice", "bob", "carol", "dave", "erin"}})
	require.NoError(t, err)
	evs := f.events(before)
	require.Len(t, evs, 1)
	assert.Equal(t, event.ChannelAccessListUpdate, evs[0].Type)
	assert.Equal(t, []string{"dave"}, evs[0].Recipients)
	assert.Equal(t, []any{"alice", "bob", "carol", "dave"}, evs[0].Payload["userIDs"], "erin was listed already")
	assert.Equal(t, []any{}, evs[0].Payload["roleIDs"])

	before = f.version()
	_, err = f.svc.UpdateChannelAccessList(f.ctx, admins.Actor("alice"), "g1", ch.ChannelID,
		channel.AccessListInput{Op: "remove", UserIDs: []string{"bob", "carol", "dave"}})
	require.NoError(t, err)
	evs = f.events(before)
	require.Len(t, evs, 1)
	assert.Equal(t, []string{"dave"}, evs[0].Recipients)
}
