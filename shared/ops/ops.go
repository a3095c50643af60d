// Package ops is the registry of the HTTP operations: every operation of
// openapi.yaml, declared once in the package of its domain (groupops,
// roleops, channelops, inboxops) with its operationId, route, what it
// decodes and its handler, and listed here.
//
// Its rules:
//   - Each operation is served by functions/<kebab-case operationId>, whose
//     main is api.Start of the declaration and nothing else.
//   - A function links only its own operation: the declarations are split
//     by domain and are functions, and only tests and local tooling import
//     this package, which links them all.
//
// infra/contract checks the registry against template.yaml, openapi.yaml,
// functions/ and each function's dependencies.
package ops

import (
	"slices"

	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/channelops"
	"github.com/circles-im/circles/shared/ops/groupops"
	"github.com/circles-im/circles/shared/ops/inboxops"
	"github.com/circles-im/circles/shared/ops/roleops"
)

const module = "github.com/circles-im/circles/"

// Domain is one package of declarations and the domain package it calls.
type Domain struct {
	Package string          // import path of the declarations
	Calls   string          // import path of the domain package they call
	Ops     []api.Operation // the declarations
}

// Domains are the registry, by domain.
var Domains = []Domain{
	{module + "shared/ops/groupops", module + "shared/group", []api.Operation{
		groupops.CancelMuteGroupMember(),
		groupops.CancelMuteGroup(),
		groupops.CheckGroup(),
		groupops.CreateGroup(),
		groupops.DismissGroup(),
		groupops.GetGroupApplicationList(),
		groupops.GetGroupChanges(),
		groupops.GetGroupMemberList(),
		groupops.GetGroupMembersInfo(),
		groupops.GetGroupsChanges(),
		groupops.GetGroupsInfo(),
		groupops.GetJoinedGroupChanges(),
		groupops.GetJoinedGroupList(),
		groupops.GetUserReqApplicationList(),
		groupops.GetUsers(),
		groupops.GroupApplicationResponse(),
		groupops.ImportUser(),
		groupops.InviteUserToGroup(),
		groupops.JoinGroup(),
		groupops.KickGroupMember(),
		groupops.MuteGroupMember(),
		groupops.MuteGroup(),
		groupops.PutMyProfile(),
		groupops.QuitGroup(),
		groupops.SetGroupInfo(),
		groupops.SetGroupMemberInfo(),
		groupops.SetGroupMembersInfo(),
		groupops.TransferGroupOwner(),
		groupops.BanMembers(),
		groupops.UnbanMembers(),
		groupops.ListBans(),
		groupops.CreateInviteCode(),
		groupops.ListInviteCodes(),
		groupops.RevokeInviteCode(),
		groupops.JoinByInviteCode(),
		groupops.GetGroupApplicationUnhandledCount(),
	}},
	{module + "shared/ops/roleops", module + "shared/role", []api.Operation{
		roleops.AddRoleMembers(),
		roleops.CreateCustomAuth(),
		roleops.CreateRole(),
		roleops.DeleteRole(),
		roleops.ListCustomAuths(),
		roleops.ListMemberRoles(),
		roleops.ListRoleMembers(),
		roleops.ListRoles(),
		roleops.RemoveRoleMembers(),
		roleops.UpdateRolePriorities(),
		roleops.UpdateRole(),
	}},
	{module + "shared/ops/channelops", module + "shared/channel", []api.Operation{
		channelops.AddChannelRole(),
		channelops.CheckPermissions(),
		channelops.CreateChannel(),
		channelops.DeleteChannelMemberAuths(),
		channelops.DeleteChannel(),
		channelops.GetChannelAccessList(),
		channelops.ListChannelRoles(),
		channelops.ListChannels(),
		channelops.RemoveChannelRole(),
		channelops.SetChannelMemberAuths(),
		channelops.UpdateChannelAccessList(),
		channelops.UpdateChannelRole(),
		channelops.UpdateChannel(),
		channelops.GetChannel(),
		channelops.UpdateCategoryPositions(),
		channelops.UpdateChannelPositions(),
		channelops.ListChannelMembers(),
		channelops.CreateCategory(),
		channelops.ListCategories(),
		channelops.UpdateCategory(),
		channelops.DeleteCategory(),
		channelops.UpdateCategoryAccessList(),
		channelops.GetCategoryAccessList(),
		channelops.AddCategoryRole(),
		channelops.ListCategoryRoles(),
		channelops.UpdateCategoryRole(),
		channelops.RemoveCategoryRole(),
		channelops.SetCategoryMemberAuths(),
		channelops.DeleteCategoryMemberAuths(),
	}},
	{module + "shared/ops/inboxops", module + "shared/inbox", []api.Operation{
		inboxops.GetMyNotifications(),
	}},
}

// All are every operation of the registry.
var All = func() []api.Operation {
	var all []api.Operation
	for _, d := range Domains {
		all = append(all, d.Ops...)
	}
	return slices.Clip(all)
}()

// Find returns the operation with that operationId.
func Find(name string) (api.Operation, bool) {
	i := slices.IndexFunc(All, func(o api.Operation) bool { return o.Name == name })
	if i < 0 {
		return api.Operation{}, false
	}
	return All[i], true
}
