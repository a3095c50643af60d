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

// removalGroup is g1: alice owner, bob admin, carol and dave members.
func removalGroup(t *testing.T) (*store.Store, *store.Group, map[string]*store.Member) {
	t.Helper()
	st := newStore(t)
	seedProfiles(t, st, "alice", "bob", "carol", "dave")
	ms := map[string]*store.Member{
		"alice": member("g1", "alice", store.RoleOwner), "bob": member("g1", "bob", store.RoleAdmin),
		"carol": member("g1", "carol", store.RoleMember), "dave": member("g1", "dave", store.RoleMember),
	}
	g := newGroup("g1", "alice")
	_, err := st.CreateGroup(context.Background(), g, []*store.Member{ms["alice"], ms["bob"], ms["carol"], ms["dave"]}, event.New(event.GroupCreated, "alice", nil))
	require.NoError(t, err)
	return st, g, ms
}

func TestRemoveMembersDeletesRecordsAndCountAndEventTogether(t *testing.T) {
	ctx := context.Background()
	st, g, ms := removalGroup(t)
	_, err := st.RemoveMembers(ctx, g, []*store.Member{ms["carol"], ms["dave"]}, event.New(event.MemberKicked, "alice", nil, "carol", "dave"))
	require.NoError(t, err)
	stored, err := st.GetGroup(ctx, "g1")
	require.NoError(t, err)
	assert.EqualValues(t, 2, stored.MemberCount)
	assert.EqualValues(t, 2, stored.Version)
	all, err := st.AllMembers(ctx, "g1")
	require.NoError(t, err)
	assert.Len(t, all, 2)
	joined, err := st.ListJoinedGroups(ctx, "carol", 0, "")
	require.NoError(t, err)
	assert.Empty(t, joined.Items, "the 'my groups' entry went with the record")

	t.Run("removing someone who is gone fails the whole change", func(t *testing.T) {
		_, err := st.RemoveMembers(ctx, g, []*store.Member{ms["bob"], ms["carol"]}, event.New(event.MemberKicked, "alice", nil))
		var ue *store.UserError
		require.ErrorAs(t, err, &ue)
		assert.Equal(t, "carol", ue.UserID)
		assert.Equal(t, errcode.NotInGroup, ue.Err.Code)
		stored, err := st.GetGroup(ctx, "g1")
		require.NoError(t, err)
		assert.EqualValues(t, 2, stored.MemberCount)
		assert.EqualValues(t, 2, stored.Version)
		all, err := st.AllMembers(ctx, "g1")
		require.NoError(t, err)
		assert.Len(t, all, 2, "bob was not removed either")
	})

	t.Run("a member whose level changed since it was read is not removed", func(t *testing.T) {
		promoted := *ms["bob"]
		promoted.RoleLevel = store.RoleMember // as if read before a change of level
		_, err := st.RemoveMembers(ctx, g, []*store.Member{&promoted}, event.New(event.MemberKicked, "alice", nil))
		assert.True(t, store.IsRetryable(err), "got %v", err)
	})
}

func TestDismissAloneRemovesTheLastOwnerOnlyWhenAlone(t *testing.T) {
	ctx := context.Background()
	st, g, ms := removalGroup(t)
	_, err := st.DismissAlone(ctx, g, ms["alice"], event.New(event.GroupDismissed, "alice", nil))
	assert.True(t, store.IsRetryable(err), "four members: refused, got %v", err)
	stored, err := st.GetGroup(ctx, "g1")
	require.NoError(t, err)
	assert.Equal(t, store.StatusOK, stored.Status)

	_, err = st.RemoveMembers(ctx, g, []*store.Member{ms["bob"], ms["carol"], ms["dave"]}, event.New(event.MemberKicked, "alice", nil))
	require.NoError(t, err)
	_, err = st.DismissAlone(ctx, g, ms["alice"], event.New(event.GroupDismissed, "alice", nil))
	require.NoError(t, err)
	stored, err = st.GetGroup(ctx, "g1")
	require.NoError(t, err)
	assert.Equal(t, store.StatusDismissed, stored.Status)
	assert.EqualValues(t, 0, stored.MemberCount)
	assert.EqualValues(t, 3, stored.Version)
	all, err := st.AllMembers(ctx, "g1")
	require.NoError(t, err)
	assert.Empty(t, all)
	evs, err := st.ListEvents(ctx, "g1", 2, 10)
	require.NoError(t, err)
	require.Len(t, evs, 1)
	assert.Equal(t, event.GroupDismissed, evs[0].Type)

	_, err = st.RemoveMembers(ctx, g, []*store.Member{ms["alice"]}, event.New(event.MemberQuit, "alice", nil))
	assert.Equal(t, errcode.GroupDismissed, errcode.CodeOf(err), "a dismissed group accepts no change")
}
