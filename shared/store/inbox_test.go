package store_test

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/shared/event"
	"github.com/circles-im/circles/shared/store"
)

func inboxEvent(t event.Type) *event.Event {
	ev := event.New(t, "alice", map[string]any{"n": 1}, "bob")
	ev.EventID, ev.GroupID, ev.Version, ev.OccurredAt = store.NewID(), "g1", 3, 1000
	return &ev
}

func TestConcurrentDeliveriesNumberAUsersInboxWithoutGapsOrDuplicates(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	distinct := make([]*event.Event, 10)
	for i := range distinct {
		distinct[i] = inboxEvent(event.MemberInvited)
	}
	same := inboxEvent(event.MemberKicked)
	var wg sync.WaitGroup
	var mu sync.Mutex
	wrote := 0
	deliver := func(ev *event.Event) {
		defer wg.Done()
		// Losing the race on the counter is retryable; keep going as SQS
		// would keep redelivering.
		for attempt := 0; ; attempt++ {
			require.Less(t, attempt, 200)
			_, w, err := st.Deliver(ctx, "bob", ev)
			if store.IsRetryable(err) {
				continue
			}
			assert.NoError(t, err)
			if w {
				mu.Lock()
				wrote++
				mu.Unlock()
			}
			return
		}
	}
	for _, ev := range distinct {
		wg.Add(1)
		go deliver(ev)
	}
	for range 3 { // the same message delivered three times at once
		wg.Add(1)
		go deliver(same)
	}
	wg.Wait()

	page, err := st.ListNotifications(ctx, "bob", 0, 100)
	require.NoError(t, err)
	require.Len(t, page.Items, 11, "one entry per event")
	assert.Equal(t, 11, wrote)
	ids := map[string]bool{}
	for i, n := range page.Items {
		assert.EqualValues(t, i+1, n.Seq, "seqs go 1, 2, 3… with no gap")
		assert.False(t, ids[n.EventID], "event %s twice", n.EventID)
		ids[n.EventID] = true
	}
	assert.Empty(t, page.NextCursor)
}

func TestListNotificationsPagesByAfterSeq(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	for range 5 {
		_, _, err := st.Deliver(ctx, "bob", inboxEvent(event.MemberInvited))
		require.NoError(t, err)
	}
	page, err := st.ListNotifications(ctx, "bob", 0, 2)
	require.NoError(t, err)
	require.Len(t, page.Items, 2)
	assert.Equal(t, "2", page.NextCursor)
	page, err = st.ListNotifications(ctx, "bob", 2, 3)
	require.NoError(t, err)
	require.Len(t, page.Items, 3)
	assert.EqualValues(t, 3, page.Items[0].Seq)
	assert.Empty(t, page.NextCursor, "the last page")
	page, err = st.ListNotifications(ctx, "carol", 0, 10)
	require.NoError(t, err)
	assert.Empty(t, page.Items)
	assert.Equal(t, map[string]any{"n": float64(1)}, mustPayload(t, st))
	_, err = st.ListNotifications(ctx, "bob", -1, 10)
	assert.Error(t, err)
}

func mustPayload(t *testing.T, st *store.Store) map[string]any {
	t.Helper()
	page, err := st.ListNotifications(context.Background(), "bob", 0, 1)
	require.NoError(t, err)
	require.NotEmpty(t, page.Items)
	return page.Items[0].Payload
}
