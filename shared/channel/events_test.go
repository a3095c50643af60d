package channel_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/shared/channel"
	"github.com/circles-im/circles/shared/event"
	"github.com/circles-im/circles/shared/role"
	"github.com/circles-im/circles/shared/store"
)

// Every role and channel change writes exactly one event, of its type and
// code, at the group's next version, addressed to the users it concerns
// (none: the whole group, read through GetGroupChanges).
func TestEveryRoleAndChannelChangeEmitsItsEventToTheRightRecipients(t *testing.T) {
	f := newFixture(t)
	alice := admins.Actor("alice")
	var r *store.Role
	var ch *store.Channel
	cases := []struct {
		name       string
		change     func() error
		typ        event.Type
		recipients []string
	}{
		{"CreateRole", func() (err error) {
			r, err = f.roles.CreateRole(f.ctx, alice, "g1", role.RoleInput{Name: ptr("mods"), Auths: map[string]string{}})
			return err
		}, event.RoleCreated, nil},
		{"UpdateRole without auths", func() error {
			_, err := f.roles.UpdateRole(f.ctx, alice, "g1", r.RoleID, role.RoleInput{Name: ptr("moderators")})
			return err
		}, event.RoleUpdated, nil},
		{"UpdateRole with auths", func() error {
			_, err := f.roles.UpdateRole(f.ctx, alice, "g1", r.RoleID, role.RoleInput{Auths: map[string]string{"kickMember": "allow"}})
			return err
		}, event.ServerRoleAuthUpdate, nil},
		{"AddRoleMembers", func() error {
			_, err := f.roles.AddRoleMembers(f.ctx, alice, "g1", r.RoleID, role.RoleMembersInput{UserIDs: []string{"carol", "dave"}})
			return err
		}, event.ServerRoleMemberAdd, []string{"carol", "dave"}},
		{"RemoveRoleMembers", func() error {
			_, err := f.roles.RemoveRoleMembers(f.ctx, alice, "g1", r.RoleID, role.RoleMembersInput{UserIDs: []string{"dave"}})
			return err
		}, event.ServerRoleMemberDelete, []string{"dave"}},
		{"CreateChannel", func() (err error) {
			ch, err = f.svc.CreateChannel(f.ctx, alice, "g1", channel.ChannelInput{Name: ptr("general")})
			return err
		}, event.ChannelCreated, nil},
		{"UpdateChannel", func() error {
			_, err := f.svc.UpdateChannel(f.ctx, alice, "g1", ch.ChannelID, channel.ChannelInput{Topic: ptr("news")})
			return err
		}, event.ChannelUpdated, nil},
		{"UpdateChannelAccessList", func() error {
			_, err := f.svc.UpdateChannelAccessList(f.ctx, alice, "g1", ch.ChannelID, channel.AccessListInput{Op: "add", UserIDs: []string{"erin"}, RoleIDs: []string{r.RoleID}})
			return err
		}, event.ChannelAccessListUpdate, []string{"erin"}},
		{"AddChannelRole", func() error {
			_, err := f.svc.AddChannelRole(f.ctx, alice, "g1", ch.ChannelID, channel.ChannelRoleInput{ParentRoleID: r.RoleID})
			return err
		}, event.ChannelRoleAuthUpdate, nil},
		{"UpdateChannelRole", func() error {
			_, err := f.svc.UpdateChannelRole(f.ctx, alice, "g1", ch.ChannelID, r.RoleID, channel.AuthsInput{Auths: map[string]string{"sendMsg": "deny"}})
			return err
		}, event.ChannelRoleAuthUpdate, nil},
		{"RemoveChannelRole", func() error {
			return f.svc.RemoveChannelRole(f.ctx, alice, "g1", ch.ChannelID, r.RoleID)
		}, event.ChannelRoleAuthUpdate, nil},
		{"SetChannelMemberAuths", func() error {
			_, err := f.svc.SetChannelMemberAuths(f.ctx, alice, "g1", ch.ChannelID, "carol", channel.AuthsInput{Auths: map[string]string{"sendMsg": "deny"}})
			return err
		}, event.MemberRoleAuthUpdate, []string{"carol"}},
		{"DeleteChannelMemberAuths", func() error {
			return f.svc.DeleteChannelMemberAuths(f.ctx, alice, "g1", ch.ChannelID, "carol")
		}, event.MemberRoleAuthUpdate, []string{"carol"}},
		{"DeleteChannel", func() error {
			return f.svc.DeleteChannel(f.ctx, alice, "g1", ch.ChannelID)
		}, event.ChannelDeleted, nil},
		{"UpdateRolePriorities", func() error {
			_, err := f.roles.UpdateRolePriorities(f.ctx, alice, "g1", role.PrioritiesInput{Priorities: map[string]int{r.RoleID: r.Priority}})
			return err
		}, event.RoleUpdated, nil},
		{"DeleteRole", func() error {
			return f.roles.DeleteRole(f.ctx, alice, "g1", r.RoleID)
		}, event.RoleDeleted, nil},
	}
	// The cases run in order: each builds on the one before.
	for _, c := range cases {
		before := f.version()
		require.NoError(t, c.change(), c.name)
		evs, err := f.st.ListEvents(f.ctx, "g1", before, 10)
		require.NoError(t, err)
		require.Len(t, evs, 1, "%s writes exactly one event", c.name)
		ev := evs[0]
		assert.Equal(t, c.typ, ev.Type, c.name)
		assert.Equal(t, c.typ.Code(), ev.Code, c.name)
		assert.Equal(t, before+1, ev.Version, c.name)
		assert.Equal(t, "alice", ev.ActorUserID, c.name)
		if c.recipients == nil {
			assert.Empty(t, ev.Recipients, "%s is group-wide", c.name)
		} else {
			assert.ElementsMatch(t, c.recipients, ev.Recipients, c.name)
		}
	}
}
