// Command list-roles serves GET /groups/{groupID}/roles.
package main

import (
	"context"

	"github.com/circles-im/circles/shared/api"
)

func main() {
	api.Start("ListRoles", func(ctx context.Context, r *api.Request, d *api.Deps) (any, error) {
		return d.Roles.ListRoles(ctx, r.Actor, r.Path("groupID"))
	})
}
