// Command check-all-groups is the scheduled consistency checker:
// it checks every group (report only) and logs the violations as JSON lines
// and an Embedded Metric Format metric.
package main

import (
	"context"
	"os"
	"strconv"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/circles-im/circles/shared/group"
	"github.com/circles-im/circles/shared/store"
)

func main() {
	// CHECK_MAX_GROUPS bounds one run (0 or unset: until the deadline).
	maxGroups, _ := strconv.Atoi(os.Getenv("CHECK_MAX_GROUPS"))
	lambda.Start(func(ctx context.Context, _ events.CloudWatchEvent) (*group.CheckAllSummary, error) {
		st, err := store.FromEnv(ctx)
		if err != nil {
			return nil, err
		}
		return group.NewService(st).CheckAll(ctx, os.Stdout, maxGroups)
	})
}
