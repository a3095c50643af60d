package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/infra/stacktest"
	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/event"
	"github.com/circles-im/circles/shared/store"
)

func newStore(t *testing.T) *store.Store {
	t.Helper()
	db, table := stacktest.NewTable(t, store.Instrument)
	return store.New(db, table)
}

func seedProfiles(t *testing.T, st *store.Store, ids ...string) {
	t.Helper()
	for _, id := range ids {
		_, err := st.PutProfile(context.Background(), store.Profile{UserID: id, Nickname: id})
		require.NoError(t, err)
	}
}

func newGroup(id, owner string) *store.Group {
	return &store.Group{GroupID: id, GroupName: "g " + id, OwnerUserID: owner, CreatorUserID: owner, CreateTime: 1}
}

func member(gid, uid string, level int) *store.Member {
	return &store.Member{GroupID: gid, UserID: uid, RoleLevel: level, JoinTime: 1000}
}

func TestCreateGroupThatFailsOnAMissingProfileLeavesNothingBehind(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	seedProfiles(t, st, "alice", "bob")

	ms := []*store.Member{member("g1", "alice", store.RoleOwner), member("g1", "bob", store.RoleMember), member("g1", "ghost", store.RoleMember)}
	_, err := st.CreateGroup(ctx, newGroup("g1", "alice"), ms, event.New(event.GroupCreated, "alice", nil))

	var ue *store.UserError
	require.ErrorAs(t, err, &ue)
	assert.Equal(t, "ghost", ue.UserID)
	assert.Equal(t, errcode.NotFound, errcode.CodeOf(err))

	_, err = st.GetGroup(ctx, "g1")
	assert.Equal(t, errcode.GroupNotFound, errcode.CodeOf(err))
	all, err := st.AllMembers(ctx, "g1")
	require.NoError(t, err)
	assert.Empty(t, all)
	evs, err := st.ListEvents(ctx, "g1", 0, 10)
	require.NoError(t, err)
	assert.Empty(t, evs)
	page, err := st.ListJoinedGroups(ctx, "alice", 10, "")
	require.NoError(t, err)
	assert.Empty(t, page.Items)
}

func TestCreateGroupRefusesATakenGroupIDAndKeepsTheFirst(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	seedProfiles(t, st, "alice", "bob")

	_, err := st.CreateGroup(ctx, newGroup("g1", "alice"), []*store.Member{member("g1", "alice", store.RoleOwner)}, event.New(event.GroupCreated, "alice", nil))
	require.NoError(t, err)
	_, err = st.CreateGroup(ctx, newGroup("g1", "bob"), []*store.Member{member("g1", "bob", store.RoleOwner)}, event.New(event.GroupCreated, "bob", nil))
	assert.Equal(t, errcode.GroupIDExists, errcode.CodeOf(err))

	g, err := st.GetGroup(ctx, "g1")
	require.NoError(t, err)
	assert.Equal(t, "alice", g.OwnerUserID)
	assert.EqualValues(t, 1, g.Version)
	all, err := st.AllMembers(ctx, "g1")
	require.NoError(t, err)
	require.Len(t, all, 1)
	assert.Equal(t, "alice", all[0].UserID)
}

func TestAddMembersCommitsRecordsCountAndEventTogether(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	seedProfiles(t, st, "alice", "bob", "carol")
	g := newGroup("g1", "alice")
	_, err := st.CreateGroup(ctx, g, []*store.Member{member("g1", "alice", store.RoleOwner)}, event.New(event.GroupCreated, "alice", nil))
	require.NoError(t, err)

	cases := []struct {
		name      string
		users     []string
		wantCode  errcode.Code
		wantUser  string
		wantCount int64
	}{
		{"a user without a profile fails the whole batch", []string{"bob", "nobody"}, errcode.NotFound, "nobody", 1},
		{"new members are added", []string{"bob", "carol"}, "", "", 3},
		{"an existing member fails the whole batch", []string{"bob"}, errcode.AlreadyInGroup, "bob", 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var ms []*store.Member
			for _, u := range c.users {
				ms = append(ms, member("g1", u, store.RoleMember))
			}
			before := g.Version
			_, err := st.AddMembers(ctx, g, ms, event.New(event.MemberInvited, "alice", nil))
			if c.wantCode != "" {
				var ue *store.UserError
				require.ErrorAs(t, err, &ue)
				assert.Equal(t, c.wantUser, ue.UserID)
				assert.Equal(t, c.wantCode, errcode.CodeOf(err))
				assert.Equal(t, before, g.Version)
			} else {
				require.NoError(t, err)
				assert.Equal(t, before+1, g.Version)
			}
			stored, err := st.GetGroup(ctx, "g1")
			require.NoError(t, err)
			assert.Equal(t, c.wantCount, stored.MemberCount)
			all, err := st.AllMembers(ctx, "g1")
			require.NoError(t, err)
			assert.Len(t, all, int(c.wantCount))
			evs, err := st.ListEvents(ctx, "g1", 0, 100)
			require.NoError(t, err)
			assert.Len(t, evs, int(stored.Version))
		})
	}
}

func TestAStaleVersionIsRefusedAsRetryable(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	seedProfiles(t, st, "alice", "bob", "carol")
	g := newGroup("g1", "alice")
	_, err := st.CreateGroup(ctx, g, []*store.Member{member("g1", "alice", store.RoleOwner)}, event.New(event.GroupCreated, "alice", nil))
	require.NoError(t, err)
	stale := *g

	_, err = st.AddMembers(ctx, g, []*store.Member{member("g1", "bob", store.RoleMember)}, event.New(event.MemberInvited, "alice", nil))
	require.NoError(t, err)
	_, err = st.AddMembers(ctx, &stale, []*store.Member{member("g1", "carol", store.RoleMember)}, event.New(event.MemberInvited, "alice", nil))
	assert.True(t, store.IsRetryable(err), "got %v", err)

	all, err := st.AllMembers(ctx, "g1")
	require.NoError(t, err)
	assert.Len(t, all, 2)
}

func TestListJoinedGroupsPagesWithCursorsFromTheLastItem(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	seedProfiles(t, st, "alice")
	var want []string
	for i := range 7 {
		gid := fmt.Sprintf("g%02d", i)
		m := member(gid, "alice", store.RoleOwner)
		m.JoinTime = int64(1000 + i)
		_, err := st.CreateGroup(ctx, newGroup(gid, "alice"), []*store.Member{m}, event.New(event.GroupCreated, "alice", nil))
		require.NoError(t, err)
		want = append(want, gid)
	}
	var got []string
	cursor := ""
	pages := 0
	for {
		page, err := st.ListJoinedGroups(ctx, "alice", 3, cursor)
		require.NoError(t, err)
		pages++
		for _, g := range page.Items {
			got = append(got, g.GroupID)
			assert.Equal(t, store.RoleOwner, g.RoleLevel)
		}
		if page.NextCursor == "" {
			break
		}
		cursor = page.NextCursor
	}
	assert.Equal(t, want, got)
	assert.Equal(t, 3, pages)

	for _, bad := range []string{"not-base64!", "e30", cursor + "x"} {
		_, err := st.ListJoinedGroups(ctx, "bob", 3, bad)
		assert.Equal(t, errcode.InvalidArgument, errcode.CodeOf(err), "cursor %q", bad)
	}
	first, err := st.ListJoinedGroups(ctx, "alice", 3, "")
	require.NoError(t, err)
	_, err = st.ListJoinedGroups(ctx, "bob", 3, first.NextCursor)
	assert.Equal(t, errcode.InvalidArgument, errcode.CodeOf(err), "another user's cursor must not be accepted")
}

func TestMeterCountsCallsAndCapacity(t *testing.T) {
	st := newStore(t)
	ctx, meter := store.WithMeter(context.Background())
	seedProfiles(t, st, "alice")
	_, err := st.GetProfiles(ctx, []string{"alice"})
	require.NoError(t, err)
	assert.Equal(t, 1, meter.Calls())
	assert.Greater(t, meter.Capacity(), 0.0)
	assert.Equal(t, meter.Capacity(), meter.ReadUnits(), "a read's units are read units")
	assert.Zero(t, meter.WriteUnits())

	_, err = st.PutProfile(ctx, store.Profile{UserID: "alice", Nickname: "Alice"})
	require.NoError(t, err)
	assert.Greater(t, meter.WriteUnits(), 0.0, "a write's units are write units")
	assert.InDelta(t, meter.Capacity(), meter.ReadUnits()+meter.WriteUnits(), 1e-9)
}
