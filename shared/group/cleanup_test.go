package group_test

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/event"
	"github.com/circles-im/circles/shared/group"
	"github.com/circles-im/circles/shared/store"
)

// bigDismissedGroup is a group of n members (alice owns it, the rest are
// u000…) that also belongs to ex-member u000's other, live group, with two
// pending applications; then alice dismisses it.
func bigDismissedGroup(t *testing.T, n int) (*group.Service, *store.Store, []string) {
	t.Helper()
	ctx := context.Background()
	svc, st := newService(t)
	members := usersN("u", n-1)
	withProfiles(t, svc, append([]string{"alice", "joe", "jane"}, members...)...)
	_, err := svc.Create(ctx, admins.Actor("alice"), group.CreateInput{GroupID: "big", NeedVerification: 1, MemberUserIDs: members})
	require.NoError(t, err)
	_, err = svc.Create(ctx, admins.Actor(members[0]), group.CreateInput{GroupID: "live"})
	require.NoError(t, err)
	for _, u := range []string{"joe", "jane"} {
		res, err := svc.Join(ctx, admins.Actor(u), "big", group.JoinInput{ReqMsg: "let me in"})
		require.NoError(t, err)
		require.False(t, res.Joined)
	}
	g := assertInvariants(t, st, "big")
	require.EqualValues(t, n, g.MemberCount)
	require.NoError(t, svc.Dismiss(ctx, admins.Actor("alice"), "big"))
	return svc, st, members
}

// The 300-member case with maxItems 100 is store's
// TestCleanupOfA300MemberGroupWithMaxItems100; here the consumer runs on the
// event through the service.

// usersN is users with three-digit numbers, for groups above 100.
func usersN(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = prefix + string(rune('0'+i/100)) + string(rune('0'+i/10%10)) + string(rune('0'+i%10))
	}
	return out
}

func dismissedEvent(t *testing.T, st *store.Store, gid string) event.Event {
	t.Helper()
	ev := newestEvent(t, st, gid)
	require.Equal(t, event.GroupDismissed, ev.Type)
	return ev
}

func TestCleanupOfADismissedGroupRemovesItsRecordsInBoundedBatches(t *testing.T) {
	t.Parallel() // each test has its own table
	ctx := context.Background()
	svc, st, members := bigDismissedGroup(t, 60)
	dismissed, err := st.GetGroup(ctx, "big")
	require.NoError(t, err)

	calls := 0
	for done := false; !done; calls++ {
		require.Less(t, calls, 10, "cleanup must finish")
		before, err := st.AllMembers(ctx, "big")
		require.NoError(t, err)
		done, err = svc.OnGroupEvent(ctx, dismissedEvent(t, st, "big"), 25)
		require.NoError(t, err)
		after, err := st.AllMembers(ctx, "big")
		require.NoError(t, err)
		assert.LessOrEqual(t, len(before)-len(after), 25, "a call removes at most maxItems records")
		g, err := st.GetGroup(ctx, "big")
		require.NoError(t, err)
		assert.EqualValues(t, len(after), g.MemberCount, "memberCount equals the member records after every call")
		assert.Equal(t, store.StatusDismissed, g.Status)
		assert.Equal(t, dismissed.Version, g.Version, "cleanup is not a change of the group")
	}
	assert.Equal(t, 3, calls, "60 members and 2 applications: two full calls of 25, then a third removes the last 12")

	g, err := st.GetGroup(ctx, "big")
	require.NoError(t, err)
	assert.Zero(t, g.MemberCount)
	ms, err := st.AllMembers(ctx, "big")
	require.NoError(t, err)
	assert.Empty(t, ms)
	evs, err := st.ListEvents(ctx, "big", 0, 1000)
	require.NoError(t, err)
	assert.Len(t, evs, int(g.Version), "the event log stays (it expires by TTL)")
	for _, u := range []string{"joe", "jane"} {
		_, err := st.GetApplication(ctx, "big", u)
		assert.Equal(t, errcode.NotFound, errcode.CodeOf(err), "%s's application is removed", u)
		sent, err := svc.ListSentApplications(ctx, admins.Actor(u), 0, "")
		require.NoError(t, err)
		assert.Empty(t, sent.Items)
	}
	mine, err := svc.ListJoined(ctx, admins.Actor(members[0]), 0, "")
	require.NoError(t, err)
	require.Len(t, mine.Items, 1, "the ex-member's groups list only the live group")
	assert.Equal(t, "live", mine.Items[0].GroupID)
	levels, err := st.RoleLevelsOf(ctx, members[0], []string{"big", "live"})
	require.NoError(t, err)
	assert.Equal(t, map[string]int{"live": store.RoleOwner}, levels)

	done, err := svc.CleanupDismissed(ctx, "big", 25)
	require.NoError(t, err)
	assert.True(t, done, "a redelivered event finds nothing to do")
}

func TestConcurrentCleanupsOfTheSameGroupNeverMiscount(t *testing.T) {
	t.Parallel() // each test has its own table
	ctx := context.Background()
	svc, st, _ := bigDismissedGroup(t, 40)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				done, err := svc.CleanupDismissed(ctx, "big", 10)
				if !assert.NoError(t, err) || done {
					return
				}
			}
		}()
	}
	wg.Wait()
	g, err := st.GetGroup(ctx, "big")
	require.NoError(t, err)
	assert.Zero(t, g.MemberCount)
	ms, err := st.AllMembers(ctx, "big")
	require.NoError(t, err)
	assert.Empty(t, ms)
}

func TestCleanupRefusesAGroupThatIsNotDismissed(t *testing.T) {
	t.Parallel() // each test has its own table
	ctx := context.Background()
	svc, st, _ := staffedGroup(t)
	before := captureGroup(t, st, "g1")
	_, err := svc.CleanupDismissed(ctx, "g1", 100)
	assert.Equal(t, errcode.InvalidArgument, errcode.CodeOf(err))
	assert.Equal(t, before, captureGroup(t, st, "g1"))

	_, err = svc.CleanupDismissed(ctx, "nope", 100)
	assert.Equal(t, errcode.GroupNotFound, errcode.CodeOf(err))

	done, err := svc.OnGroupEvent(ctx, newestEvent(t, st, "g1"), 100)
	require.NoError(t, err)
	assert.True(t, done, "other events need no cleanup")
	assert.Equal(t, before, captureGroup(t, st, "g1"))
}

func TestCleanupOfADismissedGroupRemovesItsBansAndInviteCodes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, st := membershipGroup(t, 0)
	_, err := svc.Ban(ctx, admins.Actor("alice"), "g1", group.BanInput{UserIDs: []string{"carol", "erin"}, Reason: "spam"})
	require.NoError(t, err)
	kept, err := svc.CreateInviteCode(ctx, admins.Actor("alice"), "g1", group.CreateInviteCodeInput{MaxUses: 5})
	require.NoError(t, err)
	revoked, err := svc.CreateInviteCode(ctx, admins.Actor("alice"), "g1", group.CreateInviteCodeInput{MaxUses: 5})
	require.NoError(t, err)
	_, err = svc.RevokeInviteCode(ctx, admins.Actor("alice"), "g1", revoked.CodeID)
	require.NoError(t, err)
	bans, err := st.GetBans(ctx, "g1", []string{"carol", "erin"})
	require.NoError(t, err)
	require.Len(t, bans, 2)

	require.NoError(t, svc.Dismiss(ctx, admins.Actor("alice"), "g1"))
	for done := false; !done; {
		done, err = svc.OnGroupEvent(ctx, dismissedEvent(t, st, "g1"), 1)
		require.NoError(t, err)
	}
	bans, err = st.GetBans(ctx, "g1", []string{"carol", "erin"})
	require.NoError(t, err)
	assert.Empty(t, bans, "the bans are removed")
	for _, id := range []string{kept.CodeID, revoked.CodeID} {
		_, err := st.GetInviteCode(ctx, "g1", id)
		assert.Equal(t, errcode.NotFound, errcode.CodeOf(err), "code %s is removed", id)
	}
	codes, err := st.ListInviteCodes(ctx, "g1", 100, "")
	require.NoError(t, err)
	assert.Empty(t, codes.Items)
}
