// Command cleanup-dismissed-group consumes GroupDismissed, RoleDeleted and
// ChannelDeleted events and removes what the dismissed group, deleted role
// or deleted channel leaves behind, in bounded batches, re-enqueuing a
// continuation to its own queue (QUEUE_URL) while more is left.
package main

import (
	"context"
	"os"
	"strconv"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/circles-im/circles/shared/group"
	"github.com/circles-im/circles/shared/notification"
	"github.com/circles-im/circles/shared/store"
)

func main() {
	ctx := context.Background()
	st, err := store.FromEnv(ctx)
	if err != nil {
		panic(err)
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		panic(err)
	}
	// CLEANUP_MAX_ITEMS (optional) bounds the records one message removes;
	// by default the invocation's time does.
	maxItems, _ := strconv.Atoi(os.Getenv("CLEANUP_MAX_ITEMS"))
	c := &notification.Cleaner{Groups: group.NewService(st), SQS: sqs.NewFromConfig(cfg), QueueURL: os.Getenv("QUEUE_URL"), MaxItems: maxItems}
	lambda.Start(func(ctx context.Context, batch events.SQSEvent) (events.SQSEventResponse, error) {
		return c.HandleSQS(ctx, batch)
	})
}
