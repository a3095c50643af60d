package notification_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/infra/stacktest"
	"github.com/circles-im/circles/shared/channel"
	"github.com/circles-im/circles/shared/event"
	"github.com/circles-im/circles/shared/group"
	"github.com/circles-im/circles/shared/model"
	"github.com/circles-im/circles/shared/notification"
	"github.com/circles-im/circles/shared/role"
	"github.com/circles-im/circles/shared/store"
)

// An access-list change that may change who sees a channel gives a
// ChannelVisibilityChanged notification, naming the channel, to the users
// named whose sight changed and to the members of the roles named
// (expanded at delivery); nobody else, and not the actor. A change naming
// @everyone reaches nobody's inbox that way: it is in the change log.
func TestAnAccessListChangeNotifiesTheUsersWhoseSightOfTheChannelMayHaveChanged(t *testing.T) {
	t.Parallel() // its own table and queue
	ctx := context.Background()
	db, table := stacktest.NewTable(t, store.Instrument)
	st := store.New(db, table)
	groups, roles, channels := group.NewService(st), role.NewService(st), channel.NewService(st)
	for _, u := range []string{"alice", "bob", "carol", "dave", "erin"} {
		_, err := groups.PutMyProfile(ctx, admins.Actor(u), group.ProfileInput{Nickname: u})
		require.NoError(t, err)
	}
	_, err := groups.Create(ctx, admins.Actor("alice"), group.CreateInput{GroupID: "g1", MemberUserIDs: []string{"bob", "carol", "dave", "erin"}})
	require.NoError(t, err)
	name := "mods"
	r, err := roles.CreateRole(ctx, admins.Actor("alice"), "g1", role.RoleInput{Name: &name, Auths: map[string]string{}})
	require.NoError(t, err)
	_, err = roles.AddRoleMembers(ctx, admins.Actor("alice"), "g1", r.RoleID, role.RoleMembersInput{UserIDs: []string{"dave", "erin"}})
	require.NoError(t, err)
	ch, err := channels.CreateChannel(ctx, admins.Actor("alice"), "g1", channel.ChannelInput{Name: &name, ViewMode: ptrInt(model.ChannelPrivate)})
	require.NoError(t, err)

	q, url := testQueue(t, "visibility")
	svc := notification.NewService(st)
	svc.SQS, svc.QueueURL, svc.ChunkSize = q, url, 1
	deliver := func(add channel.AccessListInput) *event.Event {
		g, err := st.GetGroup(ctx, "g1")
		require.NoError(t, err)
		_, err = channels.UpdateChannelAccessList(ctx, admins.Actor("alice"), "g1", ch.ChannelID, add)
		require.NoError(t, err)
		evs, err := st.ListEvents(ctx, "g1", g.Version, 1)
		require.NoError(t, err)
		require.Len(t, evs, 1)
		body, err := json.Marshal(evs[0])
		require.NoError(t, err)
		// The event, then every chunk its split sent, until the queue is empty.
		bodies := []string{string(body)}
		for len(bodies) > 0 {
			var recs []events.SQSMessage
			for i, b := range bodies {
				recs = append(recs, events.SQSMessage{MessageId: string(rune('a' + i)), Body: b})
			}
			resp, err := svc.HandleSQS(ctx, events.SQSEvent{Records: recs})
			require.NoError(t, err)
			require.Empty(t, resp.BatchItemFailures)
			bodies = drain(t, q, url)
		}
		return &evs[0]
	}

	ev := deliver(channel.AccessListInput{Op: "add", UserIDs: []string{"bob", "alice"}, RoleIDs: []string{r.RoleID}})
	require.NotNil(t, ev.Visibility)
	assert.Equal(t, []string{"bob"}, ev.Visibility.Users, "the owner sees every channel: no change for her")
	assert.Equal(t, []string{r.RoleID}, ev.Visibility.Roles)
	want := map[string]int{"bob": 1, "dave": 1, "erin": 1}
	for _, u := range []string{"alice", "bob", "carol", "dave", "erin"} {
		items := inbox(t, st, u)
		assert.Equal(t, want[u], countType(items, event.ChannelVisibilityChanged), u)
		for _, it := range items {
			if it.Type == event.ChannelVisibilityChanged {
				assert.Equal(t, map[string]any{"channelID": ch.ChannelID, "categoryID": ""}, it.Payload, u)
			}
		}
	}

	ev = deliver(channel.AccessListInput{Op: "add", RoleIDs: []string{store.EveryoneRoleID}})
	assert.Nil(t, ev.Visibility, "@everyone: every member's sight; the change log says it")
	for u, n := range want {
		assert.Equal(t, n, countType(inbox(t, st, u), event.ChannelVisibilityChanged), "nothing more for %s", u)
	}
}

func ptrInt(v int) *int { return &v }
