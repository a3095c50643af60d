// Command import-user serves PUT /admin/users/{userID}: app admins import a
// user's profile.
package main

import (
	"context"

	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/group"
)

func main() {
	api.Start("ImportUser", func(ctx context.Context, r *api.Request, d *api.Deps) (any, error) {
		var in group.ProfileInput
		if err := r.Decode(&in); err != nil {
			return nil, err
		}
		return d.Groups.ImportUser(ctx, r.Actor, r.Path("userID"), in)
	})
}
