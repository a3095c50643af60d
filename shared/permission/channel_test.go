package permission

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/model"
)

func channelFixture() (*model.Group, map[string]*model.Member, *model.CustomAuths) {
	g := &model.Group{GroupID: "g", Roles: model.DefaultRoles("g", 1)}
	g.Roles.Roles["mod"] = &model.Role{RoleID: "mod", Type: model.RoleTypeCustom, Priority: 1, Auths: map[string]string{"manageChannel": model.AuthAllow, "deleteMsg": model.AuthAllow}}
	ms := map[string]*model.Member{
		"owner": {UserID: "owner", RoleLevel: model.RoleOwner, JoinTime: 5},
		"admin": {UserID: "admin", RoleLevel: model.RoleAdmin, JoinTime: 5},
		"mod":   {UserID: "mod", RoleLevel: model.RoleMember, RoleIDs: []string{"mod"}, JoinTime: 5},
		"plain": {UserID: "plain", RoleLevel: model.RoleMember, JoinTime: 5},
	}
	custom := &model.CustomAuths{Items: map[string]*model.CustomAuth{"10000": {Key: "10000", DefaultRight: model.AuthAllow}}}
	return g, ms, custom
}

func TestHoldsInDecidesThroughEffectiveInTheChannel(t *testing.T) {
	g, ms, custom := channelFixture()
	hidden := &model.Channel{ChannelID: "c", ViewMode: model.ChannelPrivate}
	open := &model.Channel{ChannelID: "c", RoleAuths: map[string]*model.ChannelRole{"mod": {Auths: map[string]string{"deleteMsg": model.AuthDeny}}}}
	cases := []struct {
		name string
		a    Actor
		self *model.Member
		ch   *model.Channel
		ov   *model.MemberOverride
		it   Item
		want bool
	}{
		{"app admins hold every item, members or not", Actor{UserID: "x", AppAdmin: true}, nil, hidden, nil, KickMember, true},
		{"the owner holds every item in a hidden channel", Actor{UserID: "owner"}, ms["owner"], hidden, nil, RemindEveryone, true},
		{"an admin holds every item in a hidden channel", Actor{UserID: "admin"}, ms["admin"], hidden, nil, DeleteMsg, true},
		{"a hidden channel yields nothing", Actor{UserID: "plain"}, ms["plain"], hidden, nil, SendMsg, false},
		{"server level without a channel", Actor{UserID: "mod"}, ms["mod"], nil, nil, DeleteMsg, true},
		{"a channel role's deny applies in its channel", Actor{UserID: "mod"}, ms["mod"], open, nil, DeleteMsg, false},
		{"a channel role that inherits follows its parent", Actor{UserID: "mod"}, ms["mod"], open, nil, ManageChannel, true},
		{"a member override decides", Actor{UserID: "mod"}, ms["mod"], open, &model.MemberOverride{JoinTime: 5, Auths: map[string]string{"deleteMsg": model.AuthAllow}}, DeleteMsg, true},
		{"an override of an earlier membership is ignored", Actor{UserID: "mod"}, ms["mod"], open, &model.MemberOverride{JoinTime: 4, Auths: map[string]string{"deleteMsg": model.AuthAllow}}, DeleteMsg, false},
		{"custom items take their default on @everyone", Actor{UserID: "plain"}, ms["plain"], open, nil, "10000", true},
		{"a non-member holds nothing", Actor{UserID: "x"}, nil, open, nil, SendMsg, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, HoldsIn(c.a, g, c.self, custom, c.ch, c.ov, c.it))
		})
	}
	g.Status = model.StatusDismissed
	assert.False(t, HoldsIn(Actor{UserID: "x", AppAdmin: true}, g, nil, custom, nil, nil, SendMsg), "nothing in a dismissed group")
}

func TestVisibleToFollowsTheAccessList(t *testing.T) {
	g, ms, _ := channelFixture()
	black := &model.Channel{Users: []string{"plain"}, Roles: []string{"mod"}}
	white := &model.Channel{ViewMode: model.ChannelPrivate, Roles: []string{"mod"}}
	assert.False(t, VisibleTo(Actor{UserID: "plain"}, g, ms["plain"], black))
	assert.False(t, VisibleTo(Actor{UserID: "mod"}, g, ms["mod"], black))
	assert.True(t, VisibleTo(Actor{UserID: "mod"}, g, ms["mod"], white))
	assert.False(t, VisibleTo(Actor{UserID: "plain"}, g, ms["plain"], white))
	assert.True(t, VisibleTo(Actor{UserID: "admin"}, g, ms["admin"], white))
	assert.True(t, VisibleTo(Actor{UserID: "x", AppAdmin: true}, g, nil, white))
	assert.False(t, VisibleTo(Actor{UserID: "x"}, g, nil, &model.Channel{}), "non-members see nothing")
}

func TestParseChannelAuthsAcceptsOnlyChannelItems(t *testing.T) {
	_, _, custom := channelFixture()
	cases := []struct {
		in map[string]string
		ok bool
	}{
		{map[string]string{"sendMsg": "allow", "manageRole": "deny", "remindEveryone": "inherit"}, true},
		{map[string]string{"10000": "deny"}, true},
		{map[string]string{"10001": "deny"}, false},
		{map[string]string{"kickMember": "allow"}, false},
		{map[string]string{"sendMsg": "yes"}, false},
		{map[string]string{}, false},
	}
	for _, c := range cases {
		err := ParseChannelAuths(c.in, custom)
		if c.ok {
			assert.NoError(t, err, "%v", c.in)
		} else {
			assert.Equal(t, errcode.InvalidArgument, errcode.CodeOf(err), "%v", c.in)
		}
	}
}

func TestNobodyChangesAChannelItemTheyDoNotHold(t *testing.T) {
	g, ms, custom := channelFixture()
	ch := &model.Channel{ChannelID: "c"}
	mod := Actor{UserID: "mod"}
	current := map[string]string{"remindEveryone": model.AuthDeny}
	check := func(changes map[string]string) error {
		return CheckSettableIn(mod, g, ms["mod"], custom, ch, nil, current, changes)
	}
	assert.NoError(t, check(map[string]string{"deleteMsg": "deny"}), "held")
	assert.Equal(t, errcode.NoPermission, errcode.CodeOf(check(map[string]string{"remindEveryone": "allow"})))
	assert.Equal(t, errcode.NoPermission, errcode.CodeOf(check(map[string]string{"remindEveryone": "inherit"})), "resetting counts as a change")
	assert.NoError(t, check(map[string]string{"remindEveryone": "deny", "manageRole": "inherit"}), "naming an item with its current value changes nothing")
	assert.NoError(t, CheckSettableIn(Actor{UserID: "owner"}, g, ms["owner"], custom, ch, nil, current, map[string]string{"remindEveryone": "allow"}))

	assert.Equal(t, map[string]string{"deleteMsg": "allow"}, ApplyAuths(current, map[string]string{"remindEveryone": "inherit", "deleteMsg": "allow"}))
	assert.Equal(t, map[string]string{"remindEveryone": model.AuthDeny}, current, "the current settings are not modified")
}
