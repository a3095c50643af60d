package store

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2"

	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/event"
)

// Member list filters of GetGroupMemberList (OpenIM's numbering).
const (
	FilterAll           = 0
	FilterOwner         = 1
	FilterAdmins        = 2
	FilterOrdinary      = 3
	FilterAdminOrdinary = 4
	FilterOwnerAdmins   = 5
)

// memberRange is the GSI1 sort-key range of a filter, as [lo, hi]; the rank
// prefix is followed by '#', and '$' sorts just after '#', so "979$" is above
// every key of rank 979. Empty means the whole partition.
func memberRange(filter int) (lo, hi string, err error) {
	rank := func(level int) string { return rankPrefix(level) + "#" }
	end := func(level int) string { return rankPrefix(level) + "$" }
	switch filter {
	case FilterAll:
		return "", "", nil
	case FilterOwner:
		return rank(RoleOwner), end(RoleOwner), nil
	case FilterAdmins:
		return rank(RoleAdmin), end(RoleAdmin), nil
	case FilterOrdinary:
		return rank(RoleMember), end(RoleMember), nil
	case FilterAdminOrdinary:
		return rank(RoleAdmin), end(RoleMember), nil
	case FilterOwnerAdmins:
		return rank(RoleOwner), end(RoleAdmin), nil
	}
	return "", "", errcode.New(errcode.InvalidArgument, "filter must be from 0 to 5")
}

// ListMembers pages through a group's members in rank order (roleLevel
// descending, then joinTime ascending), narrowed by filter. The filter is a
// key condition on GSI1, so a page reads only the records it returns (plus
// one to know whether another page follows), whatever the group's size.
func (s *Store) ListMembers(ctx context.Context, groupID string, filter, limit int, cursor string) (*Page[*Member], error) {
	lo, hi, err := memberRange(filter)
	if err != nil {
		return nil, err
	}
	q := pageQuery{ix: gsi1, partition: membersByRankPK(groupID), forward: true, limit: limit, cursor: cursor}
	if lo != "" {
		q.skOp, q.skValues = dynamo.Between, []any{lo, hi}
		// A cursor of another filter would start outside this range, which
		// DynamoDB rejects; answer it as the invalid cursor it is.
		if cursor != "" {
			k, err := decodeKeyCursor(gsi1, q.partition, cursor)
			if err != nil {
				return nil, err
			}
			if sk := strAttr(k, gsi1.sk); sk < lo || sk > hi {
				return nil, errBadCursor()
			}
		}
	}
	return s.memberPage(ctx, q)
}

// memberPage runs q, a query of member records, for one page.
func (s *Store) memberPage(ctx context.Context, q pageQuery) (*Page[*Member], error) {
	items, next, err := s.page(ctx, q)
	if err != nil {
		return nil, err
	}
	page := &Page[*Member]{Items: make([]*Member, 0, len(items)), NextCursor: next}
	for _, it := range items {
		m, err := unmarshal[Member](it)
		if err != nil {
			return nil, err
		}
		page.Items = append(page.Items, m)
	}
	return page, nil
}

// memberUpdate is the update of one member record within a change,
// conditioned on the record existing and still having the roleLevel the
// decision was made on: a concurrent promotion, demotion or transfer makes
// the change lose the race instead of bypassing the rank rule.
func (s *Store) memberUpdate(t *tx, g *Group, m *Member, u *dynamo.Update) {
	uid := m.UserID
	u.If(ifExists).If("$ = ?", "roleLevel", m.RoleLevel)
	addTo(t, u, func(old map[string]types.AttributeValue) error {
		if old == nil {
			return errcode.New(errcode.NotInGroup, "user %s is not a member of group %s", uid, g.GroupID)
		}
		return errVersionMoved
	})
}

// MuteMember sets a member's muteEndTime (0 cancels a mute) as one change.
// The owner is never muted: the update is also conditioned on the record
// not being the owner's.
func (s *Store) MuteMember(ctx context.Context, g *Group, m *Member, muteEndTime int64, operator string, ev event.Event) (*event.Event, error) {
	c := s.newChange(g, ev)
	out, err := s.commitChange(ctx, c, func(t *tx) {
		u := s.updateItem(groupPK(g.GroupID), memberSK(m.UserID)).
			Set("muteEndTime", muteEndTime).Set("operatorUserID", attr(operator)).
			If("$ <> ?", "roleLevel", RoleOwner)
		s.memberUpdate(t, g, m, u)
	})
	if err != nil {
		return nil, err
	}
	m.MuteEndTime, m.OperatorUserID = muteEndTime, operator
	return out, nil
}

// MemberInfoChanges lists the settable member fields whose value differs
// between old and next, by attribute name, with the new value.
func MemberInfoChanges(old, next *Member) map[string]any {
	out := map[string]any{}
	if old.Nickname != next.Nickname {
		out["nickname"] = next.Nickname
	}
	if old.FaceURL != next.FaceURL {
		out["faceURL"] = next.FaceURL
	}
	if old.Ex != next.Ex {
		out["ex"] = next.Ex
	}
	if old.RoleLevel != next.RoleLevel {
		out["roleLevel"] = next.RoleLevel
	}
	return out
}

// SetMemberInfo writes the fields of next that differ from m (the record as
// read) as one change. A roleLevel change also moves the member's rank key
// (GSI1SK), and is conditioned on the target not being the owner and on
// the new level not being the owner's: ownership moves only by transfer, so
// no sequence of these updates can make a second owner (OpenIM #488) or an
// ownerless group. A nickname change moves the member's search key (GSI3,
// search.go) in the same transaction.
func (s *Store) SetMemberInfo(ctx context.Context, g *Group, m *Member, next *Member, operator string, ev event.Event) (*event.Event, error) {
	return s.SetMembersInfo(ctx, g, []MemberInfoChange{{Old: m, Next: next}}, operator, ev)
}

// MemberInfoChange is one member's record as read (Old) and as it is to be
// (Next).
type MemberInfoChange struct{ Old, Next *Member }

// MaxMembersInfo is how many members one SetMembersInfo changes: each takes
// its record and, when it clears a nickname, a check of the profile the
// search key falls back to; the group record and the event take two of
// maxTxItems.
const MaxMembersInfo = (maxTxItems - 2) / 2

// SetMembersInfo is SetMemberInfo for several members in one change with
// one event, all or nothing: every member's update carries the conditions
// SetMemberInfo's does.
func (s *Store) SetMembersInfo(ctx context.Context, g *Group, chs []MemberInfoChange, operator string, ev event.Event) (*event.Event, error) {
	if len(chs) == 0 || len(chs) > MaxMembersInfo {
		return nil, fmt.Errorf("set member info of %d members: want 1..%d", len(chs), MaxMembersInfo)
	}
	var clearing []string
	for _, ch := range chs {
		changes := MemberInfoChanges(ch.Old, ch.Next)
		if len(changes) == 0 {
			return nil, fmt.Errorf("set member info of %s in %s: nothing changes", ch.Old.UserID, g.GroupID)
		}
		if _, ok := changes["roleLevel"]; ok && (ch.Next.RoleLevel != RoleAdmin && ch.Next.RoleLevel != RoleMember) {
			return nil, fmt.Errorf("set member info: roleLevel %d is not 60 or 20", ch.Next.RoleLevel)
		}
		if _, renamed := changes["nickname"]; renamed && ch.Next.Nickname == "" {
			clearing = append(clearing, ch.Old.UserID)
		}
	}
	// A cleared nickname's search key falls back to the profile nickname,
	// checked in the transaction.
	names, err := s.profileNicknames(ctx, clearing)
	if err != nil {
		return nil, err
	}
	c := s.newChange(g, ev)
	out, err := s.commitChange(ctx, c, func(t *tx) {
		for _, ch := range chs {
			s.memberInfoUpdate(t, g, ch.Old, ch.Next, operator, names)
		}
	})
	if err != nil {
		return nil, err
	}
	for _, ch := range chs {
		m, next := ch.Old, ch.Next
		m.Nickname, m.FaceURL, m.Ex, m.RoleLevel, m.OperatorUserID = next.Nickname, next.FaceURL, next.Ex, next.RoleLevel, operator
	}
	return out, nil
}

// memberInfoUpdate adds to t the update of m's record to next; names holds
// the profile nicknames of the members whose nickname next clears.
func (s *Store) memberInfoUpdate(t *tx, g *Group, m, next *Member, operator string, names map[string]string) {
	changes := MemberInfoChanges(m, next)
	u := s.updateItem(groupPK(g.GroupID), memberSK(m.UserID)).Set("operatorUserID", attr(operator))
	for name, v := range changes {
		u.Set(name, attr(v))
	}
	if _, ok := changes["roleLevel"]; ok {
		u.Set("GSI1SK", memberRankSK(next.RoleLevel, m.JoinTime, m.UserID)).
			If("$ <> ?", "roleLevel", RoleOwner)
	}
	if _, renamed := changes["nickname"]; renamed {
		// The old name leaves the search index in this transaction.
		profileName, hasProfile := names[m.UserID]
		setNameKey(u, g.GroupID, memberNameKey(searchName(next, profileName), m.UserID))
		if next.Nickname == "" {
			addTo(t, profileNameCondition(s.checkItem(userPK(m.UserID), skProfile), profileName, hasProfile), nil)
		}
	}
	s.memberUpdate(t, g, m, u)
}
