package permission

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/model"
)

// roleFixture is a group whose custom roles are mod (priority 2: kickMember,
// manageRole), helper (3: kickMember) and low (5), with custom items 10000
// (default allow) and 10001 (default deny).
func roleFixture() (*model.Group, *model.CustomAuths) {
	roles := model.DefaultRoles("g", 1)
	roles.Rev = 1
	add := func(id string, p int, auths map[string]string) {
		roles.Roles[id] = &model.Role{RoleID: id, GroupID: "g", Name: id, Type: model.RoleTypeCustom, Priority: p, Auths: auths}
	}
	add("mod", 2, map[string]string{"kickMember": "allow", "manageRole": "allow"})
	add("helper", 3, map[string]string{"kickMember": "allow"})
	add("low", 5, map[string]string{})
	custom := &model.CustomAuths{Next: 10002, Items: map[string]*model.CustomAuth{
		"10000": {Key: "10000", DefaultRight: "allow"}, "10001": {Key: "10001", DefaultRight: "deny"},
	}}
	return &model.Group{GroupID: "g", OwnerUserID: "owner", Roles: roles}, custom
}

func memberWith(level int, roles ...string) *model.Member {
	return &model.Member{GroupID: "g", UserID: "u", RoleLevel: level, RoleIDs: roles}
}

var (
	owner     = memberWith(model.RoleOwner)
	admin     = memberWith(model.RoleAdmin)
	moderator = memberWith(model.RoleMember, "mod", "helper")
	plain     = memberWith(model.RoleMember)
	appAdmin  = Actor{UserID: "root", AppAdmin: true}
	someone   = Actor{UserID: "u"}
)

func TestNobodySetsAnItemTheyDoNotHold(t *testing.T) {
	g, custom := roleFixture()
	cases := []struct {
		name    string
		a       Actor
		self    *model.Member
		old     map[string]string
		changes map[string]string
		want    errcode.Code
	}{
		{"the owner sets anything", someone, owner, nil, map[string]string{"muteGroup": "allow", "10001": "deny"}, ""},
		{"an app admin sets anything", appAdmin, nil, nil, map[string]string{"manageGroup": "deny"}, ""},
		{"a member sets an item a role gives them", someone, moderator, nil, map[string]string{"kickMember": "allow"}, ""},
		{"denying an item not held is setting it too", someone, moderator, nil, map[string]string{"muteGroup": "deny"}, errcode.NoPermission},
		{"allowing an item not held", someone, moderator, nil, map[string]string{"manageGroup": "allow"}, errcode.NoPermission},
		{"resetting an item not held to inherit", someone, moderator, map[string]string{"muteGroup": "deny"}, map[string]string{"muteGroup": "inherit"}, errcode.NoPermission},
		{"naming an item with its current value is no change", someone, moderator, map[string]string{"muteGroup": "deny"}, map[string]string{"muteGroup": "deny"}, ""},
		{"inherit on an item never set is no change", someone, moderator, nil, map[string]string{"muteGroup": "inherit"}, ""},
		{"a custom item held by its default", someone, moderator, nil, map[string]string{"10000": "deny"}, ""},
		{"a custom item denied by default is not held", someone, moderator, nil, map[string]string{"10001": "allow"}, errcode.NoPermission},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := CheckItemsHeld(c.a, g, c.self, custom, c.old, c.changes)
			assert.Equal(t, c.want, codeOf(err), "%v", err)
		})
	}
}

func TestOmittedAuthsAllowEveryHeldItem(t *testing.T) {
	g, custom := roleFixture()
	got := DefaultAuths(someone, g, moderator, custom)
	for _, it := range []string{"kickMember", "manageRole", "sendMsg", "recallMsg", "remindOther", "accountInfoSelf", "10000"} {
		assert.Equal(t, model.AuthAllow, got[it], it)
	}
	for _, it := range []string{"muteGroup", "manageGroup", "10001"} {
		assert.NotContains(t, got, it, "items not held inherit")
	}
	all := DefaultAuths(someone, g, owner, custom)
	assert.Len(t, all, len(BuiltIn)+2, "the owner holds every item, custom ones included")
}

func TestSelfLockoutGuard(t *testing.T) {
	g, custom := roleFixture()
	edit := func(roleID string, auths map[string]string) *model.Roles {
		next := g.Roles.Clone()
		next.Roles[roleID].Auths = ApplyAuths(next.Roles[roleID].Auths, auths)
		return next
	}
	onlyHelper := memberWith(model.RoleMember, "helper")
	cases := []struct {
		name string
		a    Actor
		self *model.Member
		next *model.Roles
		want errcode.Code
	}{
		{"denying on the only role that grants it", someone, onlyHelper, edit("helper", map[string]string{"kickMember": "deny"}), errcode.NoPermission},
		{"resetting the only grant to inherit", someone, onlyHelper, edit("helper", map[string]string{"kickMember": "inherit"}), errcode.NoPermission},
		{"another held role still grants it", someone, moderator, edit("helper", map[string]string{"kickMember": "deny"}), ""},
		{"denying an item the actor does not hold", someone, onlyHelper, edit("helper", map[string]string{"muteGroup": "deny"}), ""},
		{"a role the actor does not hold", someone, onlyHelper, edit("low", map[string]string{"kickMember": "deny"}), ""},
		{"a deny on a held role takes @everyone's grant", someone, onlyHelper, edit("helper", map[string]string{"sendMsg": "deny"}), errcode.NoPermission},
		{"admins cannot lock themselves out", someone, admin, edit("helper", map[string]string{"kickMember": "deny"}), ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := CheckSelfLockout(c.a, g, c.self, custom, c.next)
			assert.Equal(t, c.want, codeOf(err), "%v", err)
		})
	}
}

func TestNewRolePriorityRanksBelowTheActor(t *testing.T) {
	g, _ := roleFixture()
	cases := []struct {
		name     string
		a        Actor
		self     *model.Member
		roleID   string
		priority int
		want     errcode.Code
	}{
		{"below the actor's highest role", someone, moderator, "", 4, ""},
		{"equal to the actor's highest role", someone, moderator, "", 2, errcode.NoPermission},
		{"above the actor's highest role", someone, moderator, "", 1, errcode.NoPermission},
		{"a member without a custom role outranks none", someone, plain, "", 9, errcode.NoPermission},
		{"the owner may use any free priority", someone, owner, "", 1, ""},
		{"an admin may use any free priority", someone, admin, "", 1, ""},
		{"a priority used by another role", someone, owner, "", 3, errcode.InvalidArgument},
		{"a role keeps its own priority", someone, owner, "helper", 3, ""},
		{"priority 0 is @everyone's", appAdmin, nil, "", 0, errcode.InvalidArgument},
		{"the largest priority", someone, owner, "", MaxPriority, ""},
		{"one past the largest priority", someone, owner, "", MaxPriority + 1, errcode.InvalidArgument},
		{"the largest int", appAdmin, nil, "low", int(^uint(0) >> 1), errcode.InvalidArgument},
		{"a negative priority", appAdmin, nil, "low", -1, errcode.InvalidArgument},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := CheckRolePriority(c.a, g, c.self, c.roleID, c.priority)
			assert.Equal(t, c.want, codeOf(err), "%v", err)
		})
	}
	next := func(roles *model.Roles) int {
		p, err := NextPriority(roles)
		require.NoError(t, err)
		return p
	}
	assert.Equal(t, 6, next(g.Roles), "one below the lowest role")
	assert.Equal(t, 1, next(model.DefaultRoles("g", 1)))
	g.Roles.Roles["low"].Priority = MaxPriority
	_, err := NextPriority(g.Roles)
	assert.Equal(t, errcode.InvalidArgument, codeOf(err), "no priority is left below the lowest role")
}

func TestUpdateRolePrioritiesKeepsBoundsAndDistinctValues(t *testing.T) {
	g, _ := roleFixture()
	cases := []struct {
		name string
		self *model.Member
		in   map[string]int
		want errcode.Code
	}{
		{"swapping two roles", owner, map[string]int{"helper": 5, "low": 3}, ""},
		{"moving within the named roles' range", owner, map[string]int{"mod": 4, "low": 2}, ""},
		{"above the named roles' best", owner, map[string]int{"helper": 1, "low": 5}, errcode.InvalidArgument},
		{"below the named roles' worst", owner, map[string]int{"helper": 3, "low": 6}, errcode.InvalidArgument},
		{"two roles on one priority", owner, map[string]int{"helper": 4, "low": 4}, errcode.InvalidArgument},
		{"clashing with a role not named", owner, map[string]int{"helper": 5, "low": 2}, errcode.InvalidArgument},
		{"a role the actor does not outrank", moderator, map[string]int{"mod": 5, "low": 2}, errcode.NoPermission},
		{"roles below the actor", moderator, map[string]int{"helper": 5, "low": 3}, ""},
		{"@everyone", owner, map[string]int{"everyone": 1}, errcode.NoPermission},
		{"an unknown role", owner, map[string]int{"nope": 1}, errcode.NotFound},
		{"nothing named", owner, map[string]int{}, errcode.InvalidArgument},
		{"past the largest priority", owner, map[string]int{"helper": MaxPriority + 1}, errcode.InvalidArgument},
		{"the largest int", owner, map[string]int{"helper": int(^uint(0) >> 1)}, errcode.InvalidArgument},
		{"zero", owner, map[string]int{"helper": 0}, errcode.InvalidArgument},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := CheckPriorities(someone, g, c.self, c.in)
			assert.Equal(t, c.want, codeOf(err), "%v", err)
		})
	}
}

func TestEveryoneIsTheOwnersAndItsFieldsNeverChange(t *testing.T) {
	g, _ := roleFixture()
	everyone := g.Roles.Roles[model.EveryoneRoleID]
	str := func(s string) *string { return &s }
	num := func(n int) *int { return &n }

	editors := []struct {
		name string
		a    Actor
		self *model.Member
		want errcode.Code
	}{
		{"owner", someone, owner, ""},
		{"app admin", appAdmin, nil, ""},
		{"admin", someone, admin, errcode.NoPermission},
		{"member with roles", someone, moderator, errcode.NoPermission},
	}
	for _, c := range editors {
		t.Run("edit @everyone as "+c.name, func(t *testing.T) {
			assert.Equal(t, c.want, codeOf(CanEditRole(c.a, g, c.self, everyone)))
		})
	}
	fields := []struct {
		name          string
		nm, icon, ext *string
		priority      *int
		want          errcode.Code
	}{
		{name: "name", nm: str("all"), want: errcode.NoPermission},
		{name: "icon", icon: str("x.png"), want: errcode.NoPermission},
		{name: "ext", ext: str("{}"), want: errcode.NoPermission},
		{name: "priority", priority: num(1), want: errcode.NoPermission},
		{name: "the same values", nm: str(everyone.Name), priority: num(0), want: ""},
	}
	for _, c := range fields {
		t.Run("@everyone's "+c.name, func(t *testing.T) {
			assert.Equal(t, c.want, codeOf(CheckEveryoneFields(everyone, c.nm, c.icon, c.ext, c.priority)))
			assert.NoError(t, CheckEveryoneFields(g.Roles.Roles["low"], c.nm, c.icon, c.ext, c.priority), "custom roles may change")
		})
	}
}

func TestRoleEditNeedsToOutrankTheRole(t *testing.T) {
	g, _ := roleFixture()
	assert.NoError(t, CanEditRole(someone, g, moderator, g.Roles.Roles["low"]))
	assert.NoError(t, CanEditRole(someone, g, moderator, g.Roles.Roles["helper"]), "a lower role the actor holds too")
	assert.Equal(t, errcode.NoPermission, codeOf(CanEditRole(someone, g, moderator, g.Roles.Roles["mod"])), "not their own highest role")
	assert.NoError(t, CanEditRole(someone, g, admin, g.Roles.Roles["mod"]))
}

func TestAChannelRoleIsEditedByWhoeverMayEditItsParent(t *testing.T) {
	g, _ := roleFixture()
	cases := []struct {
		name   string
		a      Actor
		self   *model.Member
		parent string
		want   errcode.Code
	}{
		{"the owner, @everyone's", someone, owner, model.EveryoneRoleID, ""},
		{"an app admin, @everyone's", appAdmin, nil, model.EveryoneRoleID, ""},
		{"an admin, @everyone's", someone, admin, model.EveryoneRoleID, errcode.NoPermission},
		{"a member with roles, @everyone's", someone, moderator, model.EveryoneRoleID, errcode.NoPermission},
		{"an admin, any custom role's", someone, admin, "mod", ""},
		{"a member, a role they outrank", someone, moderator, "low", ""},
		{"a member, their own highest role's", someone, moderator, "mod", errcode.NoPermission},
		{"a member without roles", someone, plain, "low", errcode.NoPermission},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			parent := g.Roles.Roles[c.parent]
			got := CanEditChannelRole(c.a, g, c.self, parent)
			assert.Equal(t, c.want, codeOf(got), "%v", got)
			assert.Equal(t, codeOf(CanEditRole(c.a, g, c.self, parent)), codeOf(got), "the same rule as the parent's")
		})
	}
}

func TestGrantingARoleNeedsToOutrankItAndHoldEveryItemItAllows(t *testing.T) {
	g, custom := roleFixture()
	g.Roles.Roles["wide"] = &model.Role{RoleID: "wide", GroupID: "g", Type: model.RoleTypeCustom, Priority: 7,
		Auths: map[string]string{"kickMember": "allow", "handleApplication": "allow", "muteGroup": "deny"}}
	g.Roles.Roles["custom"] = &model.Role{RoleID: "custom", GroupID: "g", Type: model.RoleTypeCustom, Priority: 8,
		Auths: map[string]string{"10001": "allow"}}
	muted := memberWith(model.RoleMember, "mod", "helper")
	muted.MuteEndTime = 1 << 62
	cases := []struct {
		name string
		a    Actor
		self *model.Member
		role string
		want errcode.Code
	}{
		{"a lower role allowing only held items", someone, moderator, "helper", ""},
		{"a lower role allowing nothing", someone, moderator, "low", ""},
		{"a lower role allowing an item the actor lacks", someone, moderator, "wide", errcode.NoPermission},
		{"a custom item the actor does not hold", someone, moderator, "custom", errcode.NoPermission},
		{"a role the actor does not outrank", someone, moderator, "mod", errcode.NoPermission},
		{"a mute does not stop granting held items", someone, muted, "helper", ""},
		{"admins hold every item", someone, admin, "wide", ""},
		{"the owner holds every item", someone, owner, "custom", ""},
		{"app admins hold every item", appAdmin, nil, "wide", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := CanGrantRole(c.a, g, c.self, custom, g.Roles.Roles[c.role], nil)
			assert.Equal(t, c.want, codeOf(err), "%v", err)
		})
	}
}

// A server role's channel roles hand out items in their channels: carol
// (mod) could add herself to helper, whose channel role allows deleteMsg in
// one channel where she lacks it, and so gain it there. Granting a role
// needs every item its channel roles allow, held in their channel.
func TestGrantingARoleNeedsEveryItemItsChannelRolesAllowHeldInTheirChannel(t *testing.T) {
	g, custom := roleFixture()
	chWith := func(id string, roles map[string]map[string]string) *model.Channel {
		ch := &model.Channel{GroupID: "g", ChannelID: id, RoleAuths: map[string]*model.ChannelRole{}}
		for rid, auths := range roles {
			ch.RoleAuths[rid] = &model.ChannelRole{GroupID: "g", ChannelID: id, ParentRoleID: rid, Auths: auths}
		}
		return ch
	}
	helperDeletes := chWith("c1", map[string]map[string]string{"helper": {"deleteMsg": "allow"}})
	bothDelete := chWith("c2", map[string]map[string]string{"helper": {"deleteMsg": "allow"}, "mod": {"deleteMsg": "allow"}})
	helperKicks := chWith("c3", map[string]map[string]string{"helper": {"kickMember": "allow", "sendMsg": "deny"}})
	modDenied := chWith("c4", map[string]map[string]string{"helper": {"kickMember": "allow"}, "mod": {"kickMember": "deny"}})
	carol := memberWith(model.RoleMember, "mod") // above helper, not in it
	override := &model.MemberOverride{GroupID: "g", ChannelID: "c1", UserID: "u", Auths: map[string]string{"deleteMsg": "allow"}}
	cases := []struct {
		name     string
		self     *model.Member
		channels []model.ChannelGrant
		want     errcode.Code
	}{
		{"an item the actor lacks in that channel", carol, []model.ChannelGrant{{Channel: helperDeletes}}, errcode.NoPermission},
		{"the same item held there through the actor's own channel role", carol, []model.ChannelGrant{{Channel: bothDelete}}, ""},
		{"the same item held there through the actor's override", carol, []model.ChannelGrant{{Channel: helperDeletes, Override: override}}, ""},
		{"an item held at server level and not taken in the channel; a deny needs nothing", carol, []model.ChannelGrant{{Channel: helperKicks}}, ""},
		{"an item the actor's own channel role denies in that channel", carol, []model.ChannelGrant{{Channel: modDenied}}, errcode.NoPermission},
		{"one channel among several is enough to refuse", carol, []model.ChannelGrant{{Channel: helperKicks}, {Channel: helperDeletes}}, errcode.NoPermission},
		{"admins hold every item in every channel", admin, []model.ChannelGrant{{Channel: helperDeletes}, {Channel: modDenied}}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := CanGrantRole(someone, g, c.self, custom, g.Roles.Roles["helper"], c.channels)
			assert.Equal(t, c.want, codeOf(err), "%v", err)
		})
	}
	assert.True(t, HoldsEverything(someone, admin))
	assert.True(t, HoldsEverything(appAdmin, nil))
	assert.False(t, HoldsEverything(someone, carol), "a member's channels must be read")
}

func TestRoleAuthsNameKnownItemsAndValues(t *testing.T) {
	_, custom := roleFixture()
	require.NoError(t, ParseRoleAuths(map[string]string{"kickMember": "allow", "sendMsg": "deny", "10000": "inherit"}, custom))
	require.NoError(t, ParseRoleAuths(nil, custom))
	for name, in := range map[string]map[string]string{
		"unknown item":        {"flyPlane": "allow"},
		"unknown custom item": {"10005": "allow"},
		"bad value":           {"sendMsg": "yes"},
		"empty value":         {"sendMsg": ""},
	} {
		t.Run(name, func(t *testing.T) {
			assert.Equal(t, errcode.InvalidArgument, codeOf(ParseRoleAuths(in, custom)))
		})
	}
}

func codeOf(err error) errcode.Code {
	if err == nil {
		return ""
	}
	return errcode.CodeOf(err)
}
