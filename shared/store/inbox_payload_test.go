package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/shared/event"
	"github.com/circles-im/circles/shared/store"
)

// accessListEvent is a ChannelAccessListUpdate naming users, its payload
// as the consumer decodes it from the queue's JSON.
func accessListEvent(t *testing.T, users []string) *event.Event {
	t.Helper()
	ev := inboxEvent(event.ChannelAccessListUpdate)
	ev.Payload = jsonMap(t, event.AccessListPayload{ChannelID: "c1", Op: "add", Kind: "whitelist", UserIDs: users, RoleIDs: []string{}})
	ev.Recipients = users
	return ev
}

// jsonMap is v as a JSON object decoded into a map.
func jsonMap(t *testing.T, v any) map[string]any {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	return m
}

// scanItems answers every item of table.
func scanItems(t *testing.T, st *store.Store, table string) []map[string]types.AttributeValue {
	t.Helper()
	var out []map[string]types.AttributeValue
	p := dynamodb.NewScanPaginator(st.Client(), &dynamodb.ScanInput{TableName: aws.String(table)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		require.NoError(t, err)
		out = append(out, page.Items...)
	}
	return out
}

func itemsOfKind(t *testing.T, st *store.Store, kind string) []map[string]types.AttributeValue {
	t.Helper()
	var out []map[string]types.AttributeValue
	for _, it := range scanItems(t, st, st.InboxTable()) {
		if k, _ := it["kind"].(*types.AttributeValueMemberS); k != nil && k.Value == kind {
			out = append(out, it)
		}
	}
	return out
}

// wantNotification is the entry an inline copy of ev's payload would give.
func wantNotification(ev *event.Event, seq int64) *store.Notification {
	return &store.Notification{
		Seq: seq, EventID: ev.EventID, Type: ev.Type, Code: ev.Code, GroupID: ev.GroupID, Version: ev.Version,
		ActorUserID: ev.ActorUserID, OccurredAt: ev.OccurredAt, Payload: ev.Payload,
	}
}

// writeUnits is what a transactional write of an item of size bytes costs:
// two units per KB.
func writeUnits(size int) int { return 2 * ((size + 1023) / 1024) }

// An access-list change naming 1,000 users, delivered to 34 of them: one
// payload item of ~11 KB and 34 entries of under 1 KB, each listed as if it
// held the payload itself; redelivered, by this process or another,
// nothing is written twice.
func TestALargePayloadIsStoredOnceAndEveryEntryUnder1KBReferencesIt(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	users := make([]string, 1000)
	for i := range users {
		users[i] = fmt.Sprintf("user-%05d", i)
	}
	ev := accessListEvent(t, users)
	recipients := users[:store.MaxDeliverBatch+1]

	wrote, err := st.DeliverMany(ctx, recipients[:store.MaxDeliverBatch], ev)
	require.NoError(t, err)
	require.Len(t, wrote, store.MaxDeliverBatch)
	_, ok, err := st.Deliver(ctx, recipients[store.MaxDeliverBatch], ev)
	require.NoError(t, err)
	require.True(t, ok)

	payloads := itemsOfKind(t, st, "payload")
	require.Len(t, payloads, 1, "one payload item per event")
	payloadSize := store.ItemSize(payloads[0])
	assert.Greater(t, payloadSize, 11_000)
	entries := itemsOfKind(t, st, "notification")
	require.Len(t, entries, len(recipients))
	for _, e := range entries {
		assert.Less(t, store.ItemSize(e), 1024, "an entry is one write unit")
		assert.NotContains(t, e, "payload")
	}
	// Write units per recipient, in a transaction of marker, counter and
	// entry, against what an entry holding the payload would cost.
	mark, counter := itemsOfKind(t, st, "delivery")[0], itemsOfKind(t, st, "counter")[0]
	inline := store.ItemSize(entries[0]) + store.ItemSize(map[string]types.AttributeValue{"payload": payloads[0]["payload"]})
	before := writeUnits(store.ItemSize(mark)) + writeUnits(store.ItemSize(counter)) + writeUnits(inline)
	after := writeUnits(store.ItemSize(mark)) + writeUnits(store.ItemSize(counter)) + writeUnits(store.ItemSize(entries[0]))
	t.Logf("1,000-user ChannelAccessListUpdate: entry %d B inline, %d B with a reference; payload item %d B; write units per recipient %d before, %d after (+%d once per event and process)",
		inline, store.ItemSize(entries[0]), payloadSize, before, after, (payloadSize+1023)/1024)
	assert.Equal(t, 6, after)

	for i, u := range []string{recipients[0], recipients[store.MaxDeliverBatch]} {
		mctx, meter := store.WithMeter(ctx)
		page, err := st.ListNotifications(mctx, u, 0, 10)
		require.NoError(t, err, u)
		require.Len(t, page.Items, 1, u)
		assert.Equal(t, wantNotification(ev, 1), page.Items[0], u)
		got, err := json.Marshal(page.Items[0])
		require.NoError(t, err)
		want, err := json.Marshal(wantNotification(ev, 1))
		require.NoError(t, err)
		assert.JSONEq(t, string(want), string(got), "%d: the same JSON as an inline entry", i)
		assert.Equal(t, map[string]int{"Query": 1, "BatchGetItem": 1}, meter.CallsByOperation(), "one BatchGetItem resolves the page")
	}

	// Redelivered by this process, which wrote the payload item and does
	// not write it again, and by another, which writes it once.
	for _, tc := range []struct {
		st   *store.Store
		puts int
	}{{st, 0}, {store.New(st.Client(), st.Table()), 1}} {
		mctx, meter := store.WithMeter(ctx)
		wrote, err := tc.st.DeliverMany(mctx, recipients[:store.MaxDeliverBatch], ev)
		require.NoError(t, err)
		assert.Empty(t, wrote)
		_, ok, err := tc.st.Deliver(mctx, recipients[store.MaxDeliverBatch], ev)
		require.NoError(t, err)
		assert.False(t, ok)
		assert.Equal(t, tc.puts, meter.CallsByOperation()["UpdateItem"])
	}
	assert.Equal(t, map[string]int{"payload": 1, "notification": len(recipients), "delivery": len(recipients), "counter": len(recipients)},
		scanKinds(t, st, st.InboxTable()))
}

// MaxInlinePayload is the most an entry copies: at that size an entry with
// every ID at its longest is still within 1 KB; one byte more and the
// payload goes apart. A page reads payload items only when it has a
// reference.
func TestPayloadsUpToMaxInlinePayloadStayInTheEntryWithin1KB(t *testing.T) {
	long := strings.Repeat("u", 64) // validate.IsID's longest
	// {"blob": s} is 3 + 1 + len("blob") + len(s) bytes to DynamoDB.
	atMost := store.MaxInlinePayload - 8
	for _, tc := range []struct {
		name   string
		blob   int
		inline bool
	}{
		{"at the limit: inline", atMost, true},
		{"one byte over: apart", atMost + 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := newStore(t)
			ctx := context.Background()
			ev := inboxEvent(event.GroupMemberSetToOrdinaryUser) // the longest type name
			ev.EventID += "-visibility"                          // the longest event ID
			ev.GroupID, ev.ActorUserID = long, long
			ev.Payload = map[string]any{"blob": strings.Repeat("x", tc.blob)}
			_, _, err := st.Deliver(ctx, long, ev)
			require.NoError(t, err)

			entries := itemsOfKind(t, st, "notification")
			require.Len(t, entries, 1)
			assert.LessOrEqual(t, store.ItemSize(entries[0]), 1024)
			if tc.inline {
				assert.Contains(t, entries[0], "payload")
				assert.Empty(t, itemsOfKind(t, st, "payload"))
			} else {
				assert.NotContains(t, entries[0], "payload")
				assert.Len(t, itemsOfKind(t, st, "payload"), 1)
			}
			mctx, meter := store.WithMeter(ctx)
			page, err := st.ListNotifications(mctx, long, 0, 10)
			require.NoError(t, err)
			require.Len(t, page.Items, 1)
			assert.Equal(t, wantNotification(ev, 1), page.Items[0])
			calls := map[string]int{"Query": 1}
			if !tc.inline {
				calls["BatchGetItem"] = 1
			}
			assert.Equal(t, calls, meter.CallsByOperation())
		})
	}
}

// A payload item that is gone (it should not be: it outlives its entries)
// empties that entry's payload; the rest of the inbox answers as ever.
// A payload item that is gone, or whose payload is not a map (bad stored
// data), costs its entry the payload, not the whole page a 500.
func TestAMissingOrMalformedPayloadItemAnswersItsEntryWithAnEmptyPayload(t *testing.T) {
	for _, damage := range []string{"deleted", "not a map"} {
		t.Run(damage, func(t *testing.T) {
			st := newStore(t)
			ctx := context.Background()
			large := inboxEvent(event.MemberInvited)
			large.Payload = map[string]any{"blob": strings.Repeat("x", 2*store.MaxInlinePayload)}
			small := inboxEvent(event.MemberKicked)
			small.Payload = map[string]any{"n": float64(1)} // as it reads back
			for _, ev := range []*event.Event{large, small} {
				_, _, err := st.Deliver(ctx, "bob", ev)
				require.NoError(t, err)
			}
			payloads := itemsOfKind(t, st, "payload")
			require.Len(t, payloads, 1)
			key := map[string]types.AttributeValue{"PK": payloads[0]["PK"], "SK": payloads[0]["SK"]}
			var err error
			if damage == "deleted" {
				_, err = st.Client().DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(st.InboxTable()), Key: key})
			} else {
				_, err = st.Client().UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(st.InboxTable()), Key: key,
					UpdateExpression:          aws.String("SET payload = :s"),
					ExpressionAttributeValues: map[string]types.AttributeValue{":s": &types.AttributeValueMemberS{Value: "oops"}}})
			}
			require.NoError(t, err)

			page, err := st.ListNotifications(ctx, "bob", 0, 10)
			require.NoError(t, err)
			require.Len(t, page.Items, 2)
			gone := wantNotification(large, 1)
			gone.Payload = map[string]any{}
			assert.Equal(t, []*store.Notification{gone, wantNotification(small, 2)}, page.Items)
			b, err := json.Marshal(page.Items[0])
			require.NoError(t, err)
			assert.Contains(t, string(b), `"payload":{}`)
		})
	}
}

// Consumers with different retentions (INBOX_RETENTION_DAYS raised while
// old ones still run) write the same payload item: the later, shorter
// write must not cut the life the longer one gave it, or entries of the
// longer retention would outlive their payload.
func TestAPayloadItemsExpiryOnlyMovesForward(t *testing.T) {
	ctx := context.Background()
	long := newStore(t)
	long.InboxRetention = 90 * 24 * time.Hour
	ev := inboxEvent(event.MemberInvited)
	ev.Payload = map[string]any{"blob": strings.Repeat("x", 2*store.MaxInlinePayload)}
	_, _, err := long.Deliver(ctx, "bob", ev)
	require.NoError(t, err)
	expiry := func() int64 {
		payloads := itemsOfKind(t, long, "payload")
		require.Len(t, payloads, 1)
		n, err := strconv.ParseInt(payloads[0]["expiresAt"].(*types.AttributeValueMemberN).Value, 10, 64)
		require.NoError(t, err)
		return n
	}
	first := expiry()
	assert.Greater(t, first, time.Now().Add(90*24*time.Hour).Unix(), "past the 90-day entries")

	// Another process (its own payload log) with the default 30 days.
	short := store.New(long.Client(), long.Table())
	_, _, err = short.Deliver(ctx, "carol", ev)
	require.NoError(t, err)
	assert.Equal(t, first, expiry(), "the 30-day write did not shorten it")
	page, err := long.ListNotifications(ctx, "carol", 0, 10)
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	assert.Equal(t, ev.Payload, page.Items[0].Payload)
}
