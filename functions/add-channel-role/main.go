// Command add-channel-role serves POST /groups/{groupID}/channels/{channelID}/roles.
package main

import (
	"context"

	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/channel"
)

func main() {
	api.Start("AddChannelRole", func(ctx context.Context, r *api.Request, d *api.Deps) (any, error) {
		var in channel.ChannelRoleInput
		if err := r.Decode(&in); err != nil {
			return nil, err
		}
		return api.Created(d.Channels.AddChannelRole(ctx, r.Actor, r.Path("groupID"), r.Path("channelID"), in))
	})
}
