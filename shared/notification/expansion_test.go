package notification_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
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

// A split cut off by its deadline continues as an expansion message from
// where its page cursor stood: the continuation sends chunks of exactly the
// audience members after that cursor, numbered on from NextIndex, and
// never the actor.
func TestAnExpansionContinuesFromItsCursorAndNumbersChunksOn(t *testing.T) {
	t.Parallel() // its own table and queue
	ctx := context.Background()
	db, table := stacktest.NewTable(t, store.Instrument)
	st := store.New(db, table)
	groups := group.NewService(st)
	adminIDs := make([]string, 12)
	for i := range adminIDs {
		adminIDs[i] = fmt.Sprintf("adm%02d", i)
	}
	for _, u := range append([]string{"alice", "zed"}, adminIDs...) {
		_, err := groups.PutMyProfile(ctx, admins.Actor(u), group.ProfileInput{Nickname: u})
		require.NoError(t, err)
	}
	_, err := groups.Create(ctx, admins.Actor("alice"), group.CreateInput{GroupID: "g1", AdminUserIDs: adminIDs})
	require.NoError(t, err)

	q, url := testQueue(t, "expand")
	svc := notification.NewService(st)
	svc.SQS, svc.QueueURL, svc.ChunkSize = q, url, 3

	// The first page (5 of the 13 managers) was sent before the cut.
	first, cursor, err := st.AudiencePage(ctx, "g1", store.SourceManagers, "", 5)
	require.NoError(t, err)
	require.Len(t, first, 5)
	require.NotEmpty(t, cursor)
	ev := event.New(event.JoinGroupApplication, "adm05", event.ApplicationPayload{UserIDs: []string{"zed"}})
	ev.EventID, ev.GroupID, ev.Version, ev.OccurredAt = store.NewID(), "g1", 2, time.Now().UnixMilli()
	body, err := json.Marshal(map[string]any{"expand": notification.Expansion{
		Event: ev, Sources: []string{store.SourceManagers}, Source: 0, Cursor: cursor, NextIndex: 7,
	}})
	require.NoError(t, err)
	resp, err := svc.HandleSQS(ctx, events.SQSEvent{Records: []events.SQSMessage{{MessageId: "x1", Body: string(body)}}})
	require.NoError(t, err)
	require.Empty(t, resp.BatchItemFailures)

	var got []string
	var indexes []string
	for _, body := range drain(t, q, url) {
		c := chunkOf(t, body)
		got = append(got, c.Recipients...)
		indexes = append(indexes, strings.TrimPrefix(c.ID, ev.EventID+"#"))
	}
	whole := ev // the event as committed, before the split took its audience
	whole.Audience = &event.Audience{Holders: "handleApplication"}
	all, err := notification.NewService(st).Expand(ctx, &whole)
	require.NoError(t, err)
	want := slices.DeleteFunc(slices.Clone(all), func(u string) bool { return slices.Contains(first, u) })
	assert.ElementsMatch(t, want, got, "exactly the managers after the cursor")
	assert.NotContains(t, got, "adm05", "never the actor")
	slices.Sort(indexes)
	assert.Equal(t, []string{"7", "8", "9"}, indexes, "8 left minus the actor = 7, in chunks of 3 numbered from 7")
}
