// Command join-group serves POST /groups/{groupID}/applications: join at once
// or apply.
package main

import (
	"context"

	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/group"
)

func main() {
	api.Start("JoinGroup", func(ctx context.Context, r *api.Request, d *api.Deps) (any, error) {
		var in group.JoinInput
		if err := r.Decode(&in); err != nil {
			return nil, err
		}
		return d.Groups.Join(ctx, r.Actor, r.Path("groupID"), in)
	})
}
