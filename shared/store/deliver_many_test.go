package store_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/shared/event"
	"github.com/circles-im/circles/shared/store"
)

func inboxOf(t *testing.T, st *store.Store, uid string) []*store.Notification {
	t.Helper()
	page, err := st.ListNotifications(context.Background(), uid, 0, 1000)
	require.NoError(t, err)
	return page.Items
}

// 33 recipients cost one BatchGetItem of their counters and one
// transaction, and each gets the next seq of their own inbox.
func TestDeliverManyWrites33InboxesInOneTransaction(t *testing.T) {
	st := newStore(t)
	users := make([]string, store.MaxDeliverBatch)
	for i := range users {
		users[i] = fmt.Sprintf("u%02d", i)
	}
	first := inboxEvent(event.MemberInvited)
	_, _, err := st.Deliver(context.Background(), users[5], first) // u05 has seq 1 already
	require.NoError(t, err)

	ev := inboxEvent(event.MemberKicked)
	ctx, meter := store.WithMeter(context.Background())
	wrote, err := st.DeliverMany(ctx, users, ev)
	require.NoError(t, err)
	assert.ElementsMatch(t, users, wrote)
	assert.Equal(t, map[string]int{"BatchGetItem": 1, "TransactWriteItems": 1}, meter.CallsByOperation())
	for _, u := range users {
		items := inboxOf(t, st, u)
		require.NotEmpty(t, items, u)
		last := items[len(items)-1]
		assert.Equal(t, ev.EventID, last.EventID, u)
		assert.EqualValues(t, len(items), last.Seq, "%s: seqs 1..n", u)
	}
	assert.Len(t, inboxOf(t, st, users[5]), 2)

	_, err = st.DeliverMany(context.Background(), append(users, "one-too-many"), ev)
	assert.Error(t, err, "more than one transaction holds")
}

// A redelivered batch whose transaction meets users who already have the
// entry writes only the others, in the same call, and answers only them.
func TestDeliverManyWritesOnlyTheUsersNotYetReached(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	users := []string{"a", "b", "c", "d", "e"}
	ev := inboxEvent(event.MemberInvited)
	for _, u := range []string{"b", "d"} {
		_, wrote, err := st.Deliver(ctx, u, ev)
		require.NoError(t, err)
		require.True(t, wrote)
	}
	wrote, err := st.DeliverMany(ctx, users, ev)
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"a", "c", "e"}, wrote)
	wrote, err = st.DeliverMany(ctx, users, ev)
	require.NoError(t, err)
	assert.Empty(t, wrote, "all reached: nothing written")
	for _, u := range users {
		items := inboxOf(t, st, u)
		require.Len(t, items, 1, u)
		assert.EqualValues(t, 1, items[0].Seq)
	}
}

// Three events delivered at once to overlapping batches of the same users,
// one batch twice: every user has each event exactly once, seqs 1..3.
func TestConcurrentDeliverManyRacesGiveEveryUserEachEventOnceWithoutGaps(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	users := make([]string, 9)
	for i := range users {
		users[i] = fmt.Sprintf("r%02d", i)
	}
	evs := make([]*event.Event, 3)
	for i := range evs {
		evs[i] = inboxEvent(event.ChannelAccessListUpdate)
	}
	var wg sync.WaitGroup
	for i, ev := range evs {
		// Overlapping batches, rotated per event, so batches of different
		// events race on the same counters.
		rot := append(slices.Clone(users[i*3%len(users):]), users[:i*3%len(users)]...)
		for _, batch := range [][]string{rot[:6], rot[3:], rot[:6]} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for attempt := 0; ; attempt++ {
					require.Less(t, attempt, 50)
					_, err := st.DeliverMany(ctx, batch, ev)
					if err == nil {
						return
					}
					require.True(t, store.IsRetryable(err) || strings.Contains(err.Error(), "racing"), "%v", err)
				}
			}()
		}
	}
	wg.Wait()
	for _, u := range users {
		items := inboxOf(t, st, u)
		require.Len(t, items, len(evs), u)
		seen := map[string]bool{}
		for i, n := range items {
			assert.EqualValues(t, i+1, n.Seq, "%s: no gap", u)
			assert.False(t, seen[n.EventID], "%s: %s twice", u, n.EventID)
			seen[n.EventID] = true
		}
	}
}

// An entry is small however large its event's payload (stored apart), so
// even a 300 KB payload goes to 33 recipients in one transaction.
func TestDeliverBatchSizeIsWhatIsAskedWhateverThePayload(t *testing.T) {
	assert.Equal(t, store.MaxDeliverBatch, store.DeliverBatchSize(0))
	assert.Equal(t, 5, store.DeliverBatchSize(5))
	assert.Equal(t, store.MaxDeliverBatch, store.DeliverBatchSize(500))
	big := inboxEvent(event.MemberInvited)
	big.Payload = map[string]any{"blob": strings.Repeat("x", 300_000)}

	st := newStore(t)
	users := make([]string, store.MaxDeliverBatch)
	for i := range users {
		users[i] = fmt.Sprintf("b%02d", i)
	}
	ctx, meter := store.WithMeter(context.Background())
	wrote, err := st.DeliverMany(ctx, users, big)
	require.NoError(t, err)
	assert.Len(t, wrote, store.MaxDeliverBatch)
	assert.Equal(t, map[string]int{"UpdateItem": 1, "BatchGetItem": 1, "TransactWriteItems": 1}, meter.CallsByOperation(),
		"the payload once, the counters, one transaction")
}
