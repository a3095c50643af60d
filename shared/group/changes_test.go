package group_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/event"
	"github.com/circles-im/circles/shared/group"
)

func versionsOf(evs []event.Event) []int64 {
	out := make([]int64, len(evs))
	for i, ev := range evs {
		out[i] = ev.Version
	}
	return out
}

// changedGroup is staffedGroup's g1 after five renames: versions 1..6.
func changedGroup(t *testing.T) (*group.Service, func(version int64)) {
	t.Helper()
	ctx := context.Background()
	svc, st, _ := staffedGroup(t)
	for i := range 5 {
		_, err := svc.SetInfo(ctx, admins.Actor("alice"), "g1", group.SetInfoInput{GroupName: ptr(fmt.Sprint("name ", i))}, "")
		require.NoError(t, err)
	}
	// expire deletes an event as its TTL would; the key is the event's
	// (outbox: PK G#<gid>#E, SK V#<12-digit version>).
	expire := func(version int64) {
		_, err := st.Client().DeleteItem(ctx, &dynamodb.DeleteItemInput{
			TableName: aws.String(st.Table()),
			Key: map[string]types.AttributeValue{
				"PK": &types.AttributeValueMemberS{Value: "G#g1#E"},
				"SK": &types.AttributeValueMemberS{Value: fmt.Sprintf("V#%012d", version)},
			},
			ConditionExpression: aws.String("attribute_exists(PK)"),
		})
		require.NoError(t, err)
	}
	return svc, expire
}

func TestGetGroupChangesReturnsTheEventsAfterAVersionInOrder(t *testing.T) {
	t.Parallel() // each test has its own table
	ctx := context.Background()
	svc, _ := changedGroup(t)
	cases := []struct {
		name  string
		actor string
		since int64
		limit int
		want  []int64
		full  bool
	}{
		{"from the start", "carol", 0, 0, []int64{1, 2, 3, 4, 5, 6}, false},
		{"after version 2", "bob", 2, 0, []int64{3, 4, 5, 6}, false},
		{"a limited page", "alice", 1, 2, []int64{2, 3}, false},
		{"up to date", "dave", 6, 0, []int64{}, false},
		{"ahead of the group", "carol", 7, 0, []int64{}, true},
		{"an app admin", "admin", 4, 0, []int64{5, 6}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := svc.Changes(ctx, admins.Actor(c.actor), "g1", c.since, c.limit)
			require.NoError(t, err)
			assert.EqualValues(t, 6, got.Version)
			assert.Equal(t, c.full, got.Full)
			assert.Equal(t, c.want, versionsOf(got.Items))
			if len(got.Items) > 0 {
				assert.Equal(t, "g1", got.Items[0].GroupID)
			}
		})
	}
	for _, c := range []struct {
		name, actor string
		since       int64
		limit       int
		code        errcode.Code
	}{
		{"non-member", "erin", 0, 0, errcode.NotInGroup},
		{"negative sinceVersion", "carol", -1, 0, errcode.InvalidArgument},
		{"limit above 1000", "carol", 0, 1001, errcode.InvalidArgument},
		{"negative limit", "carol", 0, -5, errcode.InvalidArgument},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := svc.Changes(ctx, admins.Actor(c.actor), "g1", c.since, c.limit)
			assert.Equal(t, c.code, errcode.CodeOf(err))
		})
	}
	_, err := svc.Changes(ctx, admins.Actor("carol"), "nope", 0, 0)
	assert.Equal(t, errcode.GroupNotFound, errcode.CodeOf(err))
}

func TestGetGroupChangesAnswersFullWhenTheLogNoLongerCoversTheVersion(t *testing.T) {
	t.Parallel() // each test has its own table
	ctx := context.Background()
	svc, expire := changedGroup(t)
	expire(1)
	expire(2)
	expire(4) // TTL deletes in no particular order: a gap

	for _, c := range []struct {
		since int64
		full  bool
		want  []int64
	}{
		{0, true, []int64{}},
		{1, true, []int64{}},
		{2, true, []int64{}}, // 3 is there, but 4 is not
		{3, true, []int64{}},
		{4, false, []int64{5, 6}},
		{5, false, []int64{6}},
	} {
		t.Run(fmt.Sprint("since ", c.since), func(t *testing.T) {
			got, err := svc.Changes(ctx, admins.Actor("carol"), "g1", c.since, 0)
			require.NoError(t, err)
			assert.EqualValues(t, 6, got.Version)
			assert.Equal(t, c.full, got.Full)
			assert.Equal(t, c.want, versionsOf(got.Items))
		})
	}
}

// Under lookMemberInfo 1, frank (an ordinary member) cannot read dave's ex,
// mute or join details through GetGroupMembersInfo, and so not through the
// change log either; dave reads his own, admins read all.
func TestGetGroupChangesHidesMemberFieldsThatLookMemberInfoHides(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, st, _ := staffedGroup(t)
	withProfiles(t, svc, "frank", "gina")
	_, err := svc.Invite(ctx, admins.Actor("alice"), "g1", group.InviteInput{UserIDs: []string{"frank"}})
	require.NoError(t, err)
	_, err = svc.SetInfo(ctx, admins.Actor("alice"), "g1", group.SetInfoInput{LookMemberInfo: ptr(1), NeedVerification: ptr(2)}, "")
	require.NoError(t, err)
	g, err := st.GetGroup(ctx, "g1")
	require.NoError(t, err)
	since := g.Version

	_, err = svc.SetMemberInfo(ctx, admins.Actor("dave"), "g1", "dave", group.SetMemberInfoInput{Nickname: ptr("Dave"), Ex: ptr("dave's secret")})
	require.NoError(t, err)
	_, err = svc.MuteMember(ctx, admins.Actor("alice"), "g1", "dave", group.MuteMemberInput{MutedSeconds: 3600})
	require.NoError(t, err)
	_, err = svc.Join(ctx, admins.Actor("gina"), "g1", group.JoinInput{JoinSource: 3})
	require.NoError(t, err)

	info, err := svc.MembersInfo(ctx, admins.Actor("frank"), "g1", []string{"dave"})
	require.NoError(t, err)
	require.Len(t, info.Items, 1)
	assert.Empty(t, info.Items[0].Ex, "the read the change log mirrors hides ex")
	assert.Zero(t, info.Items[0].MuteEndTime, "and muteEndTime")

	payloads := func(actor string) map[event.Type]map[string]any {
		ch, err := svc.Changes(ctx, admins.Actor(actor), "g1", since, 0)
		require.NoError(t, err)
		require.Len(t, ch.Items, 3)
		out := map[event.Type]map[string]any{}
		for _, ev := range ch.Items {
			out[ev.Type] = ev.Payload
		}
		return out
	}
	frank := payloads("frank")
	assert.Equal(t, map[string]any{"userID": "dave", "nickname": "Dave"}, frank[event.GroupMemberInfoSet])
	assert.Equal(t, map[string]any{"userID": "dave"}, frank[event.GroupMemberMuted])
	assert.Equal(t, map[string]any{"userID": "gina"}, frank[event.MemberEnter])

	for _, reader := range []string{"dave", "bob", "admin"} {
		full := payloads(reader)
		assert.Equal(t, "dave's secret", full[event.GroupMemberInfoSet]["ex"], reader)
		assert.Contains(t, full[event.GroupMemberMuted], "muteEndTime", reader)
	}
	assert.Contains(t, payloads("bob")[event.MemberEnter], "joinSource")
	assert.Contains(t, payloads("gina")[event.MemberEnter], "joinSource", "gina reads her own")
}
