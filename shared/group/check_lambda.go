package group

import (
	"context"
	"os"
	"strconv"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/circles-im/circles/shared/store"
)

// StartChecker runs the check-all-groups function, the scheduled
// consistency checker: it checks every group (report only) and logs the
// violations as JSON lines and an Embedded Metric Format metric.
// CHECK_MAX_GROUPS bounds one run (0 or unset: until the deadline).
func StartChecker() {
	maxGroups, _ := strconv.Atoi(os.Getenv("CHECK_MAX_GROUPS"))
	lambda.Start(func(ctx context.Context, _ events.CloudWatchEvent) (*CheckAllSummary, error) {
		st, err := store.FromEnv(ctx)
		if err != nil {
			return nil, err
		}
		return NewService(st).CheckAll(ctx, os.Stdout, maxGroups)
	})
}
