// Command get-group-members-info serves GET /groups/{groupID}/member-info?userIDs=a,b.
package main

import (
	"context"

	"github.com/circles-im/circles/shared/api"
)

func main() {
	api.Start("GetGroupMembersInfo", func(ctx context.Context, r *api.Request, d *api.Deps) (any, error) {
		return d.Groups.MembersInfo(ctx, r.Actor, r.Path("groupID"), r.QueryList("userIDs"))
	})
}
