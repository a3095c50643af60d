package permission

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/shared/store"
)

func TestEveryoneDefaultsSetEveryBuiltInItemAndAllowOnlyTheSpecsFour(t *testing.T) {
	everyone := store.DefaultRoles("g", 1).Roles[store.EveryoneRoleID]
	require.Len(t, everyone.Auths, len(BuiltIn), "@everyone sets every built-in item")
	allowed := map[Item]bool{SendMsg: true, RemindOther: true, AccountInfoSelf: true, RecallMsg: true}
	for _, it := range BuiltIn {
		want := store.AuthDeny
		if allowed[it] {
			want = store.AuthAllow
		}
		assert.Equal(t, want, everyone.Auths[string(it)], string(it))
	}
	assert.Equal(t, store.RoleTypeEveryone, everyone.Type)
	assert.Equal(t, 0, everyone.Priority)
	assert.EqualValues(t, -1, everyone.MemberCount)
}

func TestRankOrdersOwnerAdminThenMembersByTheirHighestCustomRole(t *testing.T) {
	g := &store.Group{GroupID: "g", Roles: store.DefaultRoles("g", 1)}
	g.Roles.Roles["hi"] = &store.Role{RoleID: "hi", Type: store.RoleTypeCustom, Priority: 1}
	g.Roles.Roles["lo"] = &store.Role{RoleID: "lo", Type: store.RoleTypeCustom, Priority: 5}
	g.Roles.Deleted["gone"] = 9
	owner := &store.Member{UserID: "o", RoleLevel: store.RoleOwner}
	admin := &store.Member{UserID: "a", RoleLevel: store.RoleAdmin}
	hi := &store.Member{UserID: "h", RoleLevel: store.RoleMember, RoleIDs: []string{"lo", "hi"}}
	hi2 := &store.Member{UserID: "h2", RoleLevel: store.RoleMember, RoleIDs: []string{"hi"}}
	lo := &store.Member{UserID: "l", RoleLevel: store.RoleMember, RoleIDs: []string{"lo"}}
	none := &store.Member{UserID: "n", RoleLevel: store.RoleMember}
	// A role that is deleted (still being cleaned up) gives no rank.
	deleted := &store.Member{UserID: "d", RoleLevel: store.RoleMember, RoleIDs: []string{"gone"}}
	cases := []struct {
		name         string
		self, target *store.Member
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
	g := &store.Group{GroupID: "g", MemberCount: 4, Roles: store.DefaultRoles("g", 1)}
	g.Roles.Roles["mod"] = &store.Role{RoleID: "mod", Type: store.RoleTypeCustom, Priority: 1, Auths: map[string]string{"kickMember": store.AuthAllow}}
	mod := &store.Member{UserID: "m", RoleLevel: store.RoleMember, RoleIDs: []string{"mod"}}
	plain := &store.Member{UserID: "p", RoleLevel: store.RoleMember}
	admin := &store.Member{UserID: "a", RoleLevel: store.RoleAdmin}
	kick := func(target *store.Member) error {
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
	g := &store.Group{GroupID: "g", Status: store.StatusMuted, Roles: store.DefaultRoles("g", 1)}
	g.Roles.Roles["mods"] = &store.Role{RoleID: "mods", Type: store.RoleTypeCustom, Priority: 1, Auths: map[string]string{"manageRole": store.AuthAllow}}
	m := &store.Member{UserID: "m", RoleLevel: store.RoleMember, RoleIDs: []string{"mods"}, MuteEndTime: nowMillis() + 60_000}
	a := Actor{UserID: "m"}
	assert.False(t, HoldsIn(a, g, m, nil, nil, nil, SendMsg), "muted, and in a muted group: no sending")
	require.NoError(t, CheckItemsHeld(a, g, m, nil, nil, map[string]string{"sendMsg": "allow"}), "but the item is still theirs to grant")
	assert.Equal(t, store.AuthAllow, DefaultAuths(a, g, m, nil)["sendMsg"])
}
