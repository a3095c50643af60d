package notification_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/infra/stacktest"
	"github.com/circles-im/circles/shared/event"
	"github.com/circles-im/circles/shared/notification"
	"github.com/circles-im/circles/shared/store"
)

// BenchmarkDeliverChunk measures one consumer instance delivering a chunk
// of K = notification.DefaultChunkSize recipients on its default worker
// pool, with one recipient per inbox transaction (tx-users=1, as before
// batching) and with the default 33, against a baseline measured in the
// same loop: one inbox transaction (store.Deliver) for one recipient.
// x-one-tx is the time per recipient in a chunk over the time of that
// single delivery: below 1, the chunk is cheaper per recipient than
// delivering alone. Compare ratios across runs, not absolute times.
func BenchmarkDeliverChunk(b *testing.B) {
	for _, txUsers := range []int{1, store.MaxDeliverBatch} {
		b.Run(fmt.Sprintf("tx-users=%d", txUsers), func(b *testing.B) { benchDeliverChunk(b, txUsers) })
	}
}

func benchDeliverChunk(b *testing.B, txUsers int) {
	ctx := context.Background()
	db, table := stacktest.NewTable(b, store.Instrument)
	st := store.New(db, table)
	svc := notification.NewService(st)
	svc.TxUsers = txUsers
	k, workers := notification.DefaultChunkSize, notification.DefaultWorkers
	recipients := make([]string, k)
	for i := range recipients {
		recipients[i] = fmt.Sprintf("u%03d", i)
	}
	newEvent := func(to ...string) event.Event {
		ev := event.New(event.MemberInvited, "alice", event.UsersPayload{UserIDs: to}, to...)
		ev.EventID, ev.GroupID, ev.Version, ev.OccurredAt = store.NewID(), "g1", 2, time.Now().UnixMilli()
		return ev
	}

	var one, chunk time.Duration
	for b.Loop() {
		single := newEvent("solo")
		t0 := time.Now()
		if _, _, err := st.Deliver(ctx, "solo", &single); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		body, err := json.Marshal(newEvent(recipients...))
		require.NoError(b, err)
		resp, err := svc.HandleSQS(ctx, events.SQSEvent{Records: []events.SQSMessage{{MessageId: "m1", Body: string(body)}}})
		require.NoError(b, err)
		require.Empty(b, resp.BatchItemFailures)
		one, chunk = one+t1.Sub(t0), chunk+time.Since(t1)
	}
	perRecipient := float64(chunk) / float64(b.N*k)
	b.ReportMetric(float64(k), "K")
	b.ReportMetric(float64(workers), "workers")
	b.ReportMetric(float64(txUsers), "tx-users")
	b.ReportMetric(1e9/perRecipient, "recipients/s")
	b.ReportMetric(perRecipient/(float64(one)/float64(b.N)), "x-one-tx")
}
