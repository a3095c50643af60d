package channel_test

import (
	"fmt"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/shared/channel"
	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/event"
	"github.com/circles-im/circles/shared/group"
	"github.com/circles-im/circles/shared/model"
	"github.com/circles-im/circles/shared/ops/channelops"
	"github.com/circles-im/circles/shared/store"
)

func names[T any](items []T, name func(T) string) []string {
	out := []string{}
	for _, x := range items {
		out = append(out, name(x))
	}
	return out
}

func (f *fixture) categoryNames(userID string) []string {
	f.t.Helper()
	page, err := f.svc.ListCategories(f.ctx, admins.Actor(userID), "g1")
	require.NoError(f.t, err)
	return names(page.Items, func(c *store.Category) string { return c.Name })
}

// channelNames lists the names ListChannels answers to userID, of the
// channels in categoryID only.
func (f *fixture) channelNames(userID, categoryID string) []string {
	f.t.Helper()
	page, err := f.svc.ListChannels(f.ctx, admins.Actor(userID), "g1", 0, "")
	require.NoError(f.t, err)
	var in []*store.Channel
	for _, ch := range page.Items {
		if ch.CategoryID == categoryID {
			in = append(in, ch)
		}
	}
	return names(in, func(ch *store.Channel) string { return ch.Name })
}

// Reorders apply whole, in one change with one event, and the lists answer
// in position order with ties in creation order; every abuse is refused and
// changes nothing, and a replayed request changes nothing again.
func TestReordersApplyWholeAndRefuseAbuseChangingNothing(t *testing.T) {
	f := newFixture(t)
	// dave manages channels through a role; carol is a plain member.
	f.role("chanmgr", map[string]string{"manageChannel": "allow"}, "dave")
	k1, k2, k3 := f.category("k1", model.ChannelPublic), f.category("k2", model.ChannelPublic), f.category("k3", model.ChannelPublic)
	hidden := f.category("hidden", model.ChannelPrivate) // nobody listed: only owner and admins see it
	c1, c2, c3 := f.channel("c1", model.ChannelPublic), f.channel("c2", model.ChannelPublic), f.channel("c3", model.ChannelPublic)
	loose := f.channel("loose", model.ChannelPublic)
	for _, ch := range []*store.Channel{c1, c2, c3} {
		f.place(ch.ChannelID, k1.CategoryID, model.Unsynced)
	}
	assert.Equal(t, []string{"k1", "k2", "k3", "hidden"}, f.categoryNames("alice"), "equal positions: creation order")
	assert.Equal(t, []string{"c1", "c2", "c3"}, f.channelNames("dave", k1.CategoryID))

	v := f.version()
	page, err := f.svc.UpdateCategoryPositions(f.ctx, admins.Actor("dave"), "g1", channel.CategoryPositionsInput{Positions: map[string]int64{k3.CategoryID: 0, k1.CategoryID: 5, k2.CategoryID: 3}})
	require.NoError(t, err)
	assert.Equal(t, []string{"k3", "k2", "k1"}, names(page.Items, func(c *store.Category) string { return c.Name }), "the answer: what dave sees, in the new order")
	assert.Equal(t, []string{"k3", "hidden", "k2", "k1"}, f.categoryNames("alice"), "k3 and hidden tie at 0: creation order")
	chans, err := f.svc.UpdateChannelPositions(f.ctx, admins.Actor("dave"), "g1", channel.ChannelPositionsInput{CategoryID: k1.CategoryID, Positions: map[string]int64{c3.ChannelID: 1, c1.ChannelID: 9}})
	require.NoError(t, err)
	assert.Equal(t, []string{"c3", "c1"}, names(chans.Items, func(ch *store.Channel) string { return ch.Name }))
	assert.Equal(t, []string{"c2", "c3", "c1"}, f.channelNames("carol", k1.CategoryID), "c2 kept position 0")
	_, err = f.svc.UpdateChannelPositions(f.ctx, admins.Actor("alice"), "g1", channel.ChannelPositionsInput{Positions: map[string]int64{loose.ChannelID: 4}})
	require.NoError(t, err, "the uncategorised channels are one list of their own")
	evs := f.events(v)
	require.Len(t, evs, 3, "one change each")
	assert.Equal(t, event.CategoryPositionsUpdate, evs[0].Type)
	assert.Equal(t, event.ChannelPositionsUpdate, evs[1].Type)
	assert.Equal(t, map[string]any{"categoryID": k1.CategoryID, "positions": map[string]any{c3.ChannelID: float64(1), c1.ChannelID: float64(9)}}, evs[1].Payload)
	assert.Empty(t, evs[0].Recipients, "group-wide")

	// One more group, whose category and channel are foreign to g1.
	_, err = f.groups.Create(f.ctx, admins.Actor("alice"), group.CreateInput{GroupID: "g2", GroupName: "g2"})
	require.NoError(t, err)
	foreignCat, err := f.svc.CreateCategory(f.ctx, admins.Actor("alice"), "g2", channel.CategoryInput{Name: ptr("elsewhere")})
	require.NoError(t, err)
	foreignChan, err := f.svc.CreateChannel(f.ctx, admins.Actor("alice"), "g2", channel.ChannelInput{Name: ptr("elsewhere")})
	require.NoError(t, err)
	// dave may not manage c2: an override denies it there.
	_, err = f.svc.SetChannelMemberAuths(f.ctx, admins.Actor("alice"), "g1", c2.ChannelID, "dave", channel.AuthsInput{Auths: map[string]string{"manageChannel": "deny"}})
	require.NoError(t, err)

	tooMany := map[string]int64{}
	for i := range store.MaxPositions + 1 {
		tooMany[fmt.Sprintf("k%02d", i)] = int64(i)
	}
	cats := func(p map[string]int64) channel.CategoryPositionsInput {
		return channel.CategoryPositionsInput{Positions: p}
	}
	inK1 := func(p map[string]int64) channel.ChannelPositionsInput {
		return channel.ChannelPositionsInput{CategoryID: k1.CategoryID, Positions: p}
	}
	cases := []struct {
		name  string
		actor string
		cats  *channel.CategoryPositionsInput
		chans *channel.ChannelPositionsInput
		want  errcode.Code
	}{
		{"a non-member", "stranger", ptr(cats(map[string]int64{k1.CategoryID: 1})), nil, errcode.NotInGroup},
		{"a non-member, channels", "stranger", nil, ptr(inK1(map[string]int64{c1.ChannelID: 1})), errcode.NotInGroup},
		{"a member without manageChannel", "carol", ptr(cats(map[string]int64{k1.CategoryID: 1})), nil, errcode.NoPermission},
		{"a member without manageChannel, channels", "carol", nil, ptr(inK1(map[string]int64{c1.ChannelID: 1})), errcode.NoPermission},
		{"manageChannel denied in one channel named", "dave", nil, ptr(inK1(map[string]int64{c1.ChannelID: 1, c2.ChannelID: 2})), errcode.NoPermission},
		{"an unknown category", "alice", ptr(cats(map[string]int64{k1.CategoryID: 1, "nope": 2})), nil, errcode.NotFound},
		{"another group's category", "alice", ptr(cats(map[string]int64{foreignCat.CategoryID: 1})), nil, errcode.NotFound},
		{"a category the actor cannot see", "dave", ptr(cats(map[string]int64{k1.CategoryID: 1, hidden.CategoryID: 2})), nil, errcode.NotFound},
		{"an unknown channel", "alice", nil, ptr(inK1(map[string]int64{c1.ChannelID: 1, "nope": 2})), errcode.NotFound},
		{"another group's channel", "alice", nil, ptr(inK1(map[string]int64{foreignChan.ChannelID: 1})), errcode.NotFound},
		{"a channel not in that category", "alice", nil, ptr(inK1(map[string]int64{c1.ChannelID: 1, loose.ChannelID: 2})), errcode.InvalidArgument},
		{"a category the actor cannot see, channels", "dave", nil, &channel.ChannelPositionsInput{CategoryID: hidden.CategoryID, Positions: map[string]int64{c1.ChannelID: 1}}, errcode.NotFound},
		{"duplicate positions", "alice", ptr(cats(map[string]int64{k1.CategoryID: 1, k2.CategoryID: 1})), nil, errcode.InvalidArgument},
		{"a negative position", "alice", nil, ptr(inK1(map[string]int64{c1.ChannelID: -1})), errcode.InvalidArgument},
		{"a huge position", "alice", ptr(cats(map[string]int64{k1.CategoryID: channel.MaxPosition + 1})), nil, errcode.InvalidArgument},
		{"too many entries", "alice", ptr(cats(tooMany)), nil, errcode.InvalidArgument},
		{"no entries", "alice", nil, ptr(inK1(map[string]int64{})), errcode.InvalidArgument},
		{"a malformed ID", "alice", ptr(cats(map[string]int64{"a#b": 1})), nil, errcode.InvalidArgument},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := f.version()
			var err error
			if c.cats != nil {
				_, err = f.svc.UpdateCategoryPositions(f.ctx, admins.Actor(c.actor), "g1", *c.cats)
			} else {
				_, err = f.svc.UpdateChannelPositions(f.ctx, admins.Actor(c.actor), "g1", *c.chans)
			}
			requireCode(t, c.want, err)
			assert.Equal(t, before, f.version(), "nothing changed")
		})
	}
	assert.Equal(t, []string{"k3", "hidden", "k2", "k1"}, f.categoryNames("alice"))
	assert.Equal(t, []string{"c2", "c3", "c1"}, f.channelNames("alice", k1.CategoryID))

	t.Run("a replay with the same Idempotency-Key changes nothing", func(t *testing.T) {
		serve := channelops.UpdateCategoryPositions().Bind(f.st, admins)
		req := func() *events.APIGatewayV2HTTPRequest {
			return &events.APIGatewayV2HTTPRequest{
				RouteKey: "PUT /groups/{groupID}/category-positions", RawPath: "/groups/g1/category-positions",
				PathParameters: map[string]string{"groupID": "g1"},
				Headers:        map[string]string{"idempotency-key": "reorder-1"},
				Body:           fmt.Sprintf(`{"positions":{%q:7}}`, k2.CategoryID),
				RequestContext: events.APIGatewayV2HTTPRequestContext{
					RequestID: "r", HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "PUT", Path: "/groups/g1/category-positions"},
					Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: map[string]string{"sub": "alice"}}},
				},
			}
		}
		before := f.version()
		first := serve(f.ctx, req())
		require.Equal(t, 200, first.StatusCode, first.Body)
		again := serve(f.ctx, req())
		require.Equal(t, 200, again.StatusCode, again.Body)
		assert.Equal(t, "true", again.Headers["Idempotent-Replayed"])
		assert.JSONEq(t, first.Body, again.Body)
		assert.Equal(t, before+1, f.version(), "one change for two requests")
	})
}
