package group_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/infra/stacktest"
	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/group"
	"github.com/circles-im/circles/shared/permission"
	"github.com/circles-im/circles/shared/store"
)

var admins = permission.ParseAppAdmins("admin")

func newService(t *testing.T) (*group.Service, *store.Store) {
	t.Helper()
	db, table := stacktest.NewTable(t, store.Instrument)
	st := store.New(db, table)
	return group.NewService(st), st
}

func withProfiles(t *testing.T, svc *group.Service, ids ...string) {
	t.Helper()
	for _, id := range ids {
		_, err := svc.PutMyProfile(context.Background(), admins.Actor(id), group.ProfileInput{Nickname: id})
		require.NoError(t, err)
	}
}

func users(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%02d", prefix, i)
	}
	return out
}

// assertInvariants checks invariants 1, 2 and 4 (package store) on a group.
func assertInvariants(t *testing.T, st *store.Store, groupID string) *store.Group {
	t.Helper()
	ctx := context.Background()
	g, err := st.GetGroup(ctx, groupID)
	require.NoError(t, err)
	ms, err := st.AllMembers(ctx, groupID)
	require.NoError(t, err)
	var owners []string
	for _, m := range ms {
		if m.RoleLevel == store.RoleOwner {
			owners = append(owners, m.UserID)
		}
	}
	assert.Equal(t, []string{g.OwnerUserID}, owners, "exactly one owner, named by the group")
	assert.EqualValues(t, len(ms), g.MemberCount, "memberCount equals member records")
	evs, err := st.ListEvents(ctx, groupID, 0, 1000)
	require.NoError(t, err)
	require.Len(t, evs, int(g.Version), "one event per version")
	for i, ev := range evs {
		assert.EqualValues(t, i+1, ev.Version, "versions are contiguous")
	}
	return g
}

func TestCreateGroupWithAMissingProfileFailsAndStoresNothing(t *testing.T) {
	t.Parallel() // each test has its own table
	ctx := context.Background()
	svc, st := newService(t)
	withProfiles(t, svc, "alice", "bob")

	_, err := svc.Create(ctx, admins.Actor("alice"), group.CreateInput{GroupID: "g1", MemberUserIDs: []string{"bob", "ghost"}})
	assert.Equal(t, errcode.NotFound, errcode.CodeOf(err))
	assert.Contains(t, err.Error(), "ghost")

	_, err = st.GetGroup(ctx, "g1")
	assert.Equal(t, errcode.GroupNotFound, errcode.CodeOf(err))
	ms, err := st.AllMembers(ctx, "g1")
	require.NoError(t, err)
	assert.Empty(t, ms)
}

func TestCreateGroupAddsLargeListsInAtomicBatches(t *testing.T) {
	t.Parallel() // each test has its own table
	ctx := context.Background()
	svc, st := newService(t)
	members := users("m", 120)
	withProfiles(t, svc, append([]string{"alice", "bob"}, members...)...)

	out, err := svc.Create(ctx, admins.Actor("alice"), group.CreateInput{GroupID: "big", GroupName: "big", AdminUserIDs: []string{"bob"}, MemberUserIDs: members})
	require.NoError(t, err)
	assert.Empty(t, out.Failed)
	assert.EqualValues(t, 122, out.MemberCount)
	g := assertInvariants(t, st, "big")
	assert.EqualValues(t, 122, g.MemberCount)
	assert.Greater(t, g.Version, int64(1), "later batches are changes of their own")
}

func TestCreateGroupValidatesInput(t *testing.T) {
	t.Parallel() // each test has its own table
	ctx := context.Background()
	svc, _ := newService(t)
	withProfiles(t, svc, "alice", "bob")
	cases := []struct {
		name  string
		actor string
		in    group.CreateInput
		code  errcode.Code
	}{
		{"bad group ID", "alice", group.CreateInput{GroupID: "a#b"}, errcode.InvalidArgument},
		{"name too long", "alice", group.CreateInput{GroupName: string(make([]rune, 256))}, errcode.InvalidArgument},
		{"unknown needVerification", "alice", group.CreateInput{NeedVerification: 5}, errcode.InvalidArgument},
		{"duplicate member", "alice", group.CreateInput{MemberUserIDs: []string{"bob", "bob"}}, errcode.InvalidArgument},
		{"member listed as admin too", "alice", group.CreateInput{MemberUserIDs: []string{"bob"}, AdminUserIDs: []string{"bob"}}, errcode.InvalidArgument},
		{"owner listed as member", "alice", group.CreateInput{MemberUserIDs: []string{"alice"}}, errcode.InvalidArgument},
		{"non-admin names another owner", "alice", group.CreateInput{OwnerUserID: "bob"}, errcode.NoPermission},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := svc.Create(ctx, admins.Actor(c.actor), c.in)
			assert.Equal(t, c.code, errcode.CodeOf(err))
		})
	}
}

func TestAppAdminCreatesAGroupForAnotherOwner(t *testing.T) {
	t.Parallel() // each test has its own table
	ctx := context.Background()
	svc, st := newService(t)
	withProfiles(t, svc, "admin", "bob")
	out, err := svc.Create(ctx, admins.Actor("admin"), group.CreateInput{GroupID: "g1", OwnerUserID: "bob"})
	require.NoError(t, err)
	assert.Equal(t, "bob", out.OwnerUserID)
	assert.Equal(t, "admin", out.CreatorUserID)
	assertInvariants(t, st, "g1")
}

func TestConcurrentTransfersLeaveExactlyOneOwner(t *testing.T) {
	t.Parallel() // each test has its own table
	ctx := context.Background()
	svc, st := newService(t)
	members := users("u", 20)
	withProfiles(t, svc, append([]string{"alice", "admin"}, members...)...)
	_, err := svc.Create(ctx, admins.Actor("alice"), group.CreateInput{GroupID: "g1", AdminUserIDs: members[:5], MemberUserIDs: members[5:]})
	require.NoError(t, err)

	// Half the calls come from the owner, half from an app admin, each to a
	// different member: the owner's first success ends the owner's rights,
	// while the app admin's calls may all succeed one after another.
	var wg sync.WaitGroup
	results := make([]error, 20)
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			actor := "alice"
			if i%2 == 1 {
				actor = "admin"
			}
			_, results[i] = svc.TransferOwner(ctx, admins.Actor(actor), "g1", group.TransferInput{NewOwnerUserID: members[i]})
		}()
	}
	wg.Wait()

	wins := 0
	for i, err := range results {
		switch errcode.CodeOf(err) {
		case "":
			wins++
		case errcode.NoPermission, errcode.Conflict, errcode.InvalidArgument:
		default:
			t.Errorf("call %d: unexpected error %v", i, err)
		}
	}
	require.GreaterOrEqual(t, wins, 1)
	g := assertInvariants(t, st, "g1")
	assert.EqualValues(t, 1+wins, g.Version, "one version per successful transfer")
	assert.EqualValues(t, 21, g.MemberCount)

	ms, err := st.AllMembers(ctx, "g1")
	require.NoError(t, err)
	levels := map[int]int{}
	for _, m := range ms {
		levels[m.RoleLevel]++
	}
	assert.Equal(t, map[int]int{store.RoleOwner: 1, store.RoleAdmin: 5, store.RoleMember: 15}, levels,
		"each transfer swaps two levels, so the multiset of levels never changes")
}

func TestTransferRules(t *testing.T) {
	t.Parallel() // each test has its own table
	ctx := context.Background()
	svc, st := newService(t)
	withProfiles(t, svc, "alice", "bob", "carol", "dave", "admin")
	_, err := svc.Create(ctx, admins.Actor("alice"), group.CreateInput{GroupID: "g1", AdminUserIDs: []string{"bob"}, MemberUserIDs: []string{"carol"}})
	require.NoError(t, err)

	cases := []struct {
		name, actor, target string
		code                errcode.Code
	}{
		{"admin is not owner", "bob", "carol", errcode.NoPermission},
		{"member is not owner", "carol", "bob", errcode.NoPermission},
		{"non-member", "dave", "bob", errcode.NotInGroup},
		{"to yourself", "alice", "alice", errcode.InvalidArgument},
		{"to a non-member", "alice", "dave", errcode.NotInGroup},
		{"bad target ID", "alice", "x/y", errcode.InvalidArgument},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := svc.TransferOwner(ctx, admins.Actor(c.actor), "g1", group.TransferInput{NewOwnerUserID: c.target})
			assert.Equal(t, c.code, errcode.CodeOf(err))
			g := assertInvariants(t, st, "g1")
			assert.Equal(t, "alice", g.OwnerUserID)
			assert.EqualValues(t, 1, g.Version, "a refused request changes nothing")
		})
	}
	_, err = svc.TransferOwner(ctx, admins.Actor("alice"), "nope", group.TransferInput{NewOwnerUserID: "bob"})
	assert.Equal(t, errcode.GroupNotFound, errcode.CodeOf(err))

	t.Run("owner hands over to an admin, who gets 100 while the old owner takes 60", func(t *testing.T) {
		g, err := svc.TransferOwner(ctx, admins.Actor("alice"), "g1", group.TransferInput{NewOwnerUserID: "bob"})
		require.NoError(t, err)
		assert.Equal(t, "bob", g.OwnerUserID)
		ms, err := st.GetMembers(ctx, "g1", []string{"alice", "bob"})
		require.NoError(t, err)
		assert.Equal(t, store.RoleAdmin, ms["alice"].RoleLevel)
		assert.Equal(t, store.RoleOwner, ms["bob"].RoleLevel)
		assertInvariants(t, st, "g1")
	})
}

// OpenIM #3283: a member muted before becoming owner stayed muted as owner,
// and no one could lift it (the owner cannot be muted or unmuted).
func TestTransferToAMutedMemberUnmutesThem_OpenIM3283(t *testing.T) {
	t.Parallel() // each test has its own table
	ctx := context.Background()
	svc, st := newService(t)
	withProfiles(t, svc, "alice", "bob")
	_, err := svc.Create(ctx, admins.Actor("alice"), group.CreateInput{GroupID: "g1", MemberUserIDs: []string{"bob"}})
	require.NoError(t, err)
	muted, err := svc.MuteMember(ctx, admins.Actor("alice"), "g1", "bob", group.MuteMemberInput{MutedSeconds: 3600})
	require.NoError(t, err)
	require.Greater(t, muted.MuteEndTime, st.Now().UnixMilli())

	_, err = svc.TransferOwner(ctx, admins.Actor("alice"), "g1", group.TransferInput{NewOwnerUserID: "bob"})
	require.NoError(t, err)

	ms, err := st.GetMembers(ctx, "g1", []string{"bob"})
	require.NoError(t, err)
	assert.Equal(t, store.RoleOwner, ms["bob"].RoleLevel)
	assert.Zero(t, ms["bob"].MuteEndTime, "the new owner is unmuted")
	assertInvariants(t, st, "g1")
}
