// Command publish-events reads the table's stream (outbox event inserts,
// selected by the event source mapping's filter criteria) and publishes
// each event to the SNS topic.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/circles-im/circles/shared/event"
)

func main() {
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		panic(err)
	}
	p := &event.Publisher{SNS: sns.NewFromConfig(cfg), TopicARN: os.Getenv("TOPIC_ARN")}
	lambda.Start(func(ctx context.Context, batch events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
		crashOnceForTest()
		return p.HandleStream(ctx, batch)
	})
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
