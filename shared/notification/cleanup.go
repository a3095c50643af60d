package notification

import (
	"context"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/circles-im/circles/shared/event"
	"github.com/circles-im/circles/shared/group"
	"github.com/circles-im/circles/shared/store"
)

// Cleaner is the cleanup-dismissed-group Lambda: for each GroupDismissed,
// RoleDeleted or ChannelDeleted event it removes the records left behind
// (group.Service.OnGroupEvent) in bounded batches while the
// invocation has time, and when more is left it sends the same event back
// to its own queue (a continuation) before acknowledging the message. No
// single invocation's work grows with the group's size.
type Cleaner struct {
	Groups   *group.Service
	SQS      *sqs.Client
	QueueURL string
	// BatchItems bounds one CleanupDismissed call, and so how often the
	// deadline is checked; default store.CleanupBatch (one transaction).
	BatchItems int
	// Reserve is the time kept back from the deadline for the continuation;
	// default 3 s.
	Reserve time.Duration
	// MaxItems, when positive, also bounds the records one message removes
	// (else only the deadline does).
	MaxItems int
}

// HandleSQS processes a batch of events; failed messages are reported for
// redelivery.
func (c *Cleaner) HandleSQS(ctx context.Context, batch events.SQSEvent) (events.SQSEventResponse, error) {
	resp := events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{}}
	for _, msg := range batch.Records {
		if err := c.handle(ctx, msg); err != nil {
			logger.Error("cleanup", "messageId", msg.MessageId, "error", err.Error())
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: msg.MessageId})
		}
	}
	return resp, nil
}

func (c *Cleaner) handle(ctx context.Context, msg events.SQSMessage) error {
	ev, err := event.Parse([]byte(msg.Body))
	if err != nil {
		return err
	}
	reserve := c.Reserve
	if reserve <= 0 {
		reserve = 3 * time.Second
	}
	batch := c.BatchItems
	if batch <= 0 {
		batch = store.CleanupBatch
	}
	if c.MaxItems > 0 {
		batch = min(batch, c.MaxItems)
	}
	last := time.Duration(0) // how long the last batch took
	for removed := 0; ; removed += batch {
		if c.MaxItems > 0 && removed >= c.MaxItems {
			break
		}
		// Start a batch only if one (as slow as the last, with margin)
		// still fits before the deadline; else continue in a new message.
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < reserve+2*last {
			break
		}
		if ctx.Err() != nil {
			break
		}
		began := time.Now()
		done, err := c.Groups.OnGroupEvent(ctx, ev, batch)
		if err != nil {
			return err
		}
		if done {
			logger.Info("cleanup done", "groupID", ev.GroupID, "eventID", ev.EventID)
			return nil
		}
		last = time.Since(began)
	}
	// More is left: hand it to the next delivery. If this send fails the
	// message is reported failed and redelivered, which also continues.
	// Past the deadline there is no time to send: fail and be redelivered.
	if err := ctx.Err(); err != nil {
		return err
	}
	attrs := map[string]sqstypes.MessageAttributeValue{}
	for k, v := range event.Attributes(ev) {
		attrs[k] = sqstypes.MessageAttributeValue{DataType: aws.String(v.DataType), StringValue: aws.String(v.Value)}
	}
	_, err = c.SQS.SendMessage(context.WithoutCancel(ctx), &sqs.SendMessageInput{
		QueueUrl:          aws.String(c.QueueURL),
		MessageBody:       aws.String(msg.Body),
		MessageAttributes: attrs,
	})
	if err == nil {
		logger.Info("cleanup continues", "groupID", ev.GroupID, "eventID", ev.EventID)
	}
	return err
}
