// Package stacktest gives tests the local stack: a fresh table on DynamoDB
// Local, the SDK configuration that reaches it, and DynamoDB fault injection.
//
// Its rules:
//   - Tests never skip for lack of a stack: a skipped test reads as a passed
//     one in CI, so a test without one fails and says `run make test`.
//   - Tests never reach real AWS: without a local endpoint the SDK would use
//     the public one, so every helper first requires the local endpoints.
//   - Each NewTable is a new, uniquely named copy of the single table as
//     template.yaml declares it, less its stream, deleted when the test ends,
//     so tests that run in parallel or again never see each other's items.
//     Only the pipeline reads the stream, and its tests deploy their own
//     table (devstack.Deploy); DynamoDB Local slows down with every
//     stream-enabled table it has held (devstack.DeleteTable).
package stacktest

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/circles-im/circles/infra/devstack"
	"github.com/circles-im/circles/shared/awsenv"
)

// RequireStack fails t unless the local stack's endpoints of the given
// services (default DYNAMODB) are configured.
func RequireStack(t testing.TB, services ...string) {
	t.Helper()
	if len(services) == 0 {
		services = []string{"DYNAMODB"}
	}
	if err := devstack.CheckEndpoints(services...); err != nil {
		t.Fatalf("%v", err)
	}
}

// AWSConfig loads the SDK configuration from the environment, failing t
// unless the given services (default DYNAMODB) have a local endpoint.
func AWSConfig(t testing.TB, services ...string) aws.Config {
	t.Helper()
	RequireStack(t, services...)
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		t.Fatalf("stacktest: load AWS config: %v", err)
	}
	// The functions' retry policy (awsenv), not the SDK's default 3
	// attempts: under make test's load a connection to DynamoDB Local was
	// once lost mid-response three times in a row (the SDK's "use of closed
	// network connection"), which a function would have ridden out.
	cfg.Retryer = func() aws.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) { o.MaxAttempts = awsenv.MaxAttempts })
	}
	return cfg
}

// NewTable creates a fresh, uniquely named copy of the single table on the
// local DynamoDB, as template.yaml declares it but without a stream, and
// deletes it when the test ends. The returned client is built from the environment (so it talks to
// the local endpoint) with optFns applied, for example to add middleware;
// the table itself is created and deleted through a plain client so that such
// middleware cannot break setup or cleanup.
func NewTable(t testing.TB, optFns ...func(*dynamodb.Options)) (*dynamodb.Client, string) {
	t.Helper()
	cfg := AWSConfig(t, "DYNAMODB")
	admin := dynamodb.NewFromConfig(cfg)
	name := devstack.UniqueTableName(t.Name())

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := devstack.CreateTableWithoutStream(ctx, admin, name); err != nil {
		t.Fatalf("%v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := devstack.DeleteTable(ctx, admin, name); err != nil {
			t.Errorf("stacktest: %v", err)
		}
	})
	// TTL is optional for tests: expired items are never relied upon to be
	// gone (DynamoDB deletes them lazily), so a local build without TTL
	// support still passes.
	if err := devstack.EnableTTL(ctx, admin, name); err != nil {
		t.Logf("stacktest: TTL not enabled: %v", err)
	}
	return dynamodb.NewFromConfig(cfg, optFns...), name
}
