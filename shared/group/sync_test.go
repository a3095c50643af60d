package group_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/group"
	"github.com/circles-im/circles/shared/store"
)

// sinceAll asks GroupsChanges for groupIDs, each at version since.
func sinceAll(since int64, groupIDs ...string) group.GroupsChangesInput {
	in := group.GroupsChangesInput{}
	for _, id := range groupIDs {
		in.Groups = append(in.Groups, group.GroupSince{GroupID: id, SinceVersion: since})
	}
	return in
}

// 100 groups of which 3 moved: one BatchGetItem of the group records, one
// of the caller's member records in the three, and a Query each; the 97
// others cost nothing more. With nothing moved, the first call is all.
func TestGroupsChangesOfAHundredGroupsReadsOnlyTheThreeThatMoved(t *testing.T) {
	t.Parallel() // each test has its own table
	ctx := context.Background()
	svc, st := newService(t)
	withProfiles(t, svc, "u")
	ids := users("s", 100)
	moved := []string{ids[7], ids[42], ids[99]}
	var still []string
	for _, id := range ids {
		if slices.Contains(moved, id) {
			_, err := svc.Create(ctx, admins.Actor("u"), group.CreateInput{GroupID: id, GroupName: id})
			require.NoError(t, err)
		} else {
			still = append(still, id)
		}
	}
	// The 97 that never move are read as group records only: seed just
	// those, in a few BatchWriteItem calls instead of 97 creations.
	putGroupRecords(t, st, "u", still...)

	mctx, meter := store.WithMeter(ctx)
	res, err := svc.GroupsChanges(mctx, admins.Actor("u"), sinceAll(1, ids...))
	require.NoError(t, err)
	assert.Empty(t, res.Groups, "nothing moved")
	assert.Equal(t, map[string]int{"BatchGetItem": 1}, meter.CallsByOperation())

	for _, id := range moved {
		_, err := svc.SetInfo(ctx, admins.Actor("u"), id, group.SetInfoInput{GroupName: ptr("renamed")}, "")
		require.NoError(t, err)
	}
	mctx, meter = store.WithMeter(ctx)
	res, err = svc.GroupsChanges(mctx, admins.Actor("u"), sinceAll(1, ids...))
	require.NoError(t, err)
	assert.Equal(t, map[string]int{"BatchGetItem": 2, "Query": 3}, meter.CallsByOperation())
	var got []string
	for _, g := range res.Groups {
		got = append(got, g.GroupID)
		assert.False(t, g.Full, g.GroupID)
		assert.EqualValues(t, 2, g.Version, g.GroupID)
		assert.Equal(t, []int64{2}, versionsOf(g.Items), g.GroupID)
	}
	assert.Equal(t, moved, got, "the groups that moved, in the order asked")
}

// A member whose version the retained log no longer reaches, or who is
// ahead of the group, gets full=true; a group the caller may not read is
// left out exactly as one that does not exist; bad requests are refused
// whole.
func TestGroupsChangesAnswersFullWhenTheLogNoLongerReachesBackAndLeaksNothing(t *testing.T) {
	t.Parallel() // each test has its own table
	ctx := context.Background()
	svc, expire := changedGroup(t) // g1 at version 6
	expire(2)
	withProfiles(t, svc, "x")

	res, err := svc.GroupsChanges(ctx, admins.Actor("carol"), group.GroupsChangesInput{Groups: []group.GroupSince{
		{GroupID: "g1", SinceVersion: 1}, {GroupID: "nope", SinceVersion: 1},
	}})
	require.NoError(t, err)
	require.Len(t, res.Groups, 1)
	assert.True(t, res.Groups[0].Full, "version 2 has expired")
	assert.Empty(t, res.Groups[0].Items)

	res, err = svc.GroupsChanges(ctx, admins.Actor("carol"), sinceAll(math.MaxInt64, "g1"))
	require.NoError(t, err)
	require.Len(t, res.Groups, 1)
	assert.True(t, res.Groups[0].Full, "ahead of the group")

	res, err = svc.GroupsChanges(ctx, admins.Actor("carol"), sinceAll(3, "g1"))
	require.NoError(t, err)
	require.Len(t, res.Groups, 1)
	assert.Equal(t, []int64{4, 5, 6}, versionsOf(res.Groups[0].Items))

	// x is no member: g1 answers as "nope" does, whatever the version.
	for _, since := range []int64{0, 1, 5, 6, 7} {
		res, err := svc.GroupsChanges(ctx, admins.Actor("x"), sinceAll(since, "g1", "nope"))
		require.NoError(t, err)
		assert.Empty(t, res.Groups, "since %d", since)
	}

	many := users("g", group.MaxGroupsChanges+1)
	bad := map[string]group.GroupsChangesInput{
		"no groups":           {},
		"101 groups":          sinceAll(0, many...),
		"a duplicate groupID": sinceAll(0, "g1", "g1"),
		"a malformed groupID": sinceAll(0, "g#1"),
		"an empty groupID":    sinceAll(0, ""),
		"a negative version":  {Groups: []group.GroupSince{{GroupID: "g1", SinceVersion: -1}}},
	}
	for name, in := range bad {
		_, err := svc.GroupsChanges(ctx, admins.Actor("carol"), in)
		assert.Equal(t, errcode.InvalidArgument, errcode.CodeOf(err), "%s: %v", name, err)
	}
}

// putGroupRecords writes the records of groups at version 1 owned by
// owner, as CreateGroup would, without their member records: seeding for a
// test that reads nothing else of them.
func putGroupRecords(t *testing.T, st *store.Store, owner string, ids ...string) {
	t.Helper()
	var reqs []types.WriteRequest
	for _, id := range ids {
		item, err := attributevalue.MarshalMap(store.Group{GroupID: id, GroupName: id, OwnerUserID: owner, CreatorUserID: owner, MemberCount: 1, Version: 1})
		require.NoError(t, err)
		item["PK"] = &types.AttributeValueMemberS{Value: "G#" + id}
		item["SK"] = &types.AttributeValueMemberS{Value: "META"}
		item["kind"] = &types.AttributeValueMemberS{Value: "group"}
		reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: item}})
	}
	for chunk := range slices.Chunk(reqs, 25) {
		out, err := st.Client().BatchWriteItem(context.Background(), &dynamodb.BatchWriteItemInput{
			RequestItems: map[string][]types.WriteRequest{st.Table(): chunk},
		})
		require.NoError(t, err)
		require.Empty(t, out.UnprocessedItems)
	}
}

// replay applies a JoinedGroupChanges answer to the client's list.
func replay(list map[string]bool, res *store.JoinedChanges) {
	for _, c := range res.Changes {
		if c.Joined {
			list[c.GroupID] = true
		} else {
			delete(list, c.GroupID)
		}
	}
}

// joinedIDs is the caller's current group list, as GetJoinedGroupList pages it.
func joinedIDs(t *testing.T, svc *group.Service, user string) []string {
	t.Helper()
	page, err := svc.ListJoined(context.Background(), admins.Actor(user), store.MaxLimit, "")
	require.NoError(t, err)
	var ids []string
	for _, g := range page.Items {
		ids = append(ids, g.GroupID)
	}
	slices.Sort(ids)
	return ids
}

// clockedService is newService on a clock the test moves, with profiles for
// ids.
func clockedService(t *testing.T, ids ...string) (*group.Service, *store.Store, *time.Time) {
	t.Helper()
	svc, st := newService(t)
	clock := time.Now()
	st.Now = func() time.Time { return clock }
	withProfiles(t, svc, ids...)
	return svc, st, &clock
}

// After joins (create, invite, a join anyone may make), kicks, quits and a
// dismissal interleaved with tokens, replaying the answers in order
// reconstructs exactly the caller's current group list, each answer with
// one Query.
func TestReplayingJoinedGroupChangesReconstructsTheGroupList(t *testing.T) {
	t.Parallel() // each test has its own table
	ctx := context.Background()
	svc, st, clock := clockedService(t, "alice", "bob", "zoe")

	first, err := svc.JoinedChanges(ctx, admins.Actor("zoe"), "")
	require.NoError(t, err)
	assert.True(t, first.Full, "no token: reload the list")
	assert.Equal(t, "/users/me/groups", first.FullListPath)
	list := map[string]bool{}
	token := first.Token

	steps := []func(){
		func() {
			_, err := svc.Create(ctx, admins.Actor("alice"), group.CreateInput{GroupID: "g1", MemberUserIDs: []string{"zoe"}})
			require.NoError(t, err)
			_, err = svc.Create(ctx, admins.Actor("bob"), group.CreateInput{GroupID: "g2"})
			require.NoError(t, err)
			_, err = svc.Invite(ctx, admins.Actor("bob"), "g2", group.InviteInput{UserIDs: []string{"zoe"}})
			require.NoError(t, err)
		},
		func() {
			_, err := svc.Kick(ctx, admins.Actor("alice"), "g1", group.KickInput{UserIDs: []string{"zoe"}})
			require.NoError(t, err)
			_, err = svc.Create(ctx, admins.Actor("zoe"), group.CreateInput{GroupID: "g3"})
			require.NoError(t, err)
		},
		func() {
			require.NoError(t, svc.Quit(ctx, admins.Actor("zoe"), "g2", group.QuitInput{}))
			_, err := svc.Invite(ctx, admins.Actor("alice"), "g1", group.InviteInput{UserIDs: []string{"zoe"}})
			require.NoError(t, err)
			_, err = svc.Create(ctx, admins.Actor("bob"), group.CreateInput{GroupID: "g4", NeedVerification: 2})
			require.NoError(t, err)
			_, err = svc.Join(ctx, admins.Actor("zoe"), "g4", group.JoinInput{JoinSource: store.JoinBySearch})
			require.NoError(t, err)
		},
		func() {
			// The owner alone quits: the group is dismissed with her record.
			require.NoError(t, svc.Quit(ctx, admins.Actor("zoe"), "g3", group.QuitInput{}))
			_, err := svc.Kick(ctx, admins.Actor("bob"), "g4", group.KickInput{UserIDs: []string{"zoe"}})
			require.NoError(t, err)
		},
		func() {
			_, err := svc.Create(ctx, admins.Actor("alice"), group.CreateInput{GroupID: "g5", MemberUserIDs: []string{"zoe"}})
			require.NoError(t, err)
		},
		func() {
			// A dismissed group's members leave with its cleanup.
			require.NoError(t, svc.Dismiss(ctx, admins.Actor("alice"), "g5"))
			done, err := st.CleanupDismissed(ctx, "g5", 100)
			require.NoError(t, err)
			require.True(t, done)
		},
		func() {}, // nothing new: the answer repeats the window, harmlessly
	}
	for i, step := range steps {
		step()
		*clock = clock.Add(time.Minute)
		mctx, meter := store.WithMeter(ctx)
		res, err := svc.JoinedChanges(mctx, admins.Actor("zoe"), token)
		require.NoError(t, err)
		assert.Equal(t, map[string]int{"Query": 1}, meter.CallsByOperation(), "step %d", i)
		assert.False(t, res.Full)
		replay(list, res)
		token = res.Token
		assert.Equal(t, joinedIDs(t, svc, "zoe"), slices.Sorted(func(yield func(string) bool) {
			for id := range list {
				if !yield(id) {
					return
				}
			}
		}), "after step %d", i)
	}
	assert.Equal(t, []string{"g1"}, joinedIDs(t, svc, "zoe"))
}

// A token is the caller's own and as given: another user's, an altered,
// an oversized or a made-up one is INVALID_ARGUMENT; one older than the
// log's retention answers full=true.
func TestJoinedGroupChangesRefusesTokensThatAreNotTheCallersOwn(t *testing.T) {
	t.Parallel() // each test has its own table
	ctx := context.Background()
	svc, st, clock := clockedService(t, "alice", "bob")
	res, err := svc.JoinedChanges(ctx, admins.Actor("alice"), "")
	require.NoError(t, err)
	token := res.Token
	ok, err := svc.JoinedChanges(ctx, admins.Actor("alice"), token)
	require.NoError(t, err)
	assert.False(t, ok.Full)

	raw, err := base64.RawURLEncoding.DecodeString(token)
	require.NoError(t, err)
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	future := fmt.Sprint(clock.Add(time.Hour).UnixMilli())
	bad := map[string]string{
		"another user's":     token,
		"altered":            enc(strings.Replace(string(raw), `"alice"`, `"bob"`, 1)),
		"oversized":          strings.Repeat("A", 513),
		"not base64":         "!!!",
		"not JSON":           enc("alice"),
		"an extra field":     enc(`{"p":"1","u":"alice","x":"1"}`),
		"a negative place":   enc(`{"p":"-1","u":"alice"}`),
		"a place ahead":      enc(`{"p":"` + future + `","u":"alice"}`),
		"a padded number":    enc(`{"p":"01","u":"alice"}`),
		"a place not number": enc(`{"p":"x","u":"alice"}`),
	}
	for name, tok := range bad {
		caller := "alice"
		if name == "another user's" {
			caller = "bob"
		}
		_, err := svc.JoinedChanges(ctx, admins.Actor(caller), tok)
		assert.Equal(t, errcode.InvalidArgument, errcode.CodeOf(err), "%s: %v", name, err)
	}

	*clock = clock.Add(st.EventRetention + time.Hour)
	old, err := svc.JoinedChanges(ctx, admins.Actor("alice"), token)
	require.NoError(t, err)
	assert.True(t, old.Full, "older than the log")
	assert.NotEqual(t, token, old.Token)
}
