package permission_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/model"
	"github.com/circles-im/circles/shared/permission"
	"github.com/circles-im/circles/shared/permission/matrix"
)

// matrixGroup builds in memory what the group tests create on DynamoDB
// Local for each row: owner "o", admins "a1" and "a2", members "m1" and "m2".
func matrixGroup(row matrix.Row) (*model.Group, map[string]*model.Member) {
	g := &model.Group{GroupID: "g", OwnerUserID: "o", MemberCount: 5, NeedVerification: row.NV, Roles: model.DefaultRoles("g", 1)}
	if row.Dismissed {
		g.Status = model.StatusDismissed
	}
	ms := map[string]*model.Member{}
	for id, level := range map[string]int{"o": model.RoleOwner, "a1": model.RoleAdmin, "a2": model.RoleAdmin, "m1": model.RoleMember, "m2": model.RoleMember} {
		ms[id] = &model.Member{GroupID: "g", UserID: id, RoleLevel: level, JoinTime: 1}
	}
	return g, ms
}

// matrixRequests are the decisions the service asks for a row's operation,
// in its order; the first refusal is the answer.
func matrixRequests(t *testing.T, row matrix.Row, a permission.Actor, g *model.Group, ms map[string]*model.Member) []permission.Request {
	base := permission.Request{Actor: a, Group: g, Self: ms[a.UserID]}
	on := func(op permission.Op, target string) permission.Request {
		r := base
		r.Op, r.Target, r.TargetID = op, ms[target], target
		return r
	}
	setLevel := func(level int) []permission.Request {
		r := on(permission.OpSetMemberRoleLevel, row.Target)
		r.RoleLevel = level
		return []permission.Request{on(permission.OpSetMemberInfo, row.Target), r}
	}
	switch row.Op {
	case "kick":
		return []permission.Request{on(permission.OpKick, row.Target)}
	case "mute", "unmute":
		return []permission.Request{on(permission.OpMuteMember, row.Target)}
	case "nickname":
		return []permission.Request{on(permission.OpSetMemberInfo, row.Target)}
	case "toAdmin":
		return setLevel(model.RoleAdmin)
	case "toOrdinary":
		return setLevel(model.RoleMember)
	case "toOwner":
		return setLevel(model.RoleOwner)
	case "transfer":
		return []permission.Request{on(permission.OpTransferOwner, row.Target)}
	case "quit":
		return []permission.Request{on(permission.OpQuit, row.Target)}
	case "setInfo":
		return []permission.Request{on(permission.OpSetGroupInfo, "")}
	case "muteGroup":
		return []permission.Request{on(permission.OpMuteGroup, "")}
	case "dismiss":
		return []permission.Request{on(permission.OpDismiss, "")}
	case "invite":
		return []permission.Request{on(permission.OpInvite, "")}
	case "join":
		return []permission.Request{on(permission.OpJoin, a.UserID)}
	case "approve", "approveTwice":
		return []permission.Request{on(permission.OpHandleApplication, row.Target)}
	case "ban":
		return []permission.Request{on(permission.OpManageBans, ""), on(permission.OpBan, row.Target)}
	case "listBans":
		return []permission.Request{on(permission.OpManageBans, "")}
	case "inviteCode":
		return []permission.Request{on(permission.OpManageInviteCodes, "")}
	case "joinByCode":
		return []permission.Request{on(permission.OpJoinByInviteCode, a.UserID)}
	case "batchInfo":
		return []permission.Request{on(permission.OpSetMemberInfo, "m2"), on(permission.OpSetMemberInfo, row.Target)}
	case "batchToAdmin":
		return setLevel(model.RoleAdmin)
	case "listMembers", "membersInfo", "changes", "groupsChanges":
		return []permission.Request{on(permission.OpReadMembers, "")}
	}
	require.FailNow(t, "no operation "+row.Op)
	return nil
}

// decided is the part of a row's outcome that is the permission decision.
// The rest is the service's or the store's: whether a join waits for
// approval (needVerification), that an invited user is already a member,
// that an application was already handled.
func decided(row matrix.Row) string {
	switch {
	case row.Want == matrix.Joined, row.Want == matrix.Applied, row.Want == matrix.Handled:
		return ""
	case row.Op == "invite" && row.Want == matrix.Already:
		return ""
	}
	return row.Want
}

func TestDecideAnswersEveryRowOfThePermissionMatrix(t *testing.T) {
	admins := permission.ParseAppAdmins(matrix.AppAdmin)
	require.NotEmpty(t, matrix.Rows)
	for i, row := range matrix.Rows {
		name := fmt.Sprintf("%02d %s by %s on %s nv%d dismissed=%v -> %q", i, row.Op, row.Actor, row.Target, row.NV, row.Dismissed, row.Want)
		t.Run(name, func(t *testing.T) {
			a := admins.Actor(row.Actor)
			g, ms := matrixGroup(row)
			var err error
			for _, r := range matrixRequests(t, row, a, g, ms) {
				if err = permission.Decide(r); err != nil {
					break
				}
			}
			got := ""
			if err != nil {
				got = string(errcode.CodeOf(err))
			}
			assert.Equal(t, decided(row), got, "%v", err)
			if row.Op == "invite" && (row.Want == matrix.Joined || row.Want == matrix.Applied) {
				assert.Equal(t, row.Want == matrix.Joined, permission.InvitesDirectly(a, g, ms[a.UserID]),
					"invited users join at once exactly when the inviter adds directly")
			}
		})
	}
}

// channelMatrixItems are the items each category or channel operation of
// the matrix needs, and whether it needs them at server level (not in its
// target); an operation without items needs only to see its target.
var channelMatrixItems = map[string]struct {
	items  []permission.Item
	server bool
}{
	"createCategory":         {[]permission.Item{permission.ManageChannel}, true},
	"updateCategory":         {[]permission.Item{permission.ManageChannel}, false},
	"deleteCategory":         {[]permission.Item{permission.ManageChannel}, false},
	"listCategories":         {nil, true},
	"categoryAccess":         {[]permission.Item{permission.ManageBlackWhiteList}, false},
	"getCategoryAccess":      {nil, false},
	"addCategoryRole":        {[]permission.Item{permission.ManageRole, permission.ManageChannel}, false},
	"setCategoryMemberAuths": {[]permission.Item{permission.ManageRole, permission.ManageChannel}, false},
	"reorderCategories":      {[]permission.Item{permission.ManageChannel}, false},
	"reorderChannels":        {[]permission.Item{permission.ManageChannel}, false},
	"listChannelMembers":     {nil, false},
}

// channelMatrixGroup builds in memory the group of matrix.ChannelRow: the
// categories as channels of their own, as the rules see them.
func channelMatrixGroup() (*model.Group, map[string]*model.Member, map[string]*model.Channel) {
	g, ms := matrixGroup(matrix.Row{})
	g.Roles.Roles["mgr"] = &model.Role{RoleID: "mgr", GroupID: "g", Type: model.RoleTypeCustom, Priority: 1,
		Auths: map[string]string{"manageChannel": model.AuthAllow, "manageRole": model.AuthAllow, "manageBlackWhiteList": model.AuthAllow}}
	ms["m1"].RoleIDs = []string{"mgr"}
	targets := map[string]*model.Channel{
		"k":  {GroupID: "g", ChannelID: "k", ViewMode: model.ChannelPublic},
		"kp": {GroupID: "g", ChannelID: "kp", ViewMode: model.ChannelPrivate},
		"c":  {GroupID: "g", ChannelID: "c", ViewMode: model.ChannelPublic, CategoryID: "k"},
	}
	return g, ms, targets
}

func TestTheRulesAnswerEveryCategoryAndChannelRowOfThePermissionMatrix(t *testing.T) {
	admins := permission.ParseAppAdmins(matrix.AppAdmin)
	require.NotEmpty(t, matrix.ChannelRows)
	for i, row := range matrix.ChannelRows {
		t.Run(fmt.Sprintf("%02d %s by %s on %q -> %q", i, row.Op, row.Actor, row.Target, row.Want), func(t *testing.T) {
			need, ok := channelMatrixItems[row.Op]
			require.True(t, ok, "no operation %s", row.Op)
			a := admins.Actor(row.Actor)
			g, ms, targets := channelMatrixGroup()
			self := ms[row.Actor]
			got := ""
			ch := targets[row.Target]
			switch err := permission.RequireMember(a, g, self); {
			case err != nil:
				got = string(errcode.CodeOf(err))
			case ch != nil && !permission.VisibleTo(a, g, self, ch):
				got = matrix.NotFound
			default:
				in := ch
				if need.server {
					in = nil
				}
				for _, it := range need.items {
					if !permission.HoldsIn(a, g, self, nil, in, nil, it) {
						got = matrix.NoPerm
						break
					}
				}
			}
			assert.Equal(t, row.Want, got)
		})
	}
}
