// Command delete-channel-member-auths serves DELETE /groups/{groupID}/channels/{channelID}/members/{userID}/auths.
package main

import (
	"context"

	"github.com/circles-im/circles/shared/api"
)

func main() {
	api.Start("DeleteChannelMemberAuths", func(ctx context.Context, r *api.Request, d *api.Deps) (any, error) {
		return api.Empty(d.Channels.DeleteChannelMemberAuths(ctx, r.Actor, r.Path("groupID"), r.Path("channelID"), r.Path("userID")))
	})
}
