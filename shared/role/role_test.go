package role_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/event"
	"github.com/circles-im/circles/shared/group"
	"github.com/circles-im/circles/shared/permission"
	"github.com/circles-im/circles/shared/role"
	"github.com/circles-im/circles/shared/store"
)

func TestOnlyTheOwnerEditsEveryonesAuths(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	mod := f.createRole(t, "mod", 1, map[string]string{"manageRole": "allow", "kickMember": "allow"})
	f.give(t, mod.RoleID, "carol")
	in := role.RoleInput{Auths: map[string]string{"kickMember": "allow"}}

	for _, who := range []string{"bob", "carol", "dave"} {
		before := f.state(t)
		_, err := f.roles.UpdateRole(f.ctx, as(who), "g1", store.EveryoneRoleID, in)
		assertCode(t, errcode.NoPermission, err)
		assert.Equal(t, before, f.state(t), "%s's refused edit changed nothing", who)
	}

	r, err := f.roles.UpdateRole(f.ctx, as("alice"), "g1", store.EveryoneRoleID, in)
	require.NoError(t, err)
	assert.Equal(t, store.AuthAllow, r.Auths["kickMember"])
	evs, err := f.st.ListEvents(f.ctx, "g1", 0, 100)
	require.NoError(t, err)
	assert.Equal(t, event.ServerRoleAuthUpdate, evs[len(evs)-1].Type)

	_, err = f.roles.UpdateRole(f.ctx, as("root"), "g1", store.EveryoneRoleID, role.RoleInput{Auths: map[string]string{"kickMember": "inherit"}})
	require.NoError(t, err, "app admins may too")
}

func TestEveryonesNameIconExtAndPriorityNeverChange(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	cases := map[string]role.RoleInput{
		"name":     {Name: str("all")},
		"icon":     {Icon: str("x.png")},
		"ext":      {Ext: str("{}")},
		"priority": {Priority: num(3)},
	}
	for field, in := range cases {
		for _, who := range []string{"alice", "root"} {
			before := f.state(t)
			_, err := f.roles.UpdateRole(f.ctx, as(who), "g1", store.EveryoneRoleID, in)
			assertCode(t, errcode.NoPermission, err)
			assert.Equal(t, before, f.state(t), "%s of @everyone by %s", field, who)
		}
	}
	_, err := f.roles.UpdateRolePriorities(f.ctx, as("alice"), "g1", role.PrioritiesInput{Priorities: map[string]int{store.EveryoneRoleID: 0}})
	assertCode(t, errcode.NoPermission, err)
	r, err := f.roles.UpdateRole(f.ctx, as("alice"), "g1", store.EveryoneRoleID, role.RoleInput{Name: str("@everyone")})
	require.NoError(t, err, "naming the current value is no change")
	assert.Equal(t, "@everyone", r.Name)
}

func TestEveryoneCannotBeDeleted(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for _, who := range []string{"alice", "root"} {
		assertCode(t, errcode.NoPermission, f.roles.DeleteRole(f.ctx, as(who), "g1", store.EveryoneRoleID))
	}
	_, err := f.roles.AddRoleMembers(f.ctx, as("alice"), "g1", store.EveryoneRoleID, role.RoleMembersInput{UserIDs: []string{"carol"}})
	assertCode(t, errcode.InvalidArgument, err)
	roles, err := f.roles.ListRoles(f.ctx, as("carol"), "g1")
	require.NoError(t, err)
	require.Len(t, roles.Items, 1)
	assert.Equal(t, store.EveryoneRoleID, roles.Items[0].RoleID)
}

func TestANewRoleRanksBelowTheCreatorsHighestRole(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	mod := f.createRole(t, "mod", 2, map[string]string{"manageRole": "allow"})
	f.give(t, mod.RoleID, "carol")

	for _, p := range []int{1, 2} {
		before := f.state(t)
		_, err := f.roles.CreateRole(f.ctx, as("carol"), "g1", role.RoleInput{Name: str("x"), Priority: num(p)})
		assertCode(t, errcode.NoPermission, err)
		assert.Equal(t, before, f.state(t))
	}
	r, err := f.roles.CreateRole(f.ctx, as("carol"), "g1", role.RoleInput{Name: str("below"), Priority: num(3)})
	require.NoError(t, err)
	assert.Equal(t, 3, r.Priority)

	r, err = f.roles.CreateRole(f.ctx, as("carol"), "g1", role.RoleInput{Name: str("default")})
	require.NoError(t, err)
	assert.Equal(t, 4, r.Priority, "omitted: one below the lowest role")

	_, err = f.roles.CreateRole(f.ctx, as("carol"), "g1", role.RoleInput{Name: str("clash"), Priority: num(3)})
	assertCode(t, errcode.InvalidArgument, err)
	_, err = f.roles.CreateRole(f.ctx, as("bob"), "g1", role.RoleInput{Name: str("top"), Priority: num(1)})
	require.NoError(t, err, "admins rank above every role")

	_, err = f.roles.CreateRole(f.ctx, as("dave"), "g1", role.RoleInput{Name: str("no")})
	assertCode(t, errcode.NoPermission, err)
	_, err = f.roles.CreateRole(f.ctx, as("frank"), "g1", role.RoleInput{Name: str("no")})
	assertCode(t, errcode.NotInGroup, err)
}

func TestOmittedAuthsBecomeTheCreatorsHeldItems(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	pin, err := f.roles.CreateCustomAuth(f.ctx, as("root"), role.CustomAuthInput{Name: "pin", DefaultRight: "allow"})
	require.NoError(t, err)
	ban, err := f.roles.CreateCustomAuth(f.ctx, as("root"), role.CustomAuthInput{Name: "ban", DefaultRight: "deny"})
	require.NoError(t, err)
	mod := f.createRole(t, "mod", 1, map[string]string{"manageRole": "allow", "kickMember": "allow"})
	f.give(t, mod.RoleID, "carol")

	r, err := f.roles.CreateRole(f.ctx, as("carol"), "g1", role.RoleInput{Name: str("copy")})
	require.NoError(t, err)
	want := map[string]string{}
	for _, it := range []string{"manageRole", "kickMember", "sendMsg", "recallMsg", "remindOther", "accountInfoSelf", pin.Key} {
		want[it] = store.AuthAllow
	}
	assert.Equal(t, want, r.Auths, "the creator's held items, custom ones included; the rest inherit")
	assert.NotContains(t, r.Auths, ban.Key)

	r, err = f.roles.CreateRole(f.ctx, as("alice"), "g1", role.RoleInput{Name: str("all")})
	require.NoError(t, err)
	assert.Len(t, r.Auths, len(permission.BuiltIn)+2, "the owner holds every item")

	r, err = f.roles.CreateRole(f.ctx, as("alice"), "g1", role.RoleInput{Name: str("none"), Auths: map[string]string{}})
	require.NoError(t, err)
	assert.Empty(t, r.Auths, "empty auths are not omitted auths")
}

func TestNobodySetsAnItemTheyDoNotHold(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	mod := f.createRole(t, "mod", 1, map[string]string{"manageRole": "allow"})
	low := f.createRole(t, "low", 2, map[string]string{"muteGroup": "deny"})
	f.give(t, mod.RoleID, "carol")

	refused := []struct {
		name string
		do   func() error
	}{
		{"create allowing it", func() error {
			_, err := f.roles.CreateRole(f.ctx, as("carol"), "g1", role.RoleInput{Name: str("x"), Auths: map[string]string{"muteGroup": "allow"}})
			return err
		}},
		{"create denying it", func() error {
			_, err := f.roles.CreateRole(f.ctx, as("carol"), "g1", role.RoleInput{Name: str("x"), Auths: map[string]string{"kickMember": "deny"}})
			return err
		}},
		{"update allowing it", func() error {
			_, err := f.roles.UpdateRole(f.ctx, as("carol"), "g1", low.RoleID, role.RoleInput{Auths: map[string]string{"kickMember": "allow"}})
			return err
		}},
		{"update resetting it", func() error {
			_, err := f.roles.UpdateRole(f.ctx, as("carol"), "g1", low.RoleID, role.RoleInput{Auths: map[string]string{"muteGroup": "inherit"}})
			return err
		}},
	}
	for _, c := range refused {
		t.Run(c.name, func(t *testing.T) {
			before := f.state(t)
			assertCode(t, errcode.NoPermission, c.do())
			assert.Equal(t, before, f.state(t))
		})
	}
	r, err := f.roles.UpdateRole(f.ctx, as("carol"), "g1", low.RoleID, role.RoleInput{Name: str("lower"), Auths: map[string]string{"muteGroup": "deny", "sendMsg": "allow"}})
	require.NoError(t, err, "held items, and items named with their current value, pass")
	assert.Equal(t, map[string]string{"muteGroup": "deny", "sendMsg": "allow"}, r.Auths)
	_, err = f.roles.UpdateRole(f.ctx, as("carol"), "g1", low.RoleID, role.RoleInput{Auths: map[string]string{"fly": "allow"}})
	assertCode(t, errcode.InvalidArgument, err)
}

func TestSelfLockoutGuard(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	mod := f.createRole(t, "mod", 1, map[string]string{"manageRole": "allow"})
	helper := f.createRole(t, "helper", 2, map[string]string{"kickMember": "allow"})
	f.give(t, mod.RoleID, "carol")
	f.give(t, helper.RoleID, "carol")

	before := f.state(t)
	_, err := f.roles.UpdateRole(f.ctx, as("carol"), "g1", helper.RoleID, role.RoleInput{Auths: map[string]string{"kickMember": "deny"}})
	assertCode(t, errcode.NoPermission, err)
	assert.Equal(t, before, f.state(t))

	_, err = f.roles.UpdateRole(f.ctx, as("alice"), "g1", mod.RoleID, role.RoleInput{Auths: map[string]string{"kickMember": "allow"}})
	require.NoError(t, err)
	_, err = f.roles.UpdateRole(f.ctx, as("carol"), "g1", helper.RoleID, role.RoleInput{Auths: map[string]string{"kickMember": "deny"}})
	require.NoError(t, err, "another of her roles still grants kickMember")
}

func TestUpdateRolePrioritiesKeepsBoundsAndDistinctValues(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r1 := f.createRole(t, "r1", 1, nil)
	r2 := f.createRole(t, "r2", 2, nil)
	r3 := f.createRole(t, "r3", 3, nil)

	for name, in := range map[string]map[string]int{
		"above the named roles' range":   {r2.RoleID: 1, r3.RoleID: 2},
		"below the named roles' range":   {r1.RoleID: 2, r2.RoleID: 4},
		"the same priority twice":        {r1.RoleID: 2, r3.RoleID: 2},
		"clashing with a role not named": {r2.RoleID: 3, r3.RoleID: 1},
	} {
		t.Run(name, func(t *testing.T) {
			before := f.state(t)
			_, err := f.roles.UpdateRolePriorities(f.ctx, as("alice"), "g1", role.PrioritiesInput{Priorities: in})
			assertCode(t, errcode.InvalidArgument, err)
			assert.Equal(t, before, f.state(t))
		})
	}
	_, err := f.roles.UpdateRolePriorities(f.ctx, as("alice"), "g1", role.PrioritiesInput{Priorities: map[string]int{"nope": 1}})
	assertCode(t, errcode.NotFound, err)

	page, err := f.roles.UpdateRolePriorities(f.ctx, as("alice"), "g1", role.PrioritiesInput{Priorities: map[string]int{r1.RoleID: 3, r3.RoleID: 1}})
	require.NoError(t, err)
	var order []string
	for _, r := range page.Items {
		order = append(order, r.RoleID)
	}
	assert.Equal(t, []string{store.EveryoneRoleID, r3.RoleID, r2.RoleID, r1.RoleID}, order, "applied together; @everyone first")
	listed, err := f.roles.ListRoles(f.ctx, as("dave"), "g1")
	require.NoError(t, err)
	assert.Equal(t, page.Items, listed.Items)

	f.give(t, r3.RoleID, "carol")
	_, err = f.roles.UpdateRole(f.ctx, as("alice"), "g1", r3.RoleID, role.RoleInput{Auths: map[string]string{"manageRole": "allow"}})
	require.NoError(t, err)
	_, err = f.roles.UpdateRolePriorities(f.ctx, as("carol"), "g1", role.PrioritiesInput{Priorities: map[string]int{r3.RoleID: 2, r2.RoleID: 1}})
	assertCode(t, errcode.NoPermission, err)
	_, err = f.roles.UpdateRolePriorities(f.ctx, as("carol"), "g1", role.PrioritiesInput{Priorities: map[string]int{r1.RoleID: 2, r2.RoleID: 3}})
	require.NoError(t, err, "roles below her own")
}

func TestAGroupHoldsAtMostTwentyCustomRoles(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for i := 0; i < role.DefaultMaxRoles; i++ {
		_, err := f.roles.CreateRole(f.ctx, as("alice"), "g1", role.RoleInput{Name: str("r"), Auths: map[string]string{}})
		require.NoError(t, err)
	}
	before := f.state(t)
	_, err := f.roles.CreateRole(f.ctx, as("alice"), "g1", role.RoleInput{Name: str("one too many")})
	assertCode(t, errcode.LimitExceeded, err)
	assert.Equal(t, before, f.state(t))
}

func TestDeleteRoleCleansMembershipsAndOnlyItsOwn(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	gone := f.createRole(t, "gone", 1, map[string]string{"kickMember": "allow"})
	kept := f.createRole(t, "kept", 2, nil)
	f.give(t, gone.RoleID, "carol", "dave")
	f.give(t, kept.RoleID, "carol")

	assertCode(t, errcode.NoPermission, f.roles.DeleteRole(f.ctx, as("dave"), "g1", gone.RoleID))
	require.NoError(t, f.roles.DeleteRole(f.ctx, as("bob"), "g1", gone.RoleID))
	assertCode(t, errcode.NotFound, f.roles.DeleteRole(f.ctx, as("bob"), "g1", gone.RoleID))
	g, _, err := f.st.Snapshot(f.ctx, "g1")
	require.NoError(t, err)
	assert.Contains(t, g.Roles.Deleted, gone.RoleID, "the request leaves the cleanup to the consumer")

	f.runCleanup(t)
	assert.Empty(t, f.roleMembers(t, gone.RoleID))
	f.assertRoleInvariant(t)
	g, ms, err := f.st.Snapshot(f.ctx, "g1", "carol", "dave")
	require.NoError(t, err)
	assert.Empty(t, g.Roles.Deleted, "the tombstone is gone once cleaned")
	assert.Empty(t, g.Roles.CleanupFrom)
	assert.Equal(t, []string{kept.RoleID}, ms["carol"].RoleIDs)
	assert.Empty(t, ms["dave"].RoleIDs)
	roles, err := f.roles.ListMemberRoles(f.ctx, as("dave"), "g1", "carol")
	require.NoError(t, err)
	require.Len(t, roles.Items, 2)
	assert.Equal(t, kept.RoleID, roles.Items[1].RoleID)
	assert.False(t, permission.Holds(as("dave"), g, ms["dave"], permission.KickMember))
}

func TestAKickedMemberLosesRoleMembershipsAndCountsDrop(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r1 := f.createRole(t, "r1", 1, nil)
	r2 := f.createRole(t, "r2", 2, nil)
	f.give(t, r1.RoleID, "carol", "dave")
	f.give(t, r2.RoleID, "carol")

	out, err := f.groups.Kick(f.ctx, as("alice"), "g1", group.KickInput{UserIDs: []string{"carol"}})
	require.NoError(t, err)
	assert.Equal(t, []string{"carol"}, out.Kicked)
	assert.Equal(t, []string{"dave"}, f.roleMembers(t, r1.RoleID))
	assert.Empty(t, f.roleMembers(t, r2.RoleID))
	g, _, err := f.st.Snapshot(f.ctx, "g1")
	require.NoError(t, err)
	assert.EqualValues(t, 1, g.Roles.Roles[r1.RoleID].MemberCount)
	assert.EqualValues(t, 0, g.Roles.Roles[r2.RoleID].MemberCount)
	f.assertRoleInvariant(t)
}

func TestARefusedRequestChangesNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	mod := f.createRole(t, "mod", 1, map[string]string{"manageRole": "allow"})
	low := f.createRole(t, "low", 3, nil)
	f.give(t, mod.RoleID, "carol")
	f.give(t, low.RoleID, "dave")
	long := string(make([]rune, 256))
	cases := []struct {
		name string
		want errcode.Code
		do   func() error
	}{
		{"create without a name", errcode.InvalidArgument, func() error {
			_, err := f.roles.CreateRole(f.ctx, as("alice"), "g1", role.RoleInput{})
			return err
		}},
		{"create with a long name", errcode.InvalidArgument, func() error {
			_, err := f.roles.CreateRole(f.ctx, as("alice"), "g1", role.RoleInput{Name: &long})
			return err
		}},
		{"create with a bad auth value", errcode.InvalidArgument, func() error {
			_, err := f.roles.CreateRole(f.ctx, as("alice"), "g1", role.RoleInput{Name: str("x"), Auths: map[string]string{"sendMsg": "maybe"}})
			return err
		}},
		{"create with an unknown custom item", errcode.InvalidArgument, func() error {
			_, err := f.roles.CreateRole(f.ctx, as("alice"), "g1", role.RoleInput{Name: str("x"), Auths: map[string]string{"10042": "allow"}})
			return err
		}},
		{"create in a missing group", errcode.GroupNotFound, func() error {
			_, err := f.roles.CreateRole(f.ctx, as("alice"), "nope", role.RoleInput{Name: str("x")})
			return err
		}},
		{"update a role one does not outrank", errcode.NoPermission, func() error {
			_, err := f.roles.UpdateRole(f.ctx, as("carol"), "g1", mod.RoleID, role.RoleInput{Name: str("mine")})
			return err
		}},
		{"update a missing role", errcode.NotFound, func() error {
			_, err := f.roles.UpdateRole(f.ctx, as("alice"), "g1", "nope", role.RoleInput{Name: str("x")})
			return err
		}},
		{"move a role above oneself", errcode.NoPermission, func() error {
			_, err := f.roles.UpdateRole(f.ctx, as("carol"), "g1", low.RoleID, role.RoleInput{Priority: num(1)})
			return err
		}},
		{"delete without manageRole", errcode.NoPermission, func() error {
			return f.roles.DeleteRole(f.ctx, as("dave"), "g1", low.RoleID)
		}},
		{"add members without manageRole", errcode.NoPermission, func() error {
			_, err := f.roles.AddRoleMembers(f.ctx, as("dave"), "g1", low.RoleID, role.RoleMembersInput{UserIDs: []string{"erin"}})
			return err
		}},
		{"add members to a role one does not outrank", errcode.NoPermission, func() error {
			_, err := f.roles.AddRoleMembers(f.ctx, as("carol"), "g1", mod.RoleID, role.RoleMembersInput{UserIDs: []string{"erin"}})
			return err
		}},
		{"add a duplicate user", errcode.InvalidArgument, func() error {
			_, err := f.roles.AddRoleMembers(f.ctx, as("alice"), "g1", low.RoleID, role.RoleMembersInput{UserIDs: []string{"erin", "erin"}})
			return err
		}},
		{"remove members from a missing role", errcode.NotFound, func() error {
			_, err := f.roles.RemoveRoleMembers(f.ctx, as("alice"), "g1", "nope", role.RoleMembersInput{UserIDs: []string{"dave"}})
			return err
		}},
		{"create a custom item as a member", errcode.NoPermission, func() error {
			_, err := f.roles.CreateCustomAuth(f.ctx, as("alice"), role.CustomAuthInput{Name: "x", DefaultRight: "allow"})
			return err
		}},
		{"create a custom item with a bad default", errcode.InvalidArgument, func() error {
			_, err := f.roles.CreateCustomAuth(f.ctx, as("root"), role.CustomAuthInput{Name: "x", DefaultRight: "inherit"})
			return err
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := f.state(t)
			assertCode(t, c.want, c.do())
			assert.Equal(t, before, f.state(t))
		})
	}
	custom, err := f.roles.ListCustomAuths(f.ctx, as("root"))
	require.NoError(t, err)
	assert.Empty(t, custom.Items)
}

func TestAPriorityOutsideOneToAMillionIsRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const maxInt = int(^uint(0) >> 1)
	r := f.createRole(t, "r", 5, nil)
	low := f.createRole(t, "low", 9, nil)

	for _, p := range []int{0, -1, permission.MaxPriority + 1, maxInt} {
		before := f.state(t)
		_, err := f.roles.CreateRole(f.ctx, as("alice"), "g1", role.RoleInput{Name: str("x"), Priority: num(p)})
		assertCode(t, errcode.InvalidArgument, err)
		_, err = f.roles.UpdateRole(f.ctx, as("alice"), "g1", r.RoleID, role.RoleInput{Priority: num(p)})
		assertCode(t, errcode.InvalidArgument, err)
		_, err = f.roles.UpdateRolePriorities(f.ctx, as("alice"), "g1", role.PrioritiesInput{Priorities: map[string]int{r.RoleID: p}})
		assertCode(t, errcode.InvalidArgument, err)
		assert.Equal(t, before, f.state(t), "priority %d changed nothing", p)
	}

	// Both ends are accepted, on create and on update.
	top, err := f.roles.CreateRole(f.ctx, as("alice"), "g1", role.RoleInput{Name: str("top"), Priority: num(1)})
	require.NoError(t, err)
	_, err = f.roles.UpdateRole(f.ctx, as("alice"), "g1", top.RoleID, role.RoleInput{Priority: num(2)})
	require.NoError(t, err)
	_, err = f.roles.UpdateRole(f.ctx, as("alice"), "g1", top.RoleID, role.RoleInput{Priority: num(1)})
	require.NoError(t, err)
	_, err = f.roles.UpdateRole(f.ctx, as("alice"), "g1", low.RoleID, role.RoleInput{Priority: num(permission.MaxPriority)})
	require.NoError(t, err)
	_, err = f.roles.UpdateRolePriorities(f.ctx, as("alice"), "g1", role.PrioritiesInput{Priorities: map[string]int{r.RoleID: permission.MaxPriority, low.RoleID: 5}})
	require.NoError(t, err, "the largest priority is within the named roles' range")

	// With the lowest role at the bound, a role without a priority needs one
	// given; with it given, it is created.
	_, err = f.roles.CreateRole(f.ctx, as("alice"), "g1", role.RoleInput{Name: str("plain")})
	assertCode(t, errcode.InvalidArgument, err)
	_, err = f.roles.CreateRole(f.ctx, as("alice"), "g1", role.RoleInput{Name: str("plain"), Priority: num(permission.MaxPriority - 1)})
	require.NoError(t, err)
	f.assertRoleInvariant(t)
}

func TestAClientChosenRoleIDIsKeptAndNeverReusedBeforeItsCleanup(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r, err := f.roles.CreateRole(f.ctx, as("alice"), "g1", role.RoleInput{RoleID: str("mods"), Name: str("Mods"), Priority: num(1), Auths: map[string]string{}})
	require.NoError(t, err)
	assert.Equal(t, "mods", r.RoleID)
	f.give(t, "mods", "carol")

	before := f.state(t)
	for _, tc := range []struct {
		name string
		in   role.RoleInput
	}{
		{"an existing role's ID", role.RoleInput{RoleID: str("mods"), Name: str("Again"), Priority: num(2)}},
		{"@everyone's ID", role.RoleInput{RoleID: str(store.EveryoneRoleID), Name: str("Everyone"), Priority: num(2)}},
		{"an ID that is not an ID", role.RoleInput{RoleID: str("a/b"), Name: str("Slash"), Priority: num(2)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.roles.CreateRole(f.ctx, as("alice"), "g1", tc.in)
			assertCode(t, errcode.InvalidArgument, err)
		})
	}
	_, err = f.roles.UpdateRole(f.ctx, as("alice"), "g1", "mods", role.RoleInput{RoleID: str("other")})
	assertCode(t, errcode.InvalidArgument, err)
	assert.Equal(t, before, f.state(t), "a refused request changes nothing")

	// Deleted, the ID stays taken until its memberships are cleaned up, so
	// carol's old membership never lands on a new role of that ID.
	require.NoError(t, f.roles.DeleteRole(f.ctx, as("alice"), "g1", "mods"))
	_, err = f.roles.CreateRole(f.ctx, as("alice"), "g1", role.RoleInput{RoleID: str("mods"), Name: str("Mods"), Priority: num(1)})
	assertCode(t, errcode.InvalidArgument, err)
	f.runCleanup(t)
	r, err = f.roles.CreateRole(f.ctx, as("alice"), "g1", role.RoleInput{RoleID: str("mods"), Name: str("Mods 2"), Priority: num(1)})
	require.NoError(t, err)
	assert.Empty(t, f.roleMembers(t, r.RoleID), "the new role starts with no members")
	f.assertRoleInvariant(t)
}
