// Command mute-group-member serves POST /groups/{groupID}/members/{userID}/mute.
package main

import (
	"context"

	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/group"
)

func main() {
	api.Start("MuteGroupMember", func(ctx context.Context, r *api.Request, d *api.Deps) (any, error) {
		var in group.MuteMemberInput
		if err := r.Decode(&in); err != nil {
			return nil, err
		}
		return d.Groups.MuteMember(ctx, r.Actor, r.Path("groupID"), r.Path("userID"), in)
	})
}
