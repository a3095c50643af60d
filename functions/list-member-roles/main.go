// Command list-member-roles serves GET /groups/{groupID}/members/{userID}/roles.
package main

import (
	"context"

	"github.com/circles-im/circles/shared/api"
)

func main() {
	api.Start("ListMemberRoles", func(ctx context.Context, r *api.Request, d *api.Deps) (any, error) {
		return d.Roles.ListMemberRoles(ctx, r.Actor, r.Path("groupID"), r.Path("userID"))
	})
}
