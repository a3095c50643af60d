package costtable_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/infra/costtable"
	"github.com/circles-im/circles/infra/devstack"
	"github.com/circles-im/circles/shared/group"
	"github.com/circles-im/circles/shared/permission"
	"github.com/circles-im/circles/shared/store"
)

const consumerHeader = "The consumers, on the same table after the samples above, each invocation measured once from the " +
	"function's own log line (`invocation`, shared/invocation) and, for write units, the items its write calls changed, before and after, " +
	"as above (the inbox table too, where there is one). Per unit is the invocation's units over the units of work it " +
	"did; the price per million of them adds the Lambda request and billed duration at the template's memory size and " +
	"the SNS publishes and SQS requests the invocation made (its own receipt and deletion by the event source " +
	"mapping, a few requests per batch of up to 10 messages, left out). publish-events makes no DynamoDB call: a " +
	"stream's reads by Lambda are free."

// consumerBench measures the consumers on a deployment the HTTP samples
// have run on.
type consumerBench struct {
	b      *testing.B
	ctx    context.Context
	d      *devstack.Deployment
	out    *devstack.SyncBuffer
	rec    *costtable.WriteRecorder
	st     *store.Store
	root   string
	memory map[string]int
}

// sample is the record list of a consumer's sample event.
func (k *consumerBench) sample(fn string) []map[string]any {
	raw, err := os.ReadFile(filepath.Join(k.root, "events", fn+".json"))
	require.NoError(k.b, err)
	var ev struct {
		Records []map[string]any `json:"Records"`
	}
	require.NoError(k.b, json.Unmarshal(raw, &ev))
	return ev.Records
}

// message is the deliver-notifications sample's message carrying body.
func (k *consumerBench) message(body any) map[string]any {
	raw, err := json.Marshal(body)
	require.NoError(k.b, err)
	msg := k.sample("deliver-notifications")[0]
	cp := make(map[string]any, len(msg))
	for key, v := range msg {
		cp[key] = v
	}
	cp["messageId"], cp["body"] = store.NewID(), string(raw)
	return cp
}

// invoke runs fn on records once and answers its invocation's row: the
// units of work (per; count unless the invocation says otherwise) and the
// write units AWS bills, from the tables' items before and after.
func (k *consumerBench) invoke(fn, invocation, per string, count int, records []map[string]any, work func(line invocationLog, changed []costtable.Change) int) costtable.ConsumerRow {
	b := k.b
	payload, err := json.Marshal(map[string]any{"Records": records})
	require.NoError(b, err)
	seen := len(logLines[invocationLog](k.out.String(), fn, "invocation"))
	seenBatch := len(logLines[invocationLog](k.out.String(), fn, "deliver batch"))
	k.rec.Begin()
	resp, err := k.d.Invoker.Invoke(k.ctx, fn, payload)
	require.NoError(b, err, fn)
	require.NotContains(b, string(resp), `"itemIdentifier"`, "%s %s: a failed record is not the consumer's cost", fn, invocation)
	line := nextLine[invocationLog](b, k.out, fn, "invocation", seen)
	require.Equal(b, "ok", line.Outcome, fn)
	changed, err := k.rec.Changes(k.ctx)
	require.NoError(b, err, fn)
	if fn == "deliver-notifications" {
		batch := nextLine[invocationLog](b, k.out, fn, "deliver batch", seenBatch)
		line.Delivered, line.ChunksSent = batch.Delivered, batch.ChunksSent
	}
	row := costtable.ConsumerRow{Function: fn, Invocation: invocation, Per: per, Count: count, Calls: line.Calls, Read: line.Read,
		Write: costtable.Billed(changed, line.Standalone, line.Checked), DurationMs: line.DurationMs, MemoryMB: k.memory[fn]}
	if work != nil {
		row.Count = work(line, changed)
	}
	if fn == "publish-events" {
		row.SNSPublishes = line.Records
	}
	row.SQSRequests = (line.ChunksSent + 9) / 10 // SendMessageBatch of 10 chunks
	return row
}

// recipients are n user IDs.
func recipients(prefix string, n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("%s%04d", prefix, i)
	}
	return ids
}

// measure runs each consumer on its sample and on a batch of the size
// its unit of work is priced at.
func (k *consumerBench) measure() []costtable.ConsumerRow {
	b := k.b
	var rows []costtable.ConsumerRow

	// publish-events: one event, and a full stream batch (BatchSize 100).
	one := k.sample("publish-events")
	rows = append(rows, k.invoke("publish-events", "the sample: a stream batch of 1 event", "event", 1, one, nil))
	batch := make([]map[string]any, 100)
	for i := range batch {
		batch[i] = one[0]
	}
	rows = append(rows, k.invoke("publish-events", "a stream batch of 100 events", "event", 100, batch, nil))

	// deliver-notifications: the sample (1 recipient), a chunk's worth
	// (50, delivered by this invocation) and 500 (split into 10 chunk
	// messages on the queue, delivered by 10 such invocations).
	rows = append(rows, k.invoke("deliver-notifications", "the sample: 1 recipient", "recipient", 1, k.sample("deliver-notifications"), nil))
	var ev map[string]any
	require.NoError(b, json.Unmarshal([]byte(k.sample("deliver-notifications")[0]["body"].(string)), &ev))
	fanout := func(n int) map[string]any {
		cp := make(map[string]any, len(ev))
		for key, v := range ev {
			cp[key] = v
		}
		cp["eventID"], cp["recipients"] = store.NewID(), recipients("reader", n)
		return k.message(cp)
	}
	delivered := func(line invocationLog, _ []costtable.Change) int { return line.Delivered }
	rows = append(rows, k.invoke("deliver-notifications", "a chunk of 50 recipients", "recipient", 50, []map[string]any{fanout(50)}, delivered))
	rows = append(rows, k.invoke("deliver-notifications", "an event for 500 recipients: the split", "chunk sent", 10, []map[string]any{fanout(500)},
		func(line invocationLog, _ []costtable.Change) int { return line.ChunksSent }))

	// cleanup-dismissed-group: the sample (g-dismissed, 2 members) and a
	// dismissed group of 200 members.
	removed := func(_ invocationLog, changed []costtable.Change) int {
		n := 0
		for _, c := range changed {
			if c.After == nil && strings.HasPrefix(attr(c.Before, "SK"), "M#") {
				n++
			}
		}
		return n
	}
	rows = append(rows, k.invoke("cleanup-dismissed-group", "the sample: a dismissed group of 2 members", "member record removed", 2, k.sample("cleanup-dismissed-group"), removed))
	rows = append(rows, k.invoke("cleanup-dismissed-group", "a dismissed group of 200 members", "member record removed", 200, []map[string]any{k.message(k.dismissed(199))}, removed))
	return rows
}

// dismissed creates a group of alice and n bulk-loaded members, dismisses
// it and answers its GroupDismissed event.
func (k *consumerBench) dismissed(n int) any {
	b := k.b
	groups := group.NewService(k.st)
	alice := permission.Actor{UserID: "alice"}
	const id = "g-cost-cleanup"
	_, err := groups.Create(k.ctx, alice, group.CreateInput{GroupID: id, GroupName: "cleanup cost"})
	require.NoError(b, err)
	ms := make([]*store.Member, n)
	for i, uid := range recipients("leaver", n) {
		ms[i] = &store.Member{UserID: uid, RoleLevel: store.RoleMember, JoinTime: time.Now().UnixMilli(), JoinSource: store.JoinByAdmin}
	}
	require.NoError(b, k.st.BulkLoadMembers(k.ctx, id, ms))
	require.NoError(b, groups.Dismiss(k.ctx, alice, id))
	g, _, err := k.st.View(store.WithConsistentReads(k.ctx), id)
	require.NoError(b, err)
	evs, err := k.st.ListEvents(k.ctx, id, g.Version-1, 1)
	require.NoError(b, err)
	require.Len(b, evs, 1)
	return evs[0]
}
