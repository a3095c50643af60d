// Command get-channel-access-list serves GET /groups/{groupID}/channels/{channelID}/access.
package main

import (
	"context"

	"github.com/circles-im/circles/shared/api"
)

func main() {
	api.Start("GetChannelAccessList", func(ctx context.Context, r *api.Request, d *api.Deps) (any, error) {
		return d.Channels.GetChannelAccessList(ctx, r.Actor, r.Path("groupID"), r.Path("channelID"))
	})
}
