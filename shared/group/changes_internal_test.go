package group

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/circles-im/circles/shared/event"
	"github.com/circles-im/circles/shared/permission"
	"github.com/circles-im/circles/shared/store"
)

func TestAReadersCopyOfAMemberEventKeepsOnlyWhatTheyMaySee(t *testing.T) {
	muted := event.Event{Type: event.GroupMemberMuted, Payload: map[string]any{"userID": "dave", "mutedSeconds": 60, "muteEndTime": int64(9)}}
	kicked := event.Event{Type: event.MemberKicked, Payload: map[string]any{"userIDs": []string{"dave"}, "reason": "spam"}}
	frank := &store.Member{UserID: "frank", RoleLevel: store.RoleMember}
	bob := &store.Member{UserID: "bob", RoleLevel: store.RoleAdmin}
	dave := &store.Member{UserID: "dave", RoleLevel: store.RoleMember}
	cases := []struct {
		name string
		look int
		a    permission.Actor
		self *store.Member
		ev   event.Event
		want map[string]any
	}{
		{"lookMemberInfo 0: all", 0, permission.Actor{UserID: "frank"}, frank, muted, muted.Payload},
		{"an ordinary member about another", 1, permission.Actor{UserID: "frank"}, frank, muted, map[string]any{"userID": "dave"}},
		{"the member about themselves", 1, permission.Actor{UserID: "dave"}, dave, muted, muted.Payload},
		{"an admin", 1, permission.Actor{UserID: "bob"}, bob, muted, muted.Payload},
		{"an app admin", 1, permission.Actor{UserID: "root", AppAdmin: true}, nil, muted, muted.Payload},
		{"an event about no single member", 1, permission.Actor{UserID: "frank"}, frank, kicked, kicked.Payload},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := readerCopy(c.a, &store.Group{LookMemberInfo: c.look}, c.self, c.ev)
			assert.Equal(t, c.want, got.Payload)
			assert.Len(t, muted.Payload, 3, "the stored event is not changed")
		})
	}
}

// Join requests are the business of the holders of handleApplication, as
// GetGroupApplicationList is: anyone else reading the log learns only that
// a request was made, or who was handled with what result, never the
// request's message, source or inviter, nor the handler's message.
func TestApplicationEventsInTheLogShowTheirDetailsOnlyToThoseWhoHandleApplications(t *testing.T) {
	applied := event.Event{Type: event.JoinGroupApplication, Payload: map[string]any{
		"userIDs": []string{"erin"}, "joinSource": 3, "inviterUserID": "", "reqMsg": "my phone is 555-0100"}}
	rejected := event.Event{Type: event.GroupApplicationRejected, Payload: map[string]any{
		"userID": "erin", "joinSource": 3, "inviterUserID": "", "handleResult": -1, "handledMsg": "not you", "entered": false}}
	accepted := event.Event{Type: event.GroupApplicationAccepted, Payload: map[string]any{
		"userID": "erin", "joinSource": 2, "inviterUserID": "bob", "handleResult": 1, "handledMsg": "welcome", "entered": true}}
	roles := store.DefaultRoles("g1", 1)
	roles.Roles["r-door"] = &store.Role{RoleID: "r-door", GroupID: "g1", Type: store.RoleTypeCustom, Priority: 1,
		Auths: map[string]string{string(permission.HandleApplication): "allow"}}
	g := &store.Group{GroupID: "g1", Roles: roles}
	frank := &store.Member{UserID: "frank", RoleLevel: store.RoleMember}
	gatekeeper := &store.Member{UserID: "gina", RoleLevel: store.RoleMember, RoleIDs: []string{"r-door"}}
	admin := &store.Member{UserID: "bob", RoleLevel: store.RoleAdmin}
	cases := []struct {
		name string
		a    permission.Actor
		self *store.Member
		ev   event.Event
		want map[string]any
	}{
		{"an ordinary member sees that someone applied", permission.Actor{UserID: "frank"}, frank, applied, map[string]any{}},
		{"an ordinary member sees who was refused, not why", permission.Actor{UserID: "frank"}, frank, rejected,
			map[string]any{"userID": "erin", "handleResult": -1, "entered": false}},
		{"an ordinary member sees who entered, not who invited them", permission.Actor{UserID: "frank"}, frank, accepted,
			map[string]any{"userID": "erin", "handleResult": 1, "entered": true}},
		{"an admin reads the request", permission.Actor{UserID: "bob"}, admin, applied, applied.Payload},
		{"a member whose role allows handleApplication reads the request", permission.Actor{UserID: "gina"}, gatekeeper, applied, applied.Payload},
		{"a member whose role allows handleApplication reads the refusal", permission.Actor{UserID: "gina"}, gatekeeper, rejected, rejected.Payload},
		{"an app admin reads the request", permission.Actor{UserID: "root", AppAdmin: true}, nil, applied, applied.Payload},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, readerCopy(c.a, g, c.self, c.ev).Payload)
		})
	}
	assert.Len(t, applied.Payload, 4, "the stored event is not changed")
}
