// Package consumer is a sample consumer of Circles' events, as an app team
// would write one for its own service: its own SQS queue, subscribed to the
// events topic with a filter policy, read with long polling.
//
// The rules it follows, which any consumer of the topic should:
//   - Delivery is at least once: an event is handled once per eventID, and
//     a duplicate is acknowledged without being handled again. (This sample
//     remembers eventIDs in memory; a real service records them in its own
//     store, in the same write as the effect.)
//   - A message is acknowledged (deleted) only once handled. A message that
//     failed is reported as a batch item failure and left on the queue, to
//     come back after its visibility timeout and reach the queue's DLQ after
//     a few tries; the rest of the batch is not held back by it.
//   - A standard queue may reorder: order per group by version, not by
//     arrival (this sample only prints).
package consumer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/circles-im/circles/shared/client"
)

// Consumer handles the events of one queue.
type Consumer struct {
	// Out receives one line per event: what the service would do.
	Out io.Writer

	mu   sync.Mutex
	seen map[string]bool
}

// Handle handles one message body (raw message delivery: the event's
// JSON) and says what it did: "handled", "duplicate", or an error.
func (c *Consumer) Handle(body string) (string, error) {
	var ev client.Event
	if err := json.Unmarshal([]byte(body), &ev); err != nil {
		return "", fmt.Errorf("not an event: %w", err)
	}
	if ev.EventID == "" {
		return "", errors.New("not an event: no eventID")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.seen[ev.EventID] {
		return "duplicate", nil
	}
	fmt.Fprintf(c.Out, "%s %s v%d by %s: %s\n", ev.Type, ev.GroupID, ev.Version, ev.ActorUserID, wouldDo(ev))
	if c.seen == nil {
		c.seen = map[string]bool{}
	}
	c.seen[ev.EventID] = true
	return "handled", nil
}

// wouldDo is what this sample's service would do about ev.
func wouldDo(ev client.Event) string {
	switch ev.Type {
	case client.EventTypeMemberKicked:
		return fmt.Sprintf("would remove %v from the group's chat rooms (reason %q)", ev.Payload["userIDs"], ev.Payload["reason"])
	case client.EventTypeGroupDismissed:
		return "would archive the group's chat history"
	}
	return "nothing to do for this type"
}

// HandleSQS is the consumer as a Lambda function on the queue (with
// FunctionResponseTypes: [ReportBatchItemFailures]): the messages it could
// not handle are its batch item failures.
func (c *Consumer) HandleSQS(_ context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	var resp events.SQSEventResponse
	for _, m := range ev.Records {
		if _, err := c.Handle(m.Body); err != nil {
			fmt.Fprintf(c.Out, "message %s failed: %v\n", m.MessageId, err)
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: m.MessageId})
		}
	}
	return resp, nil
}

// Poll reads the queue with long polling until ctx ends, as a long-running
// service would: each batch goes through HandleSQS, and only the messages
// it did not report as failures are deleted.
func (c *Consumer) Poll(ctx context.Context, q *sqs.Client, queueURL string) error {
	for ctx.Err() == nil {
		out, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl: aws.String(queueURL), MaxNumberOfMessages: 10, WaitTimeSeconds: 20,
		})
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			return fmt.Errorf("receive: %w", err)
		}
		if len(out.Messages) == 0 {
			continue
		}
		batch := events.SQSEvent{Records: make([]events.SQSMessage, len(out.Messages))}
		for i, m := range out.Messages {
			batch.Records[i] = events.SQSMessage{MessageId: aws.ToString(m.MessageId), Body: aws.ToString(m.Body)}
		}
		resp, _ := c.HandleSQS(ctx, batch)
		failed := map[string]bool{}
		for _, f := range resp.BatchItemFailures {
			failed[f.ItemIdentifier] = true
		}
		var done []sqstypes.DeleteMessageBatchRequestEntry
		for _, m := range out.Messages {
			if !failed[aws.ToString(m.MessageId)] {
				done = append(done, sqstypes.DeleteMessageBatchRequestEntry{Id: m.MessageId, ReceiptHandle: m.ReceiptHandle})
			}
		}
		if len(done) > 0 {
			if _, err := q.DeleteMessageBatch(context.WithoutCancel(ctx), &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(queueURL), Entries: done}); err != nil {
				// Not deleted means delivered again: harmless, by eventID.
				fmt.Fprintf(c.Out, "delete: %v\n", err)
			}
		}
	}
	return nil
}

// Subscription is a queue of the consumer's own on the events topic.
type Subscription struct {
	TopicARN string
	Queue    string // queue name
	// Filter is the subscription's filter policy on the message
	// attributes type, groupID and code.
	Filter map[string][]string
}

// Subscribe creates the queue (or finds it), lets the topic and only it
// send to it, and subscribes it with raw message delivery and the filter
// policy. It returns the queue URL. Subscribing again changes nothing.
func Subscribe(ctx context.Context, topics *sns.Client, queues *sqs.Client, s Subscription) (string, error) {
	q, err := queues.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(s.Queue)})
	if err != nil {
		return "", fmt.Errorf("create queue: %w", err)
	}
	attrs, err := queues.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl: q.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn},
	})
	if err != nil {
		return "", fmt.Errorf("queue arn: %w", err)
	}
	queueARN := attrs.Attributes[string(sqstypes.QueueAttributeNameQueueArn)]
	policy, _ := json.Marshal(map[string]any{
		"Version": "2012-10-17",
		"Statement": []any{map[string]any{
			"Effect": "Allow", "Principal": map[string]string{"Service": "sns.amazonaws.com"},
			"Action": "sqs:SendMessage", "Resource": queueARN,
			"Condition": map[string]any{"ArnEquals": map[string]string{"aws:SourceArn": s.TopicARN}},
		}},
	})
	if _, err := queues.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{
		QueueUrl: q.QueueUrl, Attributes: map[string]string{"Policy": string(policy)},
	}); err != nil {
		return "", fmt.Errorf("queue policy: %w", err)
	}
	filter, _ := json.Marshal(s.Filter)
	if _, err := topics.Subscribe(ctx, &sns.SubscribeInput{
		TopicArn: aws.String(s.TopicARN), Protocol: aws.String("sqs"), Endpoint: aws.String(queueARN),
		Attributes: map[string]string{"RawMessageDelivery": "true", "FilterPolicy": string(filter)},
	}); err != nil {
		return "", fmt.Errorf("subscribe: %w", err)
	}
	return aws.ToString(q.QueueUrl), nil
}

// FindTopic returns the ARN of the topic whose name ends with suffix
// (make run's is EventsTopic; a deployed stack's is its TopicArn output).
func FindTopic(ctx context.Context, topics *sns.Client, suffix string) (string, error) {
	p := sns.NewListTopicsPaginator(topics, &sns.ListTopicsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return "", err
		}
		for _, t := range page.Topics {
			if arn := aws.ToString(t.TopicArn); strings.HasSuffix(arn, ":"+suffix) {
				return arn, nil
			}
		}
	}
	return "", fmt.Errorf("no topic named %s", suffix)
}
