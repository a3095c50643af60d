package channel_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/shared/channel"
	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/group"
	"github.com/circles-im/circles/shared/model"
	"github.com/circles-im/circles/shared/store"
)

// channelMembers walks every page of ListChannelMembers as actor and
// answers the user IDs in order, with the cost of each page.
func (f *fixture) channelMembers(actor, groupID, channelID string, limit int) ([]string, []float64) {
	f.t.Helper()
	var ids []string
	var costs []float64
	cursor := ""
	for range 1000 {
		ctx, meter := store.WithMeter(f.ctx)
		page, err := f.svc.ListChannelMembers(ctx, admins.Actor(actor), groupID, channelID, limit, cursor)
		require.NoError(f.t, err)
		costs = append(costs, meter.Capacity())
		for _, m := range page.Items {
			ids = append(ids, m.UserID)
		}
		if cursor = page.NextCursor; cursor == "" {
			return ids, costs
		}
	}
	require.FailNow(f.t, "the pages never end")
	return nil, nil
}

func (f *fixture) access(channelID string, users, roles []string) {
	f.t.Helper()
	_, err := f.svc.UpdateChannelAccessList(f.ctx, admins.Actor("alice"), "g1", channelID, channel.AccessListInput{Op: "add", UserIDs: users, RoleIDs: roles})
	require.NoError(f.t, err)
}

// ListChannelMembers lists exactly the members who see the channel, each
// once, across pages of any size: a public channel's minus its blacklist, a
// private one's owner, admins, listed users and members of listed roles, a
// synced channel's by its category's list.
func TestListChannelMembersListsExactlyWhoSeesTheChannel(t *testing.T) {
	f := newFixture(t)
	f.bulkMembers("frank", "grace")
	r1 := f.role("r1", nil, "dave", "frank")
	r2 := f.role("r2", nil, "frank", "erin", "carol")
	pub := f.channel("pub", model.ChannelPublic)
	f.access(pub.ChannelID, []string{"dave"}, []string{r1.RoleID})
	priv := f.channel("priv", model.ChannelPrivate)
	f.access(priv.ChannelID, []string{"carol", "bob"}, []string{r2.RoleID, r1.RoleID})
	cat := f.category("k", model.ChannelPrivate)
	_, err := f.svc.UpdateCategoryAccessList(f.ctx, admins.Actor("alice"), "g1", cat.CategoryID, channel.AccessListInput{Op: "add", UserIDs: []string{"grace"}})
	require.NoError(t, err)
	synced := f.channel("synced", model.ChannelPublic)
	f.place(synced.ChannelID, cat.CategoryID, model.Synced)

	cases := []struct {
		name, channelID string
		want            []string
	}{
		// Member-list order: owner, admins, then members by joinTime.
		{"public: everyone but the blacklisted, by user or role", pub.ChannelID, []string{"alice", "bob", "grace", "carol", "erin"}},
		// Owner and admins, the listed users, then each role's members
		// (by userID) not shown before.
		{"private: owner, admins, listed users, members of listed roles", priv.ChannelID, nil},
		{"synced: the category's list", synced.ChannelID, []string{"alice", "bob", "grace"}},
	}
	first, second := r1.RoleID, r2.RoleID
	if second < first {
		first, second = second, first
	}
	byRole := map[string][]string{r1.RoleID: {"dave", "frank"}, r2.RoleID: {"erin", "frank"}}
	cases[1].want = append([]string{"alice", "bob", "carol"}, byRole[first]...)
	for _, u := range byRole[second] {
		if u != "frank" {
			cases[1].want = append(cases[1].want, u)
		}
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, limit := range []int{1, 2, 100} {
				got, _ := f.channelMembers("alice", "g1", c.channelID, limit)
				assert.Equal(t, c.want, got, "limit %d", limit)
			}
			got, _ := f.channelMembers(c.want[len(c.want)-1], "g1", c.channelID, 3)
			assert.Equal(t, c.want, got, "a member who sees it lists the same")
		})
	}
	t.Run("a member who cannot see the channel gets NOT_FOUND, as for a missing one", func(t *testing.T) {
		_, err := f.svc.ListChannelMembers(f.ctx, admins.Actor("dave"), "g1", pub.ChannelID, 0, "")
		requireCode(t, errcode.NotFound, err)
		_, err = f.svc.ListChannelMembers(f.ctx, admins.Actor("dave"), "g1", synced.ChannelID, 0, "")
		requireCode(t, errcode.NotFound, err)
		_, err = f.svc.ListChannelMembers(f.ctx, admins.Actor("dave"), "g1", "nope", 0, "")
		requireCode(t, errcode.NotFound, err)
		_, err = f.svc.ListChannelMembers(f.ctx, admins.Actor("stranger"), "g1", pub.ChannelID, 0, "")
		requireCode(t, errcode.NotInGroup, err)
	})
	t.Run("a cursor of another channel's list is refused", func(t *testing.T) {
		page, err := f.svc.ListChannelMembers(f.ctx, admins.Actor("alice"), "g1", pub.ChannelID, 1, "")
		require.NoError(t, err)
		_, err = f.svc.ListChannelMembers(f.ctx, admins.Actor("alice"), "g1", priv.ChannelID, 1, page.NextCursor)
		requireCode(t, errcode.InvalidArgument, err)
	})
}

// The acceptance test of ListChannelMembers' cost: the visible members of a
// private channel with 50 whitelisted users cost the same per page in a
// group of 10,000 members as in a group of 100 (bulk-loaded: the records
// and counts joins would write).
func TestAChannelMembersPageCostsTheSameIn10000MembersAsIn100(t *testing.T) {
	f := newFixture(t)
	listed := make([]string, 50)
	for i := range listed {
		listed[i] = fmt.Sprintf("w%02d", i)
	}
	load := func(gid string, n int) string {
		_, err := f.groups.Create(f.ctx, admins.Actor("alice"), group.CreateInput{GroupID: gid, GroupName: gid, AdminUserIDs: []string{"bob"}})
		require.NoError(t, err)
		var ms []*store.Member
		for i := range n - len(listed) - 2 {
			ms = append(ms, &store.Member{UserID: fmt.Sprintf("u%05d", i), RoleLevel: store.RoleMember, JoinTime: int64(1 + i)})
		}
		for i, id := range listed {
			// The same join times in both groups: the same records.
			ms = append(ms, &store.Member{UserID: id, RoleLevel: store.RoleMember, JoinTime: int64(100_000 + i)})
		}
		require.NoError(t, f.st.BulkLoadMembers(f.ctx, gid, ms))
		ch, err := f.svc.CreateChannel(f.ctx, admins.Actor("alice"), gid, channel.ChannelInput{Name: ptr("staff"), ViewMode: ptr(model.ChannelPrivate)})
		require.NoError(t, err)
		_, err = f.svc.UpdateChannelAccessList(f.ctx, admins.Actor("alice"), gid, ch.ChannelID, channel.AccessListInput{Op: "add", UserIDs: listed})
		require.NoError(t, err)
		return ch.ChannelID
	}
	const size = 10_000
	bigChan, smallChan := load("gbig", size), load("gsmall", 100)
	g, err := f.st.GetGroup(f.ctx, "gbig")
	require.NoError(t, err)
	require.EqualValues(t, size, g.MemberCount)

	want := append([]string{"alice", "bob"}, listed...)
	big, bigCosts := f.channelMembers("w07", "gbig", bigChan, 20)
	small, smallCosts := f.channelMembers("w07", "gsmall", smallChan, 20)
	assert.Equal(t, want, big)
	assert.Equal(t, want, small)
	t.Logf("units per page: %v in %d members, %v in 100", bigCosts, size, smallCosts)
	require.Len(t, bigCosts, len(smallCosts))
	for i := range bigCosts {
		assert.InDelta(t, smallCosts[i], bigCosts[i], 0.01, "page %d", i)
	}
}
