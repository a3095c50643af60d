package group_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/shared/channel"
	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/event"
	"github.com/circles-im/circles/shared/group"
	"github.com/circles-im/circles/shared/permission"
	"github.com/circles-im/circles/shared/role"
	"github.com/circles-im/circles/shared/store"
)

// Group operations check their items through the roles: a custom
// role's allow grants the item to an ordinary member, and the rank rule
// still holds. The group: owner "o", admin "a"; "mod" and "mod2" hold the
// role "mods" (priority 1), "junior" holds "juniors" (priority 2), "m" holds
// no role; "x" is not a member.
func seedRolesGroup(t *testing.T, svc *group.Service, roles *role.Service, gid string, modAuths map[string]string) {
	t.Helper()
	ctx := context.Background()
	_, err := svc.Create(ctx, admins.Actor("o"), group.CreateInput{GroupID: gid, AdminUserIDs: []string{"a"},
		MemberUserIDs: []string{"mod", "mod2", "junior", "m"}})
	require.NoError(t, err)
	mk := func(name string, priority int, auths map[string]string, holders ...string) {
		r, err := roles.CreateRole(ctx, admins.Actor("o"), gid, role.RoleInput{Name: &name, Priority: &priority, Auths: auths})
		require.NoError(t, err)
		res, err := roles.AddRoleMembers(ctx, admins.Actor("o"), gid, r.RoleID, role.RoleMembersInput{UserIDs: holders})
		require.NoError(t, err)
		require.ElementsMatch(t, holders, res.SuccessUserIDs)
	}
	mk("mods", 1, modAuths, "mod", "mod2")
	mk("juniors", 2, map[string]string{}, "junior")
}

func TestACustomRoleGrantsGroupItemsButTheRankRuleStillHolds(t *testing.T) {
	t.Parallel() // each test has its own table
	kick := func(ctx context.Context, svc *group.Service, a permission.Actor, gid, target string) error {
		res, err := svc.Kick(ctx, a, gid, group.KickInput{UserIDs: []string{target}})
		if err == nil && len(res.Failed) > 0 {
			return errcode.New(res.Failed[0].Code, "%s", res.Failed[0].Message)
		}
		return err
	}
	mute := func(ctx context.Context, svc *group.Service, a permission.Actor, gid, target string) error {
		_, err := svc.MuteMember(ctx, a, gid, target, group.MuteMemberInput{MutedSeconds: 60})
		return err
	}
	nickname := func(ctx context.Context, svc *group.Service, a permission.Actor, gid, target string) error {
		n := "renamed"
		_, err := svc.SetMemberInfo(ctx, a, gid, target, group.SetMemberInfoInput{Nickname: &n})
		return err
	}
	setInfo := func(ctx context.Context, svc *group.Service, a permission.Actor, gid, _ string) error {
		n := "new name"
		_, err := svc.SetInfo(ctx, a, gid, group.SetInfoInput{GroupName: &n}, "")
		return err
	}
	muteGroup := func(ctx context.Context, svc *group.Service, a permission.Actor, gid, _ string) error {
		_, err := svc.SetGroupMute(ctx, a, gid, true)
		return err
	}
	cases := []struct {
		name   string
		grants map[string]string // the "mods" role's auths
		actor  string
		op     func(ctx context.Context, svc *group.Service, a permission.Actor, gid, target string) error
		target string
		want   errcode.Code
	}{
		{"kickMember lets a mod kick a member with no role", map[string]string{"kickMember": "allow"}, "mod", kick, "m", ""},
		{"kickMember lets a mod kick a lower role", map[string]string{"kickMember": "allow"}, "mod", kick, "junior", ""},
		{"a mod never kicks an admin", map[string]string{"kickMember": "allow"}, "mod", kick, "a", errcode.NoPermission},
		{"a mod does not kick an equal", map[string]string{"kickMember": "allow"}, "mod", kick, "mod2", errcode.NoPermission},
		{"without the grant a mod cannot kick", map[string]string{}, "mod", kick, "m", errcode.NoPermission},
		{"a role's deny does not stop an admin", map[string]string{"kickMember": "deny"}, "a", kick, "mod", ""},
		{"muteMember lets a mod mute a lower role", map[string]string{"muteMember": "allow"}, "mod", mute, "junior", ""},
		{"a mod never mutes an admin", map[string]string{"muteMember": "allow"}, "mod", mute, "a", errcode.NoPermission},
		{"accountInfoOther lets a mod rename a lower member", map[string]string{"accountInfoOther": "allow"}, "mod", nickname, "m", ""},
		{"without accountInfoOther a mod cannot rename others", map[string]string{}, "mod", nickname, "m", errcode.NoPermission},
		{"a role denying accountInfoSelf stops renaming yourself", map[string]string{"accountInfoSelf": "deny"}, "mod", nickname, "mod", errcode.NoPermission},
		{"manageGroup lets a mod set the group's info", map[string]string{"manageGroup": "allow"}, "mod", setInfo, "", ""},
		{"without manageGroup a mod cannot", map[string]string{}, "mod", setInfo, "", errcode.NoPermission},
		{"muteGroup lets a mod mute the group", map[string]string{"muteGroup": "allow"}, "mod", muteGroup, "", ""},
		{"without muteGroup a mod cannot", map[string]string{}, "mod", muteGroup, "", errcode.NoPermission},
	}
	svc, st := newService(t)
	roles := role.NewService(st)
	withProfiles(t, svc, "o", "a", "mod", "mod2", "junior", "m", "x")
	ctx := context.Background()
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			gid := fmt.Sprintf("g%d", i)
			seedRolesGroup(t, svc, roles, gid, c.grants)
			before, _, err := st.Snapshot(ctx, gid)
			require.NoError(t, err)
			err = c.op(ctx, svc, admins.Actor(c.actor), gid, c.target)
			assert.Equal(t, c.want, errcode.CodeOf(err), "%v", err)
			after := assertInvariants(t, st, gid)
			if c.want != "" {
				assert.Equal(t, before.Version, after.Version, "a refused request changes nothing")
			} else {
				assert.Equal(t, before.Version+1, after.Version)
			}
		})
	}
}

func TestInviteMemberAndHandleApplicationFollowRoles(t *testing.T) {
	t.Parallel() // each test has its own table
	svc, st := newService(t)
	roles := role.NewService(st)
	withProfiles(t, svc, "o", "a", "mod", "mod2", "junior", "m", "x", "y")
	ctx := context.Background()
	seedRolesGroup(t, svc, roles, "g", map[string]string{"inviteMember": "allow", "handleApplication": "allow"})
	nv := 1
	_, err := svc.SetInfo(ctx, admins.Actor("o"), "g", group.SetInfoInput{NeedVerification: &nv}, "")
	require.NoError(t, err)

	// Under needVerification 1, an inviter holding inviteMember adds directly;
	// one without it only creates applications.
	res, err := svc.Invite(ctx, admins.Actor("mod"), "g", group.InviteInput{UserIDs: []string{"x"}})
	require.NoError(t, err)
	assert.Equal(t, []string{"x"}, res.Joined)
	res, err = svc.Invite(ctx, admins.Actor("m"), "g", group.InviteInput{UserIDs: []string{"y"}})
	require.NoError(t, err)
	assert.Equal(t, []string{"y"}, res.Applied)

	// The application notifies the holders of handleApplication: owner,
	// admin and the role's members, not the others.
	evs, err := st.ListEvents(ctx, "g", 0, 100)
	require.NoError(t, err)
	last := evs[len(evs)-1]
	require.Equal(t, event.JoinGroupApplication, last.Type)
	assert.ElementsMatch(t, []string{"o", "a", "mod", "mod2"}, reached(t, st, &last))

	// handleApplication through the role: the mod answers y's application,
	// a member without it may not.
	_, err = svc.RespondApplication(ctx, admins.Actor("junior"), "g", "y", group.ApplicationResponseInput{HandleResult: 1})
	assert.Equal(t, errcode.NoPermission, errcode.CodeOf(err))
	_, err = svc.RespondApplication(ctx, admins.Actor("mod"), "g", "y", group.ApplicationResponseInput{HandleResult: 1})
	require.NoError(t, err)
	g := assertInvariants(t, st, "g")
	assert.EqualValues(t, 8, g.MemberCount)
}

// A group created before roles existed has no role configuration: it gets
// @everyone's defaults when read, and its configuration is stored with the
// first role change.
func TestAGroupCreatedBeforeRolesGetsEveryoneLazily(t *testing.T) {
	t.Parallel() // each test has its own table
	svc, st := newService(t)
	roles, channels := role.NewService(st), channel.NewService(st)
	withProfiles(t, svc, "o", "m")
	ctx := context.Background()
	_, err := svc.Create(ctx, admins.Actor("o"), group.CreateInput{GroupID: "old", MemberUserIDs: []string{"m"}})
	require.NoError(t, err)
	rawDelete(t, st, "G#old", "ROLES") // as stored before this version

	list, err := roles.ListRoles(ctx, admins.Actor("m"), "old")
	require.NoError(t, err)
	require.Len(t, list.Items, 1)
	everyone := list.Items[0]
	assert.Equal(t, store.EveryoneRoleID, everyone.RoleID)
	assert.Equal(t, store.RoleTypeEveryone, everyone.Type)
	assert.EqualValues(t, -1, everyone.MemberCount)
	res, err := channels.CheckPermissions(ctx, admins.Actor("m"), "old", []string{"sendMsg", "kickMember"}, "", "")
	require.NoError(t, err)
	assert.Equal(t, map[string]bool{"sendMsg": true, "kickMember": false}, res.Auths)

	name := "mods"
	r, err := roles.CreateRole(ctx, admins.Actor("o"), "old", role.RoleInput{Name: &name, Auths: map[string]string{"kickMember": "allow"}})
	require.NoError(t, err)
	_, err = roles.AddRoleMembers(ctx, admins.Actor("o"), "old", r.RoleID, role.RoleMembersInput{UserIDs: []string{"m"}})
	require.NoError(t, err)
	g, _, err := st.Snapshot(ctx, "old")
	require.NoError(t, err)
	assert.EqualValues(t, 2, g.Roles.Rev, "stored by the first change, then moved by the second")
	assert.Contains(t, g.Roles.Roles, store.EveryoneRoleID)
	assert.EqualValues(t, 1, g.Roles.Roles[r.RoleID].MemberCount)
	rep, err := svc.Check(ctx, checker, "old", group.CheckInput{})
	require.NoError(t, err)
	assert.Empty(t, rep.Violations)
}
