package group_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/event"
	"github.com/circles-im/circles/shared/group"
	"github.com/circles-im/circles/shared/store"
)

// checkClean asserts that the consistency checker finds nothing wrong with
// the group: invariants 1–8 and the pending-application count.
func checkClean(t *testing.T, svc *group.Service, gid string) {
	t.Helper()
	rep, err := svc.Check(context.Background(), checker, gid, group.CheckInput{})
	require.NoError(t, err)
	assert.Empty(t, rep.Violations)
}

func TestABannedUserIsRefusedByEveryEntryPathUntilUnbannedOrExpired(t *testing.T) {
	t.Parallel() // each test has its own table
	ctx := context.Background()
	svc, st := membershipGroup(t, 0)
	alice, erin, dave := admins.Actor("alice"), admins.Actor("erin"), admins.Actor("dave")
	// erin's application predates her ban: accepting it later must not admit her.
	_, err := svc.Join(ctx, erin, "g1", group.JoinInput{ReqMsg: "old"})
	require.NoError(t, err)
	code, err := svc.CreateInviteCode(ctx, alice, "g1", group.CreateInviteCodeInput{MaxUses: 10})
	require.NoError(t, err)
	res, err := svc.Ban(ctx, alice, "g1", group.BanInput{UserIDs: []string{"erin", "dave"}, Reason: "spam"})
	require.NoError(t, err)
	assert.Equal(t, []string{"erin", "dave"}, res.Banned)
	ev := lastEvent(t, st, "g1")
	assert.Equal(t, event.BanMembers, ev.Type)
	assert.ElementsMatch(t, []string{"erin", "dave", "bob"}, reached(t, st, &ev), "the users banned and the other holders of banMember")

	banned := func(t *testing.T, err error) {
		t.Helper()
		require.Error(t, err)
		assert.Equal(t, errcode.Banned, errcode.CodeOf(err), "%v", err)
		assert.Equal(t, 1207, errcode.CodeOf(err).ErrCode())
	}
	entries := []struct {
		name string
		try  func() error
	}{
		{"apply (needVerification 0)", func() error {
			_, err := svc.Join(ctx, dave, "g1", group.JoinInput{})
			return err
		}},
		{"accept an old application", func() error {
			_, err := svc.RespondApplication(ctx, alice, "g1", "erin", group.ApplicationResponseInput{HandleResult: store.ApplicationAgreed})
			return err
		}},
		{"invite", func() error {
			r, err := svc.Invite(ctx, alice, "g1", group.InviteInput{UserIDs: []string{"erin"}})
			if err == nil && len(r.Failed) == 1 {
				return errcode.New(r.Failed[0].Code, "%s", r.Failed[0].Message)
			}
			return fmt.Errorf("invite answered %+v, %v", r, err)
		}},
		{"invite code", func() error {
			_, err := svc.JoinByInviteCode(ctx, erin, "g1", group.JoinByInviteCodeInput{Code: code.Code})
			return err
		}},
	}
	for _, e := range entries {
		t.Run(e.name, func(t *testing.T) {
			before := readGroupItems(t, st, "g1")
			banned(t, e.try())
			assert.Equal(t, before, readGroupItems(t, st, "g1"), "a refused entry changes nothing")
		})
	}
	t.Run("join directly (needVerification 2)", func(t *testing.T) {
		nv := 2
		_, err := svc.SetInfo(ctx, alice, "g1", group.SetInfoInput{NeedVerification: &nv}, "")
		require.NoError(t, err)
		before := readGroupItems(t, st, "g1")
		_, err = svc.Join(ctx, dave, "g1", group.JoinInput{})
		banned(t, err)
		assert.Equal(t, before, readGroupItems(t, st, "g1"))
	})
	t.Run("rejecting the old application still works", func(t *testing.T) {
		_, err := svc.RespondApplication(ctx, alice, "g1", "erin", group.ApplicationResponseInput{HandleResult: store.ApplicationRefused})
		require.NoError(t, err)
	})
	t.Run("after an unban the user joins again", func(t *testing.T) {
		un, err := svc.Unban(ctx, alice, "g1", group.UnbanInput{UserIDs: []string{"erin"}})
		require.NoError(t, err)
		assert.Equal(t, []string{"erin"}, un.Unbanned)
		assert.Equal(t, event.UnbanMembers, lastEvent(t, st, "g1").Type)
		out, err := svc.JoinByInviteCode(ctx, erin, "g1", group.JoinByInviteCodeInput{Code: code.Code})
		require.NoError(t, err)
		assert.True(t, out.Joined)
	})
	t.Run("after the ban expires the user joins again", func(t *testing.T) {
		now := time.Now()
		st.Now = func() time.Time { return now }
		_, err := svc.Ban(ctx, alice, "g1", group.BanInput{UserIDs: []string{"dave"}, ExpireTime: now.Add(time.Minute).UnixMilli()})
		require.NoError(t, err)
		_, err = svc.Join(ctx, dave, "g1", group.JoinInput{})
		banned(t, err)
		st.Now = func() time.Time { return now.Add(2 * time.Minute) }
		out, err := svc.Join(ctx, dave, "g1", group.JoinInput{})
		require.NoError(t, err)
		assert.True(t, out.Joined)
		page, err := svc.ListBans(ctx, alice, "g1", 10, "")
		require.NoError(t, err)
		assert.Empty(t, page.Items, "an expired ban is no longer listed")
	})
	assertInvariants(t, st, "g1")
	checkClean(t, svc, "g1")
}

func TestBanning100MembersRemovesThemWithExactCounts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, st := membershipGroup(t, 0)
	targets := users("u", 100)
	ms := make([]*store.Member, len(targets))
	for i, id := range targets {
		ms[i] = &store.Member{UserID: id, RoleLevel: store.RoleMember, JoinTime: int64(10_000 + i)}
	}
	require.NoError(t, st.BulkLoadMembers(ctx, "g1", ms))
	before := assertInvariants(t, st, "g1")
	require.EqualValues(t, 103, before.MemberCount)

	res, err := svc.Ban(ctx, admins.Actor("alice"), "g1", group.BanInput{UserIDs: targets, Reason: "raid"})
	require.NoError(t, err)
	assert.ElementsMatch(t, targets, res.Banned)
	assert.Empty(t, res.Failed)
	g := assertInvariants(t, st, "g1")
	assert.EqualValues(t, 3, g.MemberCount, "exactly the 100 banned members are gone")
	left, err := st.GetMembers(ctx, "g1", targets)
	require.NoError(t, err)
	assert.Empty(t, left)
	page, err := svc.ListBans(ctx, admins.Actor("alice"), "g1", 1000, "")
	require.NoError(t, err)
	assert.Len(t, page.Items, 100)
	checkClean(t, svc, "g1")
}

func TestBanRefusesAbuseAndChangesNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, st := membershipGroup(t, 0)
	withProfiles(t, svc, "frank")
	_, err := svc.Invite(ctx, admins.Actor("alice"), "g1", group.InviteInput{UserIDs: []string{"frank"}})
	require.NoError(t, err)
	_, err = svc.SetMemberInfo(ctx, admins.Actor("alice"), "g1", "frank", group.SetMemberInfoInput{RoleLevel: level(store.RoleAdmin)})
	require.NoError(t, err)
	now := time.Now().UnixMilli()
	cases := []struct {
		name  string
		actor string
		in    group.BanInput
		want  errcode.Code
	}{
		{"a non-member", "erin", group.BanInput{UserIDs: []string{"carol"}}, errcode.NotInGroup},
		{"a member without banMember", "carol", group.BanInput{UserIDs: []string{"dave"}}, errcode.NoPermission},
		{"an admin banning the owner", "bob", group.BanInput{UserIDs: []string{"alice"}}, errcode.NoPermission},
		{"an admin banning another admin", "bob", group.BanInput{UserIDs: []string{"frank"}}, errcode.NoPermission},
		{"banning yourself", "bob", group.BanInput{UserIDs: []string{"bob"}}, errcode.NoPermission},
		{"101 users", "alice", group.BanInput{UserIDs: users("v", 101)}, errcode.InvalidArgument},
		{"duplicate IDs", "alice", group.BanInput{UserIDs: []string{"dave", "dave"}}, errcode.InvalidArgument},
		{"a malformed ID", "alice", group.BanInput{UserIDs: []string{"da#ve"}}, errcode.InvalidArgument},
		{"no users", "alice", group.BanInput{}, errcode.InvalidArgument},
		{"a huge reason", "alice", group.BanInput{UserIDs: []string{"dave"}, Reason: strings.Repeat("x", 256)}, errcode.InvalidArgument},
		{"a negative expireTime", "alice", group.BanInput{UserIDs: []string{"dave"}, ExpireTime: -1}, errcode.InvalidArgument},
		{"a past expireTime", "alice", group.BanInput{UserIDs: []string{"dave"}, ExpireTime: now - 1000}, errcode.InvalidArgument},
		{"an absurd expireTime", "alice", group.BanInput{UserIDs: []string{"dave"}, ExpireTime: 1 << 62}, errcode.InvalidArgument},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := readGroupItems(t, st, "g1")
			_, err := svc.Ban(ctx, admins.Actor(c.actor), "g1", c.in)
			require.Error(t, err)
			assert.Equal(t, c.want, errcode.CodeOf(err), "%v", err)
			assert.Equal(t, before, readGroupItems(t, st, "g1"), "a refused ban changes nothing")
		})
	}
	t.Run("unban and list refuse a member without banMember", func(t *testing.T) {
		_, err := svc.Unban(ctx, admins.Actor("carol"), "g1", group.UnbanInput{UserIDs: []string{"dave"}})
		assert.Equal(t, errcode.NoPermission, errcode.CodeOf(err))
		_, err = svc.ListBans(ctx, admins.Actor("carol"), "g1", 10, "")
		assert.Equal(t, errcode.NoPermission, errcode.CodeOf(err))
	})
	t.Run("unbanning a user who is not banned", func(t *testing.T) {
		_, err := svc.Unban(ctx, admins.Actor("alice"), "g1", group.UnbanInput{UserIDs: []string{"dave"}})
		assert.Equal(t, errcode.NotFound, errcode.CodeOf(err))
	})
	t.Run("a mixed batch bans who it may and reports the rest", func(t *testing.T) {
		res, err := svc.Ban(ctx, admins.Actor("bob"), "g1", group.BanInput{UserIDs: []string{"carol", "frank", "alice"}})
		require.NoError(t, err)
		assert.Equal(t, []string{"carol"}, res.Banned)
		require.Len(t, res.Failed, 2)
		assert.Equal(t, errcode.NoPermission, res.Failed[0].Code)
		assertInvariants(t, st, "g1")
		checkClean(t, svc, "g1")
	})
}

// TestCheckFindsABannedMemberAndAWrongPendingCount corrupts a group behind
// the service's back: a member record beside a live ban (invariant 8,
// reported, not repaired) and a pendingApplications that the records do not
// match (recounted by a repair).
func TestCheckFindsABannedMemberAndAWrongPendingCount(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, st := membershipGroup(t, 0)
	_, err := svc.Join(ctx, admins.Actor("dave"), "g1", group.JoinInput{})
	require.NoError(t, err)
	_, err = svc.Ban(ctx, admins.Actor("alice"), "g1", group.BanInput{UserIDs: []string{"erin"}})
	require.NoError(t, err)
	checkClean(t, svc, "g1")

	rawSet(t, st, "G#g1", "M#erin", map[string]any{"groupID": "g1", "userID": "erin", "roleLevel": store.RoleMember,
		"joinTime": 5000, "GSI1PK": "G#g1#M", "GSI1SK": rankSK(store.RoleMember, 5000, "erin"),
		"GSI2PK": "U#erin#G", "GSI2SK": "0000000005000#g1"})
	rawSet(t, st, "G#g1", "META", map[string]any{"memberCount": 4, "pendingApplications": 7})
	rep, err := svc.Check(ctx, checker, "g1", group.CheckInput{})
	require.NoError(t, err)
	assert.ElementsMatch(t, []int{2, 8}, invariantsOf(rep.Violations), "%v", rep.Violations)

	rep, err = svc.Check(ctx, checker, "g1", group.CheckInput{Repair: true})
	require.NoError(t, err)
	assert.True(t, rep.Repaired)
	assert.Equal(t, []int{8}, invariantsOf(rep.Violations), "the pending count is recounted; the banned member is left to a person")
	c, err := svc.CountUnhandledApplications(ctx, admins.Actor("alice"), "g1")
	require.NoError(t, err)
	assert.EqualValues(t, 1, c.Count)
}
