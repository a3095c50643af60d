// Command get-groups-info serves GET /groups?groupIDs=a,b.
package main

import (
	"context"

	"github.com/circles-im/circles/shared/api"
)

func main() {
	api.Start("GetGroupsInfo", func(ctx context.Context, r *api.Request, d *api.Deps) (any, error) {
		return d.Groups.GetGroupsInfo(ctx, r.Actor, r.QueryList("groupIDs"))
	})
}
