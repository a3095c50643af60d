// Package inbox is a user's personal notification inbox as the HTTP API
// reads it.
//
// Its rules:
//   - A user reads only their own inbox: the actor's, never one named by
//     the request.
//   - A page starts after a sequence number and is bounded (store's
//     ListNotifications: the limit and MaxInboxPageBytes), at a cost
//     independent of the inbox's size.
//   - An entry answers its event's payload whether the store copied it
//     or, being large, stored it once for all recipients (one
//     BatchGetItem per page that references such payloads).
//
// It is apart from shared/notification, which fills the inboxes from SQS,
// so that the inbox's function links neither the SQS client nor its package
// init.
package inbox

import (
	"context"

	"github.com/circles-im/circles/shared/permission"
	"github.com/circles-im/circles/shared/store"
)

// Service reads inboxes.
type Service struct{ st *store.Store }

// NewService is the inbox over st.
func NewService(st *store.Store) *Service { return &Service{st: st} }

// List pages the actor's own inbox after afterSeq.
func (s *Service) List(ctx context.Context, a permission.Actor, afterSeq int64, limit int) (*store.Page[*store.Notification], error) {
	return s.st.ListNotifications(ctx, a.UserID, afterSeq, limit)
}
