package channel_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/shared/channel"
	"github.com/circles-im/circles/shared/errcode"
)

// A member with manageRole who could not see a private channel got real
// answers about another user in it, and any member could tell a channel
// they cannot see (200) from one that does not exist (404). A channel the
// actor cannot see now answers exactly as a missing one: same status, code
// and message, whoever is asked about.
func TestCheckPermissionsCannotTellAnInvisibleChannelFromAMissingOne(t *testing.T) {
	f := newFixture(t)
	f.role("mods", map[string]string{"manageRole": "allow"}, "carol")
	open := f.channel("open", 0)
	priv := f.channel("priv", 1)
	blocked := f.channel("blocked", 0)
	for _, c := range []struct {
		id   string
		user string
	}{{priv.ChannelID, "dave"}, {blocked.ChannelID, "carol"}, {blocked.ChannelID, "erin"}} {
		_, err := f.svc.UpdateChannelAccessList(f.ctx, admins.Actor("alice"), "g1", c.id, channel.AccessListInput{Op: "add", UserIDs: []string{c.user}})
		require.NoError(t, err)
	}

	// answer is what a client can observe: the status, the error code and
	// the message with the channel's ID taken out.
	type answer struct {
		Status  int
		Code    errcode.Code
		Message string
		Auths   map[string]bool
	}
	ask := func(actor, channelID, about string) answer {
		res, err := f.svc.CheckPermissions(f.ctx, admins.Actor(actor), "g1", []string{"sendMsg", "manageChannel"}, channelID, about)
		if err == nil {
			return answer{Status: 200, Auths: res.Auths}
		}
		e := errcode.Of(err)
		return answer{Status: e.Code.HTTPStatus(), Code: e.Code, Message: strings.ReplaceAll(e.Message, channelID, "<id>")}
	}

	for _, c := range []struct {
		name, actor, about string
		invisible          string
	}{
		{"a manager about another user, in a private channel", "carol", "dave", priv.ChannelID},
		{"a manager about another user, blacklisted from a public channel", "carol", "dave", blocked.ChannelID},
		{"a manager about themselves", "carol", "", priv.ChannelID},
		{"a member about themselves, in a private channel", "erin", "", priv.ChannelID},
		{"a member about themselves, blacklisted", "erin", "", blocked.ChannelID},
	} {
		t.Run(c.name, func(t *testing.T) {
			missing := ask(c.actor, "no-such-channel", c.about)
			assert.Equal(t, 404, missing.Status)
			assert.Equal(t, errcode.NotFound, missing.Code)
			assert.Equal(t, missing, ask(c.actor, c.invisible, c.about), "an invisible channel answers as a missing one")
			visible := ask(c.actor, open.ChannelID, c.about)
			assert.Equal(t, 200, visible.Status, "%+v", visible)
		})
	}

	// Those who see the channel still get real answers about it.
	got := ask("alice", priv.ChannelID, "dave")
	require.Equal(t, 200, got.Status, "%+v", got)
	assert.True(t, got.Auths["sendMsg"], "dave is on the whitelist")
	got = ask("dave", priv.ChannelID, "")
	require.Equal(t, 200, got.Status, "%+v", got)
}
