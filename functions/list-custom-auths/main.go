// Command list-custom-auths serves GET /custom-auths.
package main

import (
	"context"

	"github.com/circles-im/circles/shared/api"
)

func main() {
	api.Start("ListCustomAuths", func(ctx context.Context, r *api.Request, d *api.Deps) (any, error) {
		return d.Roles.ListCustomAuths(ctx, r.Actor)
	})
}
