// Command set-group-info serves PATCH /groups/{groupID}.
package main

import (
	"context"

	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/group"
)

func main() {
	api.Start("SetGroupInfo", func(ctx context.Context, r *api.Request, d *api.Deps) (any, error) {
		var in group.SetInfoInput
		if err := r.Decode(&in); err != nil {
			return nil, err
		}
		return d.Groups.SetInfo(ctx, r.Actor, r.Path("groupID"), in, r.Header("If-Match"))
	})
}
