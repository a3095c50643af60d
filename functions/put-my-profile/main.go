// Command put-my-profile serves PUT /users/me: create or update your profile.
package main

import (
	"context"

	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/group"
)

func main() {
	api.Start("PutMyProfile", func(ctx context.Context, r *api.Request, d *api.Deps) (any, error) {
		var in group.ProfileInput
		if err := r.Decode(&in); err != nil {
			return nil, err
		}
		return d.Groups.PutMyProfile(ctx, r.Actor, in)
	})
}
