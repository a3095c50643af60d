// Command update-role serves PATCH /groups/{groupID}/roles/{roleID}.
package main

import (
	"context"

	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/role"
)

func main() {
	api.Start("UpdateRole", func(ctx context.Context, r *api.Request, d *api.Deps) (any, error) {
		var in role.RoleInput
		if err := r.Decode(&in); err != nil {
			return nil, err
		}
		return d.Roles.UpdateRole(ctx, r.Actor, r.Path("groupID"), r.Path("roleID"), in)
	})
}
