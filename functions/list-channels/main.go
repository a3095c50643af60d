// Command list-channels serves GET /groups/{groupID}/channels?limit=&cursor=.
package main

import (
	"context"

	"github.com/circles-im/circles/shared/api"
)

func main() {
	api.Start("ListChannels", func(ctx context.Context, r *api.Request, d *api.Deps) (any, error) {
		limit, err := r.QueryLimit()
		if err != nil {
			return nil, err
		}
		return d.Channels.ListChannels(ctx, r.Actor, r.Path("groupID"), limit, r.Query("cursor"))
	})
}
