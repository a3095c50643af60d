package notification_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/infra/stacktest"
	"github.com/circles-im/circles/shared/notification"
	"github.com/circles-im/circles/shared/store"
)

// testQueue is a fresh queue on the local stack's SQS, deleted after t.
func testQueue(t *testing.T, prefix string) (*sqs.Client, string) {
	t.Helper()
	q := sqs.NewFromConfig(stacktest.AWSConfig(t, "SQS"))
	made, err := q.CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String(prefix + "-" + store.NewID())})
	require.NoError(t, err)
	t.Cleanup(func() { _, _ = q.DeleteQueue(context.Background(), &sqs.DeleteQueueInput{QueueUrl: made.QueueUrl}) })
	return q, *made.QueueUrl
}

// drain receives and deletes every message on the queue until three long
// polls in a row find none, and answers their bodies.
func drain(t *testing.T, q *sqs.Client, url string) []string {
	t.Helper()
	ctx := context.Background()
	var bodies []string
	for empty := 0; empty < 3; {
		out, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
		require.NoError(t, err)
		if len(out.Messages) == 0 {
			empty++
			continue
		}
		empty = 0
		for _, m := range out.Messages {
			bodies = append(bodies, *m.Body)
			_, err := q.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle})
			require.NoError(t, err)
		}
	}
	return bodies
}

// chunkOf decodes a chunk message, failing t on any other kind.
func chunkOf(t *testing.T, body string) *notification.Chunk {
	t.Helper()
	var w struct {
		Chunk *notification.Chunk `json:"chunk"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &w))
	require.NotNil(t, w.Chunk, "a chunk message")
	return w.Chunk
}
