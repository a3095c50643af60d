package devstack

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/stretchr/testify/require"
)

func TestEnsureTableIsIdempotent(t *testing.T) {
	client := dynamodb.NewFromConfig(awsConfig(t, "DYNAMODB"))
	name := UniqueTableName(t.Name())
	ctx := context.Background()
	t.Cleanup(func() {
		_ = DeleteTable(context.Background(), client, name)
	})
	require.NoError(t, EnsureTable(ctx, client, name))
	require.NoError(t, EnsureTable(ctx, client, name), "a second call finds the table and its TTL in place")
}
