// Command delete-role serves DELETE /groups/{groupID}/roles/{roleID}.
package main

import (
	"context"

	"github.com/circles-im/circles/shared/api"
)

func main() {
	api.Start("DeleteRole", func(ctx context.Context, r *api.Request, d *api.Deps) (any, error) {
		return api.Empty(d.Roles.DeleteRole(ctx, r.Actor, r.Path("groupID"), r.Path("roleID")))
	})
}
