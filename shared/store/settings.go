package store

import (
	"context"
	"fmt"

	"github.com/circles-im/circles/shared/event"
)

// InfoChanges lists the settable group fields whose value differs between
// old and next, by attribute name (equal to the JSON name), with the new
// value. SetGroupInfo writes exactly these, and the domain names them in the
// event's payload.
func InfoChanges(old, next *Group) map[string]any {
	out := map[string]any{}
	str := func(name, a, b string) {
		if a != b {
			out[name] = b
		}
	}
	num := func(name string, a, b int) {
		if a != b {
			out[name] = b
		}
	}
	str("groupName", old.GroupName, next.GroupName)
	str("notification", old.Notification, next.Notification)
	str("introduction", old.Introduction, next.Introduction)
	str("faceURL", old.FaceURL, next.FaceURL)
	str("ex", old.Ex, next.Ex)
	num("groupType", old.GroupType, next.GroupType)
	num("needVerification", old.NeedVerification, next.NeedVerification)
	num("lookMemberInfo", old.LookMemberInfo, next.LookMemberInfo)
	num("applyMemberFriend", old.ApplyMemberFriend, next.ApplyMemberFriend)
	num("disableInviteCodes", old.DisableInviteCodes, next.DisableInviteCodes)
	if old.NotificationUpdateTime != next.NotificationUpdateTime {
		out["notificationUpdateTime"] = next.NotificationUpdateTime
	}
	str("notificationUserID", old.NotificationUserID, next.NotificationUserID)
	return out
}

// SetGroupInfo writes the fields of next that differ from g (the record as
// read) as one change: conditioned on g's version, so an update decided on
// a stale read (If-Match included) cannot commit. On success g holds the new
// values.
func (s *Store) SetGroupInfo(ctx context.Context, g *Group, next *Group, ev event.Event) (*event.Event, error) {
	changes := InfoChanges(g, next)
	if len(changes) == 0 {
		return nil, fmt.Errorf("set group info of %s: nothing changes", g.GroupID)
	}
	c := s.newChange(g, ev)
	for name, v := range changes {
		c.meta.Set(name, attr(v))
	}
	out, err := s.commitChange(ctx, c, nil)
	if err != nil {
		return nil, err
	}
	v := g.Version
	*g = *next
	g.Version = v
	return out, nil
}

// SetGroupStatus moves a group to status (StatusOK, StatusMuted or
// StatusDismissed) as one change. The change's own condition refuses a
// dismissed group, so a dismissal is final.
func (s *Store) SetGroupStatus(ctx context.Context, g *Group, status int, ev event.Event) (*event.Event, error) {
	switch status {
	case StatusOK, StatusMuted, StatusDismissed:
	default:
		return nil, fmt.Errorf("set group status %d: unknown status", status)
	}
	c := s.newChange(g, ev)
	c.meta.Set("status", status)
	out, err := s.commitChange(ctx, c, nil)
	if err != nil {
		return nil, err
	}
	g.Status = status
	return out, nil
}
