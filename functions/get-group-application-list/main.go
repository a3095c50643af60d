// Command get-group-application-list serves GET /applications/received: the
// applications to a group you handle (or, without groupID, to all of them),
// newest first.
package main

import (
	"context"

	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/group"
)

func main() {
	api.Start("GetGroupApplicationList", func(ctx context.Context, r *api.Request, d *api.Deps) (any, error) {
		in := group.ListApplicationsInput{GroupID: r.Query("groupID"), Cursor: r.Query("cursor")}
		var err error
		if in.Limit, err = r.QueryLimit(); err != nil {
			return nil, err
		}
		if r.Query("handleResult") != "" {
			hr, err := r.QueryInt("handleResult")
			if err != nil {
				return nil, err
			}
			in.HandleResult = &hr
		}
		return d.Groups.ListReceivedApplications(ctx, r.Actor, in)
	})
}
