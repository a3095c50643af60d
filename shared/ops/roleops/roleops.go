// Package roleops declares the role and custom-auth operations, each
// calling shared/role.
//
// Each operation is one value: its operationId, route, what it decodes and
// its handler. functions/<name>/main.go starts it; shared/ops lists it.
// The package imports only the domain package its operations call, so a
// function binary links no other (infra/contract checks this).
package roleops

import (
	"context"

	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/role"
)

// AddRoleMembers serves POST /groups/{groupID}/roles/{roleID}/members.
var AddRoleMembers = declare(api.Spec{Name: "AddRoleMembers", Method: "POST", Route: "/groups/{groupID}/roles/{roleID}/members", Body: api.RequiredBody},
	api.Decoding(func(ctx context.Context, r *api.Request, s *role.Service, in role.RoleMembersInput) (any, error) {
		return s.AddRoleMembers(ctx, r.Actor, r.Path("groupID"), r.Path("roleID"), in)
	}))

// CreateCustomAuth serves POST /custom-auths.
var CreateCustomAuth = declare(api.Spec{Name: "CreateCustomAuth", Method: "POST", Route: "/custom-auths", Body: api.RequiredBody},
	api.Decoding(func(ctx context.Context, r *api.Request, s *role.Service, in role.CustomAuthInput) (any, error) {
		return api.Created(s.CreateCustomAuth(ctx, r.Actor, in))
	}))

// CreateRole serves POST /groups/{groupID}/roles.
var CreateRole = declare(api.Spec{Name: "CreateRole", Method: "POST", Route: "/groups/{groupID}/roles", Body: api.RequiredBody},
	api.Decoding(func(ctx context.Context, r *api.Request, s *role.Service, in role.RoleInput) (any, error) {
		return api.Created(s.CreateRole(ctx, r.Actor, r.Path("groupID"), in))
	}))

// DeleteRole serves DELETE /groups/{groupID}/roles/{roleID}.
var DeleteRole = declare(api.Spec{Name: "DeleteRole", Method: "DELETE", Route: "/groups/{groupID}/roles/{roleID}", Body: api.NoBody},
	func(ctx context.Context, r *api.Request, s *role.Service) (any, error) {
		return api.Empty(s.DeleteRole(ctx, r.Actor, r.Path("groupID"), r.Path("roleID")))
	})

// ListCustomAuths serves GET /custom-auths.
var ListCustomAuths = declare(api.Spec{Name: "ListCustomAuths", Method: "GET", Route: "/custom-auths", Body: api.NoBody},
	func(ctx context.Context, r *api.Request, s *role.Service) (any, error) {
		return s.ListCustomAuths(ctx, r.Actor)
	})

// ListMemberRoles serves GET /groups/{groupID}/members/{userID}/roles.
var ListMemberRoles = declare(api.Spec{Name: "ListMemberRoles", Method: "GET", Route: "/groups/{groupID}/members/{userID}/roles", Body: api.NoBody},
	func(ctx context.Context, r *api.Request, s *role.Service) (any, error) {
		return s.ListMemberRoles(ctx, r.Actor, r.Path("groupID"), r.Path("userID"))
	})

// ListRoleMembers serves GET /groups/{groupID}/roles/{roleID}/members?limit=&cursor=.
var ListRoleMembers = declare(api.Spec{Name: "ListRoleMembers", Method: "GET", Route: "/groups/{groupID}/roles/{roleID}/members", Body: api.NoBody},
	func(ctx context.Context, r *api.Request, s *role.Service) (any, error) {
		limit, err := r.QueryLimit()
		if err != nil {
			return nil, err
		}
		return s.ListRoleMembers(ctx, r.Actor, r.Path("groupID"), r.Path("roleID"), limit, r.Query("cursor"))
	})

// ListRoles serves GET /groups/{groupID}/roles.
var ListRoles = declare(api.Spec{Name: "ListRoles", Method: "GET", Route: "/groups/{groupID}/roles", Body: api.NoBody},
	func(ctx context.Context, r *api.Request, s *role.Service) (any, error) {
		return s.ListRoles(ctx, r.Actor, r.Path("groupID"))
	})

// RemoveRoleMembers serves POST /groups/{groupID}/roles/{roleID}/members/remove.
var RemoveRoleMembers = declare(api.Spec{Name: "RemoveRoleMembers", Method: "POST", Route: "/groups/{groupID}/roles/{roleID}/members/remove", Body: api.RequiredBody},
	api.Decoding(func(ctx context.Context, r *api.Request, s *role.Service, in role.RoleMembersInput) (any, error) {
		return s.RemoveRoleMembers(ctx, r.Actor, r.Path("groupID"), r.Path("roleID"), in)
	}))

// UpdateRolePriorities serves PUT /groups/{groupID}/role-priorities.
var UpdateRolePriorities = declare(api.Spec{Name: "UpdateRolePriorities", Method: "PUT", Route: "/groups/{groupID}/role-priorities", Body: api.RequiredBody},
	api.Decoding(func(ctx context.Context, r *api.Request, s *role.Service, in role.PrioritiesInput) (any, error) {
		return s.UpdateRolePriorities(ctx, r.Actor, r.Path("groupID"), in)
	}))

// UpdateRole serves PATCH /groups/{groupID}/roles/{roleID}.
var UpdateRole = declare(api.Spec{Name: "UpdateRole", Method: "PATCH", Route: "/groups/{groupID}/roles/{roleID}", Body: api.RequiredBody},
	api.Decoding(func(ctx context.Context, r *api.Request, s *role.Service, in role.RoleInput) (any, error) {
		return s.UpdateRole(ctx, r.Actor, r.Path("groupID"), r.Path("roleID"), in)
	}))

// declare gives an operation this package's service.
func declare(spec api.Spec, h func(context.Context, *api.Request, *role.Service) (any, error)) api.Operation[*role.Service] {
	return api.Operation[*role.Service]{Spec: spec, Service: role.NewService, Handle: h}
}

// All are this package's operations.
var All = []api.Endpoint{AddRoleMembers, CreateCustomAuth, CreateRole, DeleteRole, ListCustomAuths, ListMemberRoles, ListRoleMembers, ListRoles, RemoveRoleMembers, UpdateRolePriorities, UpdateRole}
