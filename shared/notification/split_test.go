package notification_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/infra/stacktest"
	"github.com/circles-im/circles/shared/event"
	"github.com/circles-im/circles/shared/notification"
	"github.com/circles-im/circles/shared/store"
)

// An event near SNS's size limit, to 120 users with long IDs: a chunk of 50
// of them would not fit one SQS message (the event travels in every
// chunk), so each such chunk is halved until it fits. Every recipient is in
// exactly one chunk, every chunk message is under the batch limit, and the
// chunk IDs are distinct.
func TestChunksOfALargeEventAreHalvedUntilEachFitsOneMessage(t *testing.T) {
	t.Parallel() // its own table and queue
	ctx := context.Background()
	db, table := stacktest.NewTable(t, store.Instrument)
	q, url := testQueue(t, "split")
	svc := notification.NewService(store.New(db, table))
	svc.SQS, svc.QueueURL = q, url

	users := make([]string, 120)
	for i := range users {
		users[i] = fmt.Sprintf("%s%04d", strings.Repeat("u", 60), i) // 64 characters, the longest ID
	}
	// 243,000 bytes of payload: 50 recipients (~3.4 KB) push a chunk past
	// 240 KiB, 25 do not.
	ev := event.New(event.ChannelAccessListUpdate, "alice", event.AccessListPayload{ChannelID: "c1", Op: "add", Kind: strings.Repeat("x", 243_000)}, users...)
	ev.EventID, ev.GroupID, ev.Version, ev.OccurredAt = store.NewID(), "g1", 2, time.Now().UnixMilli()
	body, err := json.Marshal(ev)
	require.NoError(t, err)
	require.Less(t, len(body), 256*1024, "the event itself fits one message, as SNS requires")

	resp, err := svc.HandleSQS(ctx, events.SQSEvent{Records: []events.SQSMessage{{MessageId: "m1", Body: string(body)}}})
	require.NoError(t, err)
	require.Empty(t, resp.BatchItemFailures)

	seen := map[string]int{}
	ids := map[string]bool{}
	sizes := []int{}
	for _, body := range drain(t, q, url) {
		c := chunkOf(t, body)
		assert.False(t, ids[c.ID], "chunk %s twice", c.ID)
		ids[c.ID] = true
		sizes = append(sizes, len(body))
		assert.LessOrEqual(t, len(body), 240*1024, "chunk %s fits the batch limit", c.ID)
		assert.Equal(t, ev.EventID, c.Event.EventID)
		for _, u := range c.Recipients {
			seen[u]++
		}
	}
	require.Len(t, seen, len(users), "every recipient is in a chunk")
	for _, u := range users {
		assert.Equal(t, 1, seen[u], "%s in exactly one chunk", u)
	}
	assert.Len(t, ids, 5, "50, 50, 20 became 25, 25, 25, 25, 20 (sizes %v)", sizes)
}
