// Command create-role serves POST /groups/{groupID}/roles.
package main

import (
	"context"

	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/role"
)

func main() {
	api.Start("CreateRole", func(ctx context.Context, r *api.Request, d *api.Deps) (any, error) {
		var in role.RoleInput
		if err := r.Decode(&in); err != nil {
			return nil, err
		}
		return api.Created(d.Roles.CreateRole(ctx, r.Actor, r.Path("groupID"), in))
	})
}
