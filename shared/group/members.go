package group

import (
	"context"

	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/event"
	"github.com/circles-im/circles/shared/permission"
	"github.com/circles-im/circles/shared/store"
	"github.com/circles-im/circles/shared/validate"
)

// MaxMuteSeconds is the longest member mute: one year.
const MaxMuteSeconds = 31536000

// MuteMemberInput is the body of POST /groups/{groupID}/members/{userID}/mute.
type MuteMemberInput struct {
	MutedSeconds int64 `json:"mutedSeconds"`
}

// SetMemberInfoInput is the body of PATCH /groups/{groupID}/members/{userID}:
// an absent field stays as it is, and "" clears a text field.
type SetMemberInfoInput struct {
	Nickname  *string `json:"nickname"`
	FaceURL   *string `json:"faceURL"`
	Ex        *string `json:"ex"`
	RoleLevel *int    `json:"roleLevel"`
}

func (in *SetMemberInfoInput) validate() error {
	text := func(field string, p *string, max int) error {
		if p == nil {
			return nil
		}
		return validate.Text(field, *p, max)
	}
	return validate.First(
		text("nickname", in.Nickname, validate.MaxText),
		text("faceURL", in.FaceURL, validate.MaxText),
		text("ex", in.Ex, validate.MaxEx),
	)
}

// MuteMember mutes a member for mutedSeconds from now.
func (s *Service) MuteMember(ctx context.Context, a permission.Actor, groupID, userID string, in MuteMemberInput) (*store.Member, error) {
	if in.MutedSeconds < 1 || in.MutedSeconds > MaxMuteSeconds {
		return nil, errcode.New(errcode.InvalidArgument, "mutedSeconds must be from 1 to %d", MaxMuteSeconds)
	}
	return s.setMemberMute(ctx, a, groupID, userID, in.MutedSeconds)
}

// CancelMuteMember lifts a member's mute.
func (s *Service) CancelMuteMember(ctx context.Context, a permission.Actor, groupID, userID string) (*store.Member, error) {
	return s.setMemberMute(ctx, a, groupID, userID, 0)
}

// setMemberMute mutes for seconds, or unmutes when seconds is 0. Both need
// muteMember and that the actor outranks the target (permission.Decide);
// the write is conditioned on the target's roleLevel as read, so a
// concurrent promotion or transfer cannot be bypassed.
func (s *Service) setMemberMute(ctx context.Context, a permission.Actor, groupID, userID string, seconds int64) (*store.Member, error) {
	if err := validate.First(validate.ID("groupID", groupID), validate.ID("userID", userID)); err != nil {
		return nil, err
	}
	return store.Retry(ctx, func() (*store.Member, error) {
		g, ms, err := s.st.Snapshot(ctx, groupID, a.UserID, userID)
		if err != nil {
			return nil, err
		}
		target := ms[userID]
		if err := permission.Decide(permission.Request{Op: permission.OpMuteMember, Actor: a, Group: g,
			Self: ms[a.UserID], Target: target, TargetID: userID}); err != nil {
			return nil, err
		}
		var end int64
		ev := event.New(event.GroupMemberCancelMuted, a.UserID, event.UserPayload{UserID: userID})
		if seconds > 0 {
			end = s.st.Now().UnixMilli() + seconds*1000
			ev = event.New(event.GroupMemberMuted, a.UserID, event.MemberMutedPayload{UserID: userID, MutedSeconds: seconds, MuteEndTime: end})
		}
		if _, err := s.st.MuteMember(ctx, g, target, end, a.UserID, ev); err != nil {
			return nil, err
		}
		return target, nil
	})
}

// SetMemberInfo changes a member's nickname, faceURL, ex and roleLevel.
// Who may do what is permission.Decide's: OpSetMemberInfo for the record,
// and OpSetMemberRoleLevel when roleLevel is present. The event is
// GroupMemberSetToAdmin (1517) or GroupMemberSetToOrdinaryUser (1518) when
// the level changed, else GroupMemberInfoSet (1516); one change, one event.
// A request that changes nothing answers the record as it is, with no new
// version.
func (s *Service) SetMemberInfo(ctx context.Context, a permission.Actor, groupID, userID string, in SetMemberInfoInput) (*store.Member, error) {
	if err := validate.First(validate.ID("groupID", groupID), validate.ID("userID", userID), in.validate()); err != nil {
		return nil, err
	}
	return store.Retry(ctx, func() (*store.Member, error) {
		g, ms, err := s.st.Snapshot(ctx, groupID, a.UserID, userID)
		if err != nil {
			return nil, err
		}
		target := ms[userID]
		next, changes, err := decideMemberInfo(a, g, ms[a.UserID], target, userID, in)
		if err != nil || len(changes) == 0 {
			return target, err
		}
		t := event.GroupMemberInfoSet
		if _, ok := changes["roleLevel"]; ok {
			t = event.GroupMemberSetToOrdinaryUser
			if next.RoleLevel == store.RoleAdmin {
				t = event.GroupMemberSetToAdmin
			}
		}
		if _, err := s.st.SetMemberInfo(ctx, g, target, next, a.UserID, event.New(t, a.UserID, event.FieldChanges[event.MemberInfoPayload](changes))); err != nil {
			return nil, err
		}
		return target, nil
	})
}

// decideMemberInfo asks permission.Decide whether the actor may apply in to
// userID's record (target, nil if not a member), and answers the record as
// it would be and the fields that change, with "userID" (empty: nothing
// changes).
func decideMemberInfo(a permission.Actor, g *store.Group, self, target *store.Member, userID string, in SetMemberInfoInput) (*store.Member, map[string]any, error) {
	req := permission.Request{Op: permission.OpSetMemberInfo, Actor: a, Group: g, Self: self, Target: target, TargetID: userID}
	if err := permission.Decide(req); err != nil {
		return nil, nil, err
	}
	if in.RoleLevel != nil {
		req.Op, req.RoleLevel = permission.OpSetMemberRoleLevel, *in.RoleLevel
		if err := permission.Decide(req); err != nil {
			return nil, nil, err
		}
	}
	next := *target
	if in.Nickname != nil {
		next.Nickname = *in.Nickname
	}
	if in.FaceURL != nil {
		next.FaceURL = *in.FaceURL
	}
	if in.Ex != nil {
		next.Ex = *in.Ex
	}
	if in.RoleLevel != nil {
		next.RoleLevel = *in.RoleLevel
	}
	changes := store.MemberInfoChanges(target, &next)
	if len(changes) > 0 {
		changes["userID"] = userID
	}
	return &next, changes, nil
}

// MemberInfoEntry is one member's part of SetGroupMembersInfo: the userID
// and SetGroupMemberInfo's body.
type MemberInfoEntry struct {
	UserID string `json:"userID"`
	SetMemberInfoInput
}

// SetMembersInfoInput is the body of PATCH /groups/{groupID}/members.
type SetMembersInfoInput struct {
	Members []MemberInfoEntry `json:"members"`
}

// SetMembersInfo is SetMemberInfo for up to store.MaxMembersInfo members in
// one transaction: every entry is validated and decided (permission.Decide)
// as SetMemberInfo decides it, on one snapshot, and if any is refused the
// request answers that entry's error and nothing changes. The entries that
// change something commit as one change with one GroupMembersInfoSet
// (1706) event naming each member's changed fields; a request that changes
// nothing commits nothing. It answers the members' records in the order
// asked.
func (s *Service) SetMembersInfo(ctx context.Context, a permission.Actor, groupID string, in SetMembersInfoInput) (*store.Page[*store.Member], error) {
	if err := validate.ID("groupID", groupID); err != nil {
		return nil, err
	}
	if n := len(in.Members); n == 0 || n > store.MaxMembersInfo {
		return nil, errcode.New(errcode.InvalidArgument, "members must hold 1 to %d entries (one transaction); it holds %d", store.MaxMembersInfo, n)
	}
	ids := make([]string, len(in.Members))
	for i, e := range in.Members {
		ids[i] = e.UserID
		if err := e.validate(); err != nil {
			return nil, errcode.New(errcode.InvalidArgument, "members[%d] (%s): %s", i, e.UserID, errcode.Of(err).Message)
		}
	}
	if err := validate.IDs("members.userID", ids, true); err != nil {
		return nil, err
	}
	return store.Retry(ctx, func() (*store.Page[*store.Member], error) {
		g, ms, err := s.st.Snapshot(ctx, groupID, append([]string{a.UserID}, ids...)...)
		if err != nil {
			return nil, err
		}
		var chs []store.MemberInfoChange
		var payload event.MembersInfoPayload
		page := &store.Page[*store.Member]{Items: make([]*store.Member, len(ids))}
		for i, e := range in.Members {
			target := ms[e.UserID]
			next, changes, err := decideMemberInfo(a, g, ms[a.UserID], target, e.UserID, e.SetMemberInfoInput)
			if err != nil {
				return nil, err
			}
			page.Items[i] = target
			if len(changes) > 0 {
				chs = append(chs, store.MemberInfoChange{Old: target, Next: next})
				payload.Members = append(payload.Members, event.FieldChanges[event.MemberInfoPayload](changes))
			}
		}
		if len(chs) == 0 {
			return page, nil
		}
		if _, err := s.st.SetMembersInfo(ctx, g, chs, a.UserID, event.New(event.GroupMembersInfoSet, a.UserID, payload)); err != nil {
			return nil, err
		}
		return page, nil
	})
}

// visibleMembers hides the private fields the actor may not see.
func visibleMembers(a permission.Actor, g *store.Group, self *store.Member, ms []*store.Member) []*store.Member {
	for i, m := range ms {
		if !permission.SeesFullMemberInfo(a, g, self, m.UserID) {
			ms[i] = m.PublicView()
		}
	}
	return ms
}

// ListMembers pages through the members, ordered by roleLevel descending
// then joinTime ascending; filter is 0 all, 1 owner, 2 admins, 3 ordinary,
// 4 admins and ordinary, 5 owner and admins. lookMemberInfo applies here as
// in MembersInfo, or the list would reveal what MembersInfo hides.
func (s *Service) ListMembers(ctx context.Context, a permission.Actor, groupID string, filter, limit int, cursor string) (*store.Page[*store.Member], error) {
	if err := validate.ID("groupID", groupID); err != nil {
		return nil, err
	}
	if filter < store.FilterAll || filter > store.FilterOwnerAdmins {
		return nil, errcode.New(errcode.InvalidArgument, "filter must be from 0 to 5")
	}
	if _, err := store.NormalizeLimit(limit); err != nil {
		return nil, err
	}
	return s.memberListPage(ctx, a, groupID, func() (*store.Page[*store.Member], error) {
		return s.st.ListMembers(ctx, groupID, filter, limit, cursor)
	})
}

// SearchMembers pages through the members whose group nickname, or
// profile nickname when they have none, begins with keyword,
// case-insensitively (store.SearchMembers states the index and its
// limits), ordered by that name, then userID. Who may read it and what
// they see are ListMembers' rules. The filter does not combine with a
// keyword, and neither does consistent=true: the name index is a global
// secondary index, which DynamoDB reads only eventually consistently, so a
// consistent read cannot be honoured and is refused rather than ignored.
func (s *Service) SearchMembers(ctx context.Context, a permission.Actor, groupID, keyword string, filter, limit int, cursor string) (*store.Page[*store.Member], error) {
	folded, err := store.NormalizeKeyword(keyword)
	if err != nil {
		return nil, err
	}
	if err := validate.ID("groupID", groupID); err != nil {
		return nil, err
	}
	if filter != store.FilterAll {
		return nil, errcode.New(errcode.InvalidArgument, "filter does not combine with keyword")
	}
	if store.ConsistentReads(ctx) {
		return nil, errcode.New(errcode.InvalidArgument, "consistent=true does not combine with keyword: the name index is read eventually consistently")
	}
	if _, err := store.NormalizeLimit(limit); err != nil {
		return nil, err
	}
	return s.memberListPage(ctx, a, groupID, func() (*store.Page[*store.Member], error) {
		return s.st.SearchMembers(ctx, groupID, folded, limit, cursor)
	})
}

// memberListPage answers the page read reads, if the actor may read the
// group's members, masked as they may see it.
func (s *Service) memberListPage(ctx context.Context, a permission.Actor, groupID string, read func() (*store.Page[*store.Member], error)) (*store.Page[*store.Member], error) {
	g, ms, err := s.viewAllowed(ctx, a, groupID, permission.OpReadMembers)
	if err != nil {
		return nil, err
	}
	page, err := read()
	if err != nil {
		return nil, err
	}
	page.Items = visibleMembers(a, g, ms[a.UserID], page.Items)
	return page, nil
}

// MembersInfo returns the records of the given users that are members, in
// the order asked. Under lookMemberInfo 1, ordinary members see only their
// own record in full and the public fields of others.
func (s *Service) MembersInfo(ctx context.Context, a permission.Actor, groupID string, userIDs []string) (*store.Page[*store.Member], error) {
	if err := validate.First(validate.ID("groupID", groupID), validate.IDs("userIDs", userIDs, true)); err != nil {
		return nil, err
	}
	// The actor's record and the asked ones in the same read.
	g, found, err := s.viewAllowed(ctx, a, groupID, permission.OpReadMembers, userIDs...)
	if err != nil {
		return nil, err
	}
	page := &store.Page[*store.Member]{Items: []*store.Member{}}
	for _, id := range userIDs {
		if m, ok := found[id]; ok {
			page.Items = append(page.Items, m)
		}
	}
	page.Items = visibleMembers(a, g, found[a.UserID], page.Items)
	return page, nil
}
