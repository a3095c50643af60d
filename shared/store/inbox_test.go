package store_test

import (
	"context"
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/infra/devstack"
	"github.com/circles-im/circles/infra/stacktest"
	"github.com/circles-im/circles/shared/event"
	"github.com/circles-im/circles/shared/store"
)

func inboxEvent(t event.Type) *event.Event {
	// An inbox entry does not depend on the payload: a small one of any shape.
	ev := event.Event{Type: t, Code: t.Code(), ActorUserID: "alice", Payload: map[string]any{"n": 1}, Recipients: []string{"bob"}}
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

func TestAnInboxOf60KBEntriesPagesWithoutAnyPageOver1MB(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	big := strings.Repeat("x", 60*1024)
	for range 100 {
		ev := inboxEvent(event.MemberInvited)
		ev.Payload = map[string]any{"blob": big}
		_, _, err := st.Deliver(ctx, "bob", ev)
		require.NoError(t, err)
	}
	var seqs []int64
	after, pages := int64(0), 0
	for {
		page, err := st.ListNotifications(ctx, "bob", after, 100)
		require.NoError(t, err)
		pages++
		body, err := json.Marshal(page)
		require.NoError(t, err)
		assert.LessOrEqual(t, len(body), 1<<20, "page %d is %d bytes", pages, len(body))
		require.NotEmpty(t, page.Items, "every page makes progress")
		for _, n := range page.Items {
			seqs = append(seqs, n.Seq)
			assert.Equal(t, big, n.Payload["blob"], "the payload, stored apart, is in the page")
		}
		if page.NextCursor == "" {
			break
		}
		after, err = strconv.ParseInt(page.NextCursor, 10, 64)
		require.NoError(t, err)
		require.Less(t, pages, 100)
	}
	require.Len(t, seqs, 100, "every entry is listed once")
	for i, s := range seqs {
		assert.EqualValues(t, i+1, s)
	}
	assert.GreaterOrEqual(t, pages, 6, "100 entries of 60 KB need at least 6 pages of 1 MB")
	assert.Len(t, itemsOfKind(t, st, "payload"), 100, "each 60 KB payload is stored apart")
}

func TestInboxEntriesPastTheirRetentionAreNotListedAndCarryTheTablesTTL(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	// An inbox delivered 31 days ago: past the 30-day retention. 1000
	// entries under CIRCLES_FULL_SCALE=1; DynamoDB Local writes a
	// stream-enabled table's items one at a time (~30 ms each), so make
	// test uses 150.
	n := 150
	if os.Getenv("CIRCLES_FULL_SCALE") == "1" {
		n = 1000
	}
	st.Now = func() time.Time { return time.Now().Add(-31 * 24 * time.Hour) }
	for range n {
		_, _, err := st.Deliver(ctx, "old", inboxEvent(event.MemberInvited))
		require.NoError(t, err)
	}
	st.Now = time.Now
	_, _, err := st.Deliver(ctx, "old", inboxEvent(event.MemberKicked))
	require.NoError(t, err)

	// The expired prefix can be longer than one request reads: pages may
	// then come back empty, but each moves the cursor on, and a bounded
	// number of them crosses it.
	for _, limit := range []int{100, 1} {
		after, pages := int64(0), 0
		var found []*store.Notification
		for {
			p, err := st.ListNotifications(ctx, "old", after, limit)
			require.NoError(t, err)
			found = append(found, p.Items...)
			if p.NextCursor == "" {
				break
			}
			next, err := strconv.ParseInt(p.NextCursor, 10, 64)
			require.NoError(t, err)
			require.Greater(t, next, after, "the cursor moves on")
			after, pages = next, pages+1
			require.Less(t, pages, n, "bounded pages cross the expired prefix")
		}
		require.Len(t, found, 1, "limit %d: only the fresh entry is listed", limit)
		assert.Equal(t, event.MemberKicked, found[0].Type)
		assert.EqualValues(t, n+1, found[0].Seq, "seqs keep counting")
	}

	// What is stored: 1000 entries whose TTL attribute has passed, and the
	// fresh one, whose has not.
	expired, live := inboxByExpiry(t, st, "old")
	require.Equal(t, n, expired)
	require.Equal(t, 1, live)
	// The table deletes them by its TTL on expiresAt. DynamoDB Local 3.1.0
	// never sweeps a table that has a global secondary index, as this
	// test's single table has; the inbox table has none, and the next
	// test watches it delete them.
	ttl, err := st.Client().DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(st.Table())})
	require.NoError(t, err)
	assert.Equal(t, "expiresAt", aws.ToString(ttl.TimeToLiveDescription.AttributeName))
	assert.Contains(t, []types.TimeToLiveStatus{types.TimeToLiveStatusEnabled, types.TimeToLiveStatusEnabling}, ttl.TimeToLiveDescription.TimeToLiveStatus)
}

func TestTheInboxTablesTTLDeletesEntriesPastTheirRetention(t *testing.T) {
	ctx := context.Background()
	// The inbox table as the template makes it: no index, TTL on
	// expiresAt. DynamoDB Local 3.1.0 sweeps such a table (never one with
	// an index), but slowly: about 20 expired items every 10 s. So make
	// test delivers 10 entries past retention (20 items with their
	// markers) and make test-scale 1,000, which took 9 min 45 s.
	db, table := stacktest.NewTable(t, store.Instrument)
	require.NoError(t, devstack.CreateInboxTable(ctx, db, table))
	st := store.New(db, table).WithInboxTable(devstack.InboxTableName(table))
	n := 10
	if os.Getenv("CIRCLES_FULL_SCALE") == "1" {
		n = 1000
	}
	st.Now = func() time.Time { return time.Now().Add(-31 * 24 * time.Hour) }
	for range n {
		_, _, err := st.Deliver(ctx, "old", inboxEvent(event.MemberInvited))
		require.NoError(t, err)
	}
	st.Now = time.Now
	_, _, err := st.Deliver(ctx, "old", inboxEvent(event.MemberKicked))
	require.NoError(t, err)

	deadline, wait := time.Now().Add(3*time.Minute+time.Duration(2*n)*time.Second), 500*time.Millisecond
	for {
		expired, live := inboxByExpiry(t, st, "old")
		require.Equal(t, 1, live, "the fresh entry stays")
		if expired == 0 {
			break
		}
		require.True(t, time.Now().Before(deadline), "%d expired entries are still stored", expired)
		time.Sleep(wait)
		wait = min(wait*2, 5*time.Second)
	}
	seqs, err := st.InboxSeqs(ctx, []string{"old"})
	require.NoError(t, err)
	assert.EqualValues(t, n+1, seqs["old"], "the counter, which has no expiry, stays")
	seq, _, err := st.Deliver(ctx, "old", inboxEvent(event.MemberInvited))
	require.NoError(t, err)
	assert.EqualValues(t, n+2, seq, "and seqs keep counting")
}

// inboxByExpiry counts the entries stored in uid's inbox partition whose
// TTL attribute has passed and those whose has not; every entry must carry
// it.
func inboxByExpiry(t *testing.T, st *store.Store, uid string) (expired, live int) {
	t.Helper()
	p := dynamodb.NewQueryPaginator(st.Client(), &dynamodb.QueryInput{
		TableName:                 aws.String(st.InboxTable()),
		KeyConditionExpression:    aws.String("PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: "U#" + uid + "#N"}},
		ProjectionExpression:      aws.String("expiresAt"),
	})
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		require.NoError(t, err)
		for _, it := range out.Items {
			n, ok := it["expiresAt"].(*types.AttributeValueMemberN)
			require.True(t, ok, "every entry carries the TTL attribute")
			at, err := strconv.ParseInt(n.Value, 10, 64)
			require.NoError(t, err)
			if at < time.Now().Unix() {
				expired++
			} else {
				live++
			}
		}
	}
	return expired, live
}

// scanKinds answers the kind of every item of table, counted.
func scanKinds(t *testing.T, st *store.Store, table string) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, it := range scanItems(t, st, table) {
		k, _ := it["kind"].(*types.AttributeValueMemberS)
		if k == nil {
			out[""]++
			continue
		}
		out[k.Value]++
	}
	return out
}

func TestAnInboxTableOfItsOwnHoldsEveryInboxItemAndTheMainTableNone(t *testing.T) {
	ctx := context.Background()
	db, table := stacktest.NewTable(t, store.Instrument)
	require.NoError(t, devstack.CreateInboxTable(ctx, db, table))
	st := store.New(db, table).WithInboxTable(devstack.InboxTableName(table))
	require.Equal(t, devstack.InboxTableName(table), st.InboxTable())

	ev := inboxEvent(event.MemberInvited)
	seq, wrote, err := st.Deliver(ctx, "bob", ev)
	require.NoError(t, err)
	assert.True(t, wrote)
	assert.EqualValues(t, 1, seq)
	_, wrote, err = st.Deliver(ctx, "bob", ev)
	require.NoError(t, err)
	assert.False(t, wrote, "the marker in the inbox table stops a redelivery")
	many := inboxEvent(event.MemberKicked)
	got, err := st.DeliverMany(ctx, []string{"bob", "carol"}, many)
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"bob", "carol"}, got)
	done, err := st.Delivered(ctx, many.EventID, []string{"bob", "carol", "dan"})
	require.NoError(t, err)
	assert.Equal(t, map[string]bool{"bob": true, "carol": true}, done)

	page, err := st.ListNotifications(ctx, "bob", 0, 10)
	require.NoError(t, err)
	require.Len(t, page.Items, 2)
	assert.Equal(t, []event.Type{event.MemberInvited, event.MemberKicked}, []event.Type{page.Items[0].Type, page.Items[1].Type})
	assert.EqualValues(t, 2, page.Items[1].Seq)

	assert.Equal(t, map[string]int{"notification": 3, "delivery": 3, "counter": 2}, scanKinds(t, st, st.InboxTable()))
	assert.Empty(t, scanKinds(t, st, table), "nothing of the inbox is written to the main table")
}
