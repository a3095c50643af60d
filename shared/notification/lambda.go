package notification

import (
	"context"
	"os"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/circles-im/circles/shared/group"
	"github.com/circles-im/circles/shared/invocation"
	"github.com/circles-im/circles/shared/store"
)

// messages counts an SQS batch's messages, for the invocation's log line.
func messages(b events.SQSEvent) int { return len(b.Records) }

// metered counts the invocation's DynamoDB calls and units for its log line.
func metered(ctx context.Context) (context.Context, invocation.Units) { return store.WithMeter(ctx) }

// StartConsumer runs the deliver-notifications function: it consumes the
// notifications queue, writes personal notifications into their
// recipients' inboxes, and splits large fan-outs into chunk messages on the
// same queue.
func StartConsumer() {
	svc, err := ConsumerFromEnv(context.Background())
	if err != nil {
		panic(err)
	}
	svc.OnDelivered = crashAfterForTest()
	lambda.Start(invocation.Metered("deliver-notifications", messages, metered, svc.HandleSQS))
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

// CleanerFromEnv builds the cleanup-dismissed-group function's cleaner:
// the table of TABLE_NAME, its own queue (QUEUE_URL) for continuations,
// and CLEANUP_MAX_ITEMS (optional), which bounds the records one message
// removes; by default the invocation's time does.
func CleanerFromEnv(ctx context.Context) (*Cleaner, error) {
	st, q, err := fromEnv(ctx)
	if err != nil {
		return nil, err
	}
	maxItems, _ := strconv.Atoi(os.Getenv("CLEANUP_MAX_ITEMS"))
	return &Cleaner{Groups: group.NewService(st), SQS: q, QueueURL: os.Getenv("QUEUE_URL"), MaxItems: maxItems}, nil
}

// StartCleaner runs the cleanup-dismissed-group function: it consumes
// GroupDismissed, RoleDeleted and ChannelDeleted events and removes what
// they leave behind in bounded batches, re-enqueuing a continuation while
// more is left.
func StartCleaner() {
	c, err := CleanerFromEnv(context.Background())
	if err != nil {
		panic(err)
	}
	lambda.Start(invocation.Metered("cleanup-dismissed-group", messages, metered, c.HandleSQS))
}
