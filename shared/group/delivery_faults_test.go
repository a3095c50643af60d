package group_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/infra/stacktest"
	"github.com/circles-im/circles/shared/event"
	"github.com/circles-im/circles/shared/notification"
	"github.com/circles-im/circles/shared/store"
)

// deliverUnderFaults delivers every personal event committed in groups
// through the notifications consumer (notification.Service.HandleSQS, the
// deliver-notifications Lambda's code) over a real SQS queue on the local
// stack, as the topic would: each event sent twice (SNS and SQS deliver at
// least once), chunks of 3 recipients (so that small groups split too), and
// the consumer's DynamoDB calls failing as faulty's do. Failed messages
// come back after their visibility timeout, as on SQS. It then proves that
// every recipient of every committed event (its named recipients and its
// audience, expanded as the group stands) has exactly one inbox entry for
// it, that no inbox holds anything else, and that each inbox's seqs run
// 1..n without a gap. It answers the number of entries checked.
func deliverUnderFaults(t *testing.T, st, faulty *store.Store, groups, users []string) int {
	t.Helper()
	ctx := context.Background()
	var committed []*event.Event
	for _, gid := range groups {
		evs, err := st.ListEvents(ctx, gid, 0, 10000)
		require.NoError(t, err)
		for _, ev := range evs {
			if ev.Personal() || ev.VisibilityNotice() != nil {
				committed = append(committed, &ev)
			}
		}
	}
	require.NotEmpty(t, committed, "the workload committed personal events")

	q := sqs.NewFromConfig(stacktest.AWSConfig(t, "SQS"))
	made, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("faults-" + store.NewID())})
	require.NoError(t, err)
	url := made.QueueUrl
	t.Cleanup(func() { _, _ = q.DeleteQueue(context.Background(), &sqs.DeleteQueueInput{QueueUrl: url}) })
	for i := 0; i < len(committed); i += 5 {
		var entries []sqstypes.SendMessageBatchRequestEntry
		for j, ev := range committed[i:min(i+5, len(committed))] {
			b, err := json.Marshal(ev)
			require.NoError(t, err)
			for copyNo := range 2 {
				entries = append(entries, sqstypes.SendMessageBatchRequestEntry{
					Id: aws.String(fmt.Sprintf("%d-%d", j, copyNo)), MessageBody: aws.String(string(b))})
			}
		}
		out, err := q.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: url, Entries: entries})
		require.NoError(t, err)
		require.Empty(t, out.Failed)
	}

	consumer := notification.NewService(faulty)
	consumer.SQS, consumer.QueueURL, consumer.ChunkSize, consumer.Workers = q, *url, 3, 4
	deadline := time.Now().Add(3 * time.Minute)
	batches, failed := 0, 0
	for empty := 0; empty < 3; {
		require.True(t, time.Now().Before(deadline), "the queue drains (batches %d, failed messages %d)", batches, failed)
		got, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 1, WaitTimeSeconds: 1,
			MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameApproximateReceiveCount},
		})
		require.NoError(t, err)
		if len(got.Messages) == 0 {
			empty++ // in-flight messages reappear within the visibility timeout
			continue
		}
		empty = 0
		batch := events.SQSEvent{}
		for _, m := range got.Messages {
			batch.Records = append(batch.Records, events.SQSMessage{MessageId: *m.MessageId, Body: *m.Body,
				Attributes: map[string]string{"ApproximateReceiveCount": m.Attributes["ApproximateReceiveCount"]}})
		}
		dctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		resp, err := consumer.HandleSQS(dctx, batch)
		cancel()
		require.NoError(t, err)
		batches++
		retry := map[string]bool{}
		for _, f := range resp.BatchItemFailures {
			retry[f.ItemIdentifier] = true
		}
		failed += len(retry)
		for _, m := range got.Messages {
			if !retry[*m.MessageId] {
				_, err := q.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: url, ReceiptHandle: m.ReceiptHandle})
				require.NoError(t, err)
			}
		}
	}
	t.Logf("delivery of %d committed personal events (each sent twice): %d batches, %d messages failed and were redelivered", len(committed), batches, failed)

	want := map[string]map[string]bool{} // user -> event IDs
	expander := notification.NewService(st)
	for _, committed := range committed {
		// The event's own recipients, and those of the
		// ChannelVisibilityChanged notification the consumer derives from it.
		for _, ev := range []*event.Event{committed, committed.VisibilityNotice()} {
			if ev == nil {
				continue
			}
			recipients, err := expander.Expand(ctx, ev)
			require.NoError(t, err)
			for _, uid := range recipients {
				if want[uid] == nil {
					want[uid] = map[string]bool{}
				}
				want[uid][ev.EventID] = true
			}
		}
	}
	checked := 0
	for _, uid := range users {
		var inbox []*store.Notification
		for after := int64(0); ; {
			page, err := st.ListNotifications(ctx, uid, after, store.MaxLimit)
			require.NoError(t, err)
			inbox = append(inbox, page.Items...)
			if page.NextCursor == "" {
				break
			}
			after, err = strconv.ParseInt(page.NextCursor, 10, 64)
			require.NoError(t, err)
		}
		got := map[string]int{}
		for i, n := range inbox {
			got[n.EventID]++
			assert.EqualValues(t, i+1, n.Seq, "%s's inbox: seqs run 1..n", uid)
		}
		for id := range want[uid] {
			assert.Equal(t, 1, got[id], "%s has event %s exactly once", uid, id)
			checked++
		}
		for id := range got {
			assert.True(t, want[uid][id], "%s has event %s, which was not committed for them", uid, id)
		}
	}
	return checked
}
