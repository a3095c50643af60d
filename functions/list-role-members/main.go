// Command list-role-members serves GET /groups/{groupID}/roles/{roleID}/members?limit=&cursor=.
package main

import (
	"context"

	"github.com/circles-im/circles/shared/api"
)

func main() {
	api.Start("ListRoleMembers", func(ctx context.Context, r *api.Request, d *api.Deps) (any, error) {
		limit, err := r.QueryLimit()
		if err != nil {
			return nil, err
		}
		return d.Roles.ListRoleMembers(ctx, r.Actor, r.Path("groupID"), r.Path("roleID"), limit, r.Query("cursor"))
	})
}
