// Package inboxops declares the personal notification inbox's operation,
// calling shared/inbox (not shared/notification, whose SQS client the
// function would link and initialise for nothing).
//
// Each operation is one declaration: its operationId, route, what it
// decodes and its handler. functions/<name>/main.go starts it; shared/ops
// lists it. The package imports only the domain package its operations
// call, so a function binary links no other (infra/contract checks this);
// and each declaration is a function, not a variable, so that a binary
// links no other operation's handler either (a variable's initializer
// runs, and links what it names, whether or not main uses it).
package inboxops

import (
	"context"

	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/inbox"
	"github.com/circles-im/circles/shared/store"
)

// GetMyNotifications serves GET /users/me/notifications?afterSeq=&limit=.
func GetMyNotifications() api.Operation {
	return declare(api.Spec{Name: "GetMyNotifications", Method: "GET", Route: "/users/me/notifications", Body: api.NoBody},
		func(ctx context.Context, r *api.Request, s *inbox.Service) (any, error) {
			after, err := r.QueryInt("afterSeq")
			if err != nil {
				return nil, err
			}
			limit, err := r.QueryLimit()
			if err != nil {
				return nil, err
			}
			return s.List(ctx, r.Actor, int64(after), limit)
		})
}

// declare gives an operation this package's service.
func declare(spec api.Spec, h func(context.Context, *api.Request, *inbox.Service) (any, error)) api.Operation {
	return api.Operation{Spec: spec, Build: func(st *store.Store) api.Handle {
		s := inbox.NewService(st)
		return func(ctx context.Context, r *api.Request) (any, error) { return h(ctx, r, s) }
	}}
}
