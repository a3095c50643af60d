package group_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/event"
	"github.com/circles-im/circles/shared/group"
	"github.com/circles-im/circles/shared/notification"
	"github.com/circles-im/circles/shared/store"
)

// membershipGroup creates group gid owned by alice, with bob as admin and
// carol as an ordinary member; dave, erin and admin have profiles only.
func membershipGroup(t *testing.T, needVerification int) (*group.Service, *store.Store) {
	t.Helper()
	svc, st := newService(t)
	withProfiles(t, svc, "alice", "bob", "carol", "dave", "erin", "admin")
	_, err := svc.Create(context.Background(), admins.Actor("alice"), group.CreateInput{GroupID: "g1",
		NeedVerification: needVerification, AdminUserIDs: []string{"bob"}, MemberUserIDs: []string{"carol"}})
	require.NoError(t, err)
	return svc, st
}

// groupItems is what a refused request must leave as it was: the group
// record, its members and its applications.
type groupItems struct {
	Group   *store.Group
	Members []*store.Member
	Apps    []*store.Application
}

func readGroupItems(t *testing.T, st *store.Store, gid string) groupItems {
	t.Helper()
	ctx := context.Background()
	g, err := st.GetGroup(ctx, gid)
	require.NoError(t, err)
	ms, err := st.AllMembers(ctx, gid)
	require.NoError(t, err)
	apps, err := st.ListGroupApplications(ctx, gid, nil, store.MaxLimit, "")
	require.NoError(t, err)
	return groupItems{g, ms, apps.Items}
}

// lastEvent is the group's latest event.
func lastEvent(t *testing.T, st *store.Store, gid string) event.Event {
	t.Helper()
	g, err := st.GetGroup(context.Background(), gid)
	require.NoError(t, err)
	evs, err := st.ListEvents(context.Background(), gid, g.Version-1, 1)
	require.NoError(t, err)
	require.Len(t, evs, 1)
	return evs[0]
}

// reached is every user ev notifies: its recipients and its audience, as
// the delivery stage expands it.
func reached(t *testing.T, st *store.Store, ev *event.Event) []string {
	t.Helper()
	ids, err := notification.NewService(st).Expand(context.Background(), ev)
	require.NoError(t, err)
	return ids
}

func TestJoinUnderEachNeedVerification(t *testing.T) {
	t.Parallel() // each test has its own table
	ctx := context.Background()
	cases := []struct {
		name             string
		needVerification int
		wantJoined       bool
		wantEvent        event.Type
		wantRecipients   []string
	}{
		{"0: applying needs approval", 0, false, event.JoinGroupApplication, []string{"alice", "bob"}},
		{"1: everyone needs approval", 1, false, event.JoinGroupApplication, []string{"alice", "bob"}},
		{"2: join directly", 2, true, event.MemberEnter, []string{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			svc, st := membershipGroup(t, c.needVerification)
			out, err := svc.Join(ctx, admins.Actor("dave"), "g1", group.JoinInput{ReqMsg: "let me in"})
			require.NoError(t, err)
			assert.Equal(t, c.wantJoined, out.Joined)
			g := assertInvariants(t, st, "g1")
			ev := lastEvent(t, st, "g1")
			assert.Equal(t, c.wantEvent, ev.Type)
			assert.Equal(t, c.wantEvent.Code(), ev.Code)
			assert.ElementsMatch(t, c.wantRecipients, reached(t, st, &ev))
			ms, err := st.GetMembers(ctx, "g1", []string{"dave"})
			require.NoError(t, err)
			if c.wantJoined {
				assert.EqualValues(t, 4, g.MemberCount)
				require.Contains(t, ms, "dave")
				assert.Equal(t, store.JoinBySearch, ms["dave"].JoinSource)
				assert.Nil(t, out.Application)
				return
			}
			assert.EqualValues(t, 3, g.MemberCount)
			assert.NotContains(t, ms, "dave")
			require.NotNil(t, out.Application)
			app, err := st.GetApplication(ctx, "g1", "dave")
			require.NoError(t, err)
			assert.Equal(t, store.ApplicationPending, app.HandleResult)
			assert.Equal(t, "let me in", app.ReqMsg)
			assert.Equal(t, store.JoinBySearch, app.JoinSource)
		})
	}
}

func TestJoinIsRefusedForMembersAndBadInputAndChangesNothing(t *testing.T) {
	t.Parallel() // each test has its own table
	ctx := context.Background()
	svc, st := membershipGroup(t, 0)
	withProfiles(t, svc, "frank")
	cases := []struct {
		name, actor, group string
		in                 group.JoinInput
		code               errcode.Code
	}{
		{"the owner", "alice", "g1", group.JoinInput{}, errcode.AlreadyInGroup},
		{"an ordinary member", "carol", "g1", group.JoinInput{}, errcode.AlreadyInGroup},
		{"no such group", "dave", "nope", group.JoinInput{}, errcode.GroupNotFound},
		{"reqMsg too long", "dave", "g1", group.JoinInput{ReqMsg: string(make([]rune, 256))}, errcode.InvalidArgument},
		{"joinSource 1 is for admins", "dave", "g1", group.JoinInput{JoinSource: store.JoinByAdmin}, errcode.InvalidArgument},
		{"bad inviter ID", "dave", "g1", group.JoinInput{InviterUserID: "a#b"}, errcode.InvalidArgument},
		{"a user without a profile", "ghost", "g1", group.JoinInput{}, errcode.NotFound},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := readGroupItems(t, st, "g1")
			_, err := svc.Join(ctx, admins.Actor(c.actor), c.group, c.in)
			assert.Equal(t, c.code, errcode.CodeOf(err), "%v", err)
			assert.Equal(t, before, readGroupItems(t, st, "g1"), "a refused join leaves the group's items as they were")
			assertInvariants(t, st, "g1")
		})
	}
}

func TestJoinAgainReplacesThePendingApplication(t *testing.T) {
	t.Parallel() // each test has its own table
	ctx := context.Background()
	svc, st := membershipGroup(t, 1)
	_, err := svc.Join(ctx, admins.Actor("dave"), "g1", group.JoinInput{ReqMsg: "first"})
	require.NoError(t, err)
	_, err = svc.Join(ctx, admins.Actor("dave"), "g1", group.JoinInput{ReqMsg: "second", JoinSource: store.JoinByQRCode})
	require.NoError(t, err)
	page, err := svc.ListReceivedApplications(ctx, admins.Actor("alice"), group.ListApplicationsInput{GroupID: "g1"})
	require.NoError(t, err)
	require.Len(t, page.Items, 1, "one application per user and group")
	assert.Equal(t, "second", page.Items[0].ReqMsg)
	assert.Equal(t, store.JoinByQRCode, page.Items[0].JoinSource)
	assertInvariants(t, st, "g1")
}

func TestHandledApplicationsRecordHandleUserIDHandledTimeAndHandledMsg(t *testing.T) {
	t.Parallel() // each test has its own table
	ctx := context.Background()
	cases := []struct {
		name         string
		handler      string
		result       int
		wantMember   bool
		wantEvent    event.Type
		wantHandled  int
		wantHandleBy string
	}{
		{"the owner agrees", "alice", store.ApplicationAgreed, true, event.GroupApplicationAccepted, 1, "alice"},
		{"an admin agrees", "bob", store.ApplicationAgreed, true, event.GroupApplicationAccepted, 1, "bob"},
		{"an app admin agrees", "admin", store.ApplicationAgreed, true, event.GroupApplicationAccepted, 1, "admin"},
		{"an admin refuses", "bob", store.ApplicationRefused, false, event.GroupApplicationRejected, -1, "bob"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			svc, st := membershipGroup(t, 0)
			_, err := svc.Join(ctx, admins.Actor("dave"), "g1", group.JoinInput{ReqMsg: "hello"})
			require.NoError(t, err)
			start := time.Now().UnixMilli()
			app, err := svc.RespondApplication(ctx, admins.Actor(c.handler), "g1", "dave", group.ApplicationResponseInput{HandleResult: c.result, HandledMsg: "decided"})
			require.NoError(t, err)
			assert.Equal(t, c.wantHandled, app.HandleResult)

			stored, err := st.GetApplication(ctx, "g1", "dave")
			require.NoError(t, err)
			assert.Equal(t, c.wantHandled, stored.HandleResult)
			assert.Equal(t, c.wantHandleBy, stored.HandleUserID)
			assert.Equal(t, "decided", stored.HandledMsg)
			assert.GreaterOrEqual(t, stored.HandledTime, start)
			assert.Equal(t, "hello", stored.ReqMsg, "the request itself is kept")

			g := assertInvariants(t, st, "g1")
			ms, err := st.GetMembers(ctx, "g1", []string{"dave"})
			require.NoError(t, err)
			if c.wantMember {
				assert.EqualValues(t, 4, g.MemberCount)
				require.Contains(t, ms, "dave")
				assert.Equal(t, c.handler, ms["dave"].OperatorUserID)
			} else {
				assert.EqualValues(t, 3, g.MemberCount)
				assert.NotContains(t, ms, "dave")
			}
			ev := lastEvent(t, st, "g1")
			assert.Equal(t, c.wantEvent, ev.Type)
			assert.Equal(t, []string{"dave"}, ev.Recipients, "the applicant is notified")

			// The handled application moved to its result's list.
			pending := store.ApplicationPending
			page, err := svc.ListReceivedApplications(ctx, admins.Actor("alice"), group.ListApplicationsInput{GroupID: "g1", HandleResult: &pending})
			require.NoError(t, err)
			assert.Empty(t, page.Items)
			page, err = svc.ListReceivedApplications(ctx, admins.Actor("alice"), group.ListApplicationsInput{GroupID: "g1", HandleResult: &c.result})
			require.NoError(t, err)
			require.Len(t, page.Items, 1)
			assert.Equal(t, "dave", page.Items[0].UserID)

			t.Run("answering again is APPLICATION_HANDLED and changes nothing", func(t *testing.T) {
				before := readGroupItems(t, st, "g1")
				for _, r := range []int{store.ApplicationAgreed, store.ApplicationRefused} {
					_, err := svc.RespondApplication(ctx, admins.Actor("alice"), "g1", "dave", group.ApplicationResponseInput{HandleResult: r})
					assert.Equal(t, errcode.ApplicationHandled, errcode.CodeOf(err))
				}
				assert.Equal(t, before, readGroupItems(t, st, "g1"))
			})
		})
	}
}

func TestRespondApplicationIsRefusedAndChangesNothing(t *testing.T) {
	t.Parallel() // each test has its own table
	ctx := context.Background()
	svc, st := membershipGroup(t, 0)
	_, err := svc.Join(ctx, admins.Actor("dave"), "g1", group.JoinInput{})
	require.NoError(t, err)
	cases := []struct {
		name, actor, user string
		in                group.ApplicationResponseInput
		code              errcode.Code
	}{
		{"an ordinary member", "carol", "dave", group.ApplicationResponseInput{HandleResult: 1}, errcode.NoPermission},
		{"a non-member", "erin", "dave", group.ApplicationResponseInput{HandleResult: 1}, errcode.NotInGroup},
		{"the applicant themselves", "dave", "dave", group.ApplicationResponseInput{HandleResult: 1}, errcode.NotInGroup},
		{"no application", "alice", "erin", group.ApplicationResponseInput{HandleResult: 1}, errcode.NotFound},
		{"handleResult 0", "alice", "dave", group.ApplicationResponseInput{HandleResult: 0}, errcode.InvalidArgument},
		{"handledMsg too long", "alice", "dave", group.ApplicationResponseInput{HandleResult: 1, HandledMsg: string(make([]rune, 256))}, errcode.InvalidArgument},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := readGroupItems(t, st, "g1")
			_, err := svc.RespondApplication(ctx, admins.Actor(c.actor), "g1", c.user, c.in)
			assert.Equal(t, c.code, errcode.CodeOf(err), "%v", err)
			assert.Equal(t, before, readGroupItems(t, st, "g1"))
			assertInvariants(t, st, "g1")
		})
	}
}

func TestAgreeingToAnInvitationEmitsMemberInvited(t *testing.T) {
	t.Parallel() // each test has its own table
	ctx := context.Background()
	svc, st := membershipGroup(t, 1)
	out, err := svc.Invite(ctx, admins.Actor("carol"), "g1", group.InviteInput{UserIDs: []string{"dave"}, Reason: "join us"})
	require.NoError(t, err)
	assert.Equal(t, []string{"dave"}, out.Applied)

	_, err = svc.RespondApplication(ctx, admins.Actor("bob"), "g1", "dave", group.ApplicationResponseInput{HandleResult: 1})
	require.NoError(t, err)
	ev := lastEvent(t, st, "g1")
	assert.Equal(t, event.MemberInvited, ev.Type)
	assert.Equal(t, 1509, ev.Code)
	assert.Equal(t, true, ev.Payload["entered"])
	ms, err := st.GetMembers(ctx, "g1", []string{"dave"})
	require.NoError(t, err)
	require.Contains(t, ms, "dave")
	assert.Equal(t, store.JoinByInvitation, ms["dave"].JoinSource)
	assert.Equal(t, "carol", ms["dave"].InviterUserID)
	assertInvariants(t, st, "g1")
}

func TestAgreeingForSomeoneAlreadyInOnlyMarksTheApplication(t *testing.T) {
	t.Parallel() // each test has its own table
	ctx := context.Background()
	svc, st := membershipGroup(t, 0)
	_, err := svc.Join(ctx, admins.Actor("dave"), "g1", group.JoinInput{})
	require.NoError(t, err)
	// Under needVerification 0 an invitation adds directly, while dave's
	// application is still pending.
	out, err := svc.Invite(ctx, admins.Actor("carol"), "g1", group.InviteInput{UserIDs: []string{"dave"}})
	require.NoError(t, err)
	require.Equal(t, []string{"dave"}, out.Joined)

	app, err := svc.RespondApplication(ctx, admins.Actor("alice"), "g1", "dave", group.ApplicationResponseInput{HandleResult: 1, HandledMsg: "ok"})
	require.NoError(t, err)
	assert.Equal(t, store.ApplicationAgreed, app.HandleResult)
	g := assertInvariants(t, st, "g1")
	assert.EqualValues(t, 4, g.MemberCount, "no second record, no second count")
	ev := lastEvent(t, st, "g1")
	assert.Equal(t, event.GroupApplicationAccepted, ev.Type)
	assert.Equal(t, false, ev.Payload["entered"])
}

func TestListReceivedApplicationsPagesNewestFirstAndFilters(t *testing.T) {
	t.Parallel() // each test has its own table
	ctx := context.Background()
	svc, st := membershipGroup(t, 1)
	applicants := users("p", 7)
	withProfiles(t, svc, applicants...)
	clock := int64(1_700_000_000_000)
	st.Now = func() time.Time { clock++; return time.UnixMilli(clock) }
	for _, u := range applicants {
		_, err := svc.Join(ctx, admins.Actor(u), "g1", group.JoinInput{})
		require.NoError(t, err)
	}
	_, err := svc.RespondApplication(ctx, admins.Actor("alice"), "g1", "p01", group.ApplicationResponseInput{HandleResult: -1})
	require.NoError(t, err)
	_, err = svc.RespondApplication(ctx, admins.Actor("alice"), "g1", "p03", group.ApplicationResponseInput{HandleResult: 1})
	require.NoError(t, err)

	list := func(actor string, result *int, limit int) ([]string, int) {
		var got []string
		cursor, pages := "", 0
		for {
			page, err := svc.ListReceivedApplications(ctx, admins.Actor(actor), group.ListApplicationsInput{GroupID: "g1", HandleResult: result, Limit: limit, Cursor: cursor})
			require.NoError(t, err)
			pages++
			for _, a := range page.Items {
				got = append(got, a.UserID)
			}
			if page.NextCursor == "" {
				return got, pages
			}
			cursor = page.NextCursor
		}
	}
	pending, agreed, refused := 0, 1, -1
	got, pages := list("bob", nil, 3)
	assert.Equal(t, []string{"p06", "p05", "p04", "p03", "p02", "p01", "p00"}, got)
	assert.Equal(t, 3, pages)
	got, _ = list("alice", &pending, 2)
	assert.Equal(t, []string{"p06", "p05", "p04", "p02", "p00"}, got)
	got, _ = list("admin", &agreed, 0)
	assert.Equal(t, []string{"p03"}, got)
	got, _ = list("alice", &refused, 0)
	assert.Equal(t, []string{"p01"}, got)

	bad := 2
	cases := []struct {
		name  string
		actor string
		in    group.ListApplicationsInput
		code  errcode.Code
	}{
		{"a bad cursor across groups", "alice", group.ListApplicationsInput{Cursor: "not-a-cursor"}, errcode.InvalidArgument},
		{"a bad limit across groups", "alice", group.ListApplicationsInput{Limit: 5000}, errcode.InvalidArgument},
		{"unknown handleResult", "alice", group.ListApplicationsInput{GroupID: "g1", HandleResult: &bad}, errcode.InvalidArgument},
		{"an ordinary member lacks handleApplication", "carol", group.ListApplicationsInput{GroupID: "g1"}, errcode.NoPermission},
		{"a non-member", "p00", group.ListApplicationsInput{GroupID: "g1"}, errcode.NotInGroup},
		{"no such group", "alice", group.ListApplicationsInput{GroupID: "nope"}, errcode.GroupNotFound},
		{"a cursor of another list", "alice", group.ListApplicationsInput{GroupID: "g1", HandleResult: &pending, Cursor: firstCursor(t, svc)}, errcode.InvalidArgument},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := svc.ListReceivedApplications(ctx, admins.Actor(c.actor), c.in)
			assert.Equal(t, c.code, errcode.CodeOf(err), "%v", err)
		})
	}
	assertInvariants(t, st, "g1")
}

// Without a groupID the list merges the applications of every group where
// the actor holds handleApplication, newest first, and pages across them.
func TestListReceivedApplicationsWithoutAGroupMergesTheGroupsYouHandle(t *testing.T) {
	t.Parallel() // each test has its own table
	ctx := context.Background()
	svc, st := newService(t)
	applicants := users("p", 5)
	withProfiles(t, svc, append([]string{"alice", "bob", "carol"}, applicants...)...)
	// alice owns g1 and g2; bob is an admin of g2 and a member of g3; carol
	// owns g3.
	for _, c := range []group.CreateInput{
		{GroupID: "g1", NeedVerification: 1},
		{GroupID: "g2", NeedVerification: 1, AdminUserIDs: []string{"bob"}},
	} {
		_, err := svc.Create(ctx, admins.Actor("alice"), c)
		require.NoError(t, err)
	}
	_, err := svc.Create(ctx, admins.Actor("carol"), group.CreateInput{GroupID: "g3", NeedVerification: 1, MemberUserIDs: []string{"bob"}})
	require.NoError(t, err)
	clock := int64(1_700_000_000_000)
	st.Now = func() time.Time { clock += 10; return time.UnixMilli(clock) }
	var want []string // newest first: "group/user"
	for i, u := range applicants {
		for _, gid := range []string{"g1", "g2", "g3"}[i%2 : 3] {
			_, err := svc.Join(ctx, admins.Actor(u), gid, group.JoinInput{})
			require.NoError(t, err)
			want = append([]string{gid + "/" + u}, want...)
		}
	}
	list := func(actor string, limit int) ([]string, int) {
		var got []string
		cursor, pages := "", 0
		for {
			page, err := svc.ListReceivedApplications(ctx, admins.Actor(actor), group.ListApplicationsInput{Limit: limit, Cursor: cursor})
			require.NoError(t, err)
			pages++
			for _, a := range page.Items {
				got = append(got, a.GroupID+"/"+a.UserID)
			}
			if page.NextCursor == "" {
				return got, pages
			}
			cursor = page.NextCursor
		}
	}
	only := func(gids ...string) []string {
		var out []string
		for _, w := range want {
			for _, g := range gids {
				if strings.HasPrefix(w, g+"/") {
					out = append(out, w)
				}
			}
		}
		return out
	}
	got, pages := list("alice", 2)
	assert.Equal(t, only("g1", "g2"), got, "alice handles g1 and g2")
	assert.Equal(t, (len(got)+1)/2, pages)
	got, _ = list("bob", 0)
	assert.Equal(t, only("g2"), got, "bob handles g2, not g3 where he is an ordinary member")
	got, _ = list("carol", 1)
	assert.Equal(t, only("g3"), got)
	got, _ = list("p00", 0)
	assert.Empty(t, got, "nobody's applications for a user who handles none")
}

// firstCursor is the cursor after the first item of g1's unfiltered list.
func firstCursor(t *testing.T, svc *group.Service) string {
	t.Helper()
	page, err := svc.ListReceivedApplications(context.Background(), admins.Actor("alice"), group.ListApplicationsInput{GroupID: "g1", Limit: 1})
	require.NoError(t, err)
	require.NotEmpty(t, page.NextCursor)
	return page.NextCursor
}

func TestListSentApplicationsShowsOnlyYourOwnNewestFirst(t *testing.T) {
	t.Parallel() // each test has its own table
	ctx := context.Background()
	svc, st := newService(t)
	withProfiles(t, svc, "alice", "dave", "erin")
	clock := int64(1_700_000_000_000)
	st.Now = func() time.Time { clock++; return time.UnixMilli(clock) }
	var groups []string
	for i := range 5 {
		gid := fmt.Sprintf("g%d", i)
		_, err := svc.Create(ctx, admins.Actor("alice"), group.CreateInput{GroupID: gid, NeedVerification: 1})
		require.NoError(t, err)
		_, err = svc.Join(ctx, admins.Actor("dave"), gid, group.JoinInput{ReqMsg: gid})
		require.NoError(t, err)
		groups = append([]string{gid}, groups...)
	}
	_, err := svc.Join(ctx, admins.Actor("erin"), "g2", group.JoinInput{})
	require.NoError(t, err)

	var got []string
	cursor := ""
	for {
		page, err := svc.ListSentApplications(ctx, admins.Actor("dave"), 2, cursor)
		require.NoError(t, err)
		for _, a := range page.Items {
			assert.Equal(t, "dave", a.UserID)
			got = append(got, a.GroupID)
		}
		if page.NextCursor == "" {
			break
		}
		cursor = page.NextCursor
	}
	assert.Equal(t, groups, got)
	page, err := svc.ListSentApplications(ctx, admins.Actor("alice"), 0, "")
	require.NoError(t, err)
	assert.Empty(t, page.Items)
}

// OpenIM #3785: an invitation racing a join for the same user must end with
// one member record and a correct memberCount, whichever path adds them.
func TestInviteRacingAJoinForTheSameUserLeavesOneMemberRecordAndACorrectCount(t *testing.T) {
	ctx := context.Background()
	const rounds = 12
	cases := []struct {
		name             string
		needVerification int
		// applyFirst makes the joiner apply before the race, which is then
		// the owner's agreement against an invitation.
		applyFirst bool
	}{
		{"needVerification 2: join and invite both add directly", 2, false},
		{"needVerification 0: agreeing to the application races a direct invitation", 0, true},
		{"needVerification 0: a join application races a direct invitation", 0, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			svc, st := membershipGroup(t, c.needVerification)
			joiners := users("j", rounds)
			withProfiles(t, svc, joiners...)
			joinLost, inviteLost := 0, 0
			for _, u := range joiners {
				if c.applyFirst {
					_, err := svc.Join(ctx, admins.Actor(u), "g1", group.JoinInput{})
					require.NoError(t, err)
				}
				var wg sync.WaitGroup
				var joinErr error
				var invite *group.InviteResult
				var inviteErr error
				// The invitation reads three times before its transaction,
				// the other side once or twice: delaying the joining side by
				// a random number of round trips varies who reaches the
				// database first, and how far the other got by then.
				began := time.Now()
				_, err := st.GetGroup(ctx, "g1")
				require.NoError(t, err)
				joinDelay := time.Duration(rand.Int64N(int64(4*time.Since(began)) + 1))
				wg.Add(2)
				go func() {
					defer wg.Done()
					time.Sleep(joinDelay)
					if c.applyFirst {
						_, joinErr = svc.RespondApplication(ctx, admins.Actor("alice"), "g1", u, group.ApplicationResponseInput{HandleResult: 1})
					} else {
						_, joinErr = svc.Join(ctx, admins.Actor(u), "g1", group.JoinInput{})
					}
				}()
				go func() {
					defer wg.Done()
					invite, inviteErr = svc.Invite(ctx, admins.Actor("carol"), "g1", group.InviteInput{UserIDs: []string{u}})
				}()
				wg.Wait()
				require.NoError(t, inviteErr)
				if joinErr != nil {
					joinLost++
					assert.Equal(t, errcode.AlreadyInGroup, errcode.CodeOf(joinErr), "the join lost to the invitation: %v", joinErr)
				}
				for _, f := range invite.Failed {
					inviteLost++
					assert.Equal(t, errcode.AlreadyInGroup, f.Code, "the invitation lost to the join: %s", f.Message)
				}
				ms, err := st.GetMembers(ctx, "g1", []string{u})
				require.NoError(t, err)
				assert.Contains(t, ms, u, "the user ends up a member")
			}
			t.Logf("%d rounds: the join side lost %d, the invitation lost %d", rounds, joinLost, inviteLost)
			g := assertInvariants(t, st, "g1")
			assert.EqualValues(t, 3+rounds, g.MemberCount)
			all, err := st.AllMembers(ctx, "g1")
			require.NoError(t, err)
			seen := map[string]int{}
			for _, m := range all {
				seen[m.UserID]++
			}
			for u, n := range seen {
				assert.Equal(t, 1, n, "user %s has one member record", u)
			}
		})
	}
}

// A user joined with {"joinSource":2,"inviterUserID":"alice"} and their
// member record named alice as the inviter, who had invited nobody. An
// inviter is recorded only from the actor's pending invitation by that user.
func TestJoinRecordsAnInviterOnlyFromAPendingInvitationByThem(t *testing.T) {
	t.Parallel() // each test has its own table
	ctx := context.Background()
	invite := group.JoinInput{JoinSource: store.JoinByInvitation, InviterUserID: "alice"}
	for _, nv := range []int{0, 1, 2} {
		svc, st := membershipGroup(t, nv)
		for name, in := range map[string]group.JoinInput{
			"an inviter who invited nobody":        invite,
			"an inviter without joinSource":        {InviterUserID: "alice"},
			"joinSource 2 without an inviter":      {JoinSource: store.JoinByInvitation},
			"an inviter with another joinSource":   {JoinSource: store.JoinByQRCode, InviterUserID: "alice"},
			"the actor as their own inviter":       {JoinSource: store.JoinByInvitation, InviterUserID: "dave"},
			"an inviter who is not even a profile": {JoinSource: store.JoinByInvitation, InviterUserID: "nobody"},
		} {
			before := readGroupItems(t, st, "g1")
			_, err := svc.Join(ctx, admins.Actor("dave"), "g1", in)
			assert.Equal(t, errcode.InvalidArgument, errcode.CodeOf(err), "needVerification %d, %s: %v", nv, name, err)
			assert.Equal(t, before, readGroupItems(t, st, "g1"), "needVerification %d, %s: nothing stored", nv, name)
		}
	}

	// Under needVerification 1 carol, without inviteMember, invites dave:
	// that invitation is pending, and only carol may be named for it.
	svc, st := membershipGroup(t, 1)
	_, err := svc.Invite(ctx, admins.Actor("carol"), "g1", group.InviteInput{UserIDs: []string{"dave", "erin"}})
	require.NoError(t, err)
	before := readGroupItems(t, st, "g1")
	_, err = svc.Join(ctx, admins.Actor("dave"), "g1", invite)
	assert.Equal(t, errcode.InvalidArgument, errcode.CodeOf(err), "alice did not invite dave")
	assert.Equal(t, before, readGroupItems(t, st, "g1"))

	out, err := svc.Join(ctx, admins.Actor("dave"), "g1", group.JoinInput{InviterUserID: "carol", ReqMsg: "yes please"})
	require.NoError(t, err)
	require.NotNil(t, out.Application)
	app, err := st.GetApplication(ctx, "g1", "dave")
	require.NoError(t, err)
	assert.Equal(t, store.JoinByInvitation, app.JoinSource)
	assert.Equal(t, "carol", app.InviterUserID)
	_, err = svc.RespondApplication(ctx, admins.Actor("bob"), "g1", "dave", group.ApplicationResponseInput{HandleResult: store.ApplicationAgreed})
	require.NoError(t, err)
	ms, err := st.GetMembers(ctx, "g1", []string{"dave"})
	require.NoError(t, err)
	assert.Equal(t, "carol", ms["dave"].InviterUserID)

	// A handled invitation is no longer one.
	_, err = svc.RespondApplication(ctx, admins.Actor("bob"), "g1", "erin", group.ApplicationResponseInput{HandleResult: store.ApplicationRefused})
	require.NoError(t, err)
	_, err = svc.Join(ctx, admins.Actor("erin"), "g1", group.JoinInput{InviterUserID: "carol"})
	assert.Equal(t, errcode.InvalidArgument, errcode.CodeOf(err))
	assertInvariants(t, st, "g1")
}

// Under needVerification 2 a pending invitation (made while the group was
// under 1) lets its invitee join at once with its inviter recorded.
func TestJoiningAtOnceFromAPendingInvitationRecordsItsInviter(t *testing.T) {
	t.Parallel() // each test has its own table
	ctx := context.Background()
	svc, st := membershipGroup(t, 1)
	_, err := svc.Invite(ctx, admins.Actor("carol"), "g1", group.InviteInput{UserIDs: []string{"dave"}})
	require.NoError(t, err)
	two := 2
	_, err = svc.SetInfo(ctx, admins.Actor("alice"), "g1", group.SetInfoInput{NeedVerification: &two}, "")
	require.NoError(t, err)
	out, err := svc.Join(ctx, admins.Actor("dave"), "g1", group.JoinInput{JoinSource: store.JoinByInvitation, InviterUserID: "carol"})
	require.NoError(t, err)
	assert.True(t, out.Joined)
	ms, err := st.GetMembers(ctx, "g1", []string{"dave"})
	require.NoError(t, err)
	assert.Equal(t, "carol", ms["dave"].InviterUserID)
	assert.Equal(t, store.JoinByInvitation, ms["dave"].JoinSource)
	assertInvariants(t, st, "g1")
}
