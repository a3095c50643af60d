package store_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/shared/event"
	"github.com/circles-im/circles/shared/store"
)

// drain reads every page of an audience source, limit ids a page.
func drain(t *testing.T, st *store.Store, gid, source string, limit int) (ids []string, pages int) {
	t.Helper()
	cursor := ""
	for {
		page, next, err := st.AudiencePage(context.Background(), gid, source, cursor, limit)
		require.NoError(t, err)
		require.LessOrEqual(t, len(page), limit)
		ids = append(ids, page...)
		pages++
		if next == "" {
			return ids, pages
		}
		require.Less(t, pages, 100, "paging must end")
		cursor = next
	}
}

func TestAudiencePagesOfManagersNameOnlyTheOwnerAndAdmins(t *testing.T) {
	st, _, _ := removalGroup(t) // alice owner, bob admin, carol and dave members
	ids, pages := drain(t, st, "g1", store.SourceManagers, 1)
	assert.ElementsMatch(t, []string{"alice", "bob"}, ids)
	assert.GreaterOrEqual(t, pages, 2, "one id a page")
}

func TestAudiencePagesOfARoleNameExactlyItsMembers(t *testing.T) {
	ctx := context.Background()
	st, g := roleGroup(t)
	_, err := st.AddRoleMembers(ctx, g, "r1", []string{"bob", "dave"}, event.New(event.ServerRoleMemberAdd, "alice", nil))
	require.NoError(t, err)
	ids, _ := drain(t, st, "g1", store.SourceRole+"r1", 1)
	assert.ElementsMatch(t, []string{"bob", "dave"}, ids)
	ids, _ = drain(t, st, "g1", store.SourceRole+"nope", 10)
	assert.Empty(t, ids, "a role without members (or none at all) is an empty source")

	_, _, err = st.AudiencePage(ctx, "g1", "everyone", "", 10)
	assert.Error(t, err, "an unknown source is refused")
}

func TestGroupRolesReadsTheGroupAndItsRoles(t *testing.T) {
	st, _ := roleGroup(t)
	g, err := st.GroupRoles(context.Background(), "g1")
	require.NoError(t, err)
	assert.Equal(t, "alice", g.OwnerUserID)
	require.NotNil(t, g.Roles)
	assert.Contains(t, g.Roles.Roles, "r1")
	assert.Contains(t, g.Roles.Roles, store.EveryoneRoleID)
}
