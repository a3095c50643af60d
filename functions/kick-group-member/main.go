// Command kick-group-member serves POST /groups/{groupID}/kick.
package main

import (
	"context"

	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/group"
)

func main() {
	api.Start("KickGroupMember", func(ctx context.Context, r *api.Request, d *api.Deps) (any, error) {
		var in group.KickInput
		if err := r.Decode(&in); err != nil {
			return nil, err
		}
		return d.Groups.Kick(ctx, r.Actor, r.Path("groupID"), in)
	})
}
