package role_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/shared/channel"
	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/event"
	"github.com/circles-im/circles/shared/group"
	"github.com/circles-im/circles/shared/role"
	"github.com/circles-im/circles/shared/store"
)

func TestAddRoleMembersReportsSuccessAndFailedUsers(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := f.createRole(t, "r", 1, nil)

	res, err := f.roles.AddRoleMembers(f.ctx, as("alice"), "g1", r.RoleID, role.RoleMembersInput{UserIDs: []string{"carol", "frank", "dave", "ghost"}})
	require.NoError(t, err)
	assert.Equal(t, []string{"carol", "dave"}, res.SuccessUserIDs)
	assert.Equal(t, []string{"frank", "ghost"}, res.FailedUserIDs, "non-members fail")
	f.assertRoleInvariant(t)

	res, err = f.roles.AddRoleMembers(f.ctx, as("alice"), "g1", r.RoleID, role.RoleMembersInput{UserIDs: []string{"carol", "erin"}})
	require.NoError(t, err)
	assert.Equal(t, []string{"carol", "erin"}, res.SuccessUserIDs, "a holder succeeds again")
	assert.Empty(t, res.FailedUserIDs)
	f.assertRoleInvariant(t)

	evs, err := f.st.ListEvents(f.ctx, "g1", 0, 100)
	require.NoError(t, err)
	last := evs[len(evs)-1]
	assert.Equal(t, event.ServerRoleMemberAdd, last.Type)
	assert.Equal(t, []string{"erin"}, last.Recipients, "only users who got the role are told")

	res, err = f.roles.RemoveRoleMembers(f.ctx, as("alice"), "g1", r.RoleID, role.RoleMembersInput{UserIDs: []string{"carol", "bob", "frank"}})
	require.NoError(t, err)
	assert.Equal(t, []string{"carol", "bob"}, res.SuccessUserIDs, "a member without the role is removed already")
	assert.Equal(t, []string{"frank"}, res.FailedUserIDs)
	f.assertRoleInvariant(t)
	page, err := f.roles.ListRoleMembers(f.ctx, as("erin"), "g1", r.RoleID, 0, "")
	require.NoError(t, err)
	var ids []string
	for _, rm := range page.Items {
		ids = append(ids, rm.UserID)
	}
	assert.Equal(t, []string{"dave", "erin"}, ids)
}

func TestRoleMembershipCountsMatchRecordsAcrossBatches(t *testing.T) {
	t.Parallel()
	many := users("m", 60)
	f := newFixture(t, many...)
	r := f.createRole(t, "r", 1, nil)
	other := f.createRole(t, "other", 2, nil)

	res, err := f.roles.AddRoleMembers(f.ctx, as("bob"), "g1", r.RoleID, role.RoleMembersInput{UserIDs: append(many, "frank")})
	require.NoError(t, err)
	assert.Len(t, res.SuccessUserIDs, 60)
	assert.Equal(t, []string{"frank"}, res.FailedUserIDs)
	f.give(t, other.RoleID, many[:5]...)
	f.assertRoleInvariant(t)

	res, err = f.roles.RemoveRoleMembers(f.ctx, as("bob"), "g1", r.RoleID, role.RoleMembersInput{UserIDs: many[:55]})
	require.NoError(t, err)
	assert.Len(t, res.SuccessUserIDs, 55)
	f.assertRoleInvariant(t)
	g, _, err := f.st.Snapshot(f.ctx, "g1")
	require.NoError(t, err)
	assert.EqualValues(t, 5, g.Roles.Roles[r.RoleID].MemberCount)
	assert.EqualValues(t, 5, g.Roles.Roles[other.RoleID].MemberCount)

	page, err := f.roles.ListRoleMembers(f.ctx, as("carol"), "g1", r.RoleID, 2, "")
	require.NoError(t, err)
	assert.Len(t, page.Items, 2)
	assert.NotEmpty(t, page.NextCursor)
	_, err = f.roles.ListRoleMembers(f.ctx, as("frank"), "g1", r.RoleID, 2, "")
	assertCode(t, errcode.NotInGroup, err)
	_, err = f.roles.ListRoleMembers(f.ctx, as("carol"), "g1", store.EveryoneRoleID, 0, "")
	assertCode(t, errcode.InvalidArgument, err)
}

// carol moderates (mods: manageRole, kickMember, muteMember, manageChannel)
// and outranks helpers, which allows items she does not hold. Joining it
// would give them to her; so would giving it to anyone else.
func TestAMemberCannotGetItemsTheyLackByJoiningALowerRole(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	mods := f.createRole(t, "mods", 1, map[string]string{"manageRole": "allow", "kickMember": "allow", "muteMember": "allow", "manageChannel": "allow"})
	helpers := f.createRole(t, "helpers", 2, map[string]string{"handleApplication": "allow", "accountInfoOther": "allow", "inviteMember": "allow", "manageBlackWhiteList": "allow"})
	kickers := f.createRole(t, "kickers", 3, map[string]string{"kickMember": "allow"})
	f.give(t, mods.RoleID, "carol")
	before := f.state(t)

	for _, users := range [][]string{{"carol"}, {"dave"}, {"carol", "dave"}} {
		_, err := f.roles.AddRoleMembers(f.ctx, as("carol"), "g1", helpers.RoleID, role.RoleMembersInput{UserIDs: users})
		assertCode(t, errcode.NoPermission, err)
	}
	assert.Equal(t, before, f.state(t), "a refused grant changes nothing")

	_, err := f.groups.SetMemberInfo(f.ctx, as("carol"), "g1", "dave", group.SetMemberInfoInput{Nickname: str("pwned")})
	assertCode(t, errcode.NoPermission, err)

	// Roles allowing only what she holds she may still give, herself included.
	res, err := f.roles.AddRoleMembers(f.ctx, as("carol"), "g1", kickers.RoleID, role.RoleMembersInput{UserIDs: []string{"carol", "dave"}})
	require.NoError(t, err)
	assert.Equal(t, []string{"carol", "dave"}, res.SuccessUserIDs)
	// Taking a role away hands out nothing: outranking it is enough.
	f.give(t, helpers.RoleID, "erin")
	res, err = f.roles.RemoveRoleMembers(f.ctx, as("carol"), "g1", helpers.RoleID, role.RoleMembersInput{UserIDs: []string{"erin"}})
	require.NoError(t, err)
	assert.Equal(t, []string{"erin"}, res.SuccessUserIDs)
	f.assertRoleInvariant(t)
}

// A role's channel roles hand out items too. kickers allows only kickMember
// at server level, which carol holds; but its channel role in #general
// allows deleteMsg, which she lacks there. Joining kickers would give it to
// her, so she may not, until she holds deleteMsg in #general herself.
func TestAChannelRoleOfALowerRoleIsNoBackDoor(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	chans := channel.NewService(f.st)
	mods := f.createRole(t, "mods", 1, map[string]string{"manageRole": "allow", "kickMember": "allow"})
	kickers := f.createRole(t, "kickers", 2, map[string]string{"kickMember": "allow"})
	f.give(t, mods.RoleID, "carol")
	general, err := chans.CreateChannel(f.ctx, as("alice"), "g1", channel.ChannelInput{Name: str("general")})
	require.NoError(t, err)
	_, err = chans.AddChannelRole(f.ctx, as("alice"), "g1", general.ChannelID, channel.ChannelRoleInput{ParentRoleID: kickers.RoleID})
	require.NoError(t, err)
	_, err = chans.UpdateChannelRole(f.ctx, as("alice"), "g1", general.ChannelID, kickers.RoleID, channel.AuthsInput{Auths: map[string]string{"deleteMsg": "allow"}})
	require.NoError(t, err)
	before := f.state(t)

	for _, users := range [][]string{{"carol"}, {"dave"}} {
		_, err := f.roles.AddRoleMembers(f.ctx, as("carol"), "g1", kickers.RoleID, role.RoleMembersInput{UserIDs: users})
		assertCode(t, errcode.NoPermission, err)
	}
	assert.Equal(t, before, f.state(t), "a refused grant changes nothing")
	holds, err := chans.CheckPermissions(f.ctx, as("carol"), "g1", []string{"deleteMsg"}, general.ChannelID, "")
	require.NoError(t, err)
	assert.False(t, holds.Auths["deleteMsg"], "carol still lacks deleteMsg in #general")

	// Once mods allows deleteMsg in #general, kickers hands her nothing new.
	_, err = chans.AddChannelRole(f.ctx, as("alice"), "g1", general.ChannelID, channel.ChannelRoleInput{ParentRoleID: mods.RoleID})
	require.NoError(t, err)
	_, err = chans.UpdateChannelRole(f.ctx, as("alice"), "g1", general.ChannelID, mods.RoleID, channel.AuthsInput{Auths: map[string]string{"deleteMsg": "allow"}})
	require.NoError(t, err)
	res, err := f.roles.AddRoleMembers(f.ctx, as("carol"), "g1", kickers.RoleID, role.RoleMembersInput{UserIDs: []string{"carol", "dave"}})
	require.NoError(t, err)
	assert.Equal(t, []string{"carol", "dave"}, res.SuccessUserIDs)
	f.assertRoleInvariant(t)
}
