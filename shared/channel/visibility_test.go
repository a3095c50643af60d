package channel_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/circles-im/circles/shared/channel"
	"github.com/circles-im/circles/shared/errcode"
)

// Every operation on one channel answers a member who cannot see it
// (private and not listed, or blacklisted from a public one) exactly as it
// answers for a channel that does not exist: same status, code and
// message. Before, they got NO_PERMISSION "not visible to you", which told
// them that the private channel exists.
func TestEveryChannelOperationAnswersAnInvisibleChannelAsAMissingOne(t *testing.T) {
	f := newFixture(t)
	f.role("mods", map[string]string{"manageChannel": "allow", "manageRole": "allow"}, "carol")
	priv := f.channel("priv", 1)
	blocked := f.channel("blocked", 0)
	_, err := f.svc.UpdateChannelAccessList(f.ctx, admins.Actor("alice"), "g1", blocked.ChannelID, channel.AccessListInput{Op: "add", UserIDs: []string{"carol"}})
	assert.NoError(t, err)

	allow := map[string]string{"sendMsg": "allow"}
	ops := map[string]func(actor, channelID string) error{
		"GetChannelAccessList": func(actor, id string) error {
			_, err := f.svc.GetChannelAccessList(f.ctx, admins.Actor(actor), "g1", id)
			return err
		},
		"UpdateChannelAccessList": func(actor, id string) error {
			_, err := f.svc.UpdateChannelAccessList(f.ctx, admins.Actor(actor), "g1", id, channel.AccessListInput{Op: "add", UserIDs: []string{"erin"}})
			return err
		},
		"UpdateChannel": func(actor, id string) error {
			topic := "mine now"
			_, err := f.svc.UpdateChannel(f.ctx, admins.Actor(actor), "g1", id, channel.ChannelInput{Topic: &topic})
			return err
		},
		"DeleteChannel": func(actor, id string) error {
			return f.svc.DeleteChannel(f.ctx, admins.Actor(actor), "g1", id)
		},
		"AddChannelRole": func(actor, id string) error {
			_, err := f.svc.AddChannelRole(f.ctx, admins.Actor(actor), "g1", id, channel.ChannelRoleInput{ParentRoleID: "everyone"})
			return err
		},
		"UpdateChannelRole": func(actor, id string) error {
			_, err := f.svc.UpdateChannelRole(f.ctx, admins.Actor(actor), "g1", id, "everyone", channel.AuthsInput{Auths: allow})
			return err
		},
		"RemoveChannelRole": func(actor, id string) error {
			return f.svc.RemoveChannelRole(f.ctx, admins.Actor(actor), "g1", id, "everyone")
		},
		"ListChannelRoles": func(actor, id string) error {
			_, err := f.svc.ListChannelRoles(f.ctx, admins.Actor(actor), "g1", id)
			return err
		},
		"SetChannelMemberAuths": func(actor, id string) error {
			_, err := f.svc.SetChannelMemberAuths(f.ctx, admins.Actor(actor), "g1", id, "erin", channel.AuthsInput{Auths: allow})
			return err
		},
		"DeleteChannelMemberAuths": func(actor, id string) error {
			return f.svc.DeleteChannelMemberAuths(f.ctx, admins.Actor(actor), "g1", id, "erin")
		},
	}
	type answer struct {
		Code    errcode.Code
		Message string
	}
	observe := func(err error, id string) answer {
		if err == nil {
			return answer{Code: "ok"}
		}
		e := errcode.Of(err)
		return answer{e.Code, strings.ReplaceAll(e.Message, id, "<id>")}
	}
	for name, op := range ops {
		for _, c := range []struct{ who, actor, id string }{
			{"an ordinary member, private channel", "dave", priv.ChannelID},
			{"a channel manager, private channel", "carol", priv.ChannelID},
			{"a channel manager, blacklisted", "carol", blocked.ChannelID},
		} {
			t.Run(name+"/"+c.who, func(t *testing.T) {
				missing := observe(op(c.actor, "no-such-channel"), "no-such-channel")
				assert.Equal(t, errcode.NotFound, missing.Code)
				assert.Equal(t, missing, observe(op(c.actor, c.id), c.id))
			})
		}
	}
	got, err := f.svc.GetChannelAccessList(f.ctx, admins.Actor("alice"), "g1", priv.ChannelID)
	assert.NoError(t, err, "the owner still sees the private channel")
	assert.NotNil(t, got)
}
