package store

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/event"
)

// myGroupsEntries reads the raw "my groups" entries (GSI2) of a user,
// dismissed groups included, which ListJoinedGroups would hide.
func myGroupsEntries(t *testing.T, s *Store, uid string) []string {
	t.Helper()
	items, _, err := s.page(context.Background(), pageQuery{ix: gsi2, partition: groupsOfUserPK(uid), forward: true, limit: MaxLimit})
	require.NoError(t, err)
	var out []string
	for _, it := range items {
		out = append(out, strAttr(it, "groupID"))
	}
	return out
}

func TestCleanupOfA300MemberGroupWithMaxItems100(t *testing.T) {
	ctx := context.Background()
	s := testStore(t)
	g := loadGroupForTest(t, s, "gdis", 300)
	// The ex-member u00007 also owns a live group.
	_, err := s.PutProfile(ctx, Profile{UserID: bulkUserID(7)})
	require.NoError(t, err)
	live := &Group{GroupID: "glive", OwnerUserID: bulkUserID(7), CreatorUserID: bulkUserID(7)}
	_, err = s.CreateGroup(ctx, live, []*Member{{GroupID: "glive", UserID: bulkUserID(7), RoleLevel: RoleOwner, JoinTime: 5}}, event.New(event.GroupCreated, bulkUserID(7), nil))
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"gdis", "glive"}, myGroupsEntries(t, s, bulkUserID(7)))

	_, err = s.SetGroupStatus(ctx, g, StatusDismissed, event.New(event.GroupDismissed, bulkUserID(0), nil))
	require.NoError(t, err)

	calls := 0
	for done := false; !done; calls++ {
		require.Less(t, calls, 10, "cleanup must finish")
		before, err := s.AllMembers(ctx, "gdis")
		require.NoError(t, err)
		done, err = s.CleanupDismissed(ctx, "gdis", 100)
		require.NoError(t, err)
		after, err := s.AllMembers(ctx, "gdis")
		require.NoError(t, err)
		assert.LessOrEqual(t, len(before)-len(after), 100, "a call deletes at most maxItems records")
		stored, err := s.GetGroup(ctx, "gdis")
		require.NoError(t, err)
		assert.EqualValues(t, len(after), stored.MemberCount, "invariant 2 after every call")
		assert.Equal(t, g.Version, stored.Version)
	}
	assert.Equal(t, 4, calls, "three calls of 100, and a fourth that finds nothing left")

	stored, err := s.GetGroup(ctx, "gdis")
	require.NoError(t, err)
	assert.Zero(t, stored.MemberCount)
	assert.Equal(t, StatusDismissed, stored.Status)
	assert.Equal(t, []string{"glive"}, myGroupsEntries(t, s, bulkUserID(7)), "the ex-member's entry is gone with the member record")
	assert.Empty(t, myGroupsEntries(t, s, bulkUserID(123)))
	page, err := s.ListJoinedGroups(ctx, bulkUserID(7), 0, "")
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	assert.Equal(t, "glive", page.Items[0].GroupID)
}

func TestCleanupRefusesAGroupThatIsNotDismissedAndDeletesNothing(t *testing.T) {
	ctx := context.Background()
	s := testStore(t)
	loadGroupForTest(t, s, "g1", 5)
	_, err := s.CleanupDismissed(ctx, "g1", 100)
	assert.Equal(t, errcode.InvalidArgument, errcode.CodeOf(err))
	ms, err := s.AllMembers(ctx, "g1")
	require.NoError(t, err)
	assert.Len(t, ms, 5)

	// The status is also a condition of every delete transaction, so a
	// group read as dismissed cannot lose records once it is not.
	keys, err := s.recordKeys(ctx, "g1", prefixMember, 2)
	require.NoError(t, err)
	err = s.deleteRecords(ctx, "g1", keys, 2)
	assert.Equal(t, errcode.InvalidArgument, errcode.CodeOf(err))
	ms, err = s.AllMembers(ctx, "g1")
	require.NoError(t, err)
	assert.Len(t, ms, 5)

	_, err = s.CleanupDismissed(ctx, "nope", 100)
	assert.Equal(t, errcode.GroupNotFound, errcode.CodeOf(err))
}
