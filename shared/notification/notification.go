// Package notification is the built-in consumer of group events (SPEC §5):
// personal notifications in each recipient's inbox, and the cleanup of
// dismissed groups. Both run behind SQS queues subscribed to the events
// topic and report partial batch failures.
package notification

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/events"

	"github.com/circles-im/circles/shared/event"
	"github.com/circles-im/circles/shared/permission"
	"github.com/circles-im/circles/shared/store"
)

var logger = slog.New(slog.NewJSONHandler(os.Stdout, nil))

// Service delivers and lists personal notifications.
type Service struct {
	st *store.Store
}

// NewService returns a service over st.
func NewService(st *store.Store) *Service { return &Service{st: st} }

// Deliver writes ev into the inbox of each of its recipients, at most once
// per (eventID, recipient) however often it is called. An event addressed
// to the whole group (no recipients) writes nothing: members read it
// through GetGroupChanges (read diffusion).
func (s *Service) Deliver(ctx context.Context, ev event.Event) error {
	seen := map[string]bool{}
	for _, uid := range ev.Recipients {
		if uid == "" || seen[uid] {
			continue
		}
		seen[uid] = true
		err := store.Retry(ctx, func() error {
			_, _, err := s.st.Deliver(ctx, uid, &ev)
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// HandleSQS is the deliver-notifications Lambda: each message is an event
// (raw message delivery). A message that fails, including one that is not
// an event at all, is reported alone so the rest of the batch is deleted;
// after 5 receives the queue moves it to its DLQ.
func (s *Service) HandleSQS(ctx context.Context, batch events.SQSEvent) (events.SQSEventResponse, error) {
	resp := events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{}}
	for _, msg := range batch.Records {
		ev, err := event.Parse([]byte(msg.Body))
		if err == nil {
			err = s.Deliver(ctx, ev)
		}
		if err != nil {
			logger.Error("deliver", "messageId", msg.MessageId, "eventID", ev.EventID, "error", err.Error())
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: msg.MessageId})
		}
	}
	return resp, nil
}

// List pages the actor's own inbox after afterSeq.
func (s *Service) List(ctx context.Context, a permission.Actor, afterSeq int64, limit int) (*store.Page[*store.Notification], error) {
	return s.st.ListNotifications(ctx, a.UserID, afterSeq, limit)
}
