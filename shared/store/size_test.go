package store

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/shared/errcode"
)

// The custom items live in one record; names of up to 255 four-byte
// characters fill it long before 1000 items. Near DynamoDB's 400 KB the
// next item is refused with LIMIT_EXCEEDED, not INTERNAL, and nothing
// changes.
func TestCustomItemsNearTheItemSizeLimitAnswerLimitExceeded(t *testing.T) {
	ctx := context.Background()
	s := testStore(t)
	long := strings.Repeat("😀", 255) // 1020 bytes
	full := &CustomAuths{Items: map[string]*CustomAuth{}, Next: FirstCustomAuthKey}
	for ItemSize(marshalItem(full, map[string]string{"PK": pkApp, "SK": skCustom, "kind": kindCustom})) <= maxRecordBytes {
		k := fmt.Sprint(full.Next)
		full.Items[k] = &CustomAuth{Key: k, Name: long, DefaultRight: "allow", CreateTime: 1}
		full.Next++
	}
	_, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.table),
		Item: marshalItem(full, map[string]string{"PK": pkApp, "SK": skCustom, "kind": kindCustom})})
	require.NoError(t, err, "the record itself is still below DynamoDB's limit")
	require.Less(t, len(full.Items), MaxCustomAuths)

	read, err := s.GetCustomAuths(ctx)
	require.NoError(t, err)
	_, err = s.CreateCustomAuth(ctx, read, "one more", "deny")
	assert.Equal(t, errcode.LimitExceeded, errcode.CodeOf(err), "%v", err)
	after, err := s.GetCustomAuths(ctx)
	require.NoError(t, err)
	assert.Equal(t, len(full.Items), len(after.Items))
	assert.Equal(t, full.Next, after.Next)
}
