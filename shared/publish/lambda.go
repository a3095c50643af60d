package publish

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/circles-im/circles/shared/awsenv"
	"github.com/circles-im/circles/shared/invocation"
)

// FromEnv builds the publisher of the publish-events function:
// the default AWS configuration and the topic of TOPIC_ARN.
func FromEnv(ctx context.Context) (*Publisher, error) {
	cfg, err := awsenv.Config()
	if err != nil {
		return nil, err
	}
	return &Publisher{SNS: sns.NewFromConfig(cfg, func(o *sns.Options) { o.BaseEndpoint = awsenv.Endpoint("SNS") }), TopicARN: os.Getenv("TOPIC_ARN")}, nil
}

// Start runs the publish-events function: it reads the table's
// stream (outbox event inserts, selected by the event source mapping's
// filter criteria) and publishes each event to the SNS topic.
func Start() {
	p, err := FromEnv(context.Background())
	if err != nil {
		panic(err)
	}
	records := func(b events.DynamoDBEvent) int { return len(b.Records) }
	lambda.Start(invocation.Metered("publish-events", records, nil, func(ctx context.Context, batch events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
		crashOnceForTest()
		return p.HandleStream(ctx, batch)
	}))
}

// crashOnceForTest is fault injection for the pipeline's acceptance test
// only: with CIRCLES_TEST_CRASH_FIRST_PUBLISH=<marker file>, the first
// invocation that finds no marker creates it and exits before publishing,
// as a publisher crashing after the commit would. Never set in the template.
func crashOnceForTest() {
	marker := os.Getenv("CIRCLES_TEST_CRASH_FIRST_PUBLISH")
	if marker == "" {
		return
	}
	f, err := os.OpenFile(marker, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return // already crashed once (or cannot tell): behave
	}
	f.Close()
	os.Exit(3)
}
