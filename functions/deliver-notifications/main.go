// Command deliver-notifications consumes the notifications queue: it writes
// personal notifications into their recipients' inboxes, and splits large
// fan-outs into chunk messages on the same queue.
package main

import (
	"context"
	"os"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/circles-im/circles/shared/notification"
)

func main() {
	svc, err := notification.ConsumerFromEnv(context.Background())
	if err != nil {
		panic(err)
	}
	svc.OnDelivered = crashAfterForTest()
	lambda.Start(func(ctx context.Context, batch events.SQSEvent) (events.SQSEventResponse, error) {
		return svc.HandleSQS(ctx, batch)
	})
}

// crashAfterForTest is fault injection for the pipeline's acceptance test
// only: with CIRCLES_TEST_CRASH_AFTER_DELIVERIES=<n>:<marker file>, the
// first process that finds no marker creates it and exits after writing
// its n-th inbox entry, as a consumer killed mid-chunk would. Never set in
// the template.
func crashAfterForTest() func() {
	n, marker, ok := strings.Cut(os.Getenv("CIRCLES_TEST_CRASH_AFTER_DELIVERIES"), ":")
	limit, err := strconv.Atoi(n)
	if !ok || err != nil || limit <= 0 {
		return nil
	}
	f, err := os.OpenFile(marker, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return nil // this is the process after the crash (or cannot tell): behave
	}
	f.Close()
	var count atomic.Int64
	return func() {
		if count.Add(1) == int64(limit) {
			os.Exit(3)
		}
	}
}
