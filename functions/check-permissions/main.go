// Command check-permissions serves GET /groups/{groupID}/permissions?auths=&channelID=&userID=.
package main

import (
	"context"

	"github.com/circles-im/circles/shared/api"
)

func main() {
	api.Start("CheckPermissions", func(ctx context.Context, r *api.Request, d *api.Deps) (any, error) {
		return d.Channels.CheckPermissions(ctx, r.Actor, r.Path("groupID"), r.QueryList("auths"), r.Query("channelID"), r.Query("userID"))
	})
}
