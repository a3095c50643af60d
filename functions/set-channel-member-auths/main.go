// Command set-channel-member-auths serves PUT /groups/{groupID}/channels/{channelID}/members/{userID}/auths.
package main

import (
	"context"

	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/channel"
)

func main() {
	api.Start("SetChannelMemberAuths", func(ctx context.Context, r *api.Request, d *api.Deps) (any, error) {
		var in channel.AuthsInput
		if err := r.Decode(&in); err != nil {
			return nil, err
		}
		return d.Channels.SetChannelMemberAuths(ctx, r.Actor, r.Path("groupID"), r.Path("channelID"), r.Path("userID"), in)
	})
}
