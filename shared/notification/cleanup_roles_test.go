package notification_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/shared/channel"
	"github.com/circles-im/circles/shared/event"
	"github.com/circles-im/circles/shared/role"
)

// A RoleDeleted or ChannelDeleted event reaches the cleanup consumer, which
// finishes what the request began: here the request "crashed" right after
// its commit (the store's commit is called without the request's own
// cleanup), and the pipeline alone must remove the leftovers.
func TestTheCleanupConsumerFinishesDeletedRolesAndChannelsAfterACrashedRequest(t *testing.T) {
	t.Parallel()
	s := deploy(t, nil)
	ctx := context.Background()
	s.groupWith(t, "g1", "bob", "carl", "dana")
	alice := admins.Actor("alice")
	roles, channels := role.NewService(s.st), channel.NewService(s.st)

	name := "mods"
	r, err := roles.CreateRole(ctx, alice, "g1", role.RoleInput{Name: &name})
	require.NoError(t, err)
	res, err := roles.AddRoleMembers(ctx, alice, "g1", r.RoleID, role.RoleMembersInput{UserIDs: []string{"bob", "carl", "dana"}})
	require.NoError(t, err)
	require.Len(t, res.SuccessUserIDs, 3)
	ch, err := channels.CreateChannel(ctx, alice, "g1", channel.ChannelInput{Name: &name})
	require.NoError(t, err)
	_, err = channels.AddChannelRole(ctx, alice, "g1", ch.ChannelID, channel.ChannelRoleInput{ParentRoleID: r.RoleID})
	require.NoError(t, err)
	_, err = channels.SetChannelMemberAuths(ctx, alice, "g1", ch.ChannelID, "bob", channel.AuthsInput{Auths: map[string]string{"sendMsg": "deny"}})
	require.NoError(t, err)

	// The role's deletion commits; the request dies before its cleanup.
	g, _, err := s.st.Snapshot(ctx, "g1")
	require.NoError(t, err)
	_, err = s.st.DeleteRole(ctx, g, r.RoleID, event.New(event.RoleDeleted, "alice", event.RoleDeletedPayload{RoleID: r.RoleID}))
	require.NoError(t, err)
	eventually(t, 30*time.Second, "the deleted role's memberships, channel role and tombstone are gone", func() bool {
		g, ms, err := s.st.Snapshot(ctx, "g1", "bob", "carl", "dana")
		require.NoError(t, err)
		left, err := s.st.ListRoleMembers(ctx, "g1", r.RoleID, 100, "")
		require.NoError(t, err)
		c, err := s.st.GetChannel(ctx, "g1", ch.ChannelID)
		require.NoError(t, err)
		held := 0
		for _, m := range ms {
			held += len(m.RoleIDs)
		}
		return len(g.Roles.Deleted) == 0 && len(left.Items) == 0 && held == 0 && c.RoleAuths[r.RoleID] == nil
	})

	// The channel's deletion commits; its member override is left behind.
	g, _, err = s.st.Snapshot(ctx, "g1")
	require.NoError(t, err)
	c, err := s.st.GetChannel(ctx, "g1", ch.ChannelID)
	require.NoError(t, err)
	_, err = s.st.DeleteChannel(ctx, g, c, event.New(event.ChannelDeleted, "alice", event.ChannelDeletedPayload{ChannelID: ch.ChannelID}))
	require.NoError(t, err)
	eventually(t, 30*time.Second, "the deleted channel's member override is gone", func() bool {
		ov, err := s.st.GetMemberOverride(ctx, "g1", ch.ChannelID, "bob")
		return err == nil && ov == nil
	})
	eventually(t, 20*time.Second, "the cleanup queue is drained", func() bool { return s.queueDrained(t, "CleanupQueue") })
	assert.NotContains(t, s.out.String(), `"level":"ERROR"`, "no cleanup failed")

	// Dismissing the group removes the rest: role memberships, channels,
	// overrides and the role configuration; only the group record stays.
	name2 := "keep"
	r2, err := roles.CreateRole(ctx, alice, "g1", role.RoleInput{Name: &name2})
	require.NoError(t, err)
	_, err = roles.AddRoleMembers(ctx, alice, "g1", r2.RoleID, role.RoleMembersInput{UserIDs: []string{"bob"}})
	require.NoError(t, err)
	ch2, err := channels.CreateChannel(ctx, alice, "g1", channel.ChannelInput{Name: &name2})
	require.NoError(t, err)
	_, err = channels.SetChannelMemberAuths(ctx, alice, "g1", ch2.ChannelID, "bob", channel.AuthsInput{Auths: map[string]string{"sendMsg": "deny"}})
	require.NoError(t, err)
	require.NoError(t, s.svc.Dismiss(ctx, alice, "g1"))
	eventually(t, 30*time.Second, "only the dismissed group's record remains in its partition", func() bool {
		out, err := s.st.Client().Query(ctx, &dynamodb.QueryInput{
			TableName:                 aws.String(s.st.Table()),
			KeyConditionExpression:    aws.String("PK = :pk"),
			ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":pk": &ddbtypes.AttributeValueMemberS{Value: "G#g1"}},
			ProjectionExpression:      aws.String("SK"),
			ConsistentRead:            aws.Bool(true),
		})
		require.NoError(t, err)
		return len(out.Items) == 1 && out.Items[0]["SK"].(*ddbtypes.AttributeValueMemberS).Value == "META"
	})
}
