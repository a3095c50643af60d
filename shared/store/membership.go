package store

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/event"
)

// RemoveBatch is how many members one RemoveMembers transaction holds.
const RemoveBatch = 48

// RemoveMembers removes members from g as one change: each record is
// deleted on condition that it still exists at the level read, memberCount
// drops by the number removed, and the event commits with them. The records
// deleted carry the "my groups" entry (GSI2), so it goes with them. The
// members' role memberships go in the same transaction, with the roles'
// memberCounts (invariant 6). The batch must fit one transaction:
// RemovalItems of the members sum to at most MaxRemovalItems.
func (s *Store) RemoveMembers(ctx context.Context, g *Group, ms []*Member, ev event.Event) (*event.Event, error) {
	total := 0
	for _, m := range ms {
		total += RemovalItems(m)
	}
	if len(ms) == 0 || len(ms) > RemoveBatch || total > MaxRemovalItems {
		return nil, fmt.Errorf("remove %d members (%d items): want 1..%d members in at most %d items", len(ms), total, RemoveBatch, MaxRemovalItems)
	}
	c := s.newChange(g, ev)
	return s.commitRemoval(ctx, c, ms, nil)
}

// commitRemoval commits change c with the removal of members ms (as read in
// the same snapshot as c's group): each record deleted on condition that it
// still exists at the level read, memberCount lowered by their number, and
// their role memberships dropped with the roles' memberCounts. more adds
// the change's other items.
func (s *Store) commitRemoval(ctx context.Context, c *change, ms []*Member, more func(t *tx)) (*event.Event, error) {
	g := c.group
	c.meta.Add("memberCount", -int64(len(ms)))
	var roles *Roles
	out, err := s.commitChange(ctx, c, func(t *tx) {
		for _, m := range ms {
			uid := m.UserID
			del := s.deleteItem(groupPK(g.GroupID), memberSK(uid)).If(ifExists).If("$ = ?", "roleLevel", m.RoleLevel)
			addTo(t, del, func(old map[string]types.AttributeValue) error {
				if old == nil {
					return &UserError{UserID: uid, Err: errcode.New(errcode.NotInGroup, "user %s is not a member", uid)}
				}
				return errVersionMoved
			})
			s.logMembership(t, uid, g.GroupID, false)
		}
		if len(ms) > 0 {
			roles = s.dropRoleMemberships(t, g, ms)
		}
		if more != nil {
			more(t)
		}
	})
	if err == nil {
		g.MemberCount -= int64(len(ms))
		if roles != nil {
			g.Roles = roles
		}
	}
	return out, err
}

// MaxRemovalItems bounds the items of one RemoveMembers transaction: the
// group record, the event and the role configuration take the other three.
const MaxRemovalItems = maxTxItems - 3

// RemovalItems is how many transaction items removing m takes: its record,
// its joined-log entry and one per role membership.
func RemovalItems(m *Member) int { return 2 + len(m.RoleIDs) }

// dropRoleMemberships deletes the role-membership records of members that
// leave and lowers the live roles' memberCounts; it returns the new role
// configuration, or nil when none of them held a role.
func (s *Store) dropRoleMemberships(t *tx, g *Group, ms []*Member) *Roles {
	var next *Roles
	for _, m := range ms {
		for _, rid := range m.RoleIDs {
			if next == nil {
				next = g.Roles.Clone()
			}
			if r := next.Roles[rid]; r != nil {
				r.MemberCount--
			}
			// Unconditional: the member record's delete guards the change, and
			// a missing record (out of step, for the checker) must not make
			// the member impossible to remove.
			addTo(t, s.deleteItem(groupPK(g.GroupID), roleMemberSK(rid, m.UserID)), nil)
		}
	}
	if next != nil {
		s.putRoles(t, next)
	}
	return next
}

// DismissAlone dismisses g because its owner, its only member, quits: the
// group gets status 2 (conditioned on the owner and the count read) and the
// owner's record is deleted in the same change, so memberCount stays equal
// to the member records (0) and the owner's "my groups" entry goes at once.
// The rest of a dismissed group (applications, role records) is left to the
// GroupDismissed consumer, as for DismissGroup.
func (s *Store) DismissAlone(ctx context.Context, g *Group, owner *Member, ev event.Event) (*event.Event, error) {
	c := s.newChange(g, ev)
	c.meta.Set("status", StatusDismissed).Add("memberCount", -1).
		If("$ = ?", "memberCount", 1).
		If("$ = ?", "ownerUserID", owner.UserID)
	c.onMetaFail = func(map[string]types.AttributeValue) error { return errVersionMoved }
	out, err := s.commitChange(ctx, c, func(t *tx) {
		del := s.deleteItem(groupPK(g.GroupID), memberSK(owner.UserID)).If(ifExists).If("$ = ?", "roleLevel", RoleOwner)
		addTo(t, del, func(map[string]types.AttributeValue) error {
			return errVersionMoved
		})
		s.logMembership(t, owner.UserID, g.GroupID, false)
	})
	if err == nil {
		g.Status, g.MemberCount = StatusDismissed, 0
	}
	return out, err
}
