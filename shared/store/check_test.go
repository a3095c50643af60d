package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/event"
	"github.com/circles-im/circles/shared/store"
)

func checkGroup(t *testing.T, st *store.Store, gid string) {
	t.Helper()
	seedProfiles(t, st, "alice", "bob", "carol")
	_, err := st.CreateGroup(context.Background(), newGroup(gid, "alice"), []*store.Member{
		member(gid, "alice", store.RoleOwner), member(gid, "bob", store.RoleAdmin), member(gid, "carol", store.RoleMember),
	}, event.New(event.GroupCreated, "alice", nil))
	require.NoError(t, err)
}

func corruptItem(t *testing.T, st *store.Store, pk, sk, update string, values map[string]types.AttributeValue, names ...string) {
	t.Helper()
	var nm map[string]string
	for _, n := range names {
		if nm == nil {
			nm = map[string]string{}
		}
		nm["#"+n[:1]] = n
	}
	_, err := st.Client().UpdateItem(context.Background(), &dynamodb.UpdateItemInput{
		TableName: aws.String(st.Table()),
		Key: map[string]types.AttributeValue{
			"PK": &types.AttributeValueMemberS{Value: pk}, "SK": &types.AttributeValueMemberS{Value: sk},
		},
		UpdateExpression: aws.String(update), ExpressionAttributeValues: values, ExpressionAttributeNames: nm,
	})
	require.NoError(t, err)
}

func TestReadGroupStateReadsRecordsIndexKeysAndEventVersions(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	checkGroup(t, st, "g1")
	corruptItem(t, st, "G#g1", "M#carol", "SET GSI1SK = :k", map[string]types.AttributeValue{":k": &types.AttributeValueMemberS{Value: "bogus"}})

	gs, err := st.ReadGroupState(ctx, "g1")
	require.NoError(t, err)
	assert.EqualValues(t, 1, gs.Group.Version)
	require.Len(t, gs.Members, 3)
	ok := map[string]bool{}
	for _, m := range gs.Members {
		ok[m.UserID] = m.KeysOK()
	}
	assert.Equal(t, map[string]bool{"alice": true, "bob": true, "carol": false}, ok)
	require.Len(t, gs.Events, 1)
	assert.EqualValues(t, 1, gs.Events[0].Version)
	assert.EqualValues(t, 1, gs.Events[0].KeyVersion())
	assert.NotZero(t, gs.Events[0].ExpiresAt)

	_, err = st.ReadGroupState(ctx, "nope")
	assert.Equal(t, errcode.GroupNotFound, errcode.CodeOf(err))
}

func TestRepairGroupCommitsRecordsAndEventAsOneChange(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	checkGroup(t, st, "g1")
	corruptItem(t, st, "G#g1", "M#alice", "SET roleLevel = :l", map[string]types.AttributeValue{":l": &types.AttributeValueMemberN{Value: "20"}})
	gs, err := st.ReadGroupState(ctx, "g1")
	require.NoError(t, err)
	byID := map[string]*store.MemberRecord{}
	for _, m := range gs.Members {
		byID[m.UserID] = m
	}
	n := int64(3)

	t.Run("a stale version is refused as retryable and changes nothing", func(t *testing.T) {
		stale := *gs.Group
		stale.Version = 0
		_, err := st.RepairGroup(ctx, &stale, store.Repair{OwnerUserID: "bob", Members: []store.MemberFix{{Read: byID["bob"], RoleLevel: store.RoleOwner}}},
			event.New(event.GroupRepaired, "admin", nil))
		assert.True(t, store.IsRetryable(err), "%v", err)
		ms, err := st.GetMembers(ctx, "g1", []string{"bob"})
		require.NoError(t, err)
		assert.Equal(t, store.RoleAdmin, ms["bob"].RoleLevel)
	})

	t.Run("a member record changed since the read is refused as retryable", func(t *testing.T) {
		moved := *byID["bob"]
		moved.RoleLevel = store.RoleMember // not what the table holds
		g := *gs.Group
		_, err := st.RepairGroup(ctx, &g, store.Repair{OwnerUserID: "bob", Members: []store.MemberFix{{Read: &moved, RoleLevel: store.RoleOwner}}},
			event.New(event.GroupRepaired, "admin", nil))
		assert.True(t, store.IsRetryable(err), "%v", err)
		got, err := st.GetGroup(ctx, "g1")
		require.NoError(t, err)
		assert.EqualValues(t, 1, got.Version)
		assert.Equal(t, "alice", got.OwnerUserID)
	})

	t.Run("the repair bumps the version and writes its event", func(t *testing.T) {
		g := *gs.Group
		ev, err := st.RepairGroup(ctx, &g, store.Repair{OwnerUserID: "bob", MemberCount: &n, Members: []store.MemberFix{
			{Read: byID["bob"], RoleLevel: store.RoleOwner},
			{Read: byID["alice"], RoleLevel: store.RoleMember}, // re-index at the level read
		}}, event.New(event.GroupRepaired, "admin", event.GroupRepairedPayload{Promoted: "bob"}))
		require.NoError(t, err)
		assert.EqualValues(t, 2, ev.Version)
		got, err := st.GetGroup(ctx, "g1")
		require.NoError(t, err)
		assert.EqualValues(t, 2, got.Version)
		assert.Equal(t, "bob", got.OwnerUserID)
		after, err := st.ReadGroupState(ctx, "g1")
		require.NoError(t, err)
		for _, m := range after.Members {
			assert.True(t, m.KeysOK(), "%s keeps consistent index keys", m.UserID)
		}
		evs, err := st.ListEvents(ctx, "g1", 1, 10)
		require.NoError(t, err)
		require.Len(t, evs, 1)
		assert.Equal(t, event.GroupRepaired, evs[0].Type)
	})

	t.Run("a dismissed group cannot be repaired", func(t *testing.T) {
		corruptItem(t, st, "G#g1", "META", "SET #s = :d", map[string]types.AttributeValue{":d": &types.AttributeValueMemberN{Value: "2"}}, "status")
		gs, err := st.ReadGroupState(ctx, "g1")
		require.NoError(t, err)
		_, err = st.RepairGroup(ctx, gs.Group, store.Repair{MemberCount: &n}, event.New(event.GroupRepaired, "admin", nil))
		assert.Equal(t, errcode.GroupDismissed, errcode.CodeOf(err))
	})
}

func TestScanGroupsVisitsEveryGroupOnceAcrossPages(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	seedProfiles(t, st, "alice")
	var want []string
	for i := range 7 {
		gid := fmt.Sprintf("g%d", i)
		want = append(want, gid)
		_, err := st.CreateGroup(ctx, newGroup(gid, "alice"), []*store.Member{member(gid, "alice", store.RoleOwner)}, event.New(event.GroupCreated, "alice", nil))
		require.NoError(t, err)
	}
	var got []string
	pages := 0
	require.NoError(t, st.ScanGroups(ctx, 3, func(ids []string) (bool, error) {
		pages++
		got = append(got, ids...)
		return true, nil
	}))
	slices.Sort(got)
	assert.Equal(t, want, got, "groups only (no members, events or profiles), each once")
	assert.Greater(t, pages, 3, "pages of at most 3 items each")

	got = nil
	require.NoError(t, st.ScanGroups(ctx, 3, func(ids []string) (bool, error) {
		got = append(got, ids...)
		return false, nil
	}))
	assert.LessOrEqual(t, len(got), 3, "the caller stops the scan")
}
