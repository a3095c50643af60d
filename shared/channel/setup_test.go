package channel_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/infra/stacktest"
	"github.com/circles-im/circles/shared/channel"
	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/event"
	"github.com/circles-im/circles/shared/group"
	"github.com/circles-im/circles/shared/permission"
	"github.com/circles-im/circles/shared/role"
	"github.com/circles-im/circles/shared/store"
)

var admins = permission.ParseAppAdmins("admin")

// fixture is group g1 on a fresh table: alice owns it, bob is an admin,
// carol, dave and erin are members.
type fixture struct {
	t      *testing.T
	ctx    context.Context
	st     *store.Store
	groups *group.Service
	roles  *role.Service
	svc    *channel.Service
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	t.Parallel()
	return buildFixture(t)
}

// buildFixture is newFixture for a test that needs more than one.
func buildFixture(t *testing.T) *fixture {
	t.Helper()
	db, table := stacktest.NewTable(t, store.Instrument)
	st := store.New(db, table)
	f := &fixture{t: t, ctx: context.Background(), st: st, groups: group.NewService(st), roles: role.NewService(st), svc: channel.NewService(st)}
	for _, id := range []string{"alice", "bob", "carol", "dave", "erin"} {
		_, err := f.groups.PutMyProfile(f.ctx, admins.Actor(id), group.ProfileInput{Nickname: id})
		require.NoError(t, err)
	}
	_, err := f.groups.Create(f.ctx, admins.Actor("alice"), group.CreateInput{
		GroupID: "g1", GroupName: "g1", AdminUserIDs: []string{"bob"}, MemberUserIDs: []string{"carol", "dave", "erin"},
	})
	require.NoError(t, err)
	return f
}

func ptr[T any](v T) *T { return &v }

// channel creates a channel as the owner.
func (f *fixture) channel(name string, viewMode int) *store.Channel {
	f.t.Helper()
	ch, err := f.svc.CreateChannel(f.ctx, admins.Actor("alice"), "g1", channel.ChannelInput{Name: ptr(name), ViewMode: ptr(viewMode)})
	require.NoError(f.t, err)
	return ch
}

// role creates a custom role with exactly these auths, held by members.
func (f *fixture) role(name string, auths map[string]string, members ...string) *store.Role {
	f.t.Helper()
	if auths == nil {
		auths = map[string]string{}
	}
	r, err := f.roles.CreateRole(f.ctx, admins.Actor("alice"), "g1", role.RoleInput{Name: ptr(name), Auths: auths})
	require.NoError(f.t, err)
	if len(members) > 0 {
		res, err := f.roles.AddRoleMembers(f.ctx, admins.Actor("alice"), "g1", r.RoleID, role.RoleMembersInput{UserIDs: members})
		require.NoError(f.t, err)
		require.ElementsMatch(f.t, members, res.SuccessUserIDs)
	}
	return r
}

// setEveryone sets @everyone's server auths, as the owner.
func (f *fixture) setEveryone(auths map[string]string) {
	f.t.Helper()
	_, err := f.roles.UpdateRole(f.ctx, admins.Actor("alice"), "g1", store.EveryoneRoleID, role.RoleInput{Auths: auths})
	require.NoError(f.t, err)
}

// holds is CheckPermissions of one item for userID, asked by the app admin.
func (f *fixture) holds(userID, channelID, item string) bool {
	f.t.Helper()
	res, err := f.svc.CheckPermissions(f.ctx, admins.Actor("admin"), "g1", []string{item}, channelID, userID)
	require.NoError(f.t, err)
	return res.Auths[item]
}

// visible lists the channel IDs ListChannels answers to userID.
func (f *fixture) visible(userID string) []string {
	f.t.Helper()
	page, err := f.svc.ListChannels(f.ctx, admins.Actor(userID), "g1", 0, "")
	require.NoError(f.t, err)
	ids := []string{}
	for _, ch := range page.Items {
		ids = append(ids, ch.Name)
	}
	return ids
}

func (f *fixture) version() int64 {
	f.t.Helper()
	g, err := f.st.GetGroup(f.ctx, "g1")
	require.NoError(f.t, err)
	return g.Version
}

func requireCode(t *testing.T, want errcode.Code, err error) {
	t.Helper()
	require.Error(t, err)
	require.Equal(t, want, errcode.CodeOf(err), "%v", err)
}

// bulkMembers adds ordinary members to g1 without events (seeding only):
// access lists name members, and a full list needs a thousand of them.
func (f *fixture) bulkMembers(ids ...string) {
	f.t.Helper()
	ms := make([]*store.Member, len(ids))
	for i, id := range ids {
		ms[i] = &store.Member{UserID: id, RoleLevel: store.RoleMember, JoinTime: int64(i + 1)}
	}
	require.NoError(f.t, f.st.BulkLoadMembers(f.ctx, "g1", ms))
}

// events lists the events committed after version since.
func (f *fixture) events(since int64) []event.Event {
	f.t.Helper()
	evs, err := f.st.ListEvents(f.ctx, "g1", since, 100)
	require.NoError(f.t, err)
	return evs
}
