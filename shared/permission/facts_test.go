package permission

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/shared/model"
)

func TestEveryoneDefaultsSetEveryBuiltInItemAndAllowOnlyTheSpecsFour(t *testing.T) {
	everyone := model.DefaultRoles("g", 1).Roles[model.EveryoneRoleID]
	require.Len(t, everyone.Auths, len(BuiltIn), "@everyone sets every built-in item")
	allowed := map[Item]bool{SendMsg: true, RemindOther: true, AccountInfoSelf: true, RecallMsg: true}
	for _, it := range BuiltIn {
		want := model.AuthDeny
		if allowed[it] {
			want = model.AuthAllow
		}
		assert.Equal(t, want, everyone.Auths[string(it)], string(it))
	}
	assert.Equal(t, model.RoleTypeEveryone, everyone.Type)
	assert.Equal(t, 0, everyone.Priority)
	assert.EqualValues(t, -1, everyone.MemberCount)
}

func TestRankOrdersOwnerAdminThenMembersByTheirHighestCustomRole(t *testing.T) {
	g := &model.Group{GroupID: "g", Roles: model.DefaultRoles("g", 1)}
	g.Roles.Roles["hi"] = &model.Role{RoleID: "hi", Type: model.RoleTypeCustom, Priority: 1}
	g.Roles.Roles["lo"] = &model.Role{RoleID: "lo", Type: model.RoleTypeCustom, Priority: 5}
	g.Roles.Deleted["gone"] = 9
	owner := &model.Member{UserID: "o", RoleLevel: model.RoleOwner}
	admin := &model.Member{UserID: "a", RoleLevel: model.RoleAdmin}
	hi := &model.Member{UserID: "h", RoleLevel: model.RoleMember, RoleIDs: []string{"lo", "hi"}}
	hi2 := &model.Member{UserID: "h2", RoleLevel: model.RoleMember, RoleIDs: []string{"hi"}}
	lo := &model.Member{UserID: "l", RoleLevel: model.RoleMember, RoleIDs: []string{"lo"}}
	none := &model.Member{UserID: "n", RoleLevel: model.RoleMember}
	// A role that is deleted (still being cleaned up) gives no rank.
	deleted := &model.Member{UserID: "d", RoleLevel: model.RoleMember, RoleIDs: []string{"gone"}}
	cases := []struct {
		name         string
		self, target *model.Member
		want         bool
	}{
		{"owner outranks admin", owner, admin, true},
		{"admin outranks a member with the highest role", admin, hi, true},
		{"admin does not outrank admin", admin, admin, false},
		{"a member never outranks an admin", hi, admin, false},
		{"priority 1 outranks priority 5", hi, lo, true},
		{"equal highest roles are not strictly above", hi, hi2, false},
		{"any custom role outranks none", lo, none, true},
		{"none does not outrank none", none, deleted, false},
		{"a deleted role ranks as none", deleted, none, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, Outranks(Actor{UserID: c.self.UserID}, g, c.self, c.target))
		})
	}
	assert.True(t, Outranks(Actor{UserID: "x", AppAdmin: true}, g, nil, owner), "app admins outrank everyone")
}

func TestACustomRoleGrantingKickMemberLetsAMemberKickThoseTheyOutrankButNeverAnAdmin(t *testing.T) {
	g := &model.Group{GroupID: "g", MemberCount: 4, Roles: model.DefaultRoles("g", 1)}
	g.Roles.Roles["mod"] = &model.Role{RoleID: "mod", Type: model.RoleTypeCustom, Priority: 1, Auths: map[string]string{"kickMember": model.AuthAllow}}
	mod := &model.Member{UserID: "m", RoleLevel: model.RoleMember, RoleIDs: []string{"mod"}}
	plain := &model.Member{UserID: "p", RoleLevel: model.RoleMember}
	admin := &model.Member{UserID: "a", RoleLevel: model.RoleAdmin}
	kick := func(target *model.Member) error {
		return Decide(Request{Op: OpKick, Actor: Actor{UserID: "m"}, Group: g, Self: mod, Target: target, TargetID: target.UserID})
	}
	require.NoError(t, kick(plain))
	require.Error(t, kick(admin))
	// Without the role, the same member holds no kickMember.
	noRole := *mod
	noRole.RoleIDs = nil
	err := Decide(Request{Op: OpKick, Actor: Actor{UserID: "m"}, Group: g, Self: &noRole, Target: plain, TargetID: "p"})
	require.Error(t, err)
}

func TestAMutedMemberStillGrantsTheItemsTheirRolesHold(t *testing.T) {
	g := &model.Group{GroupID: "g", Status: model.StatusMuted, Roles: model.DefaultRoles("g", 1)}
	g.Roles.Roles["mods"] = &model.Role{RoleID: "mods", Type: model.RoleTypeCustom, Priority: 1, Auths: map[string]string{"manageRole": model.AuthAllow}}
	m := &model.Member{UserID: "m", RoleLevel: model.RoleMember, RoleIDs: []string{"mods"}, MuteEndTime: nowMillis() + 60_000}
	a := Actor{UserID: "m"}
	assert.False(t, HoldsIn(a, g, m, nil, nil, nil, SendMsg), "muted, and in a muted group: no sending")
	require.NoError(t, CheckItemsHeld(a, g, m, nil, nil, map[string]string{"sendMsg": "allow"}), "but the item is still theirs to grant")
	assert.Equal(t, model.AuthAllow, DefaultAuths(a, g, m, nil)["sendMsg"])
}

func TestFactsOfRoutesTheOverrideToTheLayerItIsFor(t *testing.T) {
	g := &model.Group{GroupID: "g", Roles: model.DefaultRoles("g", 1)}
	m := &model.Member{UserID: "u", RoleLevel: model.RoleMember, JoinTime: 7}
	deny := map[string]string{"sendMsg": model.AuthDeny}
	cases := []struct {
		name       string
		ch         model.Channel
		ov         model.MemberOverride
		wantSendOK bool
	}{
		{"a channel override applies in its unsynced channel", model.Channel{ChannelID: "c"},
			model.MemberOverride{ChannelID: "c", JoinTime: 7, Auths: deny}, false},
		{"a channel override from before the channel dropped its settings does not apply", model.Channel{ChannelID: "c", Gen: 1},
			model.MemberOverride{ChannelID: "c", JoinTime: 7, Auths: deny}, true},
		{"a channel override carrying the channel's generation applies", model.Channel{ChannelID: "c", Gen: 1},
			model.MemberOverride{ChannelID: "c", JoinTime: 7, Gen: 1, Auths: deny}, false},
		{"a category override applies in a synced channel of that category",
			model.Channel{ChannelID: "c", CategoryID: "k", SyncMode: model.Synced, Category: &model.Layer{}},
			model.MemberOverride{CategoryID: "k", JoinTime: 7, Auths: deny}, false},
		{"a category override does not apply in an unsynced channel",
			model.Channel{ChannelID: "c", CategoryID: "k", Category: &model.Layer{}},
			model.MemberOverride{CategoryID: "k", JoinTime: 7, Auths: deny}, true},
		{"another category's override does not apply",
			model.Channel{ChannelID: "c", CategoryID: "k", SyncMode: model.Synced, Category: &model.Layer{}},
			model.MemberOverride{CategoryID: "k2", JoinTime: 7, Auths: deny}, true},
		{"a category override from an earlier membership does not apply",
			model.Channel{ChannelID: "c", CategoryID: "k", SyncMode: model.Synced, Category: &model.Layer{}},
			model.MemberOverride{CategoryID: "k", JoinTime: 6, Auths: deny}, true},
		{"a synced channel is seen through its category's list",
			model.Channel{ChannelID: "c", CategoryID: "k", SyncMode: model.Synced, Category: &model.Layer{ViewMode: model.ChannelPrivate, Users: []string{"u"}}},
			model.MemberOverride{}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := FactsOf(g, m, nil, &c.ch, &c.ov, 0)
			assert.Equal(t, c.wantSendOK, Effective(f, SendMsg))
		})
	}
}
