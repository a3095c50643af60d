// Command update-channel serves PATCH /groups/{groupID}/channels/{channelID}.
package main

import (
	"context"

	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/channel"
)

func main() {
	api.Start("UpdateChannel", func(ctx context.Context, r *api.Request, d *api.Deps) (any, error) {
		var in channel.ChannelInput
		if err := r.Decode(&in); err != nil {
			return nil, err
		}
		return d.Channels.UpdateChannel(ctx, r.Actor, r.Path("groupID"), r.Path("channelID"), in)
	})
}
