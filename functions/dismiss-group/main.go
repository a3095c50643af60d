// Command dismiss-group serves DELETE /groups/{groupID}.
package main

import (
	"context"

	"github.com/circles-im/circles/shared/api"
)

func main() {
	api.Start("DismissGroup", func(ctx context.Context, r *api.Request, d *api.Deps) (any, error) {
		return api.Empty(d.Groups.Dismiss(ctx, r.Actor, r.Path("groupID")))
	})
}
