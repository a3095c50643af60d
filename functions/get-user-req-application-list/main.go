// Command get-user-req-application-list serves GET /applications/sent: your
// own applications, newest first.
package main

import (
	"context"

	"github.com/circles-im/circles/shared/api"
)

func main() {
	api.Start("GetUserReqApplicationList", func(ctx context.Context, r *api.Request, d *api.Deps) (any, error) {
		limit, err := r.QueryLimit()
		if err != nil {
			return nil, err
		}
		return d.Groups.ListSentApplications(ctx, r.Actor, limit, r.Query("cursor"))
	})
}
