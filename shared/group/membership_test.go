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

func TestInviteUnderEachNeedVerification(t *testing.T) {
	t.Parallel() // each test has its own table
	ctx := context.Background()
	cases := []struct {
		name             string
		needVerification int
		actor            string
		wantJoined       bool
		wantEvent        event.Type
		wantRecipients   []string
	}{
		{"0: a member's invitation joins directly", 0, "carol", true, event.MemberInvited, []string{"dave", "erin"}},
		{"1: an ordinary member without inviteMember creates applications", 1, "carol", false, event.JoinGroupApplication, []string{"alice", "bob"}},
		{"1: an admin holds inviteMember and adds directly", 1, "bob", true, event.MemberInvited, []string{"dave", "erin"}},
		{"1: the owner adds directly", 1, "alice", true, event.MemberInvited, []string{"dave", "erin"}},
		{"1: an app admin adds directly", 1, "admin", true, event.MemberInvited, []string{"dave", "erin"}},
		{"2: a member's invitation joins directly", 2, "carol", true, event.MemberInvited, []string{"dave", "erin"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			svc, st := membershipGroup(t, c.needVerification)
			out, err := svc.Invite(ctx, admins.Actor(c.actor), "g1", group.InviteInput{UserIDs: []string{"dave", "erin"}, Reason: "welcome"})
			require.NoError(t, err)
			assert.Empty(t, out.Failed)
			g := assertInvariants(t, st, "g1")
			assert.EqualValues(t, 2, g.Version, "one batch, one change")
			ev := lastEvent(t, st, "g1")
			assert.Equal(t, c.wantEvent, ev.Type)
			assert.ElementsMatch(t, c.wantRecipients, reached(t, st, &ev))
			ms, err := st.GetMembers(ctx, "g1", []string{"dave", "erin"})
			require.NoError(t, err)
			if c.wantJoined {
				assert.Equal(t, []string{"dave", "erin"}, out.Joined)
				assert.Empty(t, out.Applied)
				assert.EqualValues(t, 5, g.MemberCount)
				require.Len(t, ms, 2)
				assert.Equal(t, store.JoinByInvitation, ms["dave"].JoinSource)
				assert.Equal(t, c.actor, ms["dave"].InviterUserID)
				return
			}
			assert.Equal(t, []string{"dave", "erin"}, out.Applied)
			assert.Empty(t, out.Joined)
			assert.EqualValues(t, 3, g.MemberCount)
			assert.Empty(t, ms)
			app, err := st.GetApplication(ctx, "g1", "erin")
			require.NoError(t, err)
			assert.Equal(t, store.JoinByInvitation, app.JoinSource)
			assert.Equal(t, c.actor, app.InviterUserID)
			assert.Equal(t, "welcome", app.ReqMsg)
			assert.Equal(t, store.ApplicationPending, app.HandleResult)
		})
	}
}

func TestInviteReportsMissingProfilesAndMembersOneByOne(t *testing.T) {
	t.Parallel() // each test has its own table
	ctx := context.Background()
	for _, nv := range []int{0, 1} {
		svc, st := membershipGroup(t, nv)
		out, err := svc.Invite(ctx, admins.Actor("carol"), "g1", group.InviteInput{UserIDs: []string{"ghost", "bob", "dave", "carol"}})
		require.NoError(t, err)
		failed := map[string]errcode.Code{}
		for _, f := range out.Failed {
			failed[f.UserID] = f.Code
		}
		assert.Equal(t, map[string]errcode.Code{"ghost": errcode.NotFound, "bob": errcode.AlreadyInGroup, "carol": errcode.AlreadyInGroup}, failed)
		if nv == 0 {
			assert.Equal(t, []string{"dave"}, out.Joined)
		} else {
			assert.Equal(t, []string{"dave"}, out.Applied)
		}
		assertInvariants(t, st, "g1")
	}
}

func TestInviteOfManyUsersCommitsInAtomicBatches(t *testing.T) {
	t.Parallel() // each test has its own table
	ctx := context.Background()
	for _, nv := range []int{0, 1} {
		svc, st := membershipGroup(t, nv)
		many := users("i", 110)
		withProfiles(t, svc, many...)
		out, err := svc.Invite(ctx, admins.Actor("carol"), "g1", group.InviteInput{UserIDs: many})
		require.NoError(t, err)
		assert.Empty(t, out.Failed)
		g := assertInvariants(t, st, "g1")
		if nv == 0 {
			assert.Len(t, out.Joined, 110)
			assert.EqualValues(t, 113, g.MemberCount)
			assert.EqualValues(t, 1+(110+store.AddBatch-1)/store.AddBatch, g.Version, "110 users in batches of store.AddBatch")
		} else {
			assert.Len(t, out.Applied, 110)
			assert.EqualValues(t, 3, g.MemberCount)
			assert.EqualValues(t, 1+(110+store.ApplyBatch-1)/store.ApplyBatch, g.Version, "110 applications in batches of store.ApplyBatch")
			page, err := st.ListGroupApplications(ctx, "g1", nil, store.MaxLimit, "")
			require.NoError(t, err)
			assert.Len(t, page.Items, 110)
		}
	}
}

func TestInviteIsRefusedAndChangesNothing(t *testing.T) {
	t.Parallel() // each test has its own table
	ctx := context.Background()
	svc, st := membershipGroup(t, 0)
	cases := []struct {
		name, actor string
		in          group.InviteInput
		code        errcode.Code
	}{
		{"a non-member", "erin", group.InviteInput{UserIDs: []string{"dave"}}, errcode.NotInGroup},
		{"no users", "alice", group.InviteInput{}, errcode.InvalidArgument},
		{"a duplicate user", "alice", group.InviteInput{UserIDs: []string{"dave", "dave"}}, errcode.InvalidArgument},
		{"a bad user ID", "alice", group.InviteInput{UserIDs: []string{"a/b"}}, errcode.InvalidArgument},
		{"reason too long", "alice", group.InviteInput{UserIDs: []string{"dave"}, Reason: string(make([]rune, 256))}, errcode.InvalidArgument},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := readGroupItems(t, st, "g1")
			_, err := svc.Invite(ctx, admins.Actor(c.actor), "g1", c.in)
			assert.Equal(t, c.code, errcode.CodeOf(err), "%v", err)
			assert.Equal(t, before, readGroupItems(t, st, "g1"))
			assertInvariants(t, st, "g1")
		})
	}
	t.Run("inviting only members and unknown users changes nothing", func(t *testing.T) {
		before := readGroupItems(t, st, "g1")
		out, err := svc.Invite(ctx, admins.Actor("alice"), "g1", group.InviteInput{UserIDs: []string{"bob", "ghost"}})
		require.NoError(t, err)
		assert.Len(t, out.Failed, 2)
		assert.Equal(t, before, readGroupItems(t, st, "g1"))
	})
}

// kickGroup has alice as owner, bob and dave as admins, carol and erin as
// ordinary members; frank and admin have profiles only.
func kickGroup(t *testing.T) (*group.Service, *store.Store) {
	t.Helper()
	svc, st := newService(t)
	withProfiles(t, svc, "alice", "bob", "carol", "dave", "erin", "frank", "admin")
	_, err := svc.Create(context.Background(), admins.Actor("alice"), group.CreateInput{GroupID: "g1",
		AdminUserIDs: []string{"bob", "dave"}, MemberUserIDs: []string{"carol", "erin"}})
	require.NoError(t, err)
	return svc, st
}

func TestKickRules(t *testing.T) {
	t.Parallel() // each test has its own table
	ctx := context.Background()
	// Roles: alice owner; bob, dave admins; carol, erin ordinary; frank not a member.
	cases := []struct {
		name, actor string
		targets     []string
		code        errcode.Code // the request's error, when nobody can be kicked
		kicked      []string
		failed      map[string]errcode.Code
	}{
		{"an admin cannot kick an admin", "bob", []string{"dave"}, errcode.NoPermission, nil, nil},
		{"an admin cannot kick the owner", "bob", []string{"alice"}, errcode.NoPermission, nil, nil},
		{"nobody kicks themselves: owner", "alice", []string{"alice"}, errcode.NoPermission, nil, nil},
		{"nobody kicks themselves: admin", "bob", []string{"bob"}, errcode.NoPermission, nil, nil},
		{"nobody kicks the owner: app admin", "admin", []string{"alice"}, errcode.NoPermission, nil, nil},
		{"an ordinary member lacks kickMember", "carol", []string{"erin"}, errcode.NoPermission, nil, nil},
		{"a non-member", "frank", []string{"erin"}, errcode.NotInGroup, nil, nil},
		{"a target who is not a member", "alice", []string{"frank"}, errcode.NotInGroup, nil, nil},
		{"the owner kicks an admin", "alice", []string{"dave"}, "", []string{"dave"}, map[string]errcode.Code{}},
		{"an admin kicks an ordinary member", "bob", []string{"carol"}, "", []string{"carol"}, map[string]errcode.Code{}},
		{"an app admin kicks an admin", "admin", []string{"bob"}, "", []string{"bob"}, map[string]errcode.Code{}},
		{"a mixed batch kicks who it may and lists the rest", "bob", []string{"carol", "dave", "alice", "bob", "erin", "frank"}, "",
			[]string{"carol", "erin"}, map[string]errcode.Code{"dave": errcode.NoPermission, "alice": errcode.NoPermission, "bob": errcode.NoPermission, "frank": errcode.NotInGroup}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			svc, st := kickGroup(t)
			before := readGroupItems(t, st, "g1")
			out, err := svc.Kick(ctx, admins.Actor(c.actor), "g1", group.KickInput{UserIDs: c.targets, Reason: "bye"})
			if c.code != "" {
				assert.Equal(t, c.code, errcode.CodeOf(err), "%v", err)
				assert.Equal(t, before, readGroupItems(t, st, "g1"), "a refused kick changes nothing")
				assertInvariants(t, st, "g1")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, c.kicked, out.Kicked)
			failed := map[string]errcode.Code{}
			for _, f := range out.Failed {
				failed[f.UserID] = f.Code
			}
			assert.Equal(t, c.failed, failed)
			g := assertInvariants(t, st, "g1")
			assert.EqualValues(t, 5-len(c.kicked), g.MemberCount)
			assert.Equal(t, before.Group.Version+1, g.Version, "one change for the batch")
			ev := lastEvent(t, st, "g1")
			assert.Equal(t, event.MemberKicked, ev.Type)
			assert.ElementsMatch(t, c.kicked, ev.Recipients, "the kicked users are notified")
			for _, u := range c.kicked {
				page, err := svc.ListJoined(ctx, admins.Actor(u), 0, "")
				require.NoError(t, err)
				for _, jg := range page.Items {
					assert.NotEqual(t, "g1", jg.GroupID, "%s's groups no longer list g1", u)
				}
			}
		})
	}
}

func TestKickOfManyMembersCommitsInBatches(t *testing.T) {
	t.Parallel() // each test has its own table
	ctx := context.Background()
	svc, st := membershipGroup(t, 0)
	many := users("k", 60)
	withProfiles(t, svc, many...)
	_, err := svc.Invite(ctx, admins.Actor("alice"), "g1", group.InviteInput{UserIDs: many})
	require.NoError(t, err)
	before := assertInvariants(t, st, "g1")
	out, err := svc.Kick(ctx, admins.Actor("bob"), "g1", group.KickInput{UserIDs: many})
	require.NoError(t, err)
	assert.Len(t, out.Kicked, 60)
	assert.Empty(t, out.Failed)
	g := assertInvariants(t, st, "g1")
	assert.EqualValues(t, 3, g.MemberCount)
	assert.Equal(t, before.Version+2, g.Version, "60 targets in batches of 48")
}

func TestQuitRules(t *testing.T) {
	t.Parallel() // each test has its own table
	ctx := context.Background()
	cases := []struct {
		name, actor, user string
		code              errcode.Code
		gone              string
	}{
		{"the owner cannot quit unless alone", "alice", "", errcode.OwnerCannotQuit, ""},
		{"an app admin cannot quit the owner out either", "admin", "alice", errcode.OwnerCannotQuit, ""},
		{"a non-member", "dave", "", errcode.NotInGroup, ""},
		{"an ordinary member cannot quit another", "carol", "bob", errcode.NoPermission, ""},
		{"an admin cannot quit another", "bob", "carol", errcode.NoPermission, ""},
		{"an app admin quitting a non-member", "admin", "dave", errcode.NotInGroup, ""},
		{"a bad user ID", "admin", "a#b", errcode.InvalidArgument, ""},
		{"an ordinary member quits", "carol", "", "", "carol"},
		{"an admin quits", "bob", "", "", "bob"},
		{"naming yourself is the same", "carol", "carol", "", "carol"},
		{"an app admin quits another user", "admin", "carol", "", "carol"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			svc, st := membershipGroup(t, 0)
			before := readGroupItems(t, st, "g1")
			err := svc.Quit(ctx, admins.Actor(c.actor), "g1", group.QuitInput{UserID: c.user})
			if c.code != "" {
				assert.Equal(t, c.code, errcode.CodeOf(err), "%v", err)
				assert.Equal(t, before, readGroupItems(t, st, "g1"), "a refused quit changes nothing")
				assertInvariants(t, st, "g1")
				return
			}
			require.NoError(t, err)
			g := assertInvariants(t, st, "g1")
			assert.EqualValues(t, 2, g.MemberCount)
			ms, err := st.GetMembers(ctx, "g1", []string{c.gone})
			require.NoError(t, err)
			assert.Empty(t, ms)
			ev := lastEvent(t, st, "g1")
			assert.Equal(t, event.MemberQuit, ev.Type)
			assert.Equal(t, []string{c.gone}, ev.Recipients, "the quitter is notified")
		})
	}
}

// OpenIM #3004 / #2728: the owner's quit must never leave a live group
// without an owner; as the last member it dismisses the group instead.
func TestOwnerQuittingAloneDismissesTheGroup(t *testing.T) {
	t.Parallel() // each test has its own table
	ctx := context.Background()
	for _, actor := range []string{"alice", "admin"} {
		t.Run(actor, func(t *testing.T) {
			svc, st := newService(t)
			withProfiles(t, svc, "alice", "bob", "admin")
			_, err := svc.Create(ctx, admins.Actor("alice"), group.CreateInput{GroupID: "g1"})
			require.NoError(t, err)
			require.NoError(t, svc.Quit(ctx, admins.Actor(actor), "g1", group.QuitInput{UserID: "alice"}))

			g, err := st.GetGroup(ctx, "g1")
			require.NoError(t, err)
			assert.Equal(t, store.StatusDismissed, g.Status)
			assert.EqualValues(t, 0, g.MemberCount)
			assert.EqualValues(t, 2, g.Version)
			ms, err := st.AllMembers(ctx, "g1")
			require.NoError(t, err)
			assert.Empty(t, ms, "the owner's record went in the same change")
			ev := lastEvent(t, st, "g1")
			assert.Equal(t, event.GroupDismissed, ev.Type)
			assert.Equal(t, 1511, ev.Code)
			page, err := svc.ListJoined(ctx, admins.Actor("alice"), 0, "")
			require.NoError(t, err)
			assert.Empty(t, page.Items)

			// A dismissed group refuses every change (OpenIM #1654).
			_, err = svc.Join(ctx, admins.Actor("bob"), "g1", group.JoinInput{})
			assert.Equal(t, errcode.GroupDismissed, errcode.CodeOf(err))
			_, err = svc.Invite(ctx, admins.Actor("admin"), "g1", group.InviteInput{UserIDs: []string{"bob"}})
			assert.Equal(t, errcode.GroupDismissed, errcode.CodeOf(err))
			err = svc.Quit(ctx, admins.Actor("alice"), "g1", group.QuitInput{})
			assert.Equal(t, errcode.GroupDismissed, errcode.CodeOf(err))
			_, err = svc.Kick(ctx, admins.Actor("admin"), "g1", group.KickInput{UserIDs: []string{"alice"}})
			assert.Equal(t, errcode.GroupDismissed, errcode.CodeOf(err))
			after, err := st.GetGroup(ctx, "g1")
			require.NoError(t, err)
			assert.Equal(t, g, after)
		})
	}
}

func TestConcurrentKicksQuitsAndInvitesKeepTheCountRight(t *testing.T) {
	t.Parallel() // each test has its own table
	ctx := context.Background()
	svc, st := membershipGroup(t, 0)
	pool := users("c", 24)
	withProfiles(t, svc, pool...)
	_, err := svc.Invite(ctx, admins.Actor("alice"), "g1", group.InviteInput{UserIDs: pool[:12]})
	require.NoError(t, err)

	// Every outcome is a success or one of the answers a lost race gives.
	allowed := map[errcode.Code]bool{"": true, errcode.NotInGroup: true, errcode.AlreadyInGroup: true, errcode.Conflict: true}
	var mu sync.Mutex
	check := func(op string, err error) {
		mu.Lock()
		defer mu.Unlock()
		assert.True(t, allowed[errcode.CodeOf(err)], "%s: unexpected %v", op, err)
	}
	// Eight workers at a time: DynamoDB Local answers a transaction that
	// waited too long for its lock with a 500, which DynamoDB does not.
	tasks := make(chan func(), 3*len(pool))
	for i, u := range pool {
		tasks <- func() {
			_, err := svc.Kick(ctx, admins.Actor("bob"), "g1", group.KickInput{UserIDs: []string{u}})
			check("kick", err)
		}
		tasks <- func() { check("quit", svc.Quit(ctx, admins.Actor(u), "g1", group.QuitInput{})) }
		tasks <- func() {
			out, err := svc.Invite(ctx, admins.Actor("carol"), "g1", group.InviteInput{UserIDs: []string{pool[(i+12)%len(pool)]}})
			check("invite", err)
			if err == nil {
				for _, f := range out.Failed {
					if !allowed[f.Code] {
						check("invite "+f.UserID, errcode.New(f.Code, "%s", f.Message))
					}
				}
			}
		}
	}
	close(tasks)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for task := range tasks {
				task()
			}
		}()
	}
	wg.Wait()
	assertInvariants(t, st, "g1")
}
