// Command create-channel serves POST /groups/{groupID}/channels.
package main

import (
	"context"

	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/channel"
)

func main() {
	api.Start("CreateChannel", func(ctx context.Context, r *api.Request, d *api.Deps) (any, error) {
		var in channel.ChannelInput
		if err := r.Decode(&in); err != nil {
			return nil, err
		}
		return api.Created(d.Channels.CreateChannel(ctx, r.Actor, r.Path("groupID"), in))
	})
}
