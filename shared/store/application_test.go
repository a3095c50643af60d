package store_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/event"
	"github.com/circles-im/circles/shared/store"
)

// appGroup is g1 owned by alice, with profiles for bob and carol.
func appGroup(t *testing.T) (*store.Store, *store.Group) {
	t.Helper()
	st := newStore(t)
	seedProfiles(t, st, "alice", "bob", "carol")
	g := newGroup("g1", "alice")
	_, err := st.CreateGroup(context.Background(), g, []*store.Member{member("g1", "alice", store.RoleOwner)}, event.New(event.GroupCreated, "alice", nil))
	require.NoError(t, err)
	return st, g
}

func application(gid, uid string, reqTime int64) *store.Application {
	return &store.Application{GroupID: gid, UserID: uid, ReqTime: reqTime, JoinSource: store.JoinBySearch}
}

func TestPutApplicationsIsRefusedForMembersAndUnknownUsersAndWritesNothing(t *testing.T) {
	ctx := context.Background()
	st, g := appGroup(t)
	cases := []struct {
		name  string
		users []string
		user  string
		code  errcode.Code
	}{
		{"a member cannot apply", []string{"bob", "alice"}, "alice", errcode.AlreadyInGroup},
		{"a user without a profile cannot apply", []string{"ghost", "bob"}, "ghost", errcode.NotFound},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var apps []*store.Application
			for _, u := range c.users {
				apps = append(apps, application("g1", u, 10))
			}
			_, err := st.PutApplications(ctx, g, apps, event.New(event.JoinGroupApplication, "x", nil))
			var ue *store.UserError
			require.ErrorAs(t, err, &ue)
			assert.Equal(t, c.user, ue.UserID)
			assert.Equal(t, c.code, errcode.CodeOf(err))
			page, err := st.ListGroupApplications(ctx, "g1", nil, 0, "")
			require.NoError(t, err)
			assert.Empty(t, page.Items)
			stored, err := st.GetGroup(ctx, "g1")
			require.NoError(t, err)
			assert.EqualValues(t, 1, stored.Version)
		})
	}
}

func TestHandleApplicationMarksOnceAndMovesItToItsResultList(t *testing.T) {
	ctx := context.Background()
	st, g := appGroup(t)
	_, err := st.PutApplications(ctx, g, []*store.Application{application("g1", "bob", 10), application("g1", "carol", 20)}, event.New(event.JoinGroupApplication, "x", nil))
	require.NoError(t, err)
	bob, err := st.GetApplication(ctx, "g1", "bob")
	require.NoError(t, err)

	add := member("g1", "bob", store.RoleMember)
	_, err = st.HandleApplication(ctx, g, bob, store.ApplicationAgreed, "alice", "welcome", add, event.New(event.GroupApplicationAccepted, "alice", nil))
	require.NoError(t, err)
	stored, err := st.GetGroup(ctx, "g1")
	require.NoError(t, err)
	assert.EqualValues(t, 2, stored.MemberCount)
	assert.EqualValues(t, 3, stored.Version)

	got, err := st.GetApplication(ctx, "g1", "bob")
	require.NoError(t, err)
	assert.Equal(t, store.ApplicationAgreed, got.HandleResult)
	assert.Equal(t, "alice", got.HandleUserID)
	assert.Equal(t, "welcome", got.HandledMsg)
	assert.Positive(t, got.HandledTime)

	for _, c := range []struct {
		result int
		want   []string
	}{{store.ApplicationPending, []string{"carol"}}, {store.ApplicationAgreed, []string{"bob"}}, {store.ApplicationRefused, nil}} {
		page, err := st.ListGroupApplications(ctx, "g1", &c.result, 0, "")
		require.NoError(t, err)
		var ids []string
		for _, a := range page.Items {
			ids = append(ids, a.UserID)
		}
		assert.Equal(t, c.want, ids, "handleResult %d", c.result)
	}

	t.Run("a second decision on the same record is APPLICATION_HANDLED", func(t *testing.T) {
		// bob as read before the first decision: the stale pending copy.
		_, err := st.HandleApplication(ctx, g, bob, store.ApplicationRefused, "alice", "", nil, event.New(event.GroupApplicationRejected, "alice", nil))
		assert.Equal(t, errcode.ApplicationHandled, errcode.CodeOf(err))
		got, err := st.GetApplication(ctx, "g1", "bob")
		require.NoError(t, err)
		assert.Equal(t, store.ApplicationAgreed, got.HandleResult)
	})

	t.Run("agreeing for a user who is already a member fails with ALREADY_IN_GROUP and writes nothing", func(t *testing.T) {
		_, err := st.AddMembers(ctx, g, []*store.Member{member("g1", "carol", store.RoleMember)}, event.New(event.MemberInvited, "alice", nil))
		require.NoError(t, err)
		carol, err := st.GetApplication(ctx, "g1", "carol")
		require.NoError(t, err)
		_, err = st.HandleApplication(ctx, g, carol, store.ApplicationAgreed, "alice", "", member("g1", "carol", store.RoleMember), event.New(event.GroupApplicationAccepted, "alice", nil))
		var ue *store.UserError
		require.ErrorAs(t, err, &ue)
		assert.Equal(t, errcode.AlreadyInGroup, ue.Err.Code)
		// Marking only succeeds.
		_, err = st.HandleApplication(ctx, g, carol, store.ApplicationAgreed, "alice", "", nil, event.New(event.GroupApplicationAccepted, "alice", nil))
		require.NoError(t, err)
		stored, err := st.GetGroup(ctx, "g1")
		require.NoError(t, err)
		assert.EqualValues(t, 3, stored.MemberCount)
		all, err := st.AllMembers(ctx, "g1")
		require.NoError(t, err)
		assert.Len(t, all, 3)
	})

	t.Run("an application that does not exist is NOT_FOUND", func(t *testing.T) {
		_, err := st.GetApplication(ctx, "g1", "nobody")
		assert.Equal(t, errcode.NotFound, errcode.CodeOf(err))
	})
}

func TestListUserApplicationsIsNewestFirstAcrossGroups(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	seedProfiles(t, st, "alice", "bob")
	for i, gid := range []string{"ga", "gb", "gc"} {
		g := newGroup(gid, "alice")
		_, err := st.CreateGroup(ctx, g, []*store.Member{member(gid, "alice", store.RoleOwner)}, event.New(event.GroupCreated, "alice", nil))
		require.NoError(t, err)
		_, err = st.PutApplications(ctx, g, []*store.Application{application(gid, "bob", int64(100+i))}, event.New(event.JoinGroupApplication, "bob", nil))
		require.NoError(t, err)
	}
	page, err := st.ListUserApplications(ctx, "bob", 2, "")
	require.NoError(t, err)
	require.Len(t, page.Items, 2)
	assert.Equal(t, "gc", page.Items[0].GroupID)
	assert.Equal(t, "gb", page.Items[1].GroupID)
	page, err = st.ListUserApplications(ctx, "bob", 2, page.NextCursor)
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	assert.Equal(t, "ga", page.Items[0].GroupID)
	assert.Empty(t, page.NextCursor)
}
