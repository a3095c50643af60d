// Command quit-group serves POST /groups/{groupID}/quit.
package main

import (
	"context"

	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/group"
)

func main() {
	api.Start("QuitGroup", func(ctx context.Context, r *api.Request, d *api.Deps) (any, error) {
		var in group.QuitInput
		if err := r.Decode(&in); err != nil {
			return nil, err
		}
		return api.Empty(d.Groups.Quit(ctx, r.Actor, r.Path("groupID"), in))
	})
}
