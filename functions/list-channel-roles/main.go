// Command list-channel-roles serves GET /groups/{groupID}/channels/{channelID}/roles.
package main

import (
	"context"

	"github.com/circles-im/circles/shared/api"
)

func main() {
	api.Start("ListChannelRoles", func(ctx context.Context, r *api.Request, d *api.Deps) (any, error) {
		return d.Channels.ListChannelRoles(ctx, r.Actor, r.Path("groupID"), r.Path("channelID"))
	})
}
