// Command invite-user-to-group serves POST /groups/{groupID}/members: invite
// users, who join or get an application depending on needVerification.
package main

import (
	"context"

	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/group"
)

func main() {
	api.Start("InviteUserToGroup", func(ctx context.Context, r *api.Request, d *api.Deps) (any, error) {
		var in group.InviteInput
		if err := r.Decode(&in); err != nil {
			return nil, err
		}
		return d.Groups.Invite(ctx, r.Actor, r.Path("groupID"), in)
	})
}
