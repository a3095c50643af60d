// Command get-users serves GET /users?userIDs=a,b: profiles.
package main

import (
	"context"

	"github.com/circles-im/circles/shared/api"
)

func main() {
	api.Start("GetUsers", func(ctx context.Context, r *api.Request, d *api.Deps) (any, error) {
		return d.Groups.GetUsers(ctx, r.Actor, r.QueryList("userIDs"))
	})
}
