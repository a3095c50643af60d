package stacktest

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewTableCreatesTheSingleTableActiveWithIndexesAndTTLButNoStream(t *testing.T) {
	client, name := NewTable(t)
	ctx := context.Background()

	out, err := client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
	require.NoError(t, err)
	d := out.Table
	assert.Equal(t, types.TableStatusActive, d.TableStatus)
	require.Len(t, d.GlobalSecondaryIndexes, 3)
	for _, g := range d.GlobalSecondaryIndexes {
		assert.Equal(t, types.ProjectionTypeAll, g.Projection.ProjectionType, aws.ToString(g.IndexName))
	}
	// Only the pipeline reads the stream, and its tests deploy their own
	// table with one (devstack.Deploy).
	assert.True(t, d.StreamSpecification == nil || !aws.ToBool(d.StreamSpecification.StreamEnabled), "no stream")
	assert.Empty(t, aws.ToString(d.LatestStreamArn))

	ttl, err := client.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(name)})
	require.NoError(t, err)
	assert.Equal(t, "expiresAt", aws.ToString(ttl.TimeToLiveDescription.AttributeName))

	// An item is found through its GSI: the keys really are as declared.
	_, err = client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(name), Item: map[string]types.AttributeValue{
		"PK": &types.AttributeValueMemberS{Value: "G#1"}, "SK": &types.AttributeValueMemberS{Value: "META"},
		"GSI2PK": &types.AttributeValueMemberS{Value: "U#alice"}, "GSI2SK": &types.AttributeValueMemberS{Value: "G#1"},
	}})
	require.NoError(t, err)
	q, err := client.Query(ctx, &dynamodb.QueryInput{
		TableName: aws.String(name), IndexName: aws.String("GSI2"),
		KeyConditionExpression:    aws.String("GSI2PK = :p"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": &types.AttributeValueMemberS{Value: "U#alice"}},
	})
	require.NoError(t, err)
	assert.Len(t, q.Items, 1)
}

func TestNewTableDeletesTheTableWhenTheTestEnds(t *testing.T) {
	var (
		client *dynamodb.Client
		name   string
	)
	t.Run("inner", func(t *testing.T) { client, name = NewTable(t) })

	_, err := client.DescribeTable(context.Background(), &dynamodb.DescribeTableInput{TableName: aws.String(name)})
	var notFound *types.ResourceNotFoundException
	assert.ErrorAs(t, err, &notFound)
}

func TestNewTableGivesEachCallItsOwnTable(t *testing.T) {
	_, a := NewTable(t)
	_, b := NewTable(t)
	assert.NotEqual(t, a, b)
	assert.Contains(t, a, "TestNewTableGivesEachCallItsOwnTable")
}

func TestNewTableAppliesOptionFunctionsToTheReturnedClient(t *testing.T) {
	var calls int
	count := func(o *dynamodb.Options) {
		o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
			return s.Initialize.Add(middleware.InitializeMiddlewareFunc("count",
				func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
					calls++
					return next.HandleInitialize(ctx, in)
				}), middleware.After)
		})
	}
	client, name := NewTable(t, count)
	assert.Zero(t, calls, "setup does not go through the caller's middleware")
	_, err := client.DescribeTable(context.Background(), &dynamodb.DescribeTableInput{TableName: aws.String(name)})
	require.NoError(t, err)
	assert.Equal(t, 1, calls)
}

// fatalRecorder captures Fatal without ending the real test.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (r *fatalRecorder) Helper() {}
func (r *fatalRecorder) Fatalf(format string, args ...any) {
	r.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}
func (r *fatalRecorder) Fatal(args ...any) { r.Fatalf("%s", fmt.Sprint(args...)) }

func TestNewTableFailsWithoutALocalStack(t *testing.T) {
	t.Setenv("AWS_ENDPOINT_URL_DYNAMODB", "")
	rec := &fatalRecorder{TB: t}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		NewTable(rec)
		t.Error("NewTable returned without a stack")
	}()
	wg.Wait()
	assert.Contains(t, rec.msg, "no local stack: run `make test`")
}
