package channel_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/shared/channel"
	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/event"
	"github.com/circles-im/circles/shared/group"
	"github.com/circles-im/circles/shared/model"
	"github.com/circles-im/circles/shared/role"
	"github.com/circles-im/circles/shared/store"
)

// category creates a category as the owner.
func (f *fixture) category(name string, viewMode int) *store.Category {
	f.t.Helper()
	c, err := f.svc.CreateCategory(f.ctx, admins.Actor("alice"), "g1", channel.CategoryInput{Name: ptr(name), ViewMode: ptr(viewMode)})
	require.NoError(f.t, err)
	return c
}

// place moves a channel into a category (or out: "") with a sync mode, as
// the owner.
func (f *fixture) place(channelID, categoryID string, syncMode int) *store.Channel {
	f.t.Helper()
	ch, err := f.svc.UpdateChannel(f.ctx, admins.Actor("alice"), "g1", channelID, channel.ChannelInput{CategoryID: ptr(categoryID), SyncMode: ptr(syncMode)})
	require.NoError(f.t, err)
	return ch
}

// The four grant paths of the QChat seed (channel role, channel override,
// category role, category override), each on a synced and an unsynced
// channel of a category: a synced channel decides on its category's layer
// alone, an unsynced one on its own alone.
func TestTheFourGrantPathsDecideOnTheLayerTheChannelFollows(t *testing.T) {
	f := newFixture(t)
	mods := f.role("mods", nil, "carol")
	const item = "remindEveryone" // @everyone denies it; mods leaves it to inherit
	allow := map[string]string{item: "allow"}
	type path struct {
		name  string
		grant func(categoryID string, channels ...string)
	}
	paths := []path{
		{"channel role", func(_ string, channels ...string) {
			for _, cid := range channels {
				_, err := f.svc.AddChannelRole(f.ctx, admins.Actor("alice"), "g1", cid, channel.ChannelRoleInput{ParentRoleID: mods.RoleID})
				require.NoError(t, err)
				_, err = f.svc.UpdateChannelRole(f.ctx, admins.Actor("alice"), "g1", cid, mods.RoleID, channel.AuthsInput{Auths: allow})
				require.NoError(t, err)
			}
		}},
		{"channel override", func(_ string, channels ...string) {
			for _, cid := range channels {
				_, err := f.svc.SetChannelMemberAuths(f.ctx, admins.Actor("alice"), "g1", cid, "carol", channel.AuthsInput{Auths: allow})
				require.NoError(t, err)
			}
		}},
		{"category role", func(kid string, _ ...string) {
			_, err := f.svc.AddCategoryRole(f.ctx, admins.Actor("alice"), "g1", kid, channel.ChannelRoleInput{ParentRoleID: mods.RoleID})
			require.NoError(t, err)
			_, err = f.svc.UpdateCategoryRole(f.ctx, admins.Actor("alice"), "g1", kid, mods.RoleID, channel.AuthsInput{Auths: allow})
			require.NoError(t, err)
		}},
		{"category override", func(kid string, _ ...string) {
			_, err := f.svc.SetCategoryMemberAuths(f.ctx, admins.Actor("alice"), "g1", kid, "carol", channel.AuthsInput{Auths: allow})
			require.NoError(t, err)
		}},
	}
	want := map[string]map[int]bool{ // path -> syncMode -> carol holds item
		"channel role":      {model.Synced: false, model.Unsynced: true},
		"channel override":  {model.Synced: false, model.Unsynced: true},
		"category role":     {model.Synced: true, model.Unsynced: false},
		"category override": {model.Synced: true, model.Unsynced: false},
	}
	for i, p := range paths {
		k := f.category(fmt.Sprintf("k%d", i), store.ChannelPublic)
		synced, unsynced := f.channel(fmt.Sprintf("s%d", i), store.ChannelPublic), f.channel(fmt.Sprintf("u%d", i), store.ChannelPublic)
		// Channel grants are set before the channels join the category:
		// syncing drops the synced channel's own.
		p.grant(k.CategoryID, synced.ChannelID, unsynced.ChannelID)
		f.place(synced.ChannelID, k.CategoryID, model.Synced)
		f.place(unsynced.ChannelID, k.CategoryID, model.Unsynced)
		for _, c := range []struct {
			mode int
			id   string
		}{{model.Synced, synced.ChannelID}, {model.Unsynced, unsynced.ChannelID}} {
			t.Run(fmt.Sprintf("%s on a channel with syncMode %d", p.name, c.mode), func(t *testing.T) {
				assert.Equal(t, want[p.name][c.mode], f.holds("carol", c.id, item), "carol, who the grant reaches")
				assert.False(t, f.holds("dave", c.id, item), "dave, who it does not")
				assert.True(t, f.holds("dave", c.id, "sendMsg"), "@everyone's sendMsg still reaches everyone")
				assert.True(t, f.holds("bob", c.id, item), "admins hold everything")
			})
		}
	}
}

// answers are every member's CheckPermissions of the items in a channel.
func (f *fixture) answers(channelID string, items ...string) map[string]map[string]bool {
	f.t.Helper()
	out := map[string]map[string]bool{}
	for _, u := range []string{"alice", "bob", "carol", "dave", "erin"} {
		res, err := f.svc.CheckPermissions(f.ctx, admins.Actor("admin"), "g1", items, channelID, u)
		require.NoError(f.t, err)
		out[u] = res.Auths
	}
	return out
}

// Editing a synced channel, moving a channel into a category and out of
// it, and deleting the category: after each, every member's answers are
// as specified and the group's version moved by exactly one.
func TestSyncTransitionsKeepEveryAnswerAsSpecifiedAndCostOneVersionEach(t *testing.T) {
	f := newFixture(t)
	mods := f.role("mods", nil, "carol")
	k := f.category("k", store.ChannelPrivate)
	_, err := f.svc.UpdateCategoryAccessList(f.ctx, admins.Actor("alice"), "g1", k.CategoryID, channel.AccessListInput{Op: "add", UserIDs: []string{"carol", "dave"}})
	require.NoError(t, err)
	_, err = f.svc.AddCategoryRole(f.ctx, admins.Actor("alice"), "g1", k.CategoryID, channel.ChannelRoleInput{ParentRoleID: mods.RoleID})
	require.NoError(t, err)
	_, err = f.svc.UpdateCategoryRole(f.ctx, admins.Actor("alice"), "g1", k.CategoryID, mods.RoleID, channel.AuthsInput{Auths: map[string]string{"deleteMsg": "allow"}})
	require.NoError(t, err)
	_, err = f.svc.SetCategoryMemberAuths(f.ctx, admins.Actor("alice"), "g1", k.CategoryID, "dave", channel.AuthsInput{Auths: map[string]string{"sendMsg": "deny"}})
	require.NoError(t, err)
	c := f.channel("c", store.ChannelPublic)
	_, err = f.svc.UpdateChannelAccessList(f.ctx, admins.Actor("alice"), "g1", c.ChannelID, channel.AccessListInput{Op: "add", UserIDs: []string{"carol"}})
	require.NoError(t, err)

	items := []string{"sendMsg", "deleteMsg"}
	all := map[string]bool{"sendMsg": true, "deleteMsg": true}
	none := map[string]bool{"sendMsg": false, "deleteMsg": false}
	// The category's layer: a whitelist of carol and dave, mods may delete,
	// dave may not send.
	followsK := map[string]map[string]bool{
		"alice": all, "bob": all, "carol": all, "dave": {"sendMsg": false, "deleteMsg": false}, "erin": none,
	}
	steps := []struct {
		name   string
		change func()
		want   map[string]map[string]bool
		// wantCategory and wantSync are what the channel then answers.
		wantCategory string
		wantSync     int
	}{
		{"its own blacklist of carol before any move", func() {}, map[string]map[string]bool{
			"alice": all, "bob": all, "carol": none, "dave": {"sendMsg": true, "deleteMsg": false}, "erin": {"sendMsg": true, "deleteMsg": false},
		}, "", 0},
		{"moved into the category, synced: its own settings dropped", func() { f.place(c.ChannelID, k.CategoryID, model.Synced) }, followsK, k.CategoryID, model.Synced},
		{"edited while synced: a copy of the category's settings plus the edit, unsynced", func() {
			_, err := f.svc.UpdateChannelAccessList(f.ctx, admins.Actor("alice"), "g1", c.ChannelID, channel.AccessListInput{Op: "add", UserIDs: []string{"erin"}})
			require.NoError(t, err)
		}, map[string]map[string]bool{
			"alice": all, "bob": all, "carol": all, "dave": {"sendMsg": false, "deleteMsg": false}, "erin": {"sendMsg": true, "deleteMsg": false},
		}, k.CategoryID, model.Unsynced},
		{"synced again: the edit is gone", func() { f.place(c.ChannelID, k.CategoryID, model.Synced) }, followsK, k.CategoryID, model.Synced},
		{"moved out: it keeps a copy of what it followed", func() { f.place(c.ChannelID, "", model.Unsynced) }, followsK, "", model.Unsynced},
		{"moved back in, synced", func() { f.place(c.ChannelID, k.CategoryID, model.Synced) }, followsK, k.CategoryID, model.Synced},
		{"the category deleted: uncategorised, nobody's access changed", func() {
			require.NoError(t, f.svc.DeleteCategory(f.ctx, admins.Actor("alice"), "g1", k.CategoryID))
		}, followsK, "", model.Unsynced},
	}
	for _, s := range steps {
		before := f.version()
		s.change()
		if s.name != steps[0].name {
			assert.Equal(t, before+1, f.version(), "%s: one version", s.name)
			assert.Len(t, f.events(before), 1, "%s: one event", s.name)
		}
		assert.Equal(t, s.want, f.answers(c.ChannelID, items...), s.name)
		page, err := f.svc.ListChannels(f.ctx, admins.Actor("alice"), "g1", 0, "")
		require.NoError(t, err)
		require.Len(t, page.Items, 1)
		assert.Equal(t, s.wantCategory, page.Items[0].CategoryID, s.name)
		assert.Equal(t, s.wantSync, page.Items[0].SyncMode, s.name)
	}
}

// A synced channel of a category with 20 category roles and a 1000-user
// list is checked in one DynamoDB call, like any channel.
func TestCheckPermissionsInASyncedChannelOfALargeCategoryUsesOneDynamoDBCall(t *testing.T) {
	f := newFixture(t)
	var roleIDs []string
	for i := range 20 {
		roleIDs = append(roleIDs, f.role(fmt.Sprintf("r%02d", i), map[string]string{"deleteMsg": "allow"}).RoleID)
	}
	f.setEveryone(map[string]string{"deleteMsg": "deny"})
	k := f.category("k", store.ChannelPublic)
	for _, r := range roleIDs {
		_, err := f.svc.AddCategoryRole(f.ctx, admins.Actor("alice"), "g1", k.CategoryID, channel.ChannelRoleInput{ParentRoleID: r})
		require.NoError(t, err)
	}
	_, err := f.svc.UpdateCategoryRole(f.ctx, admins.Actor("alice"), "g1", k.CategoryID, roleIDs[3], channel.AuthsInput{Auths: map[string]string{"deleteMsg": "deny", "remindEveryone": "allow"}})
	require.NoError(t, err)
	_, err = f.roles.AddRoleMembers(f.ctx, admins.Actor("alice"), "g1", roleIDs[3], role.RoleMembersInput{UserIDs: []string{"carol"}})
	require.NoError(t, err)
	blacklist := make([]string, store.MaxAccessUsers)
	for i := range blacklist {
		blacklist[i] = fmt.Sprintf("blocked%04d", i)
	}
	f.bulkMembers(blacklist[:999]...)
	blacklist[999] = "erin"
	for from := 0; from < len(blacklist); from += store.MaxCategoryListChange {
		batch := blacklist[from:min(from+store.MaxCategoryListChange, len(blacklist))]
		_, err := f.svc.UpdateCategoryAccessList(f.ctx, admins.Actor("alice"), "g1", k.CategoryID, channel.AccessListInput{Op: "add", UserIDs: batch})
		require.NoError(t, err)
	}
	list, err := f.svc.GetCategoryAccessList(f.ctx, admins.Actor("alice"), "g1", k.CategoryID)
	require.NoError(t, err)
	require.Len(t, list.UserIDs, store.MaxAccessUsers)
	_, err = f.svc.SetCategoryMemberAuths(f.ctx, admins.Actor("alice"), "g1", k.CategoryID, "dave", channel.AuthsInput{Auths: map[string]string{"sendMsg": "deny"}})
	require.NoError(t, err)
	target := f.channel("c", store.ChannelPublic)
	f.place(target.ChannelID, k.CategoryID, model.Synced)

	items := []string{"sendMsg", "deleteMsg", "remindEveryone"}
	cases := []struct {
		name, actor, user string
		want              map[string]bool // nil: NOT_FOUND, as a missing channel
	}{
		{"a member holding a category role", "carol", "", map[string]bool{"sendMsg": true, "deleteMsg": false, "remindEveryone": true}},
		{"a member with a category override", "dave", "", map[string]bool{"sendMsg": false, "deleteMsg": false, "remindEveryone": false}},
		{"a member on the category's blacklist", "erin", "", nil},
		{"an admin about a member on the list", "bob", "blocked0500", map[string]bool{"sendMsg": false, "deleteMsg": false, "remindEveryone": false}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx, meter := store.WithMeter(f.ctx)
			res, err := f.svc.CheckPermissions(ctx, admins.Actor(c.actor), "g1", items, target.ChannelID, c.user)
			if c.want == nil {
				assert.Equal(t, errcode.NotFound, errcode.CodeOf(err), "%v", err)
			} else {
				require.NoError(t, err)
				assert.Equal(t, c.want, res.Auths)
			}
			assert.Equal(t, map[string]int{"BatchGetItem": 1}, meter.CallsByOperation())
		})
	}
}

// Deleting a category answers at once; the cleanup consumer then moves
// its channels out in bounded steps, each keeping what it followed, and
// removes the tombstone, after which the category's ID is free again.
func TestTheCleanupOfADeletedCategoryKeepsEveryAnswerAndFreesIt(t *testing.T) {
	f := newFixture(t)
	k := f.category("k", store.ChannelPrivate)
	_, err := f.svc.UpdateCategoryAccessList(f.ctx, admins.Actor("alice"), "g1", k.CategoryID, channel.AccessListInput{Op: "add", UserIDs: []string{"carol", "dave"}})
	require.NoError(t, err)
	_, err = f.svc.SetCategoryMemberAuths(f.ctx, admins.Actor("alice"), "g1", k.CategoryID, "dave", channel.AuthsInput{Auths: map[string]string{"sendMsg": "deny"}})
	require.NoError(t, err)
	var ids []string
	for i := range 5 {
		c := f.channel(fmt.Sprintf("c%d", i), store.ChannelPublic)
		f.place(c.ChannelID, k.CategoryID, i%2) // synced and unsynced ones
		ids = append(ids, c.ChannelID)
	}
	before := map[string]map[string]map[string]bool{}
	for _, id := range ids {
		before[id] = f.answers(id, "sendMsg")
	}
	require.NoError(t, f.svc.DeleteCategory(f.ctx, admins.Actor("alice"), "g1", k.CategoryID))
	assert.Empty(t, f.violations(), "channels of a category being cleaned up read as uncategorised")
	evs := f.events(f.version() - 1)
	require.Len(t, evs, 1)
	const step = 2
	steps := 0
	for done := false; !done; steps++ {
		require.Less(t, steps, 20, "the cleanup ends")
		done, err = f.groups.OnGroupEvent(f.ctx, evs[0], step)
		require.NoError(t, err)
		for _, id := range ids {
			assert.Equal(t, before[id], f.answers(id, "sendMsg"), "step %d, channel %s", steps, id)
		}
	}
	assert.GreaterOrEqual(t, steps, 3, "five channels in steps of two")
	assert.Empty(t, f.violations())
	page, err := f.st.ListChannels(f.ctx, "g1", 100, "")
	require.NoError(t, err)
	for _, ch := range page.Items {
		assert.Empty(t, ch.CategoryID, ch.Name)
		assert.Equal(t, model.Unsynced, ch.SyncMode, ch.Name)
	}
	cats, err := f.st.GetCategories(f.ctx, "g1")
	require.NoError(t, err)
	assert.Zero(t, cats.Count(), "the tombstone is gone")
	again, err := f.svc.CreateCategory(f.ctx, admins.Actor("alice"), "g1", channel.CategoryInput{CategoryID: ptr(k.CategoryID), Name: ptr("again"), ViewMode: ptr(store.ChannelPrivate)})
	require.NoError(t, err)
	ch := f.channel("fresh", store.ChannelPublic)
	f.place(ch.ChannelID, again.CategoryID, model.Synced)
	assert.False(t, f.holds("carol", ch.ChannelID, "sendMsg"), "the old category's list does not carry over to a new one of the same ID")
}

// Abuse: a member without the items cannot create, change or delete a
// category, nor set what they do not hold in it, nor see a private one.
func TestCategoryOperationsRefuseWhatTheActorMayNotDo(t *testing.T) {
	f := newFixture(t)
	mods := f.role("mods", map[string]string{"manageChannel": "allow", "manageRole": "allow"}, "carol")
	k := f.category("k", store.ChannelPublic)
	secret := f.category("secret", store.ChannelPrivate)
	low := f.role("low", nil)
	for _, r := range []string{mods.RoleID, low.RoleID} {
		_, err := f.svc.AddCategoryRole(f.ctx, admins.Actor("alice"), "g1", k.CategoryID, channel.ChannelRoleInput{ParentRoleID: r})
		require.NoError(t, err)
	}
	before := f.version()
	cases := []struct {
		name string
		do   func() error
		want errcode.Code
	}{
		{"a plain member creates a category", func() error {
			_, err := f.svc.CreateCategory(f.ctx, admins.Actor("dave"), "g1", channel.CategoryInput{Name: ptr("x")})
			return err
		}, errcode.NoPermission},
		{"a plain member renames one", func() error {
			_, err := f.svc.UpdateCategory(f.ctx, admins.Actor("dave"), "g1", k.CategoryID, channel.CategoryInput{Name: ptr("x")})
			return err
		}, errcode.NoPermission},
		{"a plain member deletes one", func() error { return f.svc.DeleteCategory(f.ctx, admins.Actor("dave"), "g1", k.CategoryID) }, errcode.NoPermission},
		{"a member names a private category they cannot see", func() error {
			_, err := f.svc.GetCategoryAccessList(f.ctx, admins.Actor("carol"), "g1", secret.CategoryID)
			return err
		}, errcode.NotFound},
		{"a moderator sets an item they do not hold", func() error {
			_, err := f.svc.UpdateCategoryRole(f.ctx, admins.Actor("carol"), "g1", k.CategoryID, low.RoleID, channel.AuthsInput{Auths: map[string]string{"remindEveryone": "allow"}})
			return err
		}, errcode.NoPermission},
		{"a moderator edits @everyone's category role, the owner's alone", func() error {
			_, err := f.svc.AddCategoryRole(f.ctx, admins.Actor("carol"), "g1", k.CategoryID, channel.ChannelRoleInput{ParentRoleID: store.EveryoneRoleID})
			require.NoError(t, err)
			before++
			_, err = f.svc.UpdateCategoryRole(f.ctx, admins.Actor("carol"), "g1", k.CategoryID, store.EveryoneRoleID, channel.AuthsInput{Auths: map[string]string{"sendMsg": "deny"}})
			return err
		}, errcode.NoPermission},
		{"a moderator edits the category role of their own rank", func() error {
			_, err := f.svc.UpdateCategoryRole(f.ctx, admins.Actor("carol"), "g1", k.CategoryID, mods.RoleID, channel.AuthsInput{Auths: map[string]string{"manageChannel": "deny"}})
			return err
		}, errcode.NoPermission},
		{"a moderator sets their own override", func() error {
			_, err := f.svc.SetCategoryMemberAuths(f.ctx, admins.Actor("carol"), "g1", k.CategoryID, "carol", channel.AuthsInput{Auths: map[string]string{"sendMsg": "allow"}})
			return err
		}, errcode.NoPermission},
		{"a moderator overrides the owner", func() error {
			_, err := f.svc.SetCategoryMemberAuths(f.ctx, admins.Actor("carol"), "g1", k.CategoryID, "alice", channel.AuthsInput{Auths: map[string]string{"sendMsg": "deny"}})
			return err
		}, errcode.NoPermission},
		{"a moderator moves a channel into a category they cannot see", func() error {
			c, err := f.svc.CreateChannel(f.ctx, admins.Actor("carol"), "g1", channel.ChannelInput{Name: ptr("mine")})
			require.NoError(t, err)
			before++
			_, err = f.svc.UpdateChannel(f.ctx, admins.Actor("carol"), "g1", c.ChannelID, channel.ChannelInput{CategoryID: ptr(secret.CategoryID), SyncMode: ptr(1)})
			return err
		}, errcode.NotFound},
		{"syncMode 1 without a category", func() error {
			c := f.channel("loose", store.ChannelPublic)
			before++
			_, err := f.svc.UpdateChannel(f.ctx, admins.Actor("alice"), "g1", c.ChannelID, channel.ChannelInput{SyncMode: ptr(1)})
			return err
		}, errcode.InvalidArgument},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			requireCode(t, c.want, c.do())
		})
	}
	assert.Equal(t, before, f.version(), "no refused request changed anything")
}

// GetChannel answers a channel the actor sees (a synced one through its
// category) and answers one they cannot see exactly as a missing one.
func TestGetChannelAnswersAnInvisibleChannelAsAMissingOne(t *testing.T) {
	f := newFixture(t)
	k := f.category("k", store.ChannelPrivate)
	_, err := f.svc.UpdateCategoryAccessList(f.ctx, admins.Actor("alice"), "g1", k.CategoryID, channel.AccessListInput{Op: "add", UserIDs: []string{"carol"}})
	require.NoError(t, err)
	c := f.channel("c", store.ChannelPublic)
	f.place(c.ChannelID, k.CategoryID, model.Synced)
	got, err := f.svc.GetChannel(f.ctx, admins.Actor("carol"), "g1", c.ChannelID)
	require.NoError(t, err)
	assert.Equal(t, k.CategoryID, got.CategoryID)
	assert.Equal(t, model.Synced, got.SyncMode)
	_, hidden := f.svc.GetChannel(f.ctx, admins.Actor("dave"), "g1", c.ChannelID)
	_, missing := f.svc.GetChannel(f.ctx, admins.Actor("dave"), "g1", "nope")
	requireCode(t, errcode.NotFound, hidden)
	requireCode(t, errcode.NotFound, missing)
	assert.Equal(t, "channel "+c.ChannelID+" not found", errcode.Of(hidden).Message, "the answer of a missing channel")
	assert.Equal(t, "channel nope not found", errcode.Of(missing).Message)
}

// violations are the consistency checker's findings on g1.
func (f *fixture) violations() []group.Finding {
	f.t.Helper()
	rep, err := f.groups.Check(f.ctx, group.CheckerActor, "g1", group.CheckInput{})
	require.NoError(f.t, err)
	return rep.Violations
}

// The checker holds invariant 7: a channel naming a category that does not
// exist is reported.
func TestTheCheckerReportsAChannelNamingAMissingCategory(t *testing.T) {
	f := newFixture(t)
	k := f.category("k", store.ChannelPublic)
	c := f.channel("c", store.ChannelPublic)
	f.place(c.ChannelID, k.CategoryID, model.Synced)
	assert.Empty(t, f.violations())
	// A record no operation writes: the channel names a category that was
	// never created.
	g, _, err := f.st.Snapshot(f.ctx, "g1")
	require.NoError(t, err)
	ch, err := f.st.GetChannel(f.ctx, "g1", c.ChannelID)
	require.NoError(t, err)
	ch.CategoryID = "ghost"
	_, err = f.st.UpdateChannel(f.ctx, g, ch, event.New(event.ChannelUpdated, "alice", event.ChannelPayload{Channel: *ch}))
	require.NoError(t, err)
	assert.Equal(t, []group.Finding{{Invariant: 7, Message: "channel " + c.ChannelID + " names category ghost, which does not exist"}}, f.violations())
}

// Category operations refuse a caller outside the group, malformed IDs and
// input past their limits, and change nothing when they do.
func TestCategoryOperationsRefuseOutsidersMalformedIDsAndOverflow(t *testing.T) {
	f := newFixture(t)
	k := f.category("k", store.ChannelPublic)
	many := make([]string, store.MaxCategoryListChange+1)
	for i := range many {
		many[i] = fmt.Sprintf("bulk%03d", i)
	}
	f.bulkMembers(many...)
	for i := 1; i < store.MaxCategories; i++ {
		f.category(fmt.Sprintf("k%02d", i), store.ChannelPublic)
	}
	before := f.version()
	cases := []struct {
		name string
		do   func() error
		want errcode.Code
	}{
		{"a non-member lists the categories", func() error {
			_, err := f.svc.ListCategories(f.ctx, admins.Actor("eve"), "g1")
			return err
		}, errcode.NotInGroup},
		{"a non-member creates a category", func() error {
			_, err := f.svc.CreateCategory(f.ctx, admins.Actor("eve"), "g1", channel.CategoryInput{Name: ptr("x")})
			return err
		}, errcode.NotInGroup},
		{"a categoryID that could reach another key", func() error {
			_, err := f.svc.UpdateCategory(f.ctx, admins.Actor("alice"), "g1", "k#1", channel.CategoryInput{Name: ptr("x")})
			return err
		}, errcode.InvalidArgument},
		{"a category past the group's limit", func() error {
			_, err := f.svc.CreateCategory(f.ctx, admins.Actor("alice"), "g1", channel.CategoryInput{Name: ptr("one too many")})
			return err
		}, errcode.LimitExceeded},
		{"a list change of more users than one request takes", func() error {
			_, err := f.svc.UpdateCategoryAccessList(f.ctx, admins.Actor("alice"), "g1", k.CategoryID, channel.AccessListInput{Op: channel.OpAdd, UserIDs: many})
			return err
		}, errcode.InvalidArgument},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			requireCode(t, c.want, c.do())
		})
	}
	assert.Equal(t, before, f.version(), "no refused request changed anything")
}
