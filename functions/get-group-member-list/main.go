// Command get-group-member-list serves GET /groups/{groupID}/members?filter=&limit=&cursor=.
package main

import (
	"context"

	"github.com/circles-im/circles/shared/api"
)

func main() {
	api.Start("GetGroupMemberList", func(ctx context.Context, r *api.Request, d *api.Deps) (any, error) {
		filter, err := r.QueryInt("filter")
		if err != nil {
			return nil, err
		}
		limit, err := r.QueryLimit()
		if err != nil {
			return nil, err
		}
		return d.Groups.ListMembers(ctx, r.Actor, r.Path("groupID"), filter, limit, r.Query("cursor"))
	})
}
