// Command get-group-changes serves GET /groups/{groupID}/changes?sinceVersion=&limit=.
package main

import (
	"context"

	"github.com/circles-im/circles/shared/api"
)

func main() {
	api.Start("GetGroupChanges", func(ctx context.Context, r *api.Request, d *api.Deps) (any, error) {
		since, err := r.QueryInt("sinceVersion")
		if err != nil {
			return nil, err
		}
		limit, err := r.QueryLimit()
		if err != nil {
			return nil, err
		}
		return d.Groups.Changes(ctx, r.Actor, r.Path("groupID"), int64(since), limit)
	})
}
