// Command delete-channel serves DELETE /groups/{groupID}/channels/{channelID}.
package main

import (
	"context"

	"github.com/circles-im/circles/shared/api"
)

func main() {
	api.Start("DeleteChannel", func(ctx context.Context, r *api.Request, d *api.Deps) (any, error) {
		return api.Empty(d.Channels.DeleteChannel(ctx, r.Actor, r.Path("groupID"), r.Path("channelID")))
	})
}
