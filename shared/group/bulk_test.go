package group_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/shared/group"
	"github.com/circles-im/circles/shared/store"
)

// joinedLog is a user's joined-log entries as stored, without their key's
// user.
func joinedLog(t *testing.T, st *store.Store, user string) []map[string]types.AttributeValue {
	t.Helper()
	out, err := st.Client().Query(context.Background(), &dynamodb.QueryInput{
		TableName: aws.String(st.Table()), KeyConditionExpression: aws.String("PK = :pk"), ConsistentRead: aws.Bool(true),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: "U#" + user + "#J"}},
	})
	require.NoError(t, err)
	for _, it := range out.Items {
		delete(it, "PK")
	}
	return out.Items
}

// A bulk-loaded member gets the joined-log entry an invite writes: at the
// same time and version, the same item but for its user; so the user's
// group changes show the group.
func TestBulkLoadedMembersGetTheJoinedLogEntryAnInviteWrites(t *testing.T) {
	t.Parallel() // each test has its own table
	ctx := context.Background()
	svc, st, clock := clockedService(t, "alice", "bob", "zoe")
	_, err := svc.Create(ctx, admins.Actor("alice"), group.CreateInput{GroupID: "g1"})
	require.NoError(t, err)
	first, err := svc.JoinedChanges(ctx, admins.Actor("zoe"), "")
	require.NoError(t, err)

	_, err = svc.Invite(ctx, admins.Actor("alice"), "g1", group.InviteInput{UserIDs: []string{"bob"}})
	require.NoError(t, err)
	require.NoError(t, st.BulkLoadMembers(ctx, "g1", []*store.Member{
		{UserID: "zoe", RoleLevel: store.RoleMember, JoinTime: clock.UnixMilli(), JoinSource: store.JoinByAdmin},
	}))

	invited := joinedLog(t, st, "bob")
	require.Len(t, invited, 1)
	assert.Equal(t, invited, joinedLog(t, st, "zoe"))
	res, err := svc.JoinedChanges(ctx, admins.Actor("zoe"), first.Token)
	require.NoError(t, err)
	assert.Equal(t, []store.JoinedChange{{GroupID: "g1", Joined: true, At: clock.UnixMilli()}}, res.Changes)
}
