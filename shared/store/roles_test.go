package store_test

import (
	"context"
	"fmt"
	"sort"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/event"
	"github.com/circles-im/circles/shared/store"
)

// roleGroup is g1 (alice owner; bob, carol, dave members) with one custom
// role "r1".
func roleGroup(t *testing.T) (*store.Store, *store.Group) {
	t.Helper()
	ctx := context.Background()
	st := newStore(t)
	seedProfiles(t, st, "alice", "bob", "carol", "dave", "erin")
	g := newGroup("g1", "alice")
	_, err := st.CreateGroup(ctx, g, []*store.Member{
		member("g1", "alice", store.RoleOwner), member("g1", "bob", store.RoleMember),
		member("g1", "carol", store.RoleMember), member("g1", "dave", store.RoleMember),
	}, event.New(event.GroupCreated, "alice", nil))
	require.NoError(t, err)
	next := g.Roles.Clone()
	next.Roles["r1"] = &store.Role{RoleID: "r1", GroupID: "g1", Name: "r1", Type: store.RoleTypeCustom, Priority: 1, Auths: map[string]string{"kickMember": "allow"}}
	_, err = st.CommitRoles(ctx, g, next, event.New(event.RoleCreated, "alice", nil))
	require.NoError(t, err)
	return st, g
}

// assertRoleCounts checks invariant 6 for role rid: its memberCount, its RM
// records and the members' roleIDs agree, and they name want.
func assertRoleCounts(t *testing.T, st *store.Store, gid, rid string, want ...string) {
	t.Helper()
	ctx := context.Background()
	g, _, err := st.Snapshot(ctx, gid)
	require.NoError(t, err)
	page, err := st.ListRoleMembers(ctx, gid, rid, 1000, "")
	require.NoError(t, err)
	var rms []string
	for _, rm := range page.Items {
		rms = append(rms, rm.UserID)
	}
	ms, err := st.AllMembers(ctx, gid)
	require.NoError(t, err)
	var holders []string
	for _, m := range ms {
		for _, id := range m.RoleIDs {
			if id == rid {
				holders = append(holders, m.UserID)
			}
		}
	}
	sort.Strings(rms)
	sort.Strings(holders)
	sort.Strings(want)
	if len(want) == 0 {
		want = nil
	}
	assert.Equal(t, want, rms, "RM records")
	assert.Equal(t, want, holders, "members' roleIDs")
	if r := g.Roles.Roles[rid]; r != nil {
		assert.EqualValues(t, len(want), r.MemberCount, "role memberCount")
	}
}

func TestRoleMembersAddAndRemoveKeepCountRecordsAndRoleIDsEqual(t *testing.T) {
	ctx := context.Background()
	st, g := roleGroup(t)

	_, err := st.AddRoleMembers(ctx, g, "r1", []string{"bob", "carol"}, event.New(event.ServerRoleMemberAdd, "alice", nil, "bob", "carol"))
	require.NoError(t, err)
	assertRoleCounts(t, st, "g1", "r1", "bob", "carol")

	_, err = st.RemoveRoleMembers(ctx, g, "r1", []string{"bob"}, event.New(event.ServerRoleMemberDelete, "alice", nil, "bob"))
	require.NoError(t, err)
	assertRoleCounts(t, st, "g1", "r1", "carol")

	evs, err := st.ListEvents(ctx, "g1", 0, 100)
	require.NoError(t, err)
	require.Len(t, evs, 4, "create, role created, add, remove: one event each")
	assert.Equal(t, event.ServerRoleMemberDelete, evs[3].Type)
}

func TestRoleMembersBatchWithANonMemberFailsWholeAndNamesTheUser(t *testing.T) {
	ctx := context.Background()
	st, g := roleGroup(t)
	before := g.Version
	_, err := st.AddRoleMembers(ctx, g, "r1", []string{"bob", "erin"}, event.New(event.ServerRoleMemberAdd, "alice", nil))
	var ue *store.UserError
	require.ErrorAs(t, err, &ue)
	assert.Equal(t, "erin", ue.UserID)
	assert.Equal(t, errcode.NotInGroup, ue.Err.Code)
	assertRoleCounts(t, st, "g1", "r1")
	stored, err := st.GetGroup(ctx, "g1")
	require.NoError(t, err)
	assert.Equal(t, before, stored.Version, "nothing committed")
}

func TestRoleMembersListPagesWithCursorsOfItsOwnRole(t *testing.T) {
	ctx := context.Background()
	st, g := roleGroup(t)
	_, err := st.AddRoleMembers(ctx, g, "r1", []string{"alice", "bob", "carol", "dave"}, event.New(event.ServerRoleMemberAdd, "alice", nil))
	require.NoError(t, err)
	var got []string
	cursor := ""
	for i := 0; ; i++ {
		require.Less(t, i, 5)
		page, err := st.ListRoleMembers(ctx, "g1", "r1", 3, cursor)
		require.NoError(t, err)
		for _, rm := range page.Items {
			got = append(got, rm.UserID)
		}
		if page.NextCursor == "" {
			break
		}
		cursor = page.NextCursor
	}
	assert.Equal(t, []string{"alice", "bob", "carol", "dave"}, got)

	first, err := st.ListRoleMembers(ctx, "g1", "r1", 1, "")
	require.NoError(t, err)
	_, err = st.ListRoleMembers(ctx, "g1", "r2", 1, first.NextCursor)
	assert.Equal(t, errcode.InvalidArgument, errcode.CodeOf(err), "a cursor of another role's list is refused")
}

// putChannel writes a channel item as the channel code stores it.
func putChannel(t *testing.T, st *store.Store, ch *store.Channel) {
	t.Helper()
	item, err := attributevalue.MarshalMap(ch)
	require.NoError(t, err)
	item["PK"] = &types.AttributeValueMemberS{Value: "G#" + ch.GroupID}
	item["SK"] = &types.AttributeValueMemberS{Value: "C#" + ch.ChannelID}
	item["kind"] = &types.AttributeValueMemberS{Value: "channel"}
	_, err = st.Client().PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String(st.Table()), Item: item})
	require.NoError(t, err)
}

func getChannel(t *testing.T, st *store.Store, gid, cid string) *store.Channel {
	t.Helper()
	out, err := st.Client().GetItem(context.Background(), &dynamodb.GetItemInput{
		TableName: aws.String(st.Table()), ConsistentRead: aws.Bool(true),
		Key: map[string]types.AttributeValue{
			"PK": &types.AttributeValueMemberS{Value: "G#" + gid}, "SK": &types.AttributeValueMemberS{Value: "C#" + cid},
		},
	})
	require.NoError(t, err)
	require.NotNil(t, out.Item)
	var ch store.Channel
	require.NoError(t, attributevalue.UnmarshalMap(out.Item, &ch))
	return &ch
}

func TestRoleCleanupRemovesMembershipsChannelRolesAndTombstoneInBoundedSteps(t *testing.T) {
	ctx := context.Background()
	st, g := roleGroup(t)
	_, err := st.AddRoleMembers(ctx, g, "r1", []string{"bob", "carol", "dave"}, event.New(event.ServerRoleMemberAdd, "alice", nil))
	require.NoError(t, err)
	role := func(rid string) *store.ChannelRole {
		return &store.ChannelRole{GroupID: "g1", ChannelID: "c1", ParentRoleID: rid, Auths: map[string]string{"sendMsg": "deny"}}
	}
	putChannel(t, st, &store.Channel{GroupID: "g1", ChannelID: "c1", Name: "c1", Roles: []string{"r1", "everyone"},
		RoleAuths: map[string]*store.ChannelRole{"r1": role("r1"), "everyone": role("everyone")}, Rev: 3})
	putChannel(t, st, &store.Channel{GroupID: "g1", ChannelID: "c2", Name: "c2", Roles: []string{"r1"}, Rev: 1})
	putChannel(t, st, &store.Channel{GroupID: "g1", ChannelID: "c3", Name: "untouched", Rev: 7})

	t.Run("a live role is left alone", func(t *testing.T) {
		done, err := st.CleanupDeletedRole(ctx, "g1", "r1", 100)
		require.NoError(t, err)
		assert.True(t, done)
		assertRoleCounts(t, st, "g1", "r1", "bob", "carol", "dave")
		assert.EqualValues(t, 3, getChannel(t, st, "g1", "c1").Rev)
	})

	_, err = st.DeleteRole(ctx, g, "r1", event.New(event.RoleDeleted, "alice", nil))
	require.NoError(t, err)
	require.Contains(t, g.Roles.Deleted, "r1")

	// A budget of 2 items needs several runs; each run is safe to repeat.
	runs := 0
	for {
		runs++
		require.Less(t, runs, 10)
		done, err := st.CleanupDeletedRole(ctx, "g1", "r1", 2)
		require.NoError(t, err)
		if done {
			break
		}
	}
	assert.Greater(t, runs, 1, "the budget bounds each run")
	assertRoleCounts(t, st, "g1", "r1")

	c1 := getChannel(t, st, "g1", "c1")
	assert.NotContains(t, c1.RoleAuths, "r1")
	assert.Contains(t, c1.RoleAuths, "everyone")
	assert.Equal(t, []string{"everyone"}, c1.Roles)
	assert.EqualValues(t, 4, c1.Rev, "a cleanup write moves the channel's rev")
	c2 := getChannel(t, st, "g1", "c2")
	assert.Empty(t, c2.Roles)
	assert.EqualValues(t, 2, c2.Rev)
	assert.EqualValues(t, 7, getChannel(t, st, "g1", "c3").Rev, "a channel without the role is not written")

	after, _, err := st.Snapshot(ctx, "g1")
	require.NoError(t, err)
	assert.NotContains(t, after.Roles.Deleted, "r1", "the tombstone goes last")
	assert.Greater(t, after.Roles.Rev, g.Roles.Rev, "removing the tombstone moves the roles' rev")

	done, err := st.CleanupDeletedRole(ctx, "g1", "r1", 2)
	require.NoError(t, err)
	assert.True(t, done, "running again is harmless")
}

func TestRoleCleanupOfAMemberWhoLeftRemovesTheRecordAlone(t *testing.T) {
	ctx := context.Background()
	st, g := roleGroup(t)
	_, err := st.AddRoleMembers(ctx, g, "r1", []string{"bob", "carol"}, event.New(event.ServerRoleMemberAdd, "alice", nil))
	require.NoError(t, err)
	_, err = st.DeleteRole(ctx, g, "r1", event.New(event.RoleDeleted, "alice", nil))
	require.NoError(t, err)
	// bob's record disappears without his RM record (as if a crash had
	// separated them); the cleanup must not recreate his member record.
	_, err = st.Client().DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(st.Table()), Key: map[string]types.AttributeValue{
		"PK": &types.AttributeValueMemberS{Value: "G#g1"}, "SK": &types.AttributeValueMemberS{Value: "M#bob"},
	}})
	require.NoError(t, err)
	done, err := st.CleanupDeletedRole(ctx, "g1", "r1", 0)
	require.NoError(t, err)
	assert.True(t, done)
	page, err := st.ListRoleMembers(ctx, "g1", "r1", 10, "")
	require.NoError(t, err)
	assert.Empty(t, page.Items)
	ms, err := st.GetMembers(ctx, "g1", []string{"bob", "carol"})
	require.NoError(t, err)
	assert.NotContains(t, ms, "bob")
	assert.Empty(t, ms["carol"].RoleIDs)
}

func TestCustomAuthsGetConsecutiveKeysAndALostRaceRetries(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	read, err := st.GetCustomAuths(ctx)
	require.NoError(t, err)
	assert.EqualValues(t, store.FirstCustomAuthKey, read.Next)

	a, err := st.CreateCustomAuth(ctx, read, "pin", "allow")
	require.NoError(t, err)
	assert.Equal(t, "10000", a.Key)
	_, err = st.CreateCustomAuth(ctx, read, "stale", "deny")
	assert.True(t, store.IsRetryable(err), "a creation on a stale read loses: %v", err)

	read, err = st.GetCustomAuths(ctx)
	require.NoError(t, err)
	b, err := st.CreateCustomAuth(ctx, read, "react", "deny")
	require.NoError(t, err)
	assert.Equal(t, "10001", b.Key)

	all, err := st.GetCustomAuths(ctx)
	require.NoError(t, err)
	require.Len(t, all.Items, 2)
	assert.Equal(t, "allow", all.Items["10000"].DefaultRight)
	assert.Equal(t, fmt.Sprint(10002), fmt.Sprint(all.Next))
}

func TestRoleCommitOnAStaleReadLosesAndWritesNothing(t *testing.T) {
	ctx := context.Background()
	st, g := roleGroup(t)
	stale, _, err := st.Snapshot(ctx, "g1")
	require.NoError(t, err)

	next := g.Roles.Clone()
	next.Roles["r1"].Name = "first"
	_, err = st.CommitRoles(ctx, g, next, event.New(event.RoleUpdated, "alice", nil))
	require.NoError(t, err)

	late := stale.Roles.Clone()
	late.Roles["r1"].Name = "second"
	_, err = st.CommitRoles(ctx, stale, late, event.New(event.RoleUpdated, "alice", nil))
	assert.True(t, store.IsRetryable(err), "a change decided on a stale read is retried: %v", err)

	now, _, err := st.Snapshot(ctx, "g1")
	require.NoError(t, err)
	assert.Equal(t, "first", now.Roles.Roles["r1"].Name)
	assert.Equal(t, g.Version, now.Version)
	assert.Equal(t, g.Roles.Rev, now.Roles.Rev)
}
