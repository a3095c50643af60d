package devstack

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// messagingTemplate uses logical ids unique to the test run: moto is shared
// by every package's tests, and names come from logical ids.
func messagingTemplate(suffix string) string {
	return strings.ReplaceAll(`
Resources:
  TopicX:
    Type: AWS::SNS::Topic
  InboxQueueX:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 60
      RedrivePolicy:
        deadLetterTargetArn: !GetAtt InboxDLQX.Arn
        maxReceiveCount: 5
  InboxDLQX:
    Type: AWS::SQS::Queue
  InboxSubscriptionX:
    Type: AWS::SNS::Subscription
    Properties:
      TopicArn: !Ref TopicX
      Protocol: sqs
      Endpoint: !GetAtt InboxQueueX.Arn
      RawMessageDelivery: true
      FilterPolicy:
        type: [MemberKicked, MemberInvited]
`, "X", suffix)
}

func messagingClients(t *testing.T) (*sns.Client, *sqs.Client) {
	cfg := awsConfig(t, "SNS", "SQS")
	return sns.NewFromConfig(cfg), sqs.NewFromConfig(cfg)
}

func TestMessagingCreatesTopicQueuesDLQAndFilteredRawSubscription(t *testing.T) {
	snsc, sqsc := messagingClients(t)
	ctx := context.Background()
	suffix := randomHex()
	tmpl := writeTemplate(t, messagingTemplate(suffix))

	bus, err := tmpl.Messaging(ctx, snsc, sqsc)
	require.NoError(t, err)
	topic := bus.Topics["Topic"+suffix]
	inbox, dlq := bus.Queues["InboxQueue"+suffix], bus.Queues["InboxDLQ"+suffix]
	require.NotEmpty(t, topic)
	assert.True(t, strings.HasSuffix(topic, ":Topic"+suffix), "named by its logical id: %s", topic)
	assert.Equal(t, "InboxQueue"+suffix, inbox.Name)
	require.NotEmpty(t, inbox.URL)
	require.NotEmpty(t, dlq.ARN)
	assert.NotEmpty(t, bus.Subscriptions["InboxSubscription"+suffix])

	attrs, err := sqsc.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(inbox.URL), AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameAll},
	})
	require.NoError(t, err)
	assert.Equal(t, "60", attrs.Attributes["VisibilityTimeout"])
	var redrive map[string]any
	require.NoError(t, json.Unmarshal([]byte(attrs.Attributes["RedrivePolicy"]), &redrive))
	assert.Equal(t, dlq.ARN, redrive["deadLetterTargetArn"])
	assert.Equal(t, "5", fmt.Sprint(redrive["maxReceiveCount"]))

	// Only the filtered type arrives, raw (no SNS envelope).
	publish := func(typ, body string) {
		_, err := snsc.Publish(ctx, &sns.PublishInput{
			TopicArn: aws.String(topic), Message: aws.String(body),
			MessageAttributes: map[string]snstypes.MessageAttributeValue{
				"type": {DataType: aws.String("String"), StringValue: aws.String(typ)},
			},
		})
		require.NoError(t, err)
	}
	publish("GroupInfoSet", `{"n":1}`)
	publish("MemberKicked", `{"n":2}`)
	got, err := sqsc.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
		QueueUrl: aws.String(inbox.URL), MaxNumberOfMessages: 10, WaitTimeSeconds: 1,
	})
	require.NoError(t, err)
	require.Len(t, got.Messages, 1)
	assert.Equal(t, `{"n":2}`, aws.ToString(got.Messages[0].Body))

	// Running again (a restarted runner) reuses everything.
	again, err := tmpl.Messaging(ctx, snsc, sqsc)
	require.NoError(t, err)
	assert.Equal(t, bus.Topics, again.Topics)
	assert.Equal(t, bus.Queues, again.Queues)
}

func TestMessagingWithoutMessagingResourcesReturnsAnEmptyBus(t *testing.T) {
	snsc, sqsc := messagingClients(t)
	bus, err := writeTemplate(t, "Resources:\n  Table:\n    Type: AWS::DynamoDB::Table\n").Messaging(context.Background(), snsc, sqsc)
	require.NoError(t, err)
	assert.Empty(t, bus.Topics)
	assert.Empty(t, bus.Queues)
	assert.Empty(t, bus.Subscriptions)
}

func TestMessagingReportsUnresolvableReferences(t *testing.T) {
	snsc, sqsc := messagingClients(t)
	_, err := writeTemplate(t, `
Resources:
  OrphanSubscription:
    Type: AWS::SNS::Subscription
    Properties:
      TopicArn: !Ref NoSuchTopic
      Protocol: sqs
      Endpoint: arn:aws:sqs:us-east-1:123456789012:x
`).Messaging(context.Background(), snsc, sqsc)
	assert.ErrorContains(t, err, "NoSuchTopic")
}
