// Command remove-channel-role serves DELETE /groups/{groupID}/channels/{channelID}/roles/{roleID}.
package main

import (
	"context"

	"github.com/circles-im/circles/shared/api"
)

func main() {
	api.Start("RemoveChannelRole", func(ctx context.Context, r *api.Request, d *api.Deps) (any, error) {
		return api.Empty(d.Channels.RemoveChannelRole(ctx, r.Actor, r.Path("groupID"), r.Path("channelID"), r.Path("roleID")))
	})
}
