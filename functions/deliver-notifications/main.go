// Command deliver-notifications consumes the notifications queue and writes
// personal notifications into their recipients' inboxes (SPEC §5).
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/circles-im/circles/shared/notification"
	"github.com/circles-im/circles/shared/store"
)

func main() {
	st, err := store.FromEnv(context.Background())
	if err != nil {
		panic(err)
	}
	svc := notification.NewService(st)
	lambda.Start(func(ctx context.Context, batch events.SQSEvent) (events.SQSEventResponse, error) {
		return svc.HandleSQS(ctx, batch)
	})
}
