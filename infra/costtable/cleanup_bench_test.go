package costtable_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/require"
	"golang.org/x/sync/errgroup"

	"github.com/circles-im/circles/infra/devstack"
	"github.com/circles-im/circles/infra/stacktest"
	"github.com/circles-im/circles/shared/event"
	"github.com/circles-im/circles/shared/group"
	"github.com/circles-im/circles/shared/notification"
	"github.com/circles-im/circles/shared/permission"
	"github.com/circles-im/circles/shared/store"
)

// bulkLoad adds n members (bulkNNNNNNN) to groupID, 5000 records a call
// and four calls at once: each call's BatchWriteItems go one after the
// other, so at once they overlap their round trips (memberCount is raised
// with ADD, which concurrent calls may share).
func bulkLoad(b *testing.B, ctx context.Context, st *store.Store, groupID string, n int) {
	b.Helper()
	var g errgroup.Group
	g.SetLimit(4)
	for start := 0; start < n; start += 5000 {
		ms := make([]*store.Member, min(5000, n-start))
		for i := range ms {
			ms[i] = &store.Member{UserID: fmt.Sprintf("bulk%07d", start+i), RoleLevel: store.RoleMember, JoinTime: time.Now().UnixMilli(), JoinSource: store.JoinByAdmin}
		}
		g.Go(func() error { return st.BulkLoadMembers(ctx, groupID, ms) })
	}
	require.NoError(b, g.Wait())
}

// templateFunctions are the repository's root and template.yaml's functions.
func templateFunctions(b *testing.B) (string, []devstack.Function) {
	b.Helper()
	root, err := devstack.RepoRoot()
	require.NoError(b, err)
	tpl, err := devstack.LoadTemplate(filepath.Join(root, "template.yaml"))
	require.NoError(b, err)
	fns, err := tpl.Functions()
	require.NoError(b, err)
	return root, fns
}

// largeGroup makes group "big" of COSTTABLE_MEMBERS (default 100000)
// members on a fresh table, all bulk-loaded but its owner, and answers how
// many, the store and service over the table, the owner, the template's
// timeout of the function in fnDir, and how long the load took.
func largeGroup(b *testing.B, fnDir string) (int, *store.Store, *group.Service, permission.Actor, time.Duration, time.Duration) {
	b.Helper()
	ctx := context.Background()
	members := 100_000
	if v := os.Getenv("COSTTABLE_MEMBERS"); v != "" {
		_, err := fmt.Sscan(v, &members)
		require.NoError(b, err)
	}
	_, fns := templateFunctions(b)
	i := slices.IndexFunc(fns, func(f devstack.Function) bool { return f.Dir == fnDir })
	require.GreaterOrEqual(b, i, 0)
	timeout := fns[i].Timeout
	require.Positive(b, timeout)

	db, table := stacktest.NewTable(b, store.Instrument)
	st := store.New(db, table)
	groups := group.NewService(st)
	owner := permission.Actor{UserID: "owner"}
	_, err := groups.PutMyProfile(ctx, owner, group.ProfileInput{Nickname: "owner"})
	require.NoError(b, err)
	_, err = groups.Create(ctx, owner, group.CreateInput{GroupID: "big"})
	require.NoError(b, err)
	began := time.Now()
	bulkLoad(b, ctx, st, "big", members-1)
	return members, st, groups, owner, timeout, time.Since(began)
}

// BenchmarkDismissCleanup dismisses a group of COSTTABLE_MEMBERS (default
// 100000) members and runs the cleanup consumer as Lambda would: each
// invocation gets the template's timeout as its deadline and one message,
// the GroupDismissed event first and then each continuation it sent to its
// queue, until one sends none. It reports how many invocations that took
// and the longest, and fails if one overran its timeout or the group was
// left with a record.
func BenchmarkDismissCleanup(b *testing.B) {
	ctx := context.Background()
	members, st, groups, owner, timeout, load := largeGroup(b, "functions/cleanup-dismissed-group")
	require.NoError(b, groups.Dismiss(ctx, owner, "big"))
	evs, err := st.ListEvents(ctx, "big", 0, 10)
	require.NoError(b, err)
	dismissed := evs[len(evs)-1]
	require.Equal(b, event.GroupDismissed, dismissed.Type)
	body, err := json.Marshal(dismissed)
	require.NoError(b, err)

	q := sqs.NewFromConfig(stacktest.AWSConfig(b, "SQS"))
	made, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("cleanup-bench-" + store.NewID())})
	require.NoError(b, err)
	url := *made.QueueUrl
	b.Cleanup(func() { _, _ = q.DeleteQueue(context.Background(), &sqs.DeleteQueueInput{QueueUrl: made.QueueUrl}) })
	c := &notification.Cleaner{Groups: groups, SQS: q, QueueURL: url}

	var durations []time.Duration
	next := string(body)
	for next != "" {
		inv, cancel := context.WithTimeout(ctx, timeout)
		start := time.Now()
		resp, err := c.HandleSQS(inv, events.SQSEvent{Records: []events.SQSMessage{{MessageId: fmt.Sprint(len(durations)), Body: next}}})
		took := time.Since(start)
		cancel()
		require.NoError(b, err)
		require.Empty(b, resp.BatchItemFailures, "invocation %d failed", len(durations)+1)
		require.Less(b, took, timeout, "invocation %d overran its timeout", len(durations)+1)
		durations = append(durations, took)
		next = continuation(b, q, url)
	}
	g, err := st.GetGroup(ctx, "big")
	require.NoError(b, err)
	require.Zero(b, g.MemberCount)
	left, err := st.AllMembers(ctx, "big")
	require.NoError(b, err)
	require.Empty(b, left)
	for range b.N {
	}
	longest, total := reportInvocations(b, durations, "invocations")
	fmt.Printf("dismiss cleanup of %d members: %d invocations of the %v timeout, longest %v, total %v (bulk load %v) on DynamoDB Local\n",
		members, len(durations), timeout, longest.Round(time.Millisecond), total.Round(time.Millisecond), load.Round(time.Second))
}

// reportInvocations reports how many invocations (named unit) took
// durations, the longest and their total, and answers the last two.
func reportInvocations(b *testing.B, durations []time.Duration, unit string) (longest, total time.Duration) {
	b.Helper()
	longest = slices.Max(durations)
	for _, d := range durations {
		total += d
	}
	b.ReportMetric(float64(len(durations)), unit)
	b.ReportMetric(longest.Seconds(), "longest-s")
	b.ReportMetric(total.Seconds(), "total-s")
	return longest, total
}

// continuation receives the message an invocation left on its queue (a
// continuation is sent before the invocation returns, so one receive with
// a long poll finds it), or "" when there is none.
func continuation(b *testing.B, q *sqs.Client, url string) string {
	b.Helper()
	out, err := q.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10, WaitTimeSeconds: 2})
	require.NoError(b, err)
	require.LessOrEqual(b, len(out.Messages), 1, "one continuation at most")
	if len(out.Messages) == 0 {
		return ""
	}
	_, err = q.DeleteMessage(context.Background(), &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: out.Messages[0].ReceiptHandle})
	require.NoError(b, err)
	return *out.Messages[0].Body
}
