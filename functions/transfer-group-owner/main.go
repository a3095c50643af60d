// Command transfer-group-owner serves POST /groups/{groupID}/owner.
package main

import (
	"context"

	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/group"
)

func main() {
	api.Start("TransferGroupOwner", func(ctx context.Context, r *api.Request, d *api.Deps) (any, error) {
		var in group.TransferInput
		if err := r.Decode(&in); err != nil {
			return nil, err
		}
		return d.Groups.TransferOwner(ctx, r.Actor, r.Path("groupID"), in)
	})
}
