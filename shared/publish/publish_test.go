package publish_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/infra/stacktest"
	"github.com/circles-im/circles/shared/event"
	"github.com/circles-im/circles/shared/publish"
)

func image(id string, t event.Type, version int) map[string]events.DynamoDBAttributeValue {
	return map[string]events.DynamoDBAttributeValue{
		"PK":          events.NewStringAttribute("G#g1#E"),
		"SK":          events.NewStringAttribute(fmt.Sprintf("V#%012d", version)),
		"kind":        events.NewStringAttribute("event"),
		"eventID":     events.NewStringAttribute(id),
		"type":        events.NewStringAttribute(string(t)),
		"code":        events.NewNumberAttribute(fmt.Sprint(t.Code())),
		"groupID":     events.NewStringAttribute("g1"),
		"version":     events.NewNumberAttribute(fmt.Sprint(version)),
		"actorUserID": events.NewStringAttribute("alice"),
		"occurredAt":  events.NewNumberAttribute("1767225600000"),
		"payload": events.NewMapAttribute(map[string]events.DynamoDBAttributeValue{
			"userIDs": events.NewListAttribute([]events.DynamoDBAttributeValue{events.NewStringAttribute("bob")}),
			"n":       events.NewNumberAttribute("7"),
		}),
		"recipients": events.NewListAttribute([]events.DynamoDBAttributeValue{events.NewStringAttribute("bob")}),
		"expiresAt":  events.NewNumberAttribute("1769817600"),
	}
}

func insert(seq string, img map[string]events.DynamoDBAttributeValue) events.DynamoDBEventRecord {
	return events.DynamoDBEventRecord{EventName: "INSERT", Change: events.DynamoDBStreamRecord{SequenceNumber: seq, NewImage: img}}
}

func TestFromStreamImageDecodesAnOutboxEvent(t *testing.T) {
	ev, err := event.FromStreamImage(image("E1", event.MemberKicked, 7))
	require.NoError(t, err)
	assert.Equal(t, "E1", ev.EventID)
	assert.Equal(t, event.MemberKicked, ev.Type)
	assert.Equal(t, 1508, ev.Code)
	assert.EqualValues(t, 7, ev.Version)
	assert.Equal(t, []string{"bob"}, ev.Recipients)
	assert.Equal(t, []any{"bob"}, ev.Payload["userIDs"])
	_, err = event.FromStreamImage(map[string]events.DynamoDBAttributeValue{"PK": events.NewStringAttribute("G#x")})
	assert.Error(t, err, "not an event")
}

// tap subscribes a fresh queue to a fresh topic with raw delivery.
func tap(t *testing.T) (*publish.Publisher, *sqs.Client, string) {
	t.Helper()
	cfg := stacktest.AWSConfig(t, "SNS", "SQS")
	ctx := context.Background()
	snsClient, sqsClient := sns.NewFromConfig(cfg), sqs.NewFromConfig(cfg)
	name := fmt.Sprintf("event-test-%d-%d", os.Getpid(), time.Now().UnixNano())
	topic, err := snsClient.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(name)})
	require.NoError(t, err)
	q, err := sqsClient.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name)})
	require.NoError(t, err)
	t.Cleanup(func() {
		_, _ = snsClient.DeleteTopic(context.Background(), &sns.DeleteTopicInput{TopicArn: topic.TopicArn})
		_, _ = sqsClient.DeleteQueue(context.Background(), &sqs.DeleteQueueInput{QueueUrl: q.QueueUrl})
	})
	qa, err := sqsClient.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: q.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	require.NoError(t, err)
	_, err = snsClient.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"),
		Endpoint: aws.String(qa.Attributes["QueueArn"]), Attributes: map[string]string{"RawMessageDelivery": "true"}})
	require.NoError(t, err)
	return &publish.Publisher{SNS: snsClient, TopicARN: aws.ToString(topic.TopicArn)}, sqsClient, aws.ToString(q.QueueUrl)
}

func TestHandleStreamPublishesInOrderAndStopsAtTheFirstFailure(t *testing.T) {
	p, sqsClient, url := tap(t)
	ctx := context.Background()
	bad := image("E2", event.MemberKicked, 2)
	delete(bad, "eventID") // cannot be decoded: the publisher must stop here
	member := image("X", event.MemberKicked, 9)
	member["kind"] = events.NewStringAttribute("member")
	resp, err := p.HandleStream(ctx, events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{
		insert("100", member), // not an event: skipped
		insert("101", image("E1", event.MemberKicked, 1)),
		insert("102", bad),
		insert("103", image("E3", event.GroupInfoSet, 3)),
	}})
	require.NoError(t, err)
	assert.Equal(t, []events.DynamoDBBatchItemFailure{{ItemIdentifier: "102"}}, resp.BatchItemFailures)

	out, err := sqsClient.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageAttributeNames: []string{"All"}})
	require.NoError(t, err)
	// Only the event before the failure is published. SNS and SQS deliver
	// at least once: an SDK resend of a Publish whose answer was lost (seen
	// once under make test's load) delivers E1 twice, which consumers
	// dedupe by eventID; E3 must never come.
	require.NotEmpty(t, out.Messages, "the event before the failure is published")
	for _, m := range out.Messages {
		var ev event.Event
		require.NoError(t, json.Unmarshal([]byte(aws.ToString(m.Body)), &ev))
		assert.Equal(t, "E1", ev.EventID, "only the event before the failure")
	}
	m := out.Messages[0]
	assert.Equal(t, "MemberKicked", aws.ToString(m.MessageAttributes["type"].StringValue))
	assert.Equal(t, "g1", aws.ToString(m.MessageAttributes["groupID"].StringValue))
	assert.Equal(t, "1508", aws.ToString(m.MessageAttributes["code"].StringValue))
	assert.Equal(t, "Number", aws.ToString(m.MessageAttributes["code"].DataType))
}

func TestHandleStreamNearItsDeadlineReportsTheFirstUnpublishedRecordInsteadOfTimingOut(t *testing.T) {
	p, sqsClient, url := tap(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second) // within the 2 s margin
	defer cancel()
	resp, err := p.HandleStream(ctx, events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{
		insert("201", image("E1", event.MemberKicked, 1)),
		insert("202", image("E2", event.MemberKicked, 2)),
	}})
	require.NoError(t, err)
	assert.Equal(t, []events.DynamoDBBatchItemFailure{{ItemIdentifier: "201"}}, resp.BatchItemFailures, "the stream retries from the first record")
	out, err := sqsClient.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
	require.NoError(t, err)
	assert.Empty(t, out.Messages, "nothing was published")
}
