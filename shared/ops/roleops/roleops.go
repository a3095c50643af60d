// Package roleops declares the role and custom-auth operations, each
// calling shared/role.
//
// Each operation is one declaration: its operationId, route, what it
// decodes and its handler. functions/<name>/main.go starts it; shared/ops
// lists it. The package imports only the domain package its operations
// call, so a function binary links no other (infra/contract checks this);
// and each declaration is a function, not a variable, so that a binary
// links no other operation's handler either (a variable's initializer
// runs, and links what it names, whether or not main uses it).
package roleops

import (
	"context"

	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/role"
	"github.com/circles-im/circles/shared/store"
)

// AddRoleMembers serves POST /groups/{groupID}/roles/{roleID}/members.
func AddRoleMembers() api.Operation {
	return declare(api.Spec{Name: "AddRoleMembers", Method: "POST", Route: "/groups/{groupID}/roles/{roleID}/members", Body: api.RequiredBody},
		func(ctx context.Context, r *api.Request, s *role.Service) (any, error) {
			var in role.RoleMembersInput
			if err := r.Decode(&in); err != nil {
				return nil, err
			}
			return s.AddRoleMembers(ctx, r.Actor, r.Path("groupID"), r.Path("roleID"), in)
		})
}

// CreateCustomAuth serves POST /custom-auths.
func CreateCustomAuth() api.Operation {
	return declare(api.Spec{Name: "CreateCustomAuth", Method: "POST", Route: "/custom-auths", Body: api.RequiredBody},
		func(ctx context.Context, r *api.Request, s *role.Service) (any, error) {
			var in role.CustomAuthInput
			if err := r.Decode(&in); err != nil {
				return nil, err
			}
			return api.Created(s.CreateCustomAuth(ctx, r.Actor, in))
		})
}

// CreateRole serves POST /groups/{groupID}/roles.
func CreateRole() api.Operation {
	return declare(api.Spec{Name: "CreateRole", Method: "POST", Route: "/groups/{groupID}/roles", Body: api.RequiredBody},
		func(ctx context.Context, r *api.Request, s *role.Service) (any, error) {
			var in role.RoleInput
			if err := r.Decode(&in); err != nil {
				return nil, err
			}
			return api.Created(s.CreateRole(ctx, r.Actor, r.Path("groupID"), in))
		})
}

// DeleteRole serves DELETE /groups/{groupID}/roles/{roleID}.
func DeleteRole() api.Operation {
	return declare(api.Spec{Name: "DeleteRole", Method: "DELETE", Route: "/groups/{groupID}/roles/{roleID}", Body: api.NoBody},
		func(ctx context.Context, r *api.Request, s *role.Service) (any, error) {
			return api.Empty(s.DeleteRole(ctx, r.Actor, r.Path("groupID"), r.Path("roleID")))
		})
}

// ListCustomAuths serves GET /custom-auths.
func ListCustomAuths() api.Operation {
	return declare(api.Spec{Name: "ListCustomAuths", Method: "GET", Route: "/custom-auths", Body: api.NoBody},
		func(ctx context.Context, r *api.Request, s *role.Service) (any, error) {
			return s.ListCustomAuths(ctx, r.Actor)
		})
}

// ListMemberRoles serves GET /groups/{groupID}/members/{userID}/roles.
func ListMemberRoles() api.Operation {
	return declare(api.Spec{Name: "ListMemberRoles", Method: "GET", Route: "/groups/{groupID}/members/{userID}/roles", Body: api.NoBody, Consistent: true},
		func(ctx context.Context, r *api.Request, s *role.Service) (any, error) {
			return s.ListMemberRoles(ctx, r.Actor, r.Path("groupID"), r.Path("userID"))
		})
}

// ListRoleMembers serves GET /groups/{groupID}/roles/{roleID}/members?limit=&cursor=.
func ListRoleMembers() api.Operation {
	return declare(api.Spec{Name: "ListRoleMembers", Method: "GET", Route: "/groups/{groupID}/roles/{roleID}/members", Body: api.NoBody, Consistent: true},
		func(ctx context.Context, r *api.Request, s *role.Service) (any, error) {
			limit, err := r.QueryLimit()
			if err != nil {
				return nil, err
			}
			return s.ListRoleMembers(ctx, r.Actor, r.Path("groupID"), r.Path("roleID"), limit, r.Query("cursor"))
		})
}

// ListRoles serves GET /groups/{groupID}/roles.
func ListRoles() api.Operation {
	return declare(api.Spec{Name: "ListRoles", Method: "GET", Route: "/groups/{groupID}/roles", Body: api.NoBody, Consistent: true},
		func(ctx context.Context, r *api.Request, s *role.Service) (any, error) {
			return s.ListRoles(ctx, r.Actor, r.Path("groupID"))
		})
}

// RemoveRoleMembers serves POST /groups/{groupID}/roles/{roleID}/members/remove.
func RemoveRoleMembers() api.Operation {
	return declare(api.Spec{Name: "RemoveRoleMembers", Method: "POST", Route: "/groups/{groupID}/roles/{roleID}/members/remove", Body: api.RequiredBody},
		func(ctx context.Context, r *api.Request, s *role.Service) (any, error) {
			var in role.RoleMembersInput
			if err := r.Decode(&in); err != nil {
				return nil, err
			}
			return s.RemoveRoleMembers(ctx, r.Actor, r.Path("groupID"), r.Path("roleID"), in)
		})
}

// UpdateRolePriorities serves PUT /groups/{groupID}/role-priorities.
func UpdateRolePriorities() api.Operation {
	return declare(api.Spec{Name: "UpdateRolePriorities", Method: "PUT", Route: "/groups/{groupID}/role-priorities", Body: api.RequiredBody},
		func(ctx context.Context, r *api.Request, s *role.Service) (any, error) {
			var in role.PrioritiesInput
			if err := r.Decode(&in); err != nil {
				return nil, err
			}
			return s.UpdateRolePriorities(ctx, r.Actor, r.Path("groupID"), in)
		})
}

// UpdateRole serves PATCH /groups/{groupID}/roles/{roleID}.
func UpdateRole() api.Operation {
	return declare(api.Spec{Name: "UpdateRole", Method: "PATCH", Route: "/groups/{groupID}/roles/{roleID}", Body: api.RequiredBody},
		func(ctx context.Context, r *api.Request, s *role.Service) (any, error) {
			var in role.RoleInput
			if err := r.Decode(&in); err != nil {
				return nil, err
			}
			return s.UpdateRole(ctx, r.Actor, r.Path("groupID"), r.Path("roleID"), in)
		})
}

// declare gives an operation this package's service.
func declare(spec api.Spec, h func(context.Context, *api.Request, *role.Service) (any, error)) api.Operation {
	return api.Operation{Spec: spec, Build: func(st *store.Store) api.Handle {
		s := role.NewService(st)
		return func(ctx context.Context, r *api.Request) (any, error) { return h(ctx, r, s) }
	}}
}
