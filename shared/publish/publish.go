package publish

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/circles-im/circles/shared/event"
)

// Publisher publishes outbox events to the SNS topic.
type Publisher struct {
	SNS      *sns.Client
	TopicARN string
	// Margin is how long before the deadline publishing stops.
	Margin time.Duration
}

// attributes are the SNS message attributes of ev.
func attributes(ev event.Event) map[string]snstypes.MessageAttributeValue {
	out := map[string]snstypes.MessageAttributeValue{}
	for k, a := range event.Attributes(ev) {
		out[k] = snstypes.MessageAttributeValue{DataType: aws.String(a.DataType), StringValue: aws.String(a.Value)}
	}
	return out
}

// Publish sends one event: the message body is the event's JSON.
func (p *Publisher) Publish(ctx context.Context, ev event.Event) error {
	body, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("publish: encode %s: %w", ev.EventID, err)
	}
	_, err = p.SNS.Publish(ctx, &sns.PublishInput{
		TopicArn:          aws.String(p.TopicARN),
		Message:           aws.String(string(body)),
		MessageAttributes: attributes(ev),
	})
	if err != nil {
		return fmt.Errorf("publish: %s: %w", ev.EventID, err)
	}
	return nil
}

// HandleStream publishes the outbox events of a DynamoDB Streams batch, in
// order. At the first failure it stops and reports that record's sequence
// number: Lambda then retries the batch from there, so events of a shard are
// never published out of order and a published event is at most
// republished (at-least-once; consumers deduplicate by eventID). Records
// that are not event inserts (the filter criteria normally keep them out)
// are skipped.
//
// It also stops Margin (default 2 s) before its deadline and reports the
// first record it did not publish, so that a slow SNS never makes the
// invocation time out (which would fail the whole batch).
func (p *Publisher) HandleStream(ctx context.Context, batch events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	resp := events.DynamoDBEventResponse{BatchItemFailures: []events.DynamoDBBatchItemFailure{}}
	margin := p.Margin
	if margin <= 0 {
		margin = 2 * time.Second
	}
	dl, hasDeadline := ctx.Deadline()
	for _, rec := range batch.Records {
		if hasDeadline && time.Until(dl) < margin {
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.DynamoDBBatchItemFailure{ItemIdentifier: rec.Change.SequenceNumber})
			return resp, nil
		}
		if rec.EventName != string(events.DynamoDBOperationTypeInsert) {
			continue
		}
		if k, ok := rec.Change.NewImage["kind"]; !ok || k.DataType() != events.DataTypeString || k.String() != "event" {
			continue
		}
		err := func() error {
			ev, err := event.FromStreamImage(rec.Change.NewImage)
			if err != nil {
				return err
			}
			// A publish that would outlive the invocation is cut off
			// and reported, like one not started.
			pctx := ctx
			if hasDeadline {
				var cancel context.CancelFunc
				pctx, cancel = context.WithDeadline(ctx, dl.Add(-300*time.Millisecond))
				defer cancel()
			}
			return p.Publish(pctx, ev)
		}()
		if err != nil {
			slog.Error("publish", "sequenceNumber", rec.Change.SequenceNumber, "error", err.Error())
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.DynamoDBBatchItemFailure{ItemIdentifier: rec.Change.SequenceNumber})
			return resp, nil
		}
	}
	return resp, nil
}
