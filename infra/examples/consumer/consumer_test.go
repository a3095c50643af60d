package consumer_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/infra/devstack"
	"github.com/circles-im/circles/infra/examples/consumer"
	"github.com/circles-im/circles/infra/localauth"
	"github.com/circles-im/circles/infra/stacktest"
	"github.com/circles-im/circles/shared/client"
)

const kicked = `{"eventID":"e1","type":"MemberKicked","code":1508,"groupID":"g1","version":7,"actorUserID":"alice","occurredAt":1,"payload":{"reason":"spam","userIDs":["bob"]},"recipients":["bob"]}`

// A batch with a duplicate and a message that is no event: the event is
// handled once, the duplicate acknowledged, and only the bad message is
// reported as a batch item failure.
func TestABatchIsHandledOncePerEventIDAndOnlyItsFailuresAreReported(t *testing.T) {
	var out bytes.Buffer
	c := &consumer.Consumer{Out: &out}
	resp, err := c.HandleSQS(context.Background(), events.SQSEvent{Records: []events.SQSMessage{
		{MessageId: "m1", Body: kicked},
		{MessageId: "m2", Body: "not json"},
		{MessageId: "m3", Body: kicked},
		{MessageId: "m4", Body: `{"type":"MemberKicked"}`},
	}})
	require.NoError(t, err)
	assert.Equal(t, []events.SQSBatchItemFailure{{ItemIdentifier: "m2"}, {ItemIdentifier: "m4"}}, resp.BatchItemFailures)
	assert.Equal(t, 1, strings.Count(out.String(), "MemberKicked g1 v7 by alice: would remove [bob]"), out.String())

	what, err := c.Handle(kicked)
	require.NoError(t, err)
	assert.Equal(t, "duplicate", what)
}

// The sample consumer, subscribed as the README says, prints the events of
// a kick made through the API, and nothing its filter policy leaves out.
func TestTheConsumerPrintsTheEventsOfAKickMadeThroughTheAPI(t *testing.T) {
	cfg := stacktest.AWSConfig(t, "DYNAMODB", "DYNAMODB_STREAMS", "SNS", "SQS")
	table := fmt.Sprintf("consumer-%d", time.Now().UnixNano())
	secret := []byte("consumer-test-secret")
	deployOut := &devstack.SyncBuffer{}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	t.Cleanup(func() {
		_ = devstack.DeleteTable(context.Background(), dynamodb.NewFromConfig(cfg), table)
		if t.Failed() {
			t.Logf("deployment output:\n%s", deployOut.String())
		}
	})
	d, err := devstack.Deploy(ctx, devstack.DeployOptions{
		Table: table, Secret: secret, CachedBuild: true, Output: deployOut, Pipeline: true,
		Functions: []string{"put-my-profile", "create-group", "kick-group-member", "publish-events"},
	})
	require.NoError(t, err)
	t.Cleanup(func() { d.Close() })
	srv := httptest.NewServer(d.API)
	t.Cleanup(srv.Close)

	queues := sqs.NewFromConfig(cfg)
	url, err := consumer.Subscribe(ctx, sns.NewFromConfig(cfg), queues, consumer.Subscription{
		TopicARN: d.Bus.Topics["EventsTopic"], Queue: table + "-consumer",
		Filter: map[string][]string{"type": {"MemberKicked", "GroupDismissed"}},
	})
	require.NoError(t, err)
	t.Cleanup(func() {
		_, _ = queues.DeleteQueue(context.Background(), &sqs.DeleteQueueInput{QueueUrl: aws.String(url)})
	})
	out := &devstack.SyncBuffer{}
	pollCtx, stopPoll := context.WithCancel(ctx)
	polled := make(chan error, 1)
	go func() { polled <- (&consumer.Consumer{Out: out}).Poll(pollCtx, queues, url) }()
	t.Cleanup(func() { stopPoll(); <-polled })

	as := func(user string) *client.ClientWithResponses {
		tok, err := localauth.Mint(secret, user, time.Hour)
		require.NoError(t, err)
		c, err := client.New(srv.URL, client.Options{Tokens: client.StaticToken(tok)})
		require.NoError(t, err)
		return c
	}
	for _, u := range []string{"alice", "bob"} {
		_, err := as(u).PutMyProfileWithResponse(ctx, nil, client.ProfileInput{Nickname: new(u)})
		require.NoError(t, err)
	}
	_, err = as("alice").CreateGroupWithResponse(ctx, nil, client.CreateGroupInput{GroupID: new("g-kick"), MemberUserIDs: &[]client.ID{"bob"}})
	require.NoError(t, err)
	_, err = as("alice").KickGroupMemberWithResponse(ctx, "g-kick", nil, client.KickInput{UserIDs: client.IDList{"bob"}, Reason: new("spam")})
	require.NoError(t, err)

	want := `MemberKicked g-kick v2 by alice: would remove [bob] from the group's chat rooms (reason "spam")`
	require.Eventually(t, func() bool { return strings.Contains(out.String(), want) }, 90*time.Second, 200*time.Millisecond,
		"the consumer printed:\n%s", out.String())
	assert.NotContains(t, out.String(), "GroupCreated", "the filter policy keeps other types out")
}
