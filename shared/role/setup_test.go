package role_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/infra/stacktest"
	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/group"
	"github.com/circles-im/circles/shared/permission"
	"github.com/circles-im/circles/shared/role"
	"github.com/circles-im/circles/shared/store"
)

var admins = permission.ParseAppAdmins("root")

// fixture is one group on a fresh table: g1 with alice (owner), bob
// (admin) and carol, dave, erin (members); frank has a profile but is not
// a member.
type fixture struct {
	ctx    context.Context
	roles  *role.Service
	groups *group.Service
	st     *store.Store
}

func newFixture(t *testing.T, extraMembers ...string) *fixture {
	t.Helper()
	db, table := stacktest.NewTable(t, store.Instrument)
	st := store.New(db, table)
	f := &fixture{ctx: context.Background(), roles: role.NewService(st), groups: group.NewService(st), st: st}
	members := append([]string{"carol", "dave", "erin"}, extraMembers...)
	for _, id := range append([]string{"alice", "bob", "frank"}, members...) {
		_, err := f.groups.PutMyProfile(f.ctx, admins.Actor(id), group.ProfileInput{Nickname: id})
		require.NoError(t, err)
	}
	_, err := f.groups.Create(f.ctx, admins.Actor("alice"), group.CreateInput{GroupID: "g1", GroupName: "g1", AdminUserIDs: []string{"bob"}, MemberUserIDs: members})
	require.NoError(t, err)
	return f
}

func as(id string) permission.Actor { return admins.Actor(id) }

func str(s string) *string { return &s }
func num(n int) *int       { return &n }

// createRole creates a role as alice (the owner).
func (f *fixture) createRole(t *testing.T, name string, priority int, auths map[string]string) *store.Role {
	t.Helper()
	if auths == nil {
		auths = map[string]string{}
	}
	r, err := f.roles.CreateRole(f.ctx, as("alice"), "g1", role.RoleInput{Name: str(name), Priority: num(priority), Auths: auths})
	require.NoError(t, err)
	return r
}

// give adds users to a role as alice.
func (f *fixture) give(t *testing.T, roleID string, users ...string) {
	t.Helper()
	res, err := f.roles.AddRoleMembers(f.ctx, as("alice"), "g1", roleID, role.RoleMembersInput{UserIDs: users})
	require.NoError(t, err)
	require.Empty(t, res.FailedUserIDs)
}

// state is what a refused request must leave as it was.
type state struct {
	Version int64
	Roles   *store.Roles
	RoleIDs map[string][]string
	RMs     map[string][]string
}

func (f *fixture) state(t *testing.T) state {
	t.Helper()
	g, _, err := f.st.Snapshot(f.ctx, "g1")
	require.NoError(t, err)
	ms, err := f.st.AllMembers(f.ctx, "g1")
	require.NoError(t, err)
	s := state{Version: g.Version, Roles: g.Roles, RoleIDs: map[string][]string{}, RMs: map[string][]string{}}
	for _, m := range ms {
		s.RoleIDs[m.UserID] = m.RoleIDs
	}
	for id := range g.Roles.Roles {
		if id == store.EveryoneRoleID {
			continue
		}
		s.RMs[id] = f.roleMembers(t, id)
	}
	return s
}

// roleMembers reads every RM record of a role, page by page.
func (f *fixture) roleMembers(t *testing.T, roleID string) []string {
	t.Helper()
	var out []string
	cursor := ""
	for {
		page, err := f.st.ListRoleMembers(f.ctx, "g1", roleID, 1000, cursor)
		require.NoError(t, err)
		for _, rm := range page.Items {
			out = append(out, rm.UserID)
		}
		if page.NextCursor == "" {
			return out
		}
		cursor = page.NextCursor
	}
}

// assertRoleInvariant checks invariant 6 on every role of g1: memberCount
// equals the RM records, and the members' roleIDs name exactly the roles
// whose RM records name them.
func (f *fixture) assertRoleInvariant(t *testing.T) {
	t.Helper()
	g, _, err := f.st.Snapshot(f.ctx, "g1")
	require.NoError(t, err)
	ms, err := f.st.AllMembers(f.ctx, "g1")
	require.NoError(t, err)
	fromMembers := map[string]map[string]bool{}
	for _, m := range ms {
		for _, rid := range m.RoleIDs {
			if fromMembers[rid] == nil {
				fromMembers[rid] = map[string]bool{}
			}
			fromMembers[rid][m.UserID] = true
		}
	}
	for id, r := range g.Roles.Roles {
		if id == store.EveryoneRoleID {
			assert.EqualValues(t, -1, r.MemberCount)
			continue
		}
		rms := f.roleMembers(t, id)
		assert.EqualValues(t, len(rms), r.MemberCount, "role %s: memberCount equals its RM records", id)
		fromRMs := map[string]bool{}
		for _, u := range rms {
			fromRMs[u] = true
		}
		if len(fromRMs) == 0 {
			fromRMs = nil
		}
		assert.Equal(t, fromRMs, fromMembers[id], "role %s: members' roleIDs equal its RM records", id)
		delete(fromMembers, id)
	}
	assert.Empty(t, fromMembers, "no member names a role that does not exist")
}

func users(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%02d", prefix, i)
	}
	return out
}

func assertCode(t *testing.T, want errcode.Code, err error) {
	t.Helper()
	require.Error(t, err)
	assert.Equal(t, want, errcode.CodeOf(err), "%v", err)
}

// runCleanup does what the cleanup consumer does with every event of g1 so
// far, in steps of a few items, until each is done.
func (f *fixture) runCleanup(t *testing.T) {
	t.Helper()
	evs, err := f.st.ListEvents(f.ctx, "g1", 0, 1000)
	require.NoError(t, err)
	for _, ev := range evs {
		for step := 0; ; step++ {
			require.Less(t, step, 10000, "the cleanup of %s ends", ev.Type)
			done, err := f.groups.OnGroupEvent(f.ctx, ev, 3)
			require.NoError(t, err)
			if done {
				break
			}
		}
	}
}
