// Command add-role-members serves POST /groups/{groupID}/roles/{roleID}/members.
package main

import (
	"context"

	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/role"
)

func main() {
	api.Start("AddRoleMembers", func(ctx context.Context, r *api.Request, d *api.Deps) (any, error) {
		var in role.RoleMembersInput
		if err := r.Decode(&in); err != nil {
			return nil, err
		}
		return d.Roles.AddRoleMembers(ctx, r.Actor, r.Path("groupID"), r.Path("roleID"), in)
	})
}
