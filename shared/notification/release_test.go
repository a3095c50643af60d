package notification_test

import (
	"context"
	"fmt"
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

// Three messages in one batch, on a real queue whose receives hide them for
// 10 minutes: one left unfinished after some of its work, one left
// unfinished without any, and one that fails. Only the first comes back at
// once; the other two wait out their visibility timeout, as a failure must
// (it is the back-off that gives throttling time to clear).
func TestOnlyUnfinishedMessagesThatProgressedAreReleasedAtOnce(t *testing.T) {
	t.Parallel() // its own table and queue
	ctx := context.Background()
	db, table := stacktest.NewTable(t, store.Instrument)
	q, url := testQueue(t, "release")
	st := store.New(db, table)
	svc := notification.NewService(st)
	svc.SQS, svc.QueueURL = q, url
	svc.Workers, svc.Margin = 1, 2*time.Second

	body := func(prefix string) string {
		users := make([]string, 10)
		for i := range users {
			users[i] = fmt.Sprintf("%s%d", prefix, i)
		}
		return eventJSON(t, event.MemberInvited, users...)
	}
	bodies := map[string]string{"progressed": body("p"), "stalled": body("s"), "failed": "{"}
	for name, b := range bodies {
		_, err := q.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(b),
			MessageAttributes: map[string]sqstypes.MessageAttributeValue{"name": {DataType: aws.String("String"), StringValue: aws.String(name)}}})
		require.NoError(t, err)
	}
	// Received as the event source mapping would: hidden for 10 minutes.
	var batch events.SQSEvent
	names := map[string]string{} // message ID -> name
	for len(batch.Records) < 3 {
		out, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10, WaitTimeSeconds: 1,
			VisibilityTimeout: 600, MessageAttributeNames: []string{"All"},
			MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameAll}})
		require.NoError(t, err)
		for _, m := range out.Messages {
			names[aws.ToString(m.MessageId)] = aws.ToString(m.MessageAttributes["name"].StringValue)
			batch.Records = append(batch.Records, events.SQSMessage{MessageId: aws.ToString(m.MessageId),
				ReceiptHandle: aws.ToString(m.ReceiptHandle), Body: aws.ToString(m.Body), Attributes: m.Attributes})
		}
	}
	// The "progressed" message goes first (named so in the batch); one
	// worker delivers its first recipient and then holds until no new
	// task may start, so everything else is left unfinished.
	for i, r := range batch.Records {
		if names[r.MessageId] == "progressed" {
			batch.Records[0], batch.Records[i] = batch.Records[i], batch.Records[0]
		}
	}
	deadline := time.Now().Add(3 * time.Second)
	svc.OnDelivered = func() {
		for time.Now().Before(deadline.Add(-svc.Margin + 50*time.Millisecond)) {
			time.Sleep(10 * time.Millisecond)
		}
	}
	dctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	resp, err := svc.HandleSQS(dctx, batch)
	require.NoError(t, err)
	failed := map[string]bool{}
	for _, f := range resp.BatchItemFailures {
		failed[names[f.ItemIdentifier]] = true
	}
	require.Equal(t, map[string]bool{"progressed": true, "stalled": true, "failed": true}, failed, "all three are reported")
	seqs, err := st.InboxSeqs(ctx, []string{"p0", "s0"})
	require.NoError(t, err)
	require.Equal(t, map[string]int64{"p0": 1}, seqs, "only the progressed message delivered anything")

	// Back at once: the progressed one, and nothing else.
	var back []string
	giveUp := time.Now().Add(time.Minute)
	for empty := 0; empty < 2 && time.Now().Before(giveUp); {
		out, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10, WaitTimeSeconds: 1,
			MessageAttributeNames: []string{"All"}})
		require.NoError(t, err)
		if len(out.Messages) == 0 {
			if len(back) > 0 {
				empty++ // two empty long polls after it: nothing else is coming
			}
			continue
		}
		for _, m := range out.Messages {
			back = append(back, aws.ToString(m.MessageAttributes["name"].StringValue))
			_, err := q.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle})
			require.NoError(t, err)
		}
	}
	assert.Equal(t, []string{"progressed"}, back)
}
