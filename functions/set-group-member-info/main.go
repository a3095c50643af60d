// Command set-group-member-info serves PATCH /groups/{groupID}/members/{userID}.
package main

import (
	"context"

	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/group"
)

func main() {
	api.Start("SetGroupMemberInfo", func(ctx context.Context, r *api.Request, d *api.Deps) (any, error) {
		var in group.SetMemberInfoInput
		if err := r.Decode(&in); err != nil {
			return nil, err
		}
		return d.Groups.SetMemberInfo(ctx, r.Actor, r.Path("groupID"), r.Path("userID"), in)
	})
}
