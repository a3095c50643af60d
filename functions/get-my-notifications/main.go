// Command get-my-notifications serves GET /users/me/notifications?afterSeq=&limit=.
package main

import (
	"context"

	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/notification"
)

func main() {
	api.Start("GetMyNotifications", func(ctx context.Context, r *api.Request, d *api.Deps) (any, error) {
		after, err := r.QueryInt("afterSeq")
		if err != nil {
			return nil, err
		}
		limit, err := r.QueryLimit()
		if err != nil {
			return nil, err
		}
		return notification.NewService(d.Store).List(ctx, r.Actor, int64(after), limit)
	})
}
