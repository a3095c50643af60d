package notification_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/infra/stacktest"
	"github.com/circles-im/circles/shared/event"
	"github.com/circles-im/circles/shared/group"
	"github.com/circles-im/circles/shared/notification"
	"github.com/circles-im/circles/shared/store"
)

// The cleanup consumer checks its deadline before its first batch as well
// as between batches: with less time left than its reserve it removes
// nothing and hands the whole event on as a continuation; past the
// deadline it cannot even send one, so the message fails and SQS
// redelivers it; with time, it finishes and sends nothing.
func TestTheCleanupConsumerStartsNoBatchItHasNoTimeFor(t *testing.T) {
	t.Parallel() // its own table and queue
	ctx := context.Background()
	db, table := stacktest.NewTable(t, store.Instrument)
	st := store.New(db, table)
	groups := group.NewService(st)
	members := make([]string, 30)
	for i := range members {
		members[i] = fmt.Sprintf("m%02d", i)
	}
	for _, u := range append([]string{"alice"}, members...) {
		_, err := groups.PutMyProfile(ctx, admins.Actor(u), group.ProfileInput{Nickname: u})
		require.NoError(t, err)
	}
	_, err := groups.Create(ctx, admins.Actor("alice"), group.CreateInput{GroupID: "g1", MemberUserIDs: members})
	require.NoError(t, err)
	require.NoError(t, groups.Dismiss(ctx, admins.Actor("alice"), "g1"))
	evs, err := st.ListEvents(ctx, "g1", 0, 10)
	require.NoError(t, err)
	dismissed := evs[len(evs)-1]
	require.Equal(t, event.GroupDismissed, dismissed.Type)
	body, err := json.Marshal(dismissed)
	require.NoError(t, err)

	q, url := testQueue(t, "cleanup")
	c := &notification.Cleaner{Groups: groups, SQS: q, QueueURL: url, Reserve: 3 * time.Second, BatchItems: 10}
	msg := events.SQSEvent{Records: []events.SQSMessage{{MessageId: "c1", Body: string(body)}}}
	left := func() int {
		ms, err := st.AllMembers(ctx, "g1")
		require.NoError(t, err)
		return len(ms)
	}
	queued := func() []string { return drain(t, q, url) }
	before := left()
	require.Positive(t, before)

	short, cancel := context.WithTimeout(ctx, time.Second) // under the 3 s reserve
	resp, err := c.HandleSQS(short, msg)
	cancel()
	require.NoError(t, err)
	assert.Empty(t, resp.BatchItemFailures, "handed on, not failed")
	assert.Equal(t, before, left(), "no batch started without time for it")
	assert.Equal(t, []string{string(body)}, queued(), "the whole event went on as a continuation")

	gone, cancel := context.WithDeadline(ctx, time.Now().Add(-time.Second))
	resp, err = c.HandleSQS(gone, msg)
	cancel()
	require.NoError(t, err)
	assert.Len(t, resp.BatchItemFailures, 1, "past the deadline: failed, to be redelivered")
	assert.Equal(t, before, left())
	assert.Empty(t, queued(), "no continuation sent past the deadline")

	resp, err = c.HandleSQS(ctx, msg)
	require.NoError(t, err)
	assert.Empty(t, resp.BatchItemFailures)
	assert.Zero(t, left(), "with time, the cleanup finishes")
	assert.Empty(t, queued(), "and hands nothing on")
}
