// Command create-custom-auth serves POST /custom-auths.
package main

import (
	"context"

	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/role"
)

func main() {
	api.Start("CreateCustomAuth", func(ctx context.Context, r *api.Request, d *api.Deps) (any, error) {
		var in role.CustomAuthInput
		if err := r.Decode(&in); err != nil {
			return nil, err
		}
		return api.Created(d.Roles.CreateCustomAuth(ctx, r.Actor, in))
	})
}
