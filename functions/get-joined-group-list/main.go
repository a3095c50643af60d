// Command get-joined-group-list serves GET /users/me/groups: your groups, paged.
package main

import (
	"context"

	"github.com/circles-im/circles/shared/api"
)

func main() {
	api.Start("GetJoinedGroupList", func(ctx context.Context, r *api.Request, d *api.Deps) (any, error) {
		limit, err := r.QueryLimit()
		if err != nil {
			return nil, err
		}
		return d.Groups.ListJoined(ctx, r.Actor, limit, r.Query("cursor"))
	})
}
