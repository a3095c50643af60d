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
