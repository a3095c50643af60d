// Command create-group serves POST /groups.
package main

import (
	"context"

	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/group"
)

func main() {
	api.Start("CreateGroup", func(ctx context.Context, r *api.Request, d *api.Deps) (any, error) {
		var in group.CreateInput
		if err := r.Decode(&in); err != nil {
			return nil, err
		}
		return api.Created(d.Groups.Create(ctx, r.Actor, in))
	})
}
