// Package groupops declares the group operations (groups, members,
// applications, profiles and the consistency check), each calling
// shared/group.
//
// Each operation is one declaration: its operationId, route, what it
// decodes and its handler. functions/<name>/main.go starts it; shared/ops
// lists it. The package imports only the domain package its operations
// call, so a function binary links no other (infra/contract checks this);
// and each declaration is a function, not a variable, so that a binary
// links no other operation's handler either (a variable's initializer
// runs, and links what it names, whether or not main uses it).
package groupops

import (
	"context"

	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/group"
	"github.com/circles-im/circles/shared/store"
)

// CancelMuteGroupMember serves DELETE /groups/{groupID}/members/{userID}/mute.
func CancelMuteGroupMember() api.Operation {
	return declare(api.Spec{Name: "CancelMuteGroupMember", Method: "DELETE", Route: "/groups/{groupID}/members/{userID}/mute", Body: api.NoBody},
		func(ctx context.Context, r *api.Request, s *group.Service) (any, error) {
			return s.CancelMuteMember(ctx, r.Actor, r.Path("groupID"), r.Path("userID"))
		})
}

// CancelMuteGroup serves DELETE /groups/{groupID}/mute.
func CancelMuteGroup() api.Operation {
	return declare(api.Spec{Name: "CancelMuteGroup", Method: "DELETE", Route: "/groups/{groupID}/mute", Body: api.NoBody},
		func(ctx context.Context, r *api.Request, s *group.Service) (any, error) {
			return s.SetGroupMute(ctx, r.Actor, r.Path("groupID"), false)
		})
}

// CheckGroup serves POST /admin/groups/{groupID}/check.
func CheckGroup() api.Operation {
	return declare(api.Spec{Name: "CheckGroup", Method: "POST", Route: "/admin/groups/{groupID}/check", Body: api.OptionalBody},
		func(ctx context.Context, r *api.Request, s *group.Service) (any, error) {
			var in group.CheckInput
			if err := r.Decode(&in); err != nil {
				return nil, err
			}
			return s.Check(ctx, r.Actor, r.Path("groupID"), in)
		})
}

// CreateGroup serves POST /groups.
func CreateGroup() api.Operation {
	return declare(api.Spec{Name: "CreateGroup", Method: "POST", Route: "/groups", Body: api.RequiredBody},
		func(ctx context.Context, r *api.Request, s *group.Service) (any, error) {
			var in group.CreateInput
			if err := r.Decode(&in); err != nil {
				return nil, err
			}
			return api.Created(s.Create(ctx, r.Actor, in))
		})
}

// DismissGroup serves DELETE /groups/{groupID}.
func DismissGroup() api.Operation {
	return declare(api.Spec{Name: "DismissGroup", Method: "DELETE", Route: "/groups/{groupID}", Body: api.NoBody},
		func(ctx context.Context, r *api.Request, s *group.Service) (any, error) {
			return api.Empty(s.Dismiss(ctx, r.Actor, r.Path("groupID")))
		})
}

// GetGroupApplicationList serves GET /applications/received: the
// applications to a group you handle (or, without groupID, to all of them),
// newest first.
func GetGroupApplicationList() api.Operation {
	return declare(api.Spec{Name: "GetGroupApplicationList", Method: "GET", Route: "/applications/received", Body: api.NoBody, Consistent: true},
		func(ctx context.Context, r *api.Request, s *group.Service) (any, error) {
			in := group.ListApplicationsInput{GroupID: r.Query("groupID"), Cursor: r.Query("cursor")}
			var err error
			if in.Limit, err = r.QueryLimit(); err != nil {
				return nil, err
			}
			if r.Query("handleResult") != "" {
				hr, err := r.QueryInt("handleResult")
				if err != nil {
					return nil, err
				}
				in.HandleResult = &hr
			}
			return s.ListReceivedApplications(ctx, r.Actor, in)
		})
}

// GetGroupChanges serves GET /groups/{groupID}/changes?sinceVersion=&limit=.
func GetGroupChanges() api.Operation {
	return declare(api.Spec{Name: "GetGroupChanges", Method: "GET", Route: "/groups/{groupID}/changes", Body: api.NoBody},
		func(ctx context.Context, r *api.Request, s *group.Service) (any, error) {
			since, err := r.QueryInt("sinceVersion")
			if err != nil {
				return nil, err
			}
			limit, err := r.QueryLimit()
			if err != nil {
				return nil, err
			}
			return s.Changes(ctx, r.Actor, r.Path("groupID"), int64(since), limit)
		})
}

// GetGroupsChanges serves POST /groups/changes:batch: many groups' changes
// in one call.
func GetGroupsChanges() api.Operation {
	return declare(api.Spec{Name: "GetGroupsChanges", Method: "POST", Route: "/groups/changes:batch", Body: api.RequiredBody},
		func(ctx context.Context, r *api.Request, s *group.Service) (any, error) {
			var in group.GroupsChangesInput
			if err := r.Decode(&in); err != nil {
				return nil, err
			}
			return s.GroupsChanges(ctx, r.Actor, in)
		})
}

// GetJoinedGroupChanges serves GET /users/me/groups/changes?since=: the
// groups you joined or left since a token.
func GetJoinedGroupChanges() api.Operation {
	return declare(api.Spec{Name: "GetJoinedGroupChanges", Method: "GET", Route: "/users/me/groups/changes", Body: api.NoBody},
		func(ctx context.Context, r *api.Request, s *group.Service) (any, error) {
			return s.JoinedChanges(ctx, r.Actor, r.Query("since"))
		})
}

// GetGroupMemberList serves GET /groups/{groupID}/members?filter=&limit=&cursor=,
// and member search with &keyword=.
func GetGroupMemberList() api.Operation {
	return declare(api.Spec{Name: "GetGroupMemberList", Method: "GET", Route: "/groups/{groupID}/members", Body: api.NoBody, Consistent: true},
		func(ctx context.Context, r *api.Request, s *group.Service) (any, error) {
			filter, err := r.QueryInt("filter")
			if err != nil {
				return nil, err
			}
			limit, err := r.QueryLimit()
			if err != nil {
				return nil, err
			}
			if keyword := r.Query("keyword"); keyword != "" {
				return s.SearchMembers(ctx, r.Actor, r.Path("groupID"), keyword, filter, limit, r.Query("cursor"))
			}
			return s.ListMembers(ctx, r.Actor, r.Path("groupID"), filter, limit, r.Query("cursor"))
		})
}

// GetGroupMembersInfo serves GET /groups/{groupID}/member-info?userIDs=a,b.
func GetGroupMembersInfo() api.Operation {
	return declare(api.Spec{Name: "GetGroupMembersInfo", Method: "GET", Route: "/groups/{groupID}/member-info", Body: api.NoBody, Consistent: true},
		func(ctx context.Context, r *api.Request, s *group.Service) (any, error) {
			return s.MembersInfo(ctx, r.Actor, r.Path("groupID"), r.QueryList("userIDs"))
		})
}

// GetGroupsInfo serves GET /groups?groupIDs=a,b.
func GetGroupsInfo() api.Operation {
	return declare(api.Spec{Name: "GetGroupsInfo", Method: "GET", Route: "/groups", Body: api.NoBody, Consistent: true},
		func(ctx context.Context, r *api.Request, s *group.Service) (any, error) {
			return s.GetGroupsInfo(ctx, r.Actor, r.QueryList("groupIDs"))
		})
}

// GetJoinedGroupList serves GET /users/me/groups: your groups, paged.
func GetJoinedGroupList() api.Operation {
	return declare(api.Spec{Name: "GetJoinedGroupList", Method: "GET", Route: "/users/me/groups", Body: api.NoBody, Consistent: true},
		func(ctx context.Context, r *api.Request, s *group.Service) (any, error) {
			limit, err := r.QueryLimit()
			if err != nil {
				return nil, err
			}
			return s.ListJoined(ctx, r.Actor, limit, r.Query("cursor"))
		})
}

// GetUserReqApplicationList serves GET /applications/sent: your
// own applications, newest first.
func GetUserReqApplicationList() api.Operation {
	return declare(api.Spec{Name: "GetUserReqApplicationList", Method: "GET", Route: "/applications/sent", Body: api.NoBody},
		func(ctx context.Context, r *api.Request, s *group.Service) (any, error) {
			limit, err := r.QueryLimit()
			if err != nil {
				return nil, err
			}
			return s.ListSentApplications(ctx, r.Actor, limit, r.Query("cursor"))
		})
}

// GetUsers serves GET /users?userIDs=a,b: profiles.
func GetUsers() api.Operation {
	return declare(api.Spec{Name: "GetUsers", Method: "GET", Route: "/users", Body: api.NoBody},
		func(ctx context.Context, r *api.Request, s *group.Service) (any, error) {
			return s.GetUsers(ctx, r.Actor, r.QueryList("userIDs"))
		})
}

// GroupApplicationResponse serves
// PUT /groups/{groupID}/applications/{userID}: agree to or refuse an application.
func GroupApplicationResponse() api.Operation {
	return declare(api.Spec{Name: "GroupApplicationResponse", Method: "PUT", Route: "/groups/{groupID}/applications/{userID}", Body: api.RequiredBody},
		func(ctx context.Context, r *api.Request, s *group.Service) (any, error) {
			var in group.ApplicationResponseInput
			if err := r.Decode(&in); err != nil {
				return nil, err
			}
			return s.RespondApplication(ctx, r.Actor, r.Path("groupID"), r.Path("userID"), in)
		})
}

// ImportUser serves PUT /admin/users/{userID}: app admins import a
// user's profile.
func ImportUser() api.Operation {
	return declare(api.Spec{Name: "ImportUser", Method: "PUT", Route: "/admin/users/{userID}", Body: api.RequiredBody},
		func(ctx context.Context, r *api.Request, s *group.Service) (any, error) {
			var in group.ProfileInput
			if err := r.Decode(&in); err != nil {
				return nil, err
			}
			return s.ImportUser(ctx, r.Actor, r.Path("userID"), in)
		})
}

// InviteUserToGroup serves POST /groups/{groupID}/members: invite
// users, who join or get an application depending on needVerification.
func InviteUserToGroup() api.Operation {
	return declare(api.Spec{Name: "InviteUserToGroup", Method: "POST", Route: "/groups/{groupID}/members", Body: api.RequiredBody},
		func(ctx context.Context, r *api.Request, s *group.Service) (any, error) {
			var in group.InviteInput
			if err := r.Decode(&in); err != nil {
				return nil, err
			}
			return s.Invite(ctx, r.Actor, r.Path("groupID"), in)
		})
}

// JoinGroup serves POST /groups/{groupID}/applications: join at once
// or apply.
func JoinGroup() api.Operation {
	return declare(api.Spec{Name: "JoinGroup", Method: "POST", Route: "/groups/{groupID}/applications", Body: api.OptionalBody},
		func(ctx context.Context, r *api.Request, s *group.Service) (any, error) {
			var in group.JoinInput
			if err := r.Decode(&in); err != nil {
				return nil, err
			}
			return s.Join(ctx, r.Actor, r.Path("groupID"), in)
		})
}

// KickGroupMember serves POST /groups/{groupID}/kick.
func KickGroupMember() api.Operation {
	return declare(api.Spec{Name: "KickGroupMember", Method: "POST", Route: "/groups/{groupID}/kick", Body: api.RequiredBody},
		func(ctx context.Context, r *api.Request, s *group.Service) (any, error) {
			var in group.KickInput
			if err := r.Decode(&in); err != nil {
				return nil, err
			}
			return s.Kick(ctx, r.Actor, r.Path("groupID"), in)
		})
}

// MuteGroupMember serves POST /groups/{groupID}/members/{userID}/mute.
func MuteGroupMember() api.Operation {
	return declare(api.Spec{Name: "MuteGroupMember", Method: "POST", Route: "/groups/{groupID}/members/{userID}/mute", Body: api.RequiredBody},
		func(ctx context.Context, r *api.Request, s *group.Service) (any, error) {
			var in group.MuteMemberInput
			if err := r.Decode(&in); err != nil {
				return nil, err
			}
			return s.MuteMember(ctx, r.Actor, r.Path("groupID"), r.Path("userID"), in)
		})
}

// MuteGroup serves POST /groups/{groupID}/mute.
func MuteGroup() api.Operation {
	return declare(api.Spec{Name: "MuteGroup", Method: "POST", Route: "/groups/{groupID}/mute", Body: api.NoBody},
		func(ctx context.Context, r *api.Request, s *group.Service) (any, error) {
			return s.SetGroupMute(ctx, r.Actor, r.Path("groupID"), true)
		})
}

// PutMyProfile serves PUT /users/me: create or update your profile.
func PutMyProfile() api.Operation {
	return declare(api.Spec{Name: "PutMyProfile", Method: "PUT", Route: "/users/me", Body: api.RequiredBody},
		func(ctx context.Context, r *api.Request, s *group.Service) (any, error) {
			var in group.ProfileInput
			if err := r.Decode(&in); err != nil {
				return nil, err
			}
			return s.PutMyProfile(ctx, r.Actor, in)
		})
}

// QuitGroup serves POST /groups/{groupID}/quit.
func QuitGroup() api.Operation {
	return declare(api.Spec{Name: "QuitGroup", Method: "POST", Route: "/groups/{groupID}/quit", Body: api.OptionalBody},
		func(ctx context.Context, r *api.Request, s *group.Service) (any, error) {
			var in group.QuitInput
			if err := r.Decode(&in); err != nil {
				return nil, err
			}
			return api.Empty(s.Quit(ctx, r.Actor, r.Path("groupID"), in))
		})
}

// SetGroupInfo serves PATCH /groups/{groupID}.
func SetGroupInfo() api.Operation {
	return declare(api.Spec{Name: "SetGroupInfo", Method: "PATCH", Route: "/groups/{groupID}", Body: api.RequiredBody},
		func(ctx context.Context, r *api.Request, s *group.Service) (any, error) {
			var in group.SetInfoInput
			if err := r.Decode(&in); err != nil {
				return nil, err
			}
			return s.SetInfo(ctx, r.Actor, r.Path("groupID"), in, r.Header("If-Match"))
		})
}

// SetGroupMemberInfo serves PATCH /groups/{groupID}/members/{userID}.
func SetGroupMemberInfo() api.Operation {
	return declare(api.Spec{Name: "SetGroupMemberInfo", Method: "PATCH", Route: "/groups/{groupID}/members/{userID}", Body: api.RequiredBody},
		func(ctx context.Context, r *api.Request, s *group.Service) (any, error) {
			var in group.SetMemberInfoInput
			if err := r.Decode(&in); err != nil {
				return nil, err
			}
			return s.SetMemberInfo(ctx, r.Actor, r.Path("groupID"), r.Path("userID"), in)
		})
}

// SetGroupMembersInfo serves PATCH /groups/{groupID}/members: several
// members' info in one transaction.
func SetGroupMembersInfo() api.Operation {
	return declare(api.Spec{Name: "SetGroupMembersInfo", Method: "PATCH", Route: "/groups/{groupID}/members", Body: api.RequiredBody},
		func(ctx context.Context, r *api.Request, s *group.Service) (any, error) {
			var in group.SetMembersInfoInput
			if err := r.Decode(&in); err != nil {
				return nil, err
			}
			return s.SetMembersInfo(ctx, r.Actor, r.Path("groupID"), in)
		})
}

// TransferGroupOwner serves POST /groups/{groupID}/owner.
func TransferGroupOwner() api.Operation {
	return declare(api.Spec{Name: "TransferGroupOwner", Method: "POST", Route: "/groups/{groupID}/owner", Body: api.RequiredBody},
		func(ctx context.Context, r *api.Request, s *group.Service) (any, error) {
			var in group.TransferInput
			if err := r.Decode(&in); err != nil {
				return nil, err
			}
			return s.TransferOwner(ctx, r.Actor, r.Path("groupID"), in)
		})
}

// BanMembers serves POST /groups/{groupID}/bans: ban users, removing the
// members among them.
func BanMembers() api.Operation {
	return declare(api.Spec{Name: "BanMembers", Method: "POST", Route: "/groups/{groupID}/bans", Body: api.RequiredBody},
		func(ctx context.Context, r *api.Request, s *group.Service) (any, error) {
			var in group.BanInput
			if err := r.Decode(&in); err != nil {
				return nil, err
			}
			return s.Ban(ctx, r.Actor, r.Path("groupID"), in)
		})
}

// UnbanMembers serves POST /groups/{groupID}/bans/remove.
func UnbanMembers() api.Operation {
	return declare(api.Spec{Name: "UnbanMembers", Method: "POST", Route: "/groups/{groupID}/bans/remove", Body: api.RequiredBody},
		func(ctx context.Context, r *api.Request, s *group.Service) (any, error) {
			var in group.UnbanInput
			if err := r.Decode(&in); err != nil {
				return nil, err
			}
			return s.Unban(ctx, r.Actor, r.Path("groupID"), in)
		})
}

// ListBans serves GET /groups/{groupID}/bans?limit=&cursor=: the live
// bans, newest first.
func ListBans() api.Operation {
	return declare(api.Spec{Name: "ListBans", Method: "GET", Route: "/groups/{groupID}/bans", Body: api.NoBody, Consistent: true},
		func(ctx context.Context, r *api.Request, s *group.Service) (any, error) {
			limit, err := r.QueryLimit()
			if err != nil {
				return nil, err
			}
			return s.ListBans(ctx, r.Actor, r.Path("groupID"), limit, r.Query("cursor"))
		})
}

// CreateInviteCode serves POST /groups/{groupID}/invite-codes; the code is
// in this answer only.
func CreateInviteCode() api.Operation {
	return declare(api.Spec{Name: "CreateInviteCode", Method: "POST", Route: "/groups/{groupID}/invite-codes", Body: api.RequiredBody},
		func(ctx context.Context, r *api.Request, s *group.Service) (any, error) {
			var in group.CreateInviteCodeInput
			if err := r.Decode(&in); err != nil {
				return nil, err
			}
			return api.Created(s.CreateInviteCode(ctx, r.Actor, r.Path("groupID"), in))
		})
}

// ListInviteCodes serves GET /groups/{groupID}/invite-codes?limit=&cursor=.
func ListInviteCodes() api.Operation {
	return declare(api.Spec{Name: "ListInviteCodes", Method: "GET", Route: "/groups/{groupID}/invite-codes", Body: api.NoBody, Consistent: true},
		func(ctx context.Context, r *api.Request, s *group.Service) (any, error) {
			limit, err := r.QueryLimit()
			if err != nil {
				return nil, err
			}
			return s.ListInviteCodes(ctx, r.Actor, r.Path("groupID"), limit, r.Query("cursor"))
		})
}

// RevokeInviteCode serves DELETE /groups/{groupID}/invite-codes/{codeID}.
func RevokeInviteCode() api.Operation {
	return declare(api.Spec{Name: "RevokeInviteCode", Method: "DELETE", Route: "/groups/{groupID}/invite-codes/{codeID}", Body: api.NoBody},
		func(ctx context.Context, r *api.Request, s *group.Service) (any, error) {
			return s.RevokeInviteCode(ctx, r.Actor, r.Path("groupID"), r.Path("codeID"))
		})
}

// JoinByInviteCode serves POST /groups/{groupID}/join-by-code.
func JoinByInviteCode() api.Operation {
	return declare(api.Spec{Name: "JoinByInviteCode", Method: "POST", Route: "/groups/{groupID}/join-by-code", Body: api.RequiredBody},
		func(ctx context.Context, r *api.Request, s *group.Service) (any, error) {
			var in group.JoinByInviteCodeInput
			if err := r.Decode(&in); err != nil {
				return nil, err
			}
			return s.JoinByInviteCode(ctx, r.Actor, r.Path("groupID"), in)
		})
}

// GetGroupApplicationUnhandledCount serves GET
// /applications/received/count?groupID=: the pending applications the
// caller handles, in one group or all of them.
func GetGroupApplicationUnhandledCount() api.Operation {
	return declare(api.Spec{Name: "GetGroupApplicationUnhandledCount", Method: "GET", Route: "/applications/received/count", Body: api.NoBody, Consistent: true},
		func(ctx context.Context, r *api.Request, s *group.Service) (any, error) {
			return s.CountUnhandledApplications(ctx, r.Actor, r.Query("groupID"))
		})
}

// declare gives an operation this package's service.
func declare(spec api.Spec, h func(context.Context, *api.Request, *group.Service) (any, error)) api.Operation {
	return api.Operation{Spec: spec, Build: func(st *store.Store) api.Handle {
		s := group.NewService(st)
		return func(ctx context.Context, r *api.Request) (any, error) { return h(ctx, r, s) }
	}}
}
