package notification_test

// Acceptance tests of the event pipeline on the real local stack:
// the functions are built from functions/ and run by devstack's Lambda
// emulator; DynamoDB Local's stream, moto's SNS and SQS carry the events,
// driven by devstack.Pipeline as Lambda's event source mappings would.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/infra/devstack"
	"github.com/circles-im/circles/infra/stacktest"
	"github.com/circles-im/circles/shared/event"
	"github.com/circles-im/circles/shared/group"
	"github.com/circles-im/circles/shared/permission"
	"github.com/circles-im/circles/shared/store"
)

var admins = permission.ParseAppAdmins("admin")

// pipelineFunctions are the functions the pipeline tests deploy.
var pipelineFunctions = []string{"publish-events", "deliver-notifications", "cleanup-dismissed-group"}

// stack is one deployment of the pipeline on its own table and queues.
type stack struct {
	d   *devstack.Deployment
	st  *store.Store
	svc *group.Service
	sqs *sqs.Client
	out *devstack.SyncBuffer
}

func deploy(t *testing.T, env map[string]string) *stack {
	t.Helper()
	return deployWith(t, devstack.DeployOptions{Env: env})
}

// deployWith deploys the pipeline functions with opts' Env and Timeouts.
// preload, if any, runs first, on the table without its stream: a fixture
// of thousands of records loads several times faster on DynamoDB Local
// (each stream record slows every later write of the instance), and the
// pipeline sees only what the test does after it.
func deployWith(t *testing.T, opts devstack.DeployOptions, preload ...func(*stack)) *stack {
	t.Helper()
	cfg := stacktest.AWSConfig(t, "DYNAMODB", "DYNAMODB_STREAMS", "SNS", "SQS")
	ddb := dynamodb.NewFromConfig(cfg)
	sqsClient := sqs.NewFromConfig(cfg)
	snsClient := sns.NewFromConfig(cfg)
	table := fmt.Sprintf("acc-%d", time.Now().UnixNano())
	out := &devstack.SyncBuffer{}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	t.Cleanup(func() {
		ctx := context.Background()
		_ = devstack.DeleteTable(ctx, ddb, table)
		if t.Failed() || os.Getenv("CIRCLES_TEST_SHOW_OUTPUT") == "1" {
			t.Logf("deployment output:\n%s", out.String())
		}
	})
	if len(preload) > 0 {
		require.NoError(t, devstack.CreateTableWithoutStream(ctx, ddb, table))
		require.NoError(t, devstack.EnableTTL(ctx, ddb, table))
		st := store.New(ddb, table)
		for _, p := range preload {
			p(&stack{st: st, svc: group.NewService(st)})
		}
		require.NoError(t, devstack.EnableStream(ctx, ddb, table))
	}
	d, err := devstack.Deploy(ctx, devstack.DeployOptions{
		Table: table, Functions: pipelineFunctions, Pipeline: true,
		CachedBuild: true, Env: opts.Env, Timeouts: opts.Timeouts, Output: output(t, out),
	})
	require.NoError(t, err)
	t.Cleanup(func() {
		d.Close()
		ctx := context.Background()
		for _, q := range d.Bus.Queues {
			_, _ = sqsClient.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: aws.String(q.URL)})
		}
		for _, arn := range d.Bus.Topics {
			_, _ = snsClient.DeleteTopic(ctx, &sns.DeleteTopicInput{TopicArn: aws.String(arn)})
		}
	})
	st := store.New(ddb, table).WithInboxTable(d.InboxTable)
	return &stack{d: d, st: st, svc: group.NewService(st), sqs: sqsClient, out: out}
}

// output is where a deployment writes its logs: out, and also the file
// CIRCLES_TEST_OUTPUT names (appended, as it happens), to watch a long test.
func output(t *testing.T, out *devstack.SyncBuffer) io.Writer {
	name := os.Getenv("CIRCLES_TEST_OUTPUT")
	if name == "" {
		return out
	}
	f, err := os.OpenFile(name, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	require.NoError(t, err)
	t.Cleanup(func() { f.Close() })
	return io.MultiWriter(out, f)
}

// eventually polls cond until it holds or timeout passes: after 100 ms at
// first, then less and less often, up to every 2 s. Conditions here scan the
// table, and DynamoDB Local spends its CPU parsing every item of a scan:
// polling a big table ten times a second starved the very consumers being
// waited for (a test ran 10x slower beside others than alone).
func eventually(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	wait := 100 * time.Millisecond
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting until %s", timeout, what)
		}
		time.Sleep(wait)
		wait = min(wait*3/2, 2*time.Second)
	}
}

func inbox(t *testing.T, st *store.Store, uid string) []*store.Notification {
	t.Helper()
	p, err := st.ListNotifications(context.Background(), uid, 0, 1000)
	require.NoError(t, err)
	return p.Items
}

func countType(items []*store.Notification, typ event.Type) int {
	n := 0
	for _, it := range items {
		if it.Type == typ {
			n++
		}
	}
	return n
}

// settled reports whether the notifications queue is drained, the cheap
// test to make before counting the inbox: a count scans the inbox table,
// and DynamoDB Local spends most of its CPU parsing scanned items, so
// counting while the consumer works (thousands of entries, every 2 s)
// starved the very deliveries it waited for.
func (s *stack) settled(t *testing.T) bool { return s.queueDrained(t, "NotificationsQueue") }

// queueDrained reports whether the queue has no message, visible or in flight.
func (s *stack) queueDrained(t *testing.T, logicalID string) bool {
	t.Helper()
	out, err := s.sqs.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(s.d.Bus.Queues[logicalID].URL),
		AttributeNames: []sqstypes.QueueAttributeName{
			sqstypes.QueueAttributeNameApproximateNumberOfMessages,
			sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible,
		},
	})
	require.NoError(t, err)
	return out.Attributes["ApproximateNumberOfMessages"] == "0" && out.Attributes["ApproximateNumberOfMessagesNotVisible"] == "0"
}

func (s *stack) groupWith(t *testing.T, gid string, members ...string) {
	t.Helper()
	ctx := context.Background()
	for _, u := range append([]string{"alice"}, members...) {
		_, err := s.svc.PutMyProfile(ctx, admins.Actor(u), group.ProfileInput{Nickname: u})
		require.NoError(t, err)
	}
	_, err := s.svc.Create(ctx, admins.Actor("alice"), group.CreateInput{GroupID: gid, MemberUserIDs: members})
	require.NoError(t, err)
}

func TestKickingAUserPutsMemberKickedInTheirInboxThroughThePipeline(t *testing.T) {
	t.Parallel() // each test deploys on its own table and queues
	s := deploy(t, nil)
	s.groupWith(t, "g1", "bob", "carl")
	_, err := s.svc.Kick(context.Background(), admins.Actor("alice"), "g1", group.KickInput{UserIDs: []string{"bob"}, Reason: "spam"})
	require.NoError(t, err)

	eventually(t, 15*time.Second, "bob's inbox has MemberKicked", func() bool {
		return countType(inbox(t, s.st, "bob"), event.MemberKicked) > 0
	})
	items := inbox(t, s.st, "bob")
	require.Equal(t, 1, countType(items, event.MemberKicked))
	kicked := items[len(items)-1]
	assert.Equal(t, "g1", kicked.GroupID)
	assert.Equal(t, "alice", kicked.ActorUserID)
	assert.EqualValues(t, 1508, kicked.Code)
	assert.Equal(t, "spam", kicked.Payload["reason"])
	assert.Equal(t, 0, countType(inbox(t, s.st, "carl"), event.MemberKicked), "only the kicked user is notified")
	for i, it := range items {
		assert.EqualValues(t, i+1, it.Seq, "seqs go 1, 2, 3…")
	}
}

func TestAnEventStillReachesTheInboxExactlyOnceWhenThePublisherCrashesFirst(t *testing.T) {
	t.Parallel() // each test deploys on its own table and queues
	marker := filepath.Join(t.TempDir(), "crashed")
	s := deploy(t, map[string]string{"CIRCLES_TEST_CRASH_FIRST_PUBLISH": marker})
	s.groupWith(t, "g1", "bob")
	_, err := s.svc.Kick(context.Background(), admins.Actor("alice"), "g1", group.KickInput{UserIDs: []string{"bob"}})
	require.NoError(t, err)

	eventually(t, 20*time.Second, "bob's inbox has MemberKicked", func() bool {
		return countType(inbox(t, s.st, "bob"), event.MemberKicked) > 0
	})
	_, err = os.Stat(marker)
	require.NoError(t, err, "the publisher crashed on its first invocation")
	eventually(t, 10*time.Second, "the notifications queue is drained", func() bool { return s.queueDrained(t, "NotificationsQueue") })
	items := inbox(t, s.st, "bob")
	assert.Equal(t, 1, countType(items, event.GroupCreated), "GroupCreated exactly once")
	assert.Equal(t, 1, countType(items, event.MemberKicked), "MemberKicked exactly once")
	assert.Contains(t, s.out.String(), "Runtime.ExitError", "the crash was a real process exit")
}

func sendEvents(t *testing.T, s *stack, bodies ...string) {
	t.Helper()
	var entries []sqstypes.SendMessageBatchRequestEntry
	for i, b := range bodies {
		entries = append(entries, sqstypes.SendMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), MessageBody: aws.String(b)})
	}
	out, err := s.sqs.SendMessageBatch(context.Background(), &sqs.SendMessageBatchInput{
		QueueUrl: aws.String(s.d.Bus.Queues["NotificationsQueue"].URL), Entries: entries,
	})
	require.NoError(t, err)
	require.Empty(t, out.Failed)
}

func eventJSON(t *testing.T, typ event.Type, recipients ...string) string {
	t.Helper()
	// A message as the queue may hold it: the consumer does not read payloads.
	ev := event.Event{Type: typ, Code: typ.Code(), ActorUserID: "alice", Payload: map[string]any{"userIDs": recipients}, Recipients: append([]string{}, recipients...)}
	ev.EventID, ev.GroupID, ev.Version, ev.OccurredAt = store.NewID(), "g1", 2, time.Now().UnixMilli()
	b, err := json.Marshal(ev)
	require.NoError(t, err)
	return string(b)
}

func TestAMessageDeliveredTwiceLeavesOneInboxEntry(t *testing.T) {
	t.Parallel() // each test deploys on its own table and queues
	s := deploy(t, nil)
	msg := eventJSON(t, event.MemberInvited, "dora")
	sendEvents(t, s, msg, msg) // twice in one batch
	sendEvents(t, s, msg)      // and once more later
	eventually(t, 15*time.Second, "dora's inbox has the invitation and the queue is drained", func() bool {
		return len(inbox(t, s.st, "dora")) > 0 && s.queueDrained(t, "NotificationsQueue")
	})
	items := inbox(t, s.st, "dora")
	require.Len(t, items, 1)
	assert.EqualValues(t, 1, items[0].Seq)
}

func TestAPoisonMessageLandsInTheDLQAfter5ReceivesWhileTheRestOfItsBatchSucceeds(t *testing.T) {
	t.Parallel() // each test deploys on its own table and queues
	s := deploy(t, nil)
	ctx := context.Background()
	// A short visibility timeout on this test's own queue, so that five
	// receives take seconds (the template's is 180 s).
	_, err := s.sqs.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{
		QueueUrl:   aws.String(s.d.Bus.Queues["NotificationsQueue"].URL),
		Attributes: map[string]string{"VisibilityTimeout": "1"},
	})
	require.NoError(t, err)
	// A long poll that began before the change still receives with the old
	// timeout: wait for a probe message, so the next receive begins after it.
	sendEvents(t, s, eventJSON(t, event.MemberInvited, "probe"))
	eventually(t, 10*time.Second, "the probe is delivered", func() bool { return len(inbox(t, s.st, "probe")) == 1 })
	poison := `{"this is": "not an event"}`
	sendEvents(t, s, eventJSON(t, event.MemberInvited, "erin"), poison, eventJSON(t, event.MemberKicked, "finn"))

	eventually(t, 10*time.Second, "the good messages are delivered", func() bool {
		return len(inbox(t, s.st, "erin")) == 1 && len(inbox(t, s.st, "finn")) == 1
	})
	var dead []sqstypes.Message
	eventually(t, 40*time.Second, "the poison message is in the DLQ", func() bool {
		out, err := s.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl:                    aws.String(s.d.Bus.Queues["NotificationsDLQ"].URL),
			MaxNumberOfMessages:         10,
			MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameAll},
		})
		require.NoError(t, err)
		dead = append(dead, out.Messages...)
		return len(dead) > 0
	})
	require.Len(t, dead, 1)
	assert.Equal(t, poison, aws.ToString(dead[0].Body))
	n, _ := strconv.Atoi(dead[0].Attributes["ApproximateReceiveCount"])
	assert.GreaterOrEqual(t, n, 5, "received 5 times before the redrive")
	assert.Len(t, inbox(t, s.st, "erin"), 1, "its batch's other messages were delivered once")
	assert.Len(t, inbox(t, s.st, "finn"), 1)
}

// notificationItems counts every inbox entry in the inbox table.
func notificationItems(t *testing.T, st *store.Store) int {
	t.Helper()
	n := 0
	p := dynamodb.NewScanPaginator(st.Client(), &dynamodb.ScanInput{
		TableName:                 aws.String(st.InboxTable()),
		FilterExpression:          aws.String("#k = :k"),
		ExpressionAttributeNames:  map[string]string{"#k": "kind"},
		ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":k": &ddbtypes.AttributeValueMemberS{Value: "notification"}},
		Select:                    ddbtypes.SelectCount,
	})
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		require.NoError(t, err)
		n += int(out.Count)
	}
	return n
}

func TestA5000MemberGroupGroupWideEventsWriteNoInboxEntriesAndDismissingCleansItUp(t *testing.T) {
	if testing.Short() {
		t.Skip("bulk loads 5,000 members")
	}
	const size = 5000
	// Two continuations at least: each message removes at most 2,000 records.
	ctx := context.Background()
	s := deployWith(t, devstack.DeployOptions{Env: map[string]string{"CLEANUP_MAX_ITEMS": "2000"}}, func(s *stack) {
		s.groupWith(t, "big")
		_, err := s.svc.Create(ctx, admins.Actor("alice"), group.CreateInput{GroupID: "other"})
		require.NoError(t, err)
		members := make([]*store.Member, size-1)
		for i := range members {
			members[i] = &store.Member{UserID: fmt.Sprintf("m%04d", i), RoleLevel: store.RoleMember, JoinTime: time.Now().UnixMilli(), JoinSource: store.JoinByAdmin}
		}
		require.NoError(t, s.st.BulkLoadMembers(ctx, "big", members))
	})
	g, err := s.st.GetGroup(ctx, "big")
	require.NoError(t, err)
	require.EqualValues(t, size, g.MemberCount)
	// A pending application, which the cleanup must remove as well.
	_, err = s.svc.PutMyProfile(ctx, admins.Actor("zoe"), group.ProfileInput{Nickname: "zoe"})
	require.NoError(t, err)
	_, err = s.svc.SetInfo(ctx, admins.Actor("alice"), "big", group.SetInfoInput{NeedVerification: aws.Int(1)}, "")
	require.NoError(t, err)
	res, err := s.svc.Join(ctx, admins.Actor("zoe"), "big", group.JoinInput{ReqMsg: "hi"})
	require.NoError(t, err)
	require.False(t, res.Joined)

	t.Run("group-wide events write no inbox entries", func(t *testing.T) {
		name := "renamed"
		_, err := s.svc.SetInfo(ctx, admins.Actor("alice"), "big", group.SetInfoInput{GroupName: &name}, "")
		require.NoError(t, err)
		// A personal event after it, as a barrier: once it is delivered the
		// pipeline has handled the group-wide one before it.
		_, err = s.svc.Kick(ctx, admins.Actor("alice"), "big", group.KickInput{UserIDs: []string{"m0000"}})
		require.NoError(t, err)
		eventually(t, 20*time.Second, "m0000 has MemberKicked and the queue is drained", func() bool {
			return countType(inbox(t, s.st, "m0000"), event.MemberKicked) == 1 && s.queueDrained(t, "NotificationsQueue")
		})
		// The join application notified alice (the owner); the kick m0000.
		assert.Equal(t, 2, notificationItems(t, s.st), "only personal notifications exist")
		changes, err := s.svc.Changes(ctx, admins.Actor("m0001"), "big", 0, 100)
		require.NoError(t, err)
		var types []event.Type
		for _, ev := range changes.Items {
			types = append(types, ev.Type)
		}
		assert.Contains(t, types, event.GroupInfoSetName, "members read it through GetGroupChanges")
	})

	t.Run("dismissing removes every member and application record", func(t *testing.T) {
		require.NoError(t, s.svc.Dismiss(ctx, admins.Actor("alice"), "big"))
		eventually(t, 10*time.Minute, "the group has no member left", func() bool {
			ms, err := s.st.AllMembers(ctx, "big")
			require.NoError(t, err)
			return len(ms) == 0
		})
		eventually(t, 20*time.Second, "the cleanup queue is drained", func() bool { return s.queueDrained(t, "CleanupQueue") })
		apps, err := s.st.ListGroupApplications(ctx, "big", nil, 100, "")
		require.NoError(t, err)
		assert.Empty(t, apps.Items, "no application record")
		g, err := s.st.GetGroup(ctx, "big")
		require.NoError(t, err)
		assert.EqualValues(t, 0, g.MemberCount)
		for _, u := range []string{"alice", "m0001", "m2500", "m4998"} {
			p, err := s.st.ListJoinedGroups(ctx, u, 100, "")
			require.NoError(t, err)
			for _, jg := range p.Items {
				assert.NotEqual(t, "big", jg.GroupID, "%s no longer lists the dismissed group", u)
			}
		}
		assert.Contains(t, s.out.String(), "cleanup continues", "the work went through continuation messages")
	})
}
