package devstack

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/assert"
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

// DeleteTable deletes a table whether or not it has a stream, disabling the
// stream first (DynamoDB Local keeps the streams of tables deleted with
// them enabled, and slows down for good).
func TestDeleteTableDeletesTablesWithAndWithoutAStream(t *testing.T) {
	client := dynamodb.NewFromConfig(awsConfig(t, "DYNAMODB"))
	ctx := context.Background()
	for name, create := range map[string]func(context.Context, *dynamodb.Client, string) error{
		"with":    CreateTable,
		"without": CreateTableWithoutStream,
	} {
		t.Run(name, func(t *testing.T) {
			table := UniqueTableName(t.Name())
			require.NoError(t, create(ctx, client, table))
			d, err := client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)})
			require.NoError(t, err)
			assert.Equal(t, name == "with", d.Table.StreamSpecification != nil && aws.ToBool(d.Table.StreamSpecification.StreamEnabled))

			require.NoError(t, DeleteTable(ctx, client, table))
			_, err = client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)})
			var notFound *types.ResourceNotFoundException
			assert.ErrorAs(t, err, &notFound)
			assert.Error(t, DeleteTable(ctx, client, table), "a table that is gone is an error")
		})
	}
}
