// Command check-group serves POST /admin/groups/{groupID}/check.
package main

import (
	"context"

	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/group"
)

func main() {
	api.Start("CheckGroup", func(ctx context.Context, r *api.Request, d *api.Deps) (any, error) {
		var in group.CheckInput
		if err := r.Decode(&in); err != nil {
			return nil, err
		}
		return d.Groups.Check(ctx, r.Actor, r.Path("groupID"), in)
	})
}
