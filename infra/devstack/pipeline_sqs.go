package devstack

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// queueSource is one SQS event of a function.
type queueSource struct {
	cfg       PipelineConfig
	fn        string
	queue     Queue
	batchSize int
	partial   bool
}

func newQueueSource(cfg PipelineConfig, f Function, ev Event) (*queueSource, error) {
	where := fmt.Sprintf("devstack: %s event %s", f.LogicalID, ev.Name)
	arn, err := cfg.Resolver.String(ev.Properties["Queue"])
	if err != nil {
		return nil, fmt.Errorf("%s: Queue: %w", where, err)
	}
	q, ok := cfg.Bus.queueByARN(arn)
	if !ok {
		return nil, fmt.Errorf("%s: queue %s is not one of the template's queues %v", where, arn, sortedQueueNames(cfg.Bus))
	}
	n, err := intProp(ev.Properties, "BatchSize", 10)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	return &queueSource{cfg: cfg, fn: f.Name(), queue: q, batchSize: n, partial: reportsItemFailures(ev.Properties)}, nil
}

func (s *queueSource) logf(format string, args ...any) {
	fmt.Fprintf(s.cfg.Log, "pipeline: %s <- %s: %s\n", s.fn, s.queue.Name, fmt.Sprintf(format, args...))
}

// run polls until ctx ends. Receives use the queue's own visibility
// timeout, so a message whose invocation failed reappears only when it
// would in AWS, and moto counts its receives for the redrive policy.
func (s *queueSource) run(ctx context.Context) {
	for ctx.Err() == nil {
		// A bounded call: a long poll that never answers must not stall
		// the source.
		rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		out, err := s.cfg.SQS.ReceiveMessage(rctx, &sqs.ReceiveMessageInput{
			QueueUrl:                    aws.String(s.queue.URL),
			MaxNumberOfMessages:         int32(min(max(s.batchSize, 1), 10)),
			WaitTimeSeconds:             1,
			MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameAll},
			MessageAttributeNames:       []string{"All"},
		})
		cancel()
		if err != nil {
			if isCanceled(ctx, err) {
				return
			}
			s.logf("receive: %v", err)
			sleep(ctx, time.Second)
			continue
		}
		if len(out.Messages) == 0 {
			continue
		}
		s.deliver(ctx, out.Messages)
	}
}

func (s *queueSource) deliver(ctx context.Context, msgs []sqstypes.Message) {
	region := os.Getenv("AWS_REGION")
	if region == "" {
		region = "us-east-1"
	}
	batch := events.SQSEvent{Records: make([]events.SQSMessage, len(msgs))}
	for i, m := range msgs {
		attrs := map[string]events.SQSMessageAttribute{}
		for k, v := range m.MessageAttributes {
			attrs[k] = events.SQSMessageAttribute{
				StringValue: v.StringValue, BinaryValue: v.BinaryValue, DataType: aws.ToString(v.DataType),
				StringListValues: v.StringListValues, BinaryListValues: v.BinaryListValues,
			}
		}
		batch.Records[i] = events.SQSMessage{
			MessageId:              aws.ToString(m.MessageId),
			ReceiptHandle:          aws.ToString(m.ReceiptHandle),
			Body:                   aws.ToString(m.Body),
			Md5OfBody:              aws.ToString(m.MD5OfBody),
			Md5OfMessageAttributes: aws.ToString(m.MD5OfMessageAttributes),
			Attributes:             m.Attributes,
			MessageAttributes:      attrs,
			EventSourceARN:         s.queue.ARN,
			EventSource:            "aws:sqs",
			AWSRegion:              region,
		}
	}
	payload, err := json.Marshal(batch)
	if err != nil {
		s.logf("encode batch: %v", err)
		return
	}
	resp, err := s.cfg.Invoke(ctx, s.fn, payload)
	if err != nil {
		// The whole batch failed: every message reappears after its
		// visibility timeout.
		if !isCanceled(ctx, err) {
			s.logf("%d message(s) failed: %v", len(msgs), err)
		}
		return
	}
	failed := map[string]bool{}
	if s.partial {
		ids, ok := batchItemFailures(resp)
		if !ok {
			s.logf("invalid batchItemFailures: the batch failed")
			return
		}
		for _, id := range ids {
			failed[id] = true
		}
	}
	if len(failed) > 0 {
		s.logf("%d of %d message(s) failed, left for redelivery", len(failed), len(msgs))
	}
	var del []sqstypes.DeleteMessageBatchRequestEntry
	for i, m := range msgs {
		if failed[aws.ToString(m.MessageId)] {
			continue
		}
		del = append(del, sqstypes.DeleteMessageBatchRequestEntry{Id: aws.String(fmt.Sprint(i)), ReceiptHandle: m.ReceiptHandle})
	}
	if len(del) == 0 {
		return
	}
	// Deleting must not be cut short by Close: a processed message left
	// behind would be processed again.
	out, err := s.cfg.SQS.DeleteMessageBatch(context.WithoutCancel(ctx), &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(s.queue.URL), Entries: del})
	if err != nil {
		s.logf("delete: %v", err)
		return
	}
	for _, f := range out.Failed {
		s.logf("delete %s: %s", aws.ToString(f.Id), aws.ToString(f.Message))
	}
}
