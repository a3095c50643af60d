// Command update-role-priorities serves PUT /groups/{groupID}/role-priorities.
package main

import (
	"context"

	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/role"
)

func main() {
	api.Start("UpdateRolePriorities", func(ctx context.Context, r *api.Request, d *api.Deps) (any, error) {
		var in role.PrioritiesInput
		if err := r.Decode(&in); err != nil {
			return nil, err
		}
		return d.Roles.UpdateRolePriorities(ctx, r.Actor, r.Path("groupID"), in)
	})
}
