package channel_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/shared/channel"
	"github.com/circles-im/circles/shared/event"
	"github.com/circles-im/circles/shared/model"
)

// A channel that syncs to its category drops its member overrides by
// moving its generation; the cleanup consumer then deletes them on the
// ChannelUpdated event, in bounded steps, and leaves every other
// channel's overrides alone.
func TestTheCleanupConsumerDeletesTheOverridesASyncedChannelDropped(t *testing.T) {
	f := newFixture(t)
	k := f.category("k", model.ChannelPublic)
	c, other := f.channel("c", model.ChannelPublic), f.channel("other", model.ChannelPublic)
	for _, cid := range []string{c.ChannelID, other.ChannelID} {
		for _, u := range []string{"carol", "dave", "erin"} {
			_, err := f.svc.SetChannelMemberAuths(f.ctx, admins.Actor("alice"), "g1", cid, u, channel.AuthsInput{Auths: map[string]string{"sendMsg": "deny"}})
			require.NoError(t, err)
		}
	}
	unsynced := f.version()
	f.place(other.ChannelID, k.CategoryID, model.Unsynced)
	synced := f.version()
	f.place(c.ChannelID, k.CategoryID, model.Synced)

	evs := f.events(unsynced)
	require.Len(t, evs, 2)
	require.Equal(t, event.ChannelUpdated, evs[0].Type)
	done, err := f.groups.OnGroupEvent(f.ctx, evs[0], 1)
	require.NoError(t, err)
	assert.True(t, done, "a move that keeps the channel's own settings drops nothing")

	evs = f.events(synced)
	require.Len(t, evs, 1)
	steps := 0
	for done = false; !done; steps++ {
		require.Less(t, steps, 10, "the cleanup ends")
		done, err = f.groups.OnGroupEvent(f.ctx, evs[0], 1)
		require.NoError(t, err)
	}
	assert.GreaterOrEqual(t, steps, 3, "one override per step")
	for _, u := range []string{"carol", "dave", "erin"} {
		ov, err := f.st.GetMemberOverride(f.ctx, "g1", c.ChannelID, u)
		require.NoError(t, err)
		assert.Nil(t, ov, "%s's dropped override is gone", u)
		ov, err = f.st.GetMemberOverride(f.ctx, "g1", other.ChannelID, u)
		require.NoError(t, err)
		assert.NotNil(t, ov, "%s's override in the unsynced channel stays", u)
	}
	assert.False(t, f.holds("carol", other.ChannelID, "sendMsg"), "and still applies")
}
