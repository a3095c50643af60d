// Command cancel-mute-group serves DELETE /groups/{groupID}/mute.
package main

import (
	"context"

	"github.com/circles-im/circles/shared/api"
)

func main() {
	api.Start("CancelMuteGroup", func(ctx context.Context, r *api.Request, d *api.Deps) (any, error) {
		return d.Groups.SetGroupMute(ctx, r.Actor, r.Path("groupID"), false)
	})
}
