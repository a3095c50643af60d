// Command cancel-mute-group-member serves DELETE /groups/{groupID}/members/{userID}/mute.
package main

import (
	"context"

	"github.com/circles-im/circles/shared/api"
)

func main() {
	api.Start("CancelMuteGroupMember", func(ctx context.Context, r *api.Request, d *api.Deps) (any, error) {
		return d.Groups.CancelMuteMember(ctx, r.Actor, r.Path("groupID"), r.Path("userID"))
	})
}
