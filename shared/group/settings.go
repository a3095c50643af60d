package group

import (
	"context"
	"strconv"
	"strings"

	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/event"
	"github.com/circles-im/circles/shared/permission"
	"github.com/circles-im/circles/shared/store"
	"github.com/circles-im/circles/shared/validate"
)

// SetInfoInput is the body of PATCH /groups/{groupID}: an absent field
// stays as it is, and "" clears a text field.
type SetInfoInput struct {
	GroupName         *string `json:"groupName"`
	Notification      *string `json:"notification"`
	Introduction      *string `json:"introduction"`
	FaceURL           *string `json:"faceURL"`
	Ex                *string `json:"ex"`
	NeedVerification  *int    `json:"needVerification"`
	LookMemberInfo    *int    `json:"lookMemberInfo"`
	ApplyMemberFriend *int    `json:"applyMemberFriend"`
	GroupType         *int    `json:"groupType"`
	// DisableInviteCodes 1 refuses every JoinByInviteCode; 0 (the default)
	// lets codes admit without approval.
	DisableInviteCodes *int `json:"disableInviteCodes"`
}

func (in *SetInfoInput) validate() error {
	text := func(field string, p *string, max int) error {
		if p == nil {
			return nil
		}
		return validate.Text(field, *p, max)
	}
	oneOf := func(field string, p *int, allowed ...int) error {
		if p == nil {
			return nil
		}
		return validate.OneOf(field, *p, allowed...)
	}
	return validate.First(
		text("groupName", in.GroupName, validate.MaxText),
		text("notification", in.Notification, validate.MaxNotification),
		text("introduction", in.Introduction, validate.MaxText),
		text("faceURL", in.FaceURL, validate.MaxText),
		text("ex", in.Ex, validate.MaxEx),
		oneOf("needVerification", in.NeedVerification, 0, 1, 2),
		oneOf("lookMemberInfo", in.LookMemberInfo, 0, 1),
		oneOf("applyMemberFriend", in.ApplyMemberFriend, 0, 1),
		oneOf("groupType", in.GroupType, 0, 1, 2),
		oneOf("disableInviteCodes", in.DisableInviteCodes, 0, 1),
	)
}

// apply returns g with the present fields of the input applied.
func (in *SetInfoInput) apply(g *store.Group) *store.Group {
	next := *g
	setS := func(dst *string, p *string) {
		if p != nil {
			*dst = *p
		}
	}
	setI := func(dst *int, p *int) {
		if p != nil {
			*dst = *p
		}
	}
	setS(&next.GroupName, in.GroupName)
	setS(&next.Notification, in.Notification)
	setS(&next.Introduction, in.Introduction)
	setS(&next.FaceURL, in.FaceURL)
	setS(&next.Ex, in.Ex)
	setI(&next.NeedVerification, in.NeedVerification)
	setI(&next.LookMemberInfo, in.LookMemberInfo)
	setI(&next.ApplyMemberFriend, in.ApplyMemberFriend)
	setI(&next.GroupType, in.GroupType)
	setI(&next.DisableInviteCodes, in.DisableInviteCodes)
	return &next
}

// parseIfMatch reads If-Match: <version>, also in the quoted ETag form.
// An empty header asks for no check (-1).
func parseIfMatch(h string) (int64, error) {
	h = strings.TrimSpace(h)
	if h == "" {
		return -1, nil
	}
	v, err := strconv.ParseInt(strings.Trim(strings.TrimPrefix(h, "W/"), `"`), 10, 64)
	if err != nil || v < 1 {
		return 0, errcode.New(errcode.InvalidArgument, "If-Match must be the group's version, a positive integer")
	}
	return v, nil
}

// infoEventType picks the one event of a SetGroupInfo change. Every change
// writes exactly one event (invariant 4), so a request emits one: the
// specific GroupInfoSetName (1520) or GroupInfoSetAnnouncement (1519) when
// the name alone or the notification alone changed, and otherwise
// GroupInfoSet (1502), whose payload names every changed field.
func infoEventType(changes map[string]any) event.Type {
	user := 0 // changed fields the client sent; the notification's time and author follow it
	for name := range changes {
		if name != "notificationUpdateTime" && name != "notificationUserID" {
			user++
		}
	}
	if _, ok := changes["groupName"]; ok && user == 1 {
		return event.GroupInfoSetName
	}
	if _, ok := changes["notification"]; ok && user == 1 {
		return event.GroupInfoSetAnnouncement
	}
	return event.GroupInfoSet
}

// SetInfo partially updates the group's info. With ifMatch (the version the
// client last saw) it answers CONFLICT when the group has moved on; the
// transaction's version condition guarantees nothing newer is overwritten.
// A request that changes nothing answers the group as it is, with no new
// version and no event: there is no change to record.
func (s *Service) SetInfo(ctx context.Context, a permission.Actor, groupID string, in SetInfoInput, ifMatch string) (*store.Group, error) {
	if err := validate.First(validate.ID("groupID", groupID), in.validate()); err != nil {
		return nil, err
	}
	expected, err := parseIfMatch(ifMatch)
	if err != nil {
		return nil, err
	}
	return store.Retry(ctx, func() (*store.Group, error) {
		g, ms, err := s.st.Snapshot(ctx, groupID, a.UserID)
		if err != nil {
			return nil, err
		}
		if err := permission.Decide(permission.Request{Op: permission.OpSetGroupInfo, Actor: a, Group: g, Self: ms[a.UserID]}); err != nil {
			return nil, err
		}
		if expected >= 0 && g.Version != expected {
			return nil, errcode.New(errcode.Conflict, "the group is at version %d, not %d; reload and retry", g.Version, expected)
		}
		next := in.apply(g)
		if next.Notification != g.Notification {
			next.NotificationUpdateTime, next.NotificationUserID = s.st.Now().UnixMilli(), a.UserID
		}
		changes := store.InfoChanges(g, next)
		if len(changes) == 0 {
			return g, nil
		}
		ev := event.New(infoEventType(changes), a.UserID, event.FieldChanges[event.GroupInfoPayload](changes))
		if _, err := s.st.SetGroupInfo(ctx, g, next, ev); err != nil {
			return nil, err
		}
		return g, nil
	})
}

// SetGroupMute mutes (status 3) or unmutes (status 0) the whole group.
// Repeating the current state is still a change with its event, as in
// OpenIM, so clients that missed the first see it again.
func (s *Service) SetGroupMute(ctx context.Context, a permission.Actor, groupID string, mute bool) (*store.Group, error) {
	if err := validate.ID("groupID", groupID); err != nil {
		return nil, err
	}
	status, t := store.StatusOK, event.GroupCancelMuted
	if mute {
		status, t = store.StatusMuted, event.GroupMuted
	}
	return store.Retry(ctx, func() (*store.Group, error) {
		g, ms, err := s.st.Snapshot(ctx, groupID, a.UserID)
		if err != nil {
			return nil, err
		}
		if err := permission.Decide(permission.Request{Op: permission.OpMuteGroup, Actor: a, Group: g, Self: ms[a.UserID]}); err != nil {
			return nil, err
		}
		if _, err := s.st.SetGroupStatus(ctx, g, status, event.New(t, a.UserID, event.GroupStatusPayload{Status: status})); err != nil {
			return nil, err
		}
		return g, nil
	})
}

// Dismiss ends the group: status 2 and GroupDismissed (1511) commit together
// at once; its records are removed afterwards by CleanupDismissed, the
// consumer of that event.
func (s *Service) Dismiss(ctx context.Context, a permission.Actor, groupID string) error {
	if err := validate.ID("groupID", groupID); err != nil {
		return err
	}
	return store.RetryErr(ctx, func() error {
		g, ms, err := s.st.Snapshot(ctx, groupID, a.UserID)
		if err != nil {
			return err
		}
		if err := permission.Decide(permission.Request{Op: permission.OpDismiss, Actor: a, Group: g, Self: ms[a.UserID]}); err != nil {
			return err
		}
		_, err = s.st.SetGroupStatus(ctx, g, store.StatusDismissed, event.New(event.GroupDismissed, a.UserID, event.GroupDismissedPayload{MemberCount: &g.MemberCount}))
		return err
	})
}
