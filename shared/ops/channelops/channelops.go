// Package channelops declares the channel operations and the permission
// check, each calling shared/channel.
//
// Each operation is one declaration: its operationId, route, what it
// decodes and its handler. functions/<name>/main.go starts it; shared/ops
// lists it. The package imports only the domain package its operations
// call, so a function binary links no other (infra/contract checks this);
// and each declaration is a function, not a variable, so that a binary
// links no other operation's handler either (a variable's initializer
// runs, and links what it names, whether or not main uses it).
package channelops

import (
	"context"

	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/channel"
	"github.com/circles-im/circles/shared/store"
)

// AddChannelRole serves POST /groups/{groupID}/channels/{channelID}/roles.
func AddChannelRole() api.Operation {
	return declare(api.Spec{Name: "AddChannelRole", Method: "POST", Route: "/groups/{groupID}/channels/{channelID}/roles", Body: api.RequiredBody},
		func(ctx context.Context, r *api.Request, s *channel.Service) (any, error) {
			var in channel.ChannelRoleInput
			if err := r.Decode(&in); err != nil {
				return nil, err
			}
			return api.Created(s.AddChannelRole(ctx, r.Actor, r.Path("groupID"), r.Path("channelID"), in))
		})
}

// CheckPermissions serves GET /groups/{groupID}/permissions?auths=&channelID=&userID=.
func CheckPermissions() api.Operation {
	return declare(api.Spec{Name: "CheckPermissions", Method: "GET", Route: "/groups/{groupID}/permissions", Body: api.NoBody, Consistent: true},
		func(ctx context.Context, r *api.Request, s *channel.Service) (any, error) {
			return s.CheckPermissions(ctx, r.Actor, r.Path("groupID"), r.QueryList("auths"), r.Query("channelID"), r.Query("userID"))
		})
}

// CreateChannel serves POST /groups/{groupID}/channels.
func CreateChannel() api.Operation {
	return declare(api.Spec{Name: "CreateChannel", Method: "POST", Route: "/groups/{groupID}/channels", Body: api.RequiredBody},
		func(ctx context.Context, r *api.Request, s *channel.Service) (any, error) {
			var in channel.ChannelInput
			if err := r.Decode(&in); err != nil {
				return nil, err
			}
			return api.Created(s.CreateChannel(ctx, r.Actor, r.Path("groupID"), in))
		})
}

// DeleteChannelMemberAuths serves DELETE /groups/{groupID}/channels/{channelID}/members/{userID}/auths.
func DeleteChannelMemberAuths() api.Operation {
	return declare(api.Spec{Name: "DeleteChannelMemberAuths", Method: "DELETE", Route: "/groups/{groupID}/channels/{channelID}/members/{userID}/auths", Body: api.NoBody},
		func(ctx context.Context, r *api.Request, s *channel.Service) (any, error) {
			return api.Empty(s.DeleteChannelMemberAuths(ctx, r.Actor, r.Path("groupID"), r.Path("channelID"), r.Path("userID")))
		})
}

// DeleteChannel serves DELETE /groups/{groupID}/channels/{channelID}.
func DeleteChannel() api.Operation {
	return declare(api.Spec{Name: "DeleteChannel", Method: "DELETE", Route: "/groups/{groupID}/channels/{channelID}", Body: api.NoBody},
		func(ctx context.Context, r *api.Request, s *channel.Service) (any, error) {
			return api.Empty(s.DeleteChannel(ctx, r.Actor, r.Path("groupID"), r.Path("channelID")))
		})
}

// GetChannelAccessList serves GET /groups/{groupID}/channels/{channelID}/access.
func GetChannelAccessList() api.Operation {
	return declare(api.Spec{Name: "GetChannelAccessList", Method: "GET", Route: "/groups/{groupID}/channels/{channelID}/access", Body: api.NoBody, Consistent: true},
		func(ctx context.Context, r *api.Request, s *channel.Service) (any, error) {
			return s.GetChannelAccessList(ctx, r.Actor, r.Path("groupID"), r.Path("channelID"))
		})
}

// ListChannelRoles serves GET /groups/{groupID}/channels/{channelID}/roles.
func ListChannelRoles() api.Operation {
	return declare(api.Spec{Name: "ListChannelRoles", Method: "GET", Route: "/groups/{groupID}/channels/{channelID}/roles", Body: api.NoBody, Consistent: true},
		func(ctx context.Context, r *api.Request, s *channel.Service) (any, error) {
			return s.ListChannelRoles(ctx, r.Actor, r.Path("groupID"), r.Path("channelID"))
		})
}

// ListChannels serves GET /groups/{groupID}/channels?limit=&cursor=.
func ListChannels() api.Operation {
	return declare(api.Spec{Name: "ListChannels", Method: "GET", Route: "/groups/{groupID}/channels", Body: api.NoBody, Consistent: true},
		func(ctx context.Context, r *api.Request, s *channel.Service) (any, error) {
			limit, err := r.QueryLimit()
			if err != nil {
				return nil, err
			}
			return s.ListChannels(ctx, r.Actor, r.Path("groupID"), limit, r.Query("cursor"))
		})
}

// RemoveChannelRole serves DELETE /groups/{groupID}/channels/{channelID}/roles/{roleID}.
func RemoveChannelRole() api.Operation {
	return declare(api.Spec{Name: "RemoveChannelRole", Method: "DELETE", Route: "/groups/{groupID}/channels/{channelID}/roles/{roleID}", Body: api.NoBody},
		func(ctx context.Context, r *api.Request, s *channel.Service) (any, error) {
			return api.Empty(s.RemoveChannelRole(ctx, r.Actor, r.Path("groupID"), r.Path("channelID"), r.Path("roleID")))
		})
}

// SetChannelMemberAuths serves PUT /groups/{groupID}/channels/{channelID}/members/{userID}/auths.
func SetChannelMemberAuths() api.Operation {
	return declare(api.Spec{Name: "SetChannelMemberAuths", Method: "PUT", Route: "/groups/{groupID}/channels/{channelID}/members/{userID}/auths", Body: api.RequiredBody},
		func(ctx context.Context, r *api.Request, s *channel.Service) (any, error) {
			var in channel.AuthsInput
			if err := r.Decode(&in); err != nil {
				return nil, err
			}
			return s.SetChannelMemberAuths(ctx, r.Actor, r.Path("groupID"), r.Path("channelID"), r.Path("userID"), in)
		})
}

// UpdateChannelAccessList serves POST /groups/{groupID}/channels/{channelID}/access.
func UpdateChannelAccessList() api.Operation {
	return declare(api.Spec{Name: "UpdateChannelAccessList", Method: "POST", Route: "/groups/{groupID}/channels/{channelID}/access", Body: api.RequiredBody},
		func(ctx context.Context, r *api.Request, s *channel.Service) (any, error) {
			var in channel.AccessListInput
			if err := r.Decode(&in); err != nil {
				return nil, err
			}
			return s.UpdateChannelAccessList(ctx, r.Actor, r.Path("groupID"), r.Path("channelID"), in)
		})
}

// UpdateChannelRole serves PATCH /groups/{groupID}/channels/{channelID}/roles/{roleID}.
func UpdateChannelRole() api.Operation {
	return declare(api.Spec{Name: "UpdateChannelRole", Method: "PATCH", Route: "/groups/{groupID}/channels/{channelID}/roles/{roleID}", Body: api.RequiredBody},
		func(ctx context.Context, r *api.Request, s *channel.Service) (any, error) {
			var in channel.AuthsInput
			if err := r.Decode(&in); err != nil {
				return nil, err
			}
			return s.UpdateChannelRole(ctx, r.Actor, r.Path("groupID"), r.Path("channelID"), r.Path("roleID"), in)
		})
}

// UpdateChannel serves PATCH /groups/{groupID}/channels/{channelID}.
func UpdateChannel() api.Operation {
	return declare(api.Spec{Name: "UpdateChannel", Method: "PATCH", Route: "/groups/{groupID}/channels/{channelID}", Body: api.RequiredBody},
		func(ctx context.Context, r *api.Request, s *channel.Service) (any, error) {
			var in channel.ChannelInput
			if err := r.Decode(&in); err != nil {
				return nil, err
			}
			return s.UpdateChannel(ctx, r.Actor, r.Path("groupID"), r.Path("channelID"), in)
		})
}

// CreateCategory serves POST /groups/{groupID}/categories.
func CreateCategory() api.Operation {
	return declare(api.Spec{Name: "CreateCategory", Method: "POST", Route: "/groups/{groupID}/categories", Body: api.RequiredBody},
		func(ctx context.Context, r *api.Request, s *channel.Service) (any, error) {
			var in channel.CategoryInput
			if err := r.Decode(&in); err != nil {
				return nil, err
			}
			return api.Created(s.CreateCategory(ctx, r.Actor, r.Path("groupID"), in))
		})
}

// ListCategories serves GET /groups/{groupID}/categories.
func ListCategories() api.Operation {
	return declare(api.Spec{Name: "ListCategories", Method: "GET", Route: "/groups/{groupID}/categories", Body: api.NoBody, Consistent: true},
		func(ctx context.Context, r *api.Request, s *channel.Service) (any, error) {
			return s.ListCategories(ctx, r.Actor, r.Path("groupID"))
		})
}

// UpdateCategory serves PATCH /groups/{groupID}/categories/{categoryID}.
func UpdateCategory() api.Operation {
	return declare(api.Spec{Name: "UpdateCategory", Method: "PATCH", Route: "/groups/{groupID}/categories/{categoryID}", Body: api.RequiredBody},
		func(ctx context.Context, r *api.Request, s *channel.Service) (any, error) {
			var in channel.CategoryInput
			if err := r.Decode(&in); err != nil {
				return nil, err
			}
			return s.UpdateCategory(ctx, r.Actor, r.Path("groupID"), r.Path("categoryID"), in)
		})
}

// DeleteCategory serves DELETE /groups/{groupID}/categories/{categoryID}.
func DeleteCategory() api.Operation {
	return declare(api.Spec{Name: "DeleteCategory", Method: "DELETE", Route: "/groups/{groupID}/categories/{categoryID}", Body: api.NoBody},
		func(ctx context.Context, r *api.Request, s *channel.Service) (any, error) {
			return api.Empty(s.DeleteCategory(ctx, r.Actor, r.Path("groupID"), r.Path("categoryID")))
		})
}

// UpdateCategoryAccessList serves POST /groups/{groupID}/categories/{categoryID}/access.
func UpdateCategoryAccessList() api.Operation {
	return declare(api.Spec{Name: "UpdateCategoryAccessList", Method: "POST", Route: "/groups/{groupID}/categories/{categoryID}/access", Body: api.RequiredBody},
		func(ctx context.Context, r *api.Request, s *channel.Service) (any, error) {
			var in channel.AccessListInput
			if err := r.Decode(&in); err != nil {
				return nil, err
			}
			return s.UpdateCategoryAccessList(ctx, r.Actor, r.Path("groupID"), r.Path("categoryID"), in)
		})
}

// GetCategoryAccessList serves GET /groups/{groupID}/categories/{categoryID}/access.
func GetCategoryAccessList() api.Operation {
	return declare(api.Spec{Name: "GetCategoryAccessList", Method: "GET", Route: "/groups/{groupID}/categories/{categoryID}/access", Body: api.NoBody, Consistent: true},
		func(ctx context.Context, r *api.Request, s *channel.Service) (any, error) {
			return s.GetCategoryAccessList(ctx, r.Actor, r.Path("groupID"), r.Path("categoryID"))
		})
}

// AddCategoryRole serves POST /groups/{groupID}/categories/{categoryID}/roles.
func AddCategoryRole() api.Operation {
	return declare(api.Spec{Name: "AddCategoryRole", Method: "POST", Route: "/groups/{groupID}/categories/{categoryID}/roles", Body: api.RequiredBody},
		func(ctx context.Context, r *api.Request, s *channel.Service) (any, error) {
			var in channel.ChannelRoleInput
			if err := r.Decode(&in); err != nil {
				return nil, err
			}
			return api.Created(s.AddCategoryRole(ctx, r.Actor, r.Path("groupID"), r.Path("categoryID"), in))
		})
}

// ListCategoryRoles serves GET /groups/{groupID}/categories/{categoryID}/roles.
func ListCategoryRoles() api.Operation {
	return declare(api.Spec{Name: "ListCategoryRoles", Method: "GET", Route: "/groups/{groupID}/categories/{categoryID}/roles", Body: api.NoBody, Consistent: true},
		func(ctx context.Context, r *api.Request, s *channel.Service) (any, error) {
			return s.ListCategoryRoles(ctx, r.Actor, r.Path("groupID"), r.Path("categoryID"))
		})
}

// UpdateCategoryRole serves PATCH /groups/{groupID}/categories/{categoryID}/roles/{roleID}.
func UpdateCategoryRole() api.Operation {
	return declare(api.Spec{Name: "UpdateCategoryRole", Method: "PATCH", Route: "/groups/{groupID}/categories/{categoryID}/roles/{roleID}", Body: api.RequiredBody},
		func(ctx context.Context, r *api.Request, s *channel.Service) (any, error) {
			var in channel.AuthsInput
			if err := r.Decode(&in); err != nil {
				return nil, err
			}
			return s.UpdateCategoryRole(ctx, r.Actor, r.Path("groupID"), r.Path("categoryID"), r.Path("roleID"), in)
		})
}

// RemoveCategoryRole serves DELETE /groups/{groupID}/categories/{categoryID}/roles/{roleID}.
func RemoveCategoryRole() api.Operation {
	return declare(api.Spec{Name: "RemoveCategoryRole", Method: "DELETE", Route: "/groups/{groupID}/categories/{categoryID}/roles/{roleID}", Body: api.NoBody},
		func(ctx context.Context, r *api.Request, s *channel.Service) (any, error) {
			return api.Empty(s.RemoveCategoryRole(ctx, r.Actor, r.Path("groupID"), r.Path("categoryID"), r.Path("roleID")))
		})
}

// SetCategoryMemberAuths serves PUT /groups/{groupID}/categories/{categoryID}/members/{userID}/auths.
func SetCategoryMemberAuths() api.Operation {
	return declare(api.Spec{Name: "SetCategoryMemberAuths", Method: "PUT", Route: "/groups/{groupID}/categories/{categoryID}/members/{userID}/auths", Body: api.RequiredBody},
		func(ctx context.Context, r *api.Request, s *channel.Service) (any, error) {
			var in channel.AuthsInput
			if err := r.Decode(&in); err != nil {
				return nil, err
			}
			return s.SetCategoryMemberAuths(ctx, r.Actor, r.Path("groupID"), r.Path("categoryID"), r.Path("userID"), in)
		})
}

// DeleteCategoryMemberAuths serves DELETE /groups/{groupID}/categories/{categoryID}/members/{userID}/auths.
func DeleteCategoryMemberAuths() api.Operation {
	return declare(api.Spec{Name: "DeleteCategoryMemberAuths", Method: "DELETE", Route: "/groups/{groupID}/categories/{categoryID}/members/{userID}/auths", Body: api.NoBody},
		func(ctx context.Context, r *api.Request, s *channel.Service) (any, error) {
			return api.Empty(s.DeleteCategoryMemberAuths(ctx, r.Actor, r.Path("groupID"), r.Path("categoryID"), r.Path("userID")))
		})
}

// GetChannel serves GET /groups/{groupID}/channels/{channelID}.
func GetChannel() api.Operation {
	return declare(api.Spec{Name: "GetChannel", Method: "GET", Route: "/groups/{groupID}/channels/{channelID}", Body: api.NoBody, Consistent: true},
		func(ctx context.Context, r *api.Request, s *channel.Service) (any, error) {
			return s.GetChannel(ctx, r.Actor, r.Path("groupID"), r.Path("channelID"))
		})
}

// UpdateCategoryPositions serves PUT /groups/{groupID}/category-positions.
func UpdateCategoryPositions() api.Operation {
	return declare(api.Spec{Name: "UpdateCategoryPositions", Method: "PUT", Route: "/groups/{groupID}/category-positions", Body: api.RequiredBody},
		func(ctx context.Context, r *api.Request, s *channel.Service) (any, error) {
			var in channel.CategoryPositionsInput
			if err := r.Decode(&in); err != nil {
				return nil, err
			}
			return s.UpdateCategoryPositions(ctx, r.Actor, r.Path("groupID"), in)
		})
}

// UpdateChannelPositions serves PUT /groups/{groupID}/channel-positions.
func UpdateChannelPositions() api.Operation {
	return declare(api.Spec{Name: "UpdateChannelPositions", Method: "PUT", Route: "/groups/{groupID}/channel-positions", Body: api.RequiredBody},
		func(ctx context.Context, r *api.Request, s *channel.Service) (any, error) {
			var in channel.ChannelPositionsInput
			if err := r.Decode(&in); err != nil {
				return nil, err
			}
			return s.UpdateChannelPositions(ctx, r.Actor, r.Path("groupID"), in)
		})
}

// ListChannelMembers serves GET /groups/{groupID}/channels/{channelID}/members?limit=&cursor=.
func ListChannelMembers() api.Operation {
	return declare(api.Spec{Name: "ListChannelMembers", Method: "GET", Route: "/groups/{groupID}/channels/{channelID}/members", Body: api.NoBody, Consistent: true},
		func(ctx context.Context, r *api.Request, s *channel.Service) (any, error) {
			limit, err := r.QueryLimit()
			if err != nil {
				return nil, err
			}
			return s.ListChannelMembers(ctx, r.Actor, r.Path("groupID"), r.Path("channelID"), limit, r.Query("cursor"))
		})
}

// declare gives an operation this package's service.
func declare(spec api.Spec, h func(context.Context, *api.Request, *channel.Service) (any, error)) api.Operation {
	return api.Operation{Spec: spec, Build: func(st *store.Store) api.Handle {
		s := channel.NewService(st)
		return func(ctx context.Context, r *api.Request) (any, error) { return h(ctx, r, s) }
	}}
}
