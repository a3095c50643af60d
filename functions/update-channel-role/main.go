// Command update-channel-role serves PATCH /groups/{groupID}/channels/{channelID}/roles/{roleID}.
package main

import (
	"context"

	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/channel"
)

func main() {
	api.Start("UpdateChannelRole", func(ctx context.Context, r *api.Request, d *api.Deps) (any, error) {
		var in channel.AuthsInput
		if err := r.Decode(&in); err != nil {
			return nil, err
		}
		return d.Channels.UpdateChannelRole(ctx, r.Actor, r.Path("groupID"), r.Path("channelID"), r.Path("roleID"), in)
	})
}
