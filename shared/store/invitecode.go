package store

import (
	"context"
	"fmt"
	"slices"

	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/event"
	"github.com/circles-im/circles/shared/model"
)

// InviteCode is model's: a code that admits whoever presents it, stored
// under the SHA-256 of the code.
type InviteCode = model.InviteCode

const kindInviteCode = "inviteCode"

// MaxInviteCodeRoles bounds the roles a code grants: joining by code writes
// one role-membership record per role in its transaction.
const MaxInviteCodeRoles = 10

func inviteCodeItem(c *InviteCode) Item {
	return marshalItem(c, map[string]string{
		"PK": groupPK(c.GroupID), "SK": inviteCodeSK(c.CodeID), "kind": kindInviteCode,
		"GSI1PK": inviteCodesPK(c.GroupID), "GSI1SK": reqTimeSK(c.CreateTime, c.CodeID),
	})
}

// CreateInviteCode stores a new code of g as one change with its event.
// chosen says the creator chose the code (an app admin may), so a clash is
// the caller's to fix rather than a broken random source.
func (s *Store) CreateInviteCode(ctx context.Context, g *Group, code *InviteCode, ev event.Event, chosen bool) (*event.Event, error) {
	code.GroupID = g.GroupID
	c := s.newChange(g, ev)
	return s.commitChange(ctx, c, func(t *tx) {
		addTo(t, s.putItem(inviteCodeItem(code)).If(ifAbsent), func(Item) error {
			if chosen { // the record stays after a revocation, too
				return errcode.New(errcode.InvalidArgument, "code: this group has or had this code; choose another")
			}
			// 128 random bits: a clash is a broken random source.
			return errcode.New(errcode.Internal, "internal error")
		})
	})
}

// GetInviteCode reads a code of a group by its ID (strongly consistent);
// NOT_FOUND if there is none.
func (s *Store) GetInviteCode(ctx context.Context, groupID, codeID string) (*InviteCode, error) {
	item, err := s.get(ctx, groupPK(groupID), inviteCodeSK(codeID))
	if err != nil {
		return nil, err
	}
	if item == nil {
		return nil, errNoInviteCode()
	}
	return unmarshal[InviteCode](item)
}

func errNoInviteCode() *errcode.Error {
	return errcode.New(errcode.NotFound, "no such invite code in this group")
}

// RevokeInviteCode marks a code revoked as one change of g; a code revoked
// already, or missing, is NOT_FOUND.
func (s *Store) RevokeInviteCode(ctx context.Context, g *Group, codeID string, ev event.Event) (*event.Event, error) {
	now := s.nowMillis()
	c := s.newChange(g, ev)
	return s.commitChange(ctx, c, func(t *tx) {
		up := s.updateItem(groupPK(g.GroupID), inviteCodeSK(codeID)).Set("revokeTime", now).
			If(ifExists).If("$ = ?", "revokeTime", 0)
		addTo(t, up, func(Item) error { return errNoInviteCode() })
	})
}

// ListInviteCodes pages through a group's codes, newest first, revoked,
// expired and used-up ones included (their fields say which).
func (s *Store) ListInviteCodes(ctx context.Context, groupID string, limit int, cursor string) (*Page[*InviteCode], error) {
	items, next, err := s.page(ctx, pageQuery{ix: gsi1, partition: inviteCodesPK(groupID), limit: limit, cursor: cursor})
	if err != nil {
		return nil, err
	}
	page := &Page[*InviteCode]{Items: make([]*InviteCode, 0, len(items)), NextCursor: next}
	for _, it := range items {
		c, err := unmarshal[InviteCode](it)
		if err != nil {
			return nil, err
		}
		page.Items = append(page.Items, c)
	}
	return page, nil
}

// JoinByInviteCode adds member m to g with code (as read) as one change:
// the code's use count rises on condition that it is below maxUses and the
// code is neither revoked nor expired; the member record is put (not a
// member yet, with a profile, not banned); the code's roles that are still
// live are granted (m.RoleIDs, their role-membership records and the roles'
// memberCounts, invariant 6); memberCount rises; the event commits with
// them. Of concurrent joins on a code with one use left, exactly one
// commits.
func (s *Store) JoinByInviteCode(ctx context.Context, g *Group, code *InviteCode, m *Member, ev event.Event) (*event.Event, error) {
	now := s.nowMillis()
	var next *Roles
	m.RoleIDs = nil
	for _, rid := range code.RoleIDs {
		if r := g.Roles.Roles[rid]; r == nil || r.Type != RoleTypeCustom || slices.Contains(m.RoleIDs, rid) {
			continue // deleted since the code was made
		}
		if next == nil {
			next = g.Roles.Clone()
		}
		next.Roles[rid].MemberCount++
		m.RoleIDs = append(m.RoleIDs, rid)
	}
	if len(m.RoleIDs) > MaxInviteCodeRoles {
		return nil, fmt.Errorf("join by code granting %d roles: want at most %d", len(m.RoleIDs), MaxInviteCodeRoles)
	}
	names, err := s.profileNicknames(ctx, []string{m.UserID})
	if err != nil {
		return nil, err
	}
	c := s.newChange(g, ev)
	c.meta.Add("memberCount", 1)
	gid, uid := g.GroupID, m.UserID
	out, err := s.commitChange(ctx, c, func(t *tx) {
		use := s.updateItem(groupPK(gid), inviteCodeSK(code.CodeID)).Add("uses", 1).
			If(ifExists).
			If("$ = ?", "revokeTime", 0).
			If("$ < $", "uses", "maxUses").
			If("($ = ? OR $ > ?)", "expireTime", 0, "expireTime", now)
		addTo(t, use, func(old Item) error {
			if old == nil {
				return errNoInviteCode()
			}
			read, err := unmarshal[InviteCode](old)
			if err != nil {
				return err
			}
			return inviteCodeRefusal(read, now)
		})
		s.putMembers(t, []*Member{m}, names)
		s.checkNotBanned(t, gid, uid)
		if next != nil {
			s.putRoles(t, next)
			for _, rid := range m.RoleIDs {
				rm := &RoleMembership{GroupID: gid, RoleID: rid, UserID: uid, AddTime: now}
				addTo(t, s.putItem(roleMembershipItem(rm)), nil)
			}
		}
	})
	if err != nil {
		return nil, err
	}
	g.MemberCount++
	if next != nil {
		g.Roles = next
	}
	code.Uses++
	return out, nil
}

// InviteCodeRefusal is why code admits nobody at now, or nil if it still
// admits: revoked and expired codes answer as missing ones (NOT_FOUND), a
// used-up code LIMIT_EXCEEDED.
func InviteCodeRefusal(code *InviteCode, now int64) error {
	if code.Live(now) {
		return nil
	}
	return inviteCodeRefusal(code, now)
}

func inviteCodeRefusal(code *InviteCode, now int64) error {
	switch {
	case code.RevokeTime != 0:
		return errcode.New(errcode.NotFound, "the invite code was revoked")
	case code.ExpireTime != 0 && code.ExpireTime <= now:
		return errcode.New(errcode.NotFound, "the invite code has expired")
	case code.Uses >= code.MaxUses:
		return errcode.New(errcode.LimitExceeded, "the invite code has been used %d times, its limit", code.MaxUses)
	}
	return errVersionMoved // it admitted when the condition was evaluated: a lost race
}
