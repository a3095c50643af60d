// Command update-channel-access-list serves POST /groups/{groupID}/channels/{channelID}/access.
package main

import (
	"context"

	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/channel"
)

func main() {
	api.Start("UpdateChannelAccessList", func(ctx context.Context, r *api.Request, d *api.Deps) (any, error) {
		var in channel.AccessListInput
		if err := r.Decode(&in); err != nil {
			return nil, err
		}
		return d.Channels.UpdateChannelAccessList(ctx, r.Actor, r.Path("groupID"), r.Path("channelID"), in)
	})
}
