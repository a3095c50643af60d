// Command group-application-response serves
// PUT /groups/{groupID}/applications/{userID}: agree to or refuse an application.
package main

import (
	"context"

	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/group"
)

func main() {
	api.Start("GroupApplicationResponse", func(ctx context.Context, r *api.Request, d *api.Deps) (any, error) {
		var in group.ApplicationResponseInput
		if err := r.Decode(&in); err != nil {
			return nil, err
		}
		return d.Groups.RespondApplication(ctx, r.Actor, r.Path("groupID"), r.Path("userID"), in)
	})
}
