package channel_test

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/shared/channel"
	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/role"
	"github.com/circles-im/circles/shared/store"
)

func TestAChannelRoleStartsAsAllInheritAndFollowsItsParent(t *testing.T) {
	f := newFixture(t)
	mods := f.role("mods", map[string]string{"remindEveryone": "allow"}, "carol")
	ch := f.channel("general", store.ChannelPublic)

	cr, err := f.svc.AddChannelRole(f.ctx, admins.Actor("alice"), "g1", ch.ChannelID, channel.ChannelRoleInput{ParentRoleID: mods.RoleID})
	require.NoError(t, err)
	assert.Empty(t, cr.Auths, "every item starts as inherit")
	assert.True(t, f.holds("carol", ch.ChannelID, "remindEveryone"), "inherited from the server role")

	_, err = f.roles.UpdateRole(f.ctx, admins.Actor("alice"), "g1", mods.RoleID, role.RoleInput{Auths: map[string]string{"remindEveryone": "inherit"}})
	require.NoError(t, err)
	assert.False(t, f.holds("carol", ch.ChannelID, "remindEveryone"), "the channel role follows its parent's change")

	_, err = f.svc.UpdateChannelRole(f.ctx, admins.Actor("alice"), "g1", ch.ChannelID, mods.RoleID, channel.AuthsInput{Auths: map[string]string{"remindEveryone": "allow"}})
	require.NoError(t, err)
	assert.True(t, f.holds("carol", ch.ChannelID, "remindEveryone"), "the channel role's own setting applies in its channel")
	assert.False(t, f.holds("carol", "", "remindEveryone"), "and only there")

	roles, err := f.svc.ListChannelRoles(f.ctx, admins.Actor("carol"), "g1", ch.ChannelID)
	require.NoError(t, err)
	require.Len(t, roles.Items, 1)
	assert.Equal(t, map[string]string{"remindEveryone": "allow"}, roles.Items[0].Auths)

	require.NoError(t, f.svc.RemoveChannelRole(f.ctx, admins.Actor("alice"), "g1", ch.ChannelID, mods.RoleID))
	assert.False(t, f.holds("carol", ch.ChannelID, "remindEveryone"))
}

func TestChannelEveryoneFollowsServerEveryone(t *testing.T) {
	f := newFixture(t)
	ch := f.channel("general", store.ChannelPublic)
	assert.True(t, f.holds("dave", ch.ChannelID, "sendMsg"), "without a channel role, @everyone's server value")
	_, err := f.svc.AddChannelRole(f.ctx, admins.Actor("alice"), "g1", ch.ChannelID, channel.ChannelRoleInput{ParentRoleID: store.EveryoneRoleID})
	require.NoError(t, err)
	assert.True(t, f.holds("dave", ch.ChannelID, "sendMsg"), "an all-inherit channel @everyone changes nothing")

	f.setEveryone(map[string]string{"sendMsg": "deny"})
	assert.False(t, f.holds("dave", ch.ChannelID, "sendMsg"), "channel @everyone follows server @everyone")

	_, err = f.svc.UpdateChannelRole(f.ctx, admins.Actor("alice"), "g1", ch.ChannelID, store.EveryoneRoleID, channel.AuthsInput{Auths: map[string]string{"sendMsg": "allow"}})
	require.NoError(t, err)
	assert.True(t, f.holds("dave", ch.ChannelID, "sendMsg"))
	assert.False(t, f.holds("dave", "", "sendMsg"))

	_, err = f.svc.UpdateChannelRole(f.ctx, admins.Actor("bob"), "g1", ch.ChannelID, store.EveryoneRoleID, channel.AuthsInput{Auths: map[string]string{"sendMsg": "deny"}})
	requireCode(t, errcode.NoPermission, err) // only the owner edits @everyone, in a channel too
}

func TestBlacklistHidesAPublicChannelByUserAndByRole(t *testing.T) {
	f := newFixture(t)
	mods := f.role("mods", nil, "carol")
	ch := f.channel("general", store.ChannelPublic)
	f.channel("other", store.ChannelPublic)

	list, err := f.svc.UpdateChannelAccessList(f.ctx, admins.Actor("alice"), "g1", ch.ChannelID, channel.AccessListInput{Op: "add", UserIDs: []string{"dave"}, RoleIDs: []string{mods.RoleID}})
	require.NoError(t, err)
	assert.Equal(t, channel.KindBlacklist, list.Kind)
	assert.Equal(t, []string{"dave"}, list.UserIDs)

	for _, u := range []string{"carol", "dave"} {
		assert.Equal(t, []string{"other"}, f.visible(u), u)
		assert.False(t, f.holds(u, ch.ChannelID, "sendMsg"), "%s holds nothing in a channel they cannot see", u)
	}
	assert.Equal(t, []string{"general", "other"}, f.visible("erin"))
	assert.True(t, f.holds("erin", ch.ChannelID, "sendMsg"))
	_, err = f.svc.GetChannelAccessList(f.ctx, admins.Actor("dave"), "g1", ch.ChannelID)
	requireCode(t, errcode.NotFound, err) // as a missing channel would

	_, err = f.svc.UpdateChannelAccessList(f.ctx, admins.Actor("alice"), "g1", ch.ChannelID, channel.AccessListInput{Op: "remove", UserIDs: []string{"dave"}})
	require.NoError(t, err)
	assert.True(t, f.holds("dave", ch.ChannelID, "sendMsg"))
	assert.False(t, f.holds("carol", ch.ChannelID, "sendMsg"), "the role is still listed")
}

func TestWhitelistOpensAPrivateChannelByUserAndByRole(t *testing.T) {
	f := newFixture(t)
	mods := f.role("mods", nil, "carol")
	ch := f.channel("secret", store.ChannelPrivate)
	for _, u := range []string{"carol", "dave", "erin"} {
		assert.Empty(t, f.visible(u), u)
		assert.False(t, f.holds(u, ch.ChannelID, "sendMsg"))
	}
	list, err := f.svc.UpdateChannelAccessList(f.ctx, admins.Actor("bob"), "g1", ch.ChannelID, channel.AccessListInput{Op: "add", UserIDs: []string{"dave"}, RoleIDs: []string{mods.RoleID}})
	require.NoError(t, err)
	assert.Equal(t, channel.KindWhitelist, list.Kind)
	for _, u := range []string{"carol", "dave"} {
		assert.Equal(t, []string{"secret"}, f.visible(u), u)
		assert.True(t, f.holds(u, ch.ChannelID, "sendMsg"), u)
	}
	assert.Empty(t, f.visible("erin"))
	assert.False(t, f.holds("erin", ch.ChannelID, "sendMsg"))
}

func TestOwnerAndAdminsSeeEveryChannel(t *testing.T) {
	f := newFixture(t)
	f.channel("secret", store.ChannelPrivate)
	pub := f.channel("public", store.ChannelPublic)
	_, err := f.svc.UpdateChannelAccessList(f.ctx, admins.Actor("alice"), "g1", pub.ChannelID, channel.AccessListInput{Op: "add", UserIDs: []string{"alice", "bob"}, RoleIDs: []string{store.EveryoneRoleID}})
	require.NoError(t, err)
	for _, u := range []string{"alice", "bob"} {
		assert.Equal(t, []string{"secret", "public"}, f.visible(u), u)
		assert.True(t, f.holds(u, pub.ChannelID, "sendMsg"), u)
		assert.True(t, f.holds(u, pub.ChannelID, "manageChannel"), u)
	}
	assert.Empty(t, f.visible("dave"), "@everyone blacklisted hides the public channel from members")
	assert.Len(t, f.visible("admin"), 2, "app admins see every channel")
}

func TestListChannelsReturnsOnlyVisibleChannels(t *testing.T) {
	f := newFixture(t)
	var want []string
	for i := range 5 {
		mode := store.ChannelPublic
		if i%2 == 1 {
			mode = store.ChannelPrivate
		} else {
			want = append(want, fmt.Sprintf("c%d", i))
		}
		f.channel(fmt.Sprintf("c%d", i), mode)
	}
	var got []string
	cursor := ""
	for pages := 0; ; pages++ {
		require.Less(t, pages, 10)
		page, err := f.svc.ListChannels(f.ctx, admins.Actor("dave"), "g1", 2, cursor)
		require.NoError(t, err)
		assert.LessOrEqual(t, len(page.Items), 2)
		for _, ch := range page.Items {
			got = append(got, ch.Name)
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	assert.Equal(t, want, got)

	_, err := f.svc.ListChannels(f.ctx, admins.Actor("stranger"), "g1", 0, "")
	requireCode(t, errcode.NotInGroup, err)
}

func TestAMemberOverrideThatIsNotInheritDecides(t *testing.T) {
	f := newFixture(t)
	f.role("talkers", map[string]string{"remindEveryone": "allow"}, "carol")
	ch := f.channel("general", store.ChannelPublic)

	ov, err := f.svc.SetChannelMemberAuths(f.ctx, admins.Actor("bob"), "g1", ch.ChannelID, "carol", channel.AuthsInput{Auths: map[string]string{"sendMsg": "deny", "remindEveryone": "deny"}})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"sendMsg": "deny", "remindEveryone": "deny"}, ov.Auths)
	assert.False(t, f.holds("carol", ch.ChannelID, "sendMsg"), "the override beats @everyone's allow")
	assert.False(t, f.holds("carol", ch.ChannelID, "remindEveryone"), "the override beats a role's allow")
	assert.True(t, f.holds("carol", "", "sendMsg"), "only in its channel")

	_, err = f.svc.SetChannelMemberAuths(f.ctx, admins.Actor("bob"), "g1", ch.ChannelID, "carol", channel.AuthsInput{Auths: map[string]string{"remindEveryone": "inherit", "deleteMsg": "allow"}})
	require.NoError(t, err)
	assert.True(t, f.holds("carol", ch.ChannelID, "remindEveryone"), "inherit hands the item back to the roles")
	assert.True(t, f.holds("carol", ch.ChannelID, "deleteMsg"))
	assert.False(t, f.holds("carol", ch.ChannelID, "sendMsg"), "items not named keep their setting")

	require.NoError(t, f.svc.DeleteChannelMemberAuths(f.ctx, admins.Actor("bob"), "g1", ch.ChannelID, "carol"))
	assert.True(t, f.holds("carol", ch.ChannelID, "sendMsg"))
	assert.False(t, f.holds("carol", ch.ChannelID, "deleteMsg"))
	requireCode(t, errcode.NotFound, f.svc.DeleteChannelMemberAuths(f.ctx, admins.Actor("bob"), "g1", ch.ChannelID, "carol"))
}

func TestAnOverrideIsSetOnlyBySomeoneWhoOutranksTheMember(t *testing.T) {
	f := newFixture(t)
	f.role("high", map[string]string{"manageRole": "allow", "manageChannel": "allow", "sendMsg": "allow"}, "carol")
	ch := f.channel("general", store.ChannelPublic)
	deny := channel.AuthsInput{Auths: map[string]string{"sendMsg": "deny"}}

	_, err := f.svc.SetChannelMemberAuths(f.ctx, admins.Actor("carol"), "g1", ch.ChannelID, "dave", deny)
	require.NoError(t, err, "a custom role outranks a member without one")
	_, err = f.svc.SetChannelMemberAuths(f.ctx, admins.Actor("carol"), "g1", ch.ChannelID, "bob", deny)
	requireCode(t, errcode.NoPermission, err)
	_, err = f.svc.SetChannelMemberAuths(f.ctx, admins.Actor("carol"), "g1", ch.ChannelID, "carol", deny)
	requireCode(t, errcode.NoPermission, err)
	_, err = f.svc.SetChannelMemberAuths(f.ctx, admins.Actor("carol"), "g1", ch.ChannelID, "dave", channel.AuthsInput{Auths: map[string]string{"deleteMsg": "allow"}})
	requireCode(t, errcode.NoPermission, err) // carol does not hold deleteMsg
	_, err = f.svc.SetChannelMemberAuths(f.ctx, admins.Actor("bob"), "g1", ch.ChannelID, "stranger", deny)
	requireCode(t, errcode.NotInGroup, err)
}

func TestAccessListLimitsAreLimitExceededAndChangeNothing(t *testing.T) {
	f := newFixture(t)
	ch := f.channel("general", store.ChannelPublic)
	var roleIDs []string
	for i := range 20 {
		roleIDs = append(roleIDs, f.role(fmt.Sprintf("r%02d", i), nil).RoleID)
	}
	users := make([]string, store.MaxAccessUsers)
	for i := range users {
		users[i] = fmt.Sprintf("u%04d", i)
	}
	f.bulkMembers(append(users, "one-more")...)
	_, err := f.svc.UpdateChannelAccessList(f.ctx, admins.Actor("alice"), "g1", ch.ChannelID, channel.AccessListInput{Op: "add", UserIDs: users, RoleIDs: roleIDs})
	require.NoError(t, err)
	before := f.version()

	_, err = f.svc.UpdateChannelAccessList(f.ctx, admins.Actor("alice"), "g1", ch.ChannelID, channel.AccessListInput{Op: "add", UserIDs: []string{"one-more"}})
	requireCode(t, errcode.LimitExceeded, err)
	_, err = f.svc.UpdateChannelAccessList(f.ctx, admins.Actor("alice"), "g1", ch.ChannelID, channel.AccessListInput{Op: "add", RoleIDs: []string{store.EveryoneRoleID}})
	requireCode(t, errcode.LimitExceeded, err)
	_, err = f.svc.UpdateChannelAccessList(f.ctx, admins.Actor("alice"), "g1", ch.ChannelID, channel.AccessListInput{Op: "add", UserIDs: []string{users[0]}})
	require.NoError(t, err, "adding someone already listed stays within the limit (and changes nothing)")

	list, err := f.svc.GetChannelAccessList(f.ctx, admins.Actor("alice"), "g1", ch.ChannelID)
	require.NoError(t, err)
	assert.Len(t, list.UserIDs, store.MaxAccessUsers)
	assert.Len(t, list.RoleIDs, store.MaxAccessRoles)
	assert.NotContains(t, list.UserIDs, "one-more")
	assert.Equal(t, before, f.version(), "no request committed")
}

func TestSendMsgReflectsMemberMutesAndTheGroupMute(t *testing.T) {
	f := newFixture(t)
	ch := f.channel("general", store.ChannelPublic)
	_, err := f.groups.MuteMember(f.ctx, admins.Actor("alice"), "g1", "carol", groupMute(3600))
	require.NoError(t, err)
	assert.False(t, f.holds("carol", ch.ChannelID, "sendMsg"))
	assert.False(t, f.holds("carol", "", "sendMsg"))
	assert.True(t, f.holds("carol", ch.ChannelID, "recallMsg"), "a mute takes only sendMsg")
	assert.True(t, f.holds("dave", ch.ChannelID, "sendMsg"))

	_, err = f.groups.SetGroupMute(f.ctx, admins.Actor("alice"), "g1", true)
	require.NoError(t, err)
	assert.False(t, f.holds("dave", ch.ChannelID, "sendMsg"), "a muted group silences members")
	assert.True(t, f.holds("bob", ch.ChannelID, "sendMsg"), "but not admins")
	assert.True(t, f.holds("alice", "", "sendMsg"), "nor the owner")
}

func TestCheckPermissionsAboutAnotherUserNeedsManageRoleOrAppAdmin(t *testing.T) {
	f := newFixture(t)
	f.role("managers", map[string]string{"manageRole": "allow"}, "carol")
	ask := func(actor string) error {
		_, err := f.svc.CheckPermissions(f.ctx, admins.Actor(actor), "g1", []string{"sendMsg"}, "", "erin")
		return err
	}
	requireCode(t, errcode.NoPermission, ask("dave"))
	require.NoError(t, ask("carol"), "manageRole through a role")
	require.NoError(t, ask("bob"), "admins hold every item")
	require.NoError(t, ask("admin"), "app admins, without being members")
	requireCode(t, errcode.NotInGroup, ask("stranger"))

	res, err := f.svc.CheckPermissions(f.ctx, admins.Actor("dave"), "g1", []string{"sendMsg", "kickMember"}, "", "")
	require.NoError(t, err, "anyone asks about themselves")
	assert.Equal(t, map[string]bool{"sendMsg": true, "kickMember": false}, res.Auths)
	res, err = f.svc.CheckPermissions(f.ctx, admins.Actor("admin"), "g1", []string{"sendMsg"}, "", "stranger")
	require.NoError(t, err)
	assert.False(t, res.Auths["sendMsg"], "a non-member holds nothing")
}

func TestCheckPermissionsRefusesUnknownItemsAndMissingChannels(t *testing.T) {
	f := newFixture(t)
	_, err := f.svc.CheckPermissions(f.ctx, admins.Actor("dave"), "g1", []string{"sendMsg", "flyToTheMoon"}, "", "")
	requireCode(t, errcode.InvalidArgument, err)
	_, err = f.svc.CheckPermissions(f.ctx, admins.Actor("dave"), "g1", []string{"10000"}, "", "")
	requireCode(t, errcode.InvalidArgument, err) // no such custom item yet
	_, err = f.svc.CheckPermissions(f.ctx, admins.Actor("dave"), "g1", nil, "", "")
	requireCode(t, errcode.InvalidArgument, err)
	_, err = f.svc.CheckPermissions(f.ctx, admins.Actor("dave"), "g1", []string{"sendMsg"}, "missing", "")
	requireCode(t, errcode.NotFound, err)
	_, err = f.svc.CheckPermissions(f.ctx, admins.Actor("dave"), "nope", []string{"sendMsg"}, "", "")
	requireCode(t, errcode.GroupNotFound, err)

	custom, err := f.roles.CreateCustomAuth(f.ctx, admins.Actor("admin"), role.CustomAuthInput{Name: "post", DefaultRight: "allow"})
	require.NoError(t, err)
	assert.True(t, f.holds("dave", "", custom.Key), "a custom item takes its defaultRight on @everyone")
}

func TestADeletedChannelsOverridesAreRemoved(t *testing.T) {
	f := newFixture(t)
	ch := f.channel("general", store.ChannelPublic)
	for _, u := range []string{"carol", "dave", "erin"} {
		_, err := f.svc.SetChannelMemberAuths(f.ctx, admins.Actor("alice"), "g1", ch.ChannelID, u, channel.AuthsInput{Auths: map[string]string{"sendMsg": "deny"}})
		require.NoError(t, err)
	}
	require.NoError(t, f.svc.DeleteChannel(f.ctx, admins.Actor("alice"), "g1", ch.ChannelID))
	ov, err := f.st.GetMemberOverride(f.ctx, "g1", ch.ChannelID, "carol")
	require.NoError(t, err)
	assert.NotNil(t, ov, "the request leaves the overrides to the cleanup consumer")
	// The consumer's steps, two overrides at a time.
	done := false
	for step := 0; !done; step++ {
		require.Less(t, step, 10)
		done, err = f.svc.CleanupDeletedChannel(f.ctx, "g1", ch.ChannelID, 2)
		require.NoError(t, err)
	}
	for _, u := range []string{"carol", "dave", "erin"} {
		ov, err := f.st.GetMemberOverride(f.ctx, "g1", ch.ChannelID, u)
		require.NoError(t, err)
		assert.Nil(t, ov, u)
	}
	_, err = f.svc.CheckPermissions(f.ctx, admins.Actor("carol"), "g1", []string{"sendMsg"}, ch.ChannelID, "")
	requireCode(t, errcode.NotFound, err)
	assert.Empty(t, f.visible("carol"))
	done, err = f.svc.CleanupDeletedChannel(f.ctx, "g1", ch.ChannelID, 100)
	require.NoError(t, err)
	assert.True(t, done, "the consumer's cleanup finds nothing left")
}

func TestChannelCRUDNeedsManageChannel(t *testing.T) {
	f := newFixture(t)
	f.role("builders", map[string]string{"manageChannel": "allow"}, "carol")
	ch, err := f.svc.CreateChannel(f.ctx, admins.Actor("carol"), "g1", channel.ChannelInput{Name: ptr("general"), Topic: ptr("hi")})
	require.NoError(t, err)
	assert.Equal(t, store.ChannelPublic, ch.ViewMode)
	up, err := f.svc.UpdateChannel(f.ctx, admins.Actor("carol"), "g1", ch.ChannelID, channel.ChannelInput{Topic: ptr("news")})
	require.NoError(t, err)
	assert.Equal(t, "news", up.Topic)
	assert.Equal(t, "general", up.Name)

	_, err = f.svc.CreateChannel(f.ctx, admins.Actor("dave"), "g1", channel.ChannelInput{Name: ptr("x")})
	requireCode(t, errcode.NoPermission, err)
	_, err = f.svc.UpdateChannel(f.ctx, admins.Actor("dave"), "g1", ch.ChannelID, channel.ChannelInput{Name: ptr("x")})
	requireCode(t, errcode.NoPermission, err)
	requireCode(t, errcode.NoPermission, f.svc.DeleteChannel(f.ctx, admins.Actor("dave"), "g1", ch.ChannelID))

	// A channel-level deny takes manageChannel away in that channel only.
	_, err = f.svc.SetChannelMemberAuths(f.ctx, admins.Actor("alice"), "g1", ch.ChannelID, "carol", channel.AuthsInput{Auths: map[string]string{"manageChannel": "deny"}})
	require.NoError(t, err)
	_, err = f.svc.UpdateChannel(f.ctx, admins.Actor("carol"), "g1", ch.ChannelID, channel.ChannelInput{Name: ptr("x")})
	requireCode(t, errcode.NoPermission, err)

	require.NoError(t, f.svc.DeleteChannel(f.ctx, admins.Actor("bob"), "g1", ch.ChannelID))
	requireCode(t, errcode.NotFound, f.svc.DeleteChannel(f.ctx, admins.Actor("bob"), "g1", ch.ChannelID))
}

func TestChangingViewModeEmptiesTheAccessList(t *testing.T) {
	f := newFixture(t)
	ch := f.channel("general", store.ChannelPublic)
	_, err := f.svc.UpdateChannelAccessList(f.ctx, admins.Actor("alice"), "g1", ch.ChannelID, channel.AccessListInput{Op: "add", UserIDs: []string{"dave"}})
	require.NoError(t, err)
	_, err = f.svc.UpdateChannel(f.ctx, admins.Actor("alice"), "g1", ch.ChannelID, channel.ChannelInput{ViewMode: ptr(store.ChannelPrivate)})
	require.NoError(t, err)
	list, err := f.svc.GetChannelAccessList(f.ctx, admins.Actor("alice"), "g1", ch.ChannelID)
	require.NoError(t, err)
	assert.Equal(t, channel.KindWhitelist, list.Kind)
	assert.Empty(t, list.UserIDs, "the blocked user is not let into the private channel")
	assert.Empty(t, f.visible("dave"))
}

func TestARefusedRequestChangesNothing(t *testing.T) {
	f := newFixture(t)
	mods := f.role("mods", map[string]string{"manageRole": "allow", "manageChannel": "allow", "manageBlackWhiteList": "allow"}, "carol")
	low := f.role("low", nil, "erin")
	ch := f.channel("general", store.ChannelPublic)
	for _, parent := range []string{mods.RoleID, low.RoleID} {
		_, err := f.svc.AddChannelRole(f.ctx, admins.Actor("alice"), "g1", ch.ChannelID, channel.ChannelRoleInput{ParentRoleID: parent})
		require.NoError(t, err)
	}
	before := f.version()
	chBefore, err := f.st.GetChannel(f.ctx, "g1", ch.ChannelID)
	require.NoError(t, err)

	cases := []struct {
		name string
		code errcode.Code
		run  func() error
	}{
		{"create without a name", errcode.InvalidArgument, func() error {
			_, err := f.svc.CreateChannel(f.ctx, admins.Actor("alice"), "g1", channel.ChannelInput{})
			return err
		}},
		{"create with a bad viewMode", errcode.InvalidArgument, func() error {
			_, err := f.svc.CreateChannel(f.ctx, admins.Actor("alice"), "g1", channel.ChannelInput{Name: ptr("x"), ViewMode: ptr(7)})
			return err
		}},
		{"name too long", errcode.InvalidArgument, func() error {
			_, err := f.svc.UpdateChannel(f.ctx, admins.Actor("alice"), "g1", ch.ChannelID, channel.ChannelInput{Name: ptr(string(make([]rune, 256)))})
			return err
		}},
		{"access list without rights", errcode.NoPermission, func() error {
			_, err := f.svc.UpdateChannelAccessList(f.ctx, admins.Actor("dave"), "g1", ch.ChannelID, channel.AccessListInput{Op: "add", UserIDs: []string{"erin"}})
			return err
		}},
		{"access list with an unknown op", errcode.InvalidArgument, func() error {
			_, err := f.svc.UpdateChannelAccessList(f.ctx, admins.Actor("alice"), "g1", ch.ChannelID, channel.AccessListInput{Op: "toggle", UserIDs: []string{"erin"}})
			return err
		}},
		{"access list with a duplicate", errcode.InvalidArgument, func() error {
			_, err := f.svc.UpdateChannelAccessList(f.ctx, admins.Actor("alice"), "g1", ch.ChannelID, channel.AccessListInput{Op: "add", UserIDs: []string{"erin", "erin"}})
			return err
		}},
		{"access list with a missing role", errcode.NotFound, func() error {
			_, err := f.svc.UpdateChannelAccessList(f.ctx, admins.Actor("alice"), "g1", ch.ChannelID, channel.AccessListInput{Op: "add", RoleIDs: []string{"ghost"}})
			return err
		}},
		{"channel role of a missing role", errcode.NotFound, func() error {
			_, err := f.svc.AddChannelRole(f.ctx, admins.Actor("alice"), "g1", ch.ChannelID, channel.ChannelRoleInput{ParentRoleID: "ghost"})
			return err
		}},
		{"channel role added twice", errcode.InvalidArgument, func() error {
			_, err := f.svc.AddChannelRole(f.ctx, admins.Actor("alice"), "g1", ch.ChannelID, channel.ChannelRoleInput{ParentRoleID: low.RoleID})
			return err
		}},
		{"channel role without manageRole", errcode.NoPermission, func() error {
			_, err := f.svc.AddChannelRole(f.ctx, admins.Actor("dave"), "g1", ch.ChannelID, channel.ChannelRoleInput{ParentRoleID: store.EveryoneRoleID})
			return err
		}},
		{"a server-only item in a channel", errcode.InvalidArgument, func() error {
			_, err := f.svc.UpdateChannelRole(f.ctx, admins.Actor("alice"), "g1", ch.ChannelID, low.RoleID, channel.AuthsInput{Auths: map[string]string{"kickMember": "allow"}})
			return err
		}},
		{"an unknown value", errcode.InvalidArgument, func() error {
			_, err := f.svc.UpdateChannelRole(f.ctx, admins.Actor("alice"), "g1", ch.ChannelID, low.RoleID, channel.AuthsInput{Auths: map[string]string{"sendMsg": "maybe"}})
			return err
		}},
		{"an item the actor does not hold", errcode.NoPermission, func() error {
			_, err := f.svc.UpdateChannelRole(f.ctx, admins.Actor("carol"), "g1", ch.ChannelID, low.RoleID, channel.AuthsInput{Auths: map[string]string{"deleteMsg": "allow"}})
			return err
		}},
		{"a role the actor does not outrank", errcode.NoPermission, func() error {
			// carol holds mods; nobody outranks their own highest role.
			return f.svc.RemoveChannelRole(f.ctx, admins.Actor("carol"), "g1", ch.ChannelID, mods.RoleID)
		}},
		{"a channel that does not exist", errcode.NotFound, func() error {
			_, err := f.svc.UpdateChannel(f.ctx, admins.Actor("alice"), "g1", "missing", channel.ChannelInput{Name: ptr("x")})
			return err
		}},
		{"a non-member", errcode.NotInGroup, func() error {
			_, err := f.svc.CreateChannel(f.ctx, admins.Actor("stranger"), "g1", channel.ChannelInput{Name: ptr("x")})
			return err
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			requireCode(t, c.code, c.run())
		})
	}
	assert.Equal(t, before, f.version(), "no refused request committed a change")
	chAfter, err := f.st.GetChannel(f.ctx, "g1", ch.ChannelID)
	require.NoError(t, err)
	assert.Equal(t, chBefore, chAfter)
	page, err := f.svc.ListChannels(f.ctx, admins.Actor("alice"), "g1", 0, "")
	require.NoError(t, err)
	assert.Len(t, page.Items, 1)
}

// A group holds at most store.MaxChannels channels: the group record counts
// them in the transactions that create and delete channels, and the
// creation is conditioned on the count. The count is seeded to one below
// the limit (creating 499 channels would only slow the test down).
func TestAGroupHoldsAtMost500Channels(t *testing.T) {
	f := newFixture(t)
	a := f.channel("a", store.ChannelPublic)
	f.channel("b", store.ChannelPublic)
	f.channel("c", store.ChannelPublic)
	require.NoError(t, f.svc.DeleteChannel(f.ctx, admins.Actor("alice"), "g1", a.ChannelID))
	g, err := f.st.GetGroup(f.ctx, "g1")
	require.NoError(t, err)
	assert.EqualValues(t, 2, g.ChannelCount, "three created, one deleted")

	_, err = f.st.Client().UpdateItem(f.ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(f.st.Table()),
		Key:                       map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: "G#g1"}, "SK": &types.AttributeValueMemberS{Value: "META"}},
		UpdateExpression:          aws.String("SET channelCount = :n"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":n": &types.AttributeValueMemberN{Value: fmt.Sprint(store.MaxChannels - 1)}},
	})
	require.NoError(t, err)
	last := f.channel("the 500th", store.ChannelPublic)
	before := f.version()
	_, err = f.svc.CreateChannel(f.ctx, admins.Actor("alice"), "g1", channel.ChannelInput{Name: ptr("the 501st")})
	requireCode(t, errcode.LimitExceeded, err)
	assert.Equal(t, before, f.version(), "nothing committed")
	page, err := f.st.ListChannels(f.ctx, "g1", 100, "")
	require.NoError(t, err)
	assert.Len(t, page.Items, 3)

	require.NoError(t, f.svc.DeleteChannel(f.ctx, admins.Actor("alice"), "g1", last.ChannelID))
	f.channel("room again", store.ChannelPublic)
}

func TestAClientChosenChannelIDIsKeptAndNeverReusedBeforeItsCleanup(t *testing.T) {
	f := newFixture(t)
	create := func(id string) (*store.Channel, error) {
		return f.svc.CreateChannel(f.ctx, admins.Actor("alice"), "g1", channel.ChannelInput{ChannelID: ptr(id), Name: ptr("general")})
	}
	ch, err := create("general")
	require.NoError(t, err)
	assert.Equal(t, "general", ch.ChannelID)
	_, err = f.svc.SetChannelMemberAuths(f.ctx, admins.Actor("alice"), "g1", "general", "carol", channel.AuthsInput{Auths: map[string]string{"sendMsg": "deny"}})
	require.NoError(t, err)

	v := f.version()
	for _, tc := range []struct{ name, id string }{
		{"an existing channel's ID", "general"},
		{"an ID that is not an ID", "a#b"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := create(tc.id)
			requireCode(t, errcode.InvalidArgument, err)
		})
	}
	_, err = f.svc.UpdateChannel(f.ctx, admins.Actor("alice"), "g1", "general", channel.ChannelInput{ChannelID: ptr("other")})
	requireCode(t, errcode.InvalidArgument, err)
	assert.Equal(t, v, f.version(), "a refused request changes nothing")

	// Deleted, the ID stays taken until its overrides are cleaned up, so
	// carol's old override never applies to a new channel of that ID.
	require.NoError(t, f.svc.DeleteChannel(f.ctx, admins.Actor("alice"), "g1", "general"))
	_, err = create("general")
	requireCode(t, errcode.InvalidArgument, err)
	done, err := f.svc.CleanupDeletedChannel(f.ctx, "g1", "general", 100)
	require.NoError(t, err)
	require.True(t, done)
	_, err = create("general")
	require.NoError(t, err)
	assert.True(t, f.holds("carol", "general", "sendMsg"), "the new channel has no override")
}
