package store

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2"

	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/event"
)

// RoleMemberBatch is how many users one AddRoleMembers or RemoveRoleMembers
// transaction holds: the group record, the event and the role configuration
// take three items, each user two (member record and RM record).
const RoleMemberBatch = (maxTxItems - 3) / 2

// MaxCustomAuths bounds the custom items of the app, which live in one item.
const MaxCustomAuths = 1000

// RoleSnapshot is Snapshot plus the app's custom items, read in the same
// TransactGetItems: role decisions need the custom items' defaults.
func (s *Store) RoleSnapshot(ctx context.Context, groupID string, userIDs ...string) (*Group, map[string]*Member, *CustomAuths, error) {
	g, ms, extra, err := s.snapshot(ctx, groupID, userIDs, []map[string]types.AttributeValue{key(pkApp, skCustom)})
	if err != nil {
		return nil, nil, nil, err
	}
	custom, err := unmarshalCustomAuths(extra[0])
	if err != nil {
		return nil, nil, nil, err
	}
	return g, ms, custom, nil
}

// CommitRoles commits next, a configuration built from g.Roles (whose Rev it
// carries), as one change of g with its event. On success g.Roles is next.
func (s *Store) CommitRoles(ctx context.Context, g *Group, next *Roles, ev event.Event) (*event.Event, error) {
	if ItemSize(rolesItem(next)) > maxRecordBytes {
		return nil, errcode.New(errcode.LimitExceeded, "group %s's role configuration would pass DynamoDB's item size limit", g.GroupID)
	}
	c := s.newChange(g, ev)
	out, err := s.commitChange(ctx, c, func(t *tx) { s.putRoles(t, next) })
	if err != nil {
		// putRoles moved next.Rev; the caller re-reads before trying again.
		return nil, err
	}
	g.Roles = next
	return out, nil
}

// DeleteRole removes a custom role from g's configuration and leaves its
// tombstone (Deleted[rid]), as one change; CleanupDeletedRole then removes
// its memberships and channel roles.
func (s *Store) DeleteRole(ctx context.Context, g *Group, roleID string, ev event.Event) (*event.Event, error) {
	if g.Roles.Roles[roleID] == nil || roleID == EveryoneRoleID {
		return nil, errcode.New(errcode.NotFound, "role %s not found", roleID)
	}
	next := g.Roles.Clone()
	delete(next.Roles, roleID)
	next.Deleted[roleID] = s.nowMillis()
	return s.CommitRoles(ctx, g, next, ev)
}

// AddRoleMembers gives the custom role roleID to users (at most
// RoleMemberBatch) as one change: each member record gains the roleID, each
// RM record is created and the role's memberCount rises, with the event
// (invariant 6). The users must be members who do not hold the role, as read
// in the same snapshot as g; a user who is not a member fails the batch with
// a *UserError.
func (s *Store) AddRoleMembers(ctx context.Context, g *Group, roleID string, userIDs []string, ev event.Event) (*event.Event, error) {
	return s.changeRoleMembers(ctx, g, roleID, userIDs, true, ev)
}

// RemoveRoleMembers takes the custom role roleID from users who hold it, as
// AddRoleMembers gives it.
func (s *Store) RemoveRoleMembers(ctx context.Context, g *Group, roleID string, userIDs []string, ev event.Event) (*event.Event, error) {
	return s.changeRoleMembers(ctx, g, roleID, userIDs, false, ev)
}

func (s *Store) changeRoleMembers(ctx context.Context, g *Group, roleID string, userIDs []string, add bool, ev event.Event) (*event.Event, error) {
	if len(userIDs) == 0 || len(userIDs) > RoleMemberBatch {
		return nil, fmt.Errorf("role members batch of %d users: want 1..%d", len(userIDs), RoleMemberBatch)
	}
	if g.Roles.Roles[roleID] == nil || g.Roles.Roles[roleID].Type != RoleTypeCustom {
		return nil, errcode.New(errcode.NotFound, "role %s not found", roleID)
	}
	next := g.Roles.Clone()
	delta := int64(len(userIDs))
	if !add {
		delta = -delta
	}
	next.Roles[roleID].MemberCount += delta
	now := s.nowMillis()
	gid := g.GroupID
	c := s.newChange(g, ev)
	out, err := s.commitChange(ctx, c, func(t *tx) {
		s.putRoles(t, next)
		for _, uid := range userIDs {
			up := s.updateItem(groupPK(gid), memberSK(uid)).If(ifExists)
			if add {
				up.AddStringsToSet("roleIDs", roleID).If("NOT contains($, ?)", "roleIDs", roleID)
			} else {
				up.DeleteStringsFromSet("roleIDs", roleID).If("contains($, ?)", "roleIDs", roleID)
			}
			addTo(t, up, func(old map[string]types.AttributeValue) error {
				if old == nil {
					return &UserError{UserID: uid, Err: errcode.New(errcode.NotInGroup, "user %s is not a member", uid)}
				}
				return errVersionMoved
			})
			// The member record's condition guards the change; the RM
			// record simply follows it, so a record left out of step (which
			// the checker reports) never blocks the member for good.
			if add {
				rm := &RoleMembership{GroupID: gid, RoleID: roleID, UserID: uid, AddTime: now}
				addTo(t, s.putItem(roleMembershipItem(rm)), nil)
			} else {
				addTo(t, s.deleteItem(groupPK(gid), roleMemberSK(roleID, uid)), nil)
			}
		}
	})
	if err != nil {
		return nil, err
	}
	g.Roles = next
	return out, nil
}

// ListRoleMembers pages through the RM records of a role, in user ID order.
func (s *Store) ListRoleMembers(ctx context.Context, groupID, roleID string, limit int, cursor string) (*Page[*RoleMembership], error) {
	return groupRecords(ctx, s, groupID, roleMemberSK(roleID, ""), limit, cursor, unmarshal[RoleMembership])
}

// GetCustomAuths reads the app's custom items (strongly consistent).
func (s *Store) GetCustomAuths(ctx context.Context) (*CustomAuths, error) {
	item, err := s.get(ctx, pkApp, skCustom)
	if err != nil {
		return nil, err
	}
	return unmarshalCustomAuths(item)
}

// CreateCustomAuth adds a custom item to read, the custom items as read; it
// gets key read.Next. The write is conditioned on next still being the one
// read (or the item not existing yet, whose first next is
// FirstCustomAuthKey), so two creations never share a key: the loser gets
// ErrRetry and re-reads.
func (s *Store) CreateCustomAuth(ctx context.Context, read *CustomAuths, name, defaultRight string) (*CustomAuth, error) {
	if len(read.Items) >= MaxCustomAuths {
		return nil, errcode.New(errcode.LimitExceeded, "the app has %d custom items; the limit is %d", len(read.Items), MaxCustomAuths)
	}
	ca := &CustomAuth{Key: fmt.Sprint(read.Next), Name: name, DefaultRight: defaultRight, CreateTime: s.nowMillis()}
	next := &CustomAuths{Items: make(map[string]*CustomAuth, len(read.Items)+1), Next: read.Next + 1}
	for k, v := range read.Items {
		next.Items[k] = v
	}
	next.Items[ca.Key] = ca
	item := marshalItem(next, map[string]string{"PK": pkApp, "SK": skCustom, "kind": kindCustom})
	if ItemSize(item) > maxRecordBytes {
		return nil, errcode.New(errcode.LimitExceeded, "the app's custom items are full (%d items); shorter names leave room for more", len(read.Items))
	}
	err := s.putItem(item).If("attribute_not_exists(PK) OR $ = ?", "next", read.Next).Run(ctx)
	if dynamo.IsCondCheckFailed(err) {
		return nil, fmt.Errorf("custom items changed: %w", ErrRetry)
	}
	if err != nil {
		return nil, translate(err)
	}
	return ca, nil
}

// DefaultCleanupItems bounds the writes of one CleanupDeletedRole call when
// the caller gives no bound.
const DefaultCleanupItems = 2000

// cleanupBatch is how many RM records one cleanup transaction removes (two
// items each: the RM record and the member's roleIDs).
const cleanupBatch = maxTxItems / 2

// CleanupDeletedRole removes what a deleted role leaves behind: its RM
// records with the roleID on each member record, the role in every channel's
// channel roles and access list, and finally its tombstone. One call
// removes at most maxItems RM records or goes through at most maxItems
// channels, then answers done=false (call again): it resumes after the last
// channel it went through (Roles.CleanupFrom), so no call's work grows with
// the group. It is idempotent and safe to run concurrently: each write is
// conditioned on the state read. A role that is not tombstoned (never
// deleted, or already cleaned) is done at once, so a live role is never
// touched.
func (s *Store) CleanupDeletedRole(ctx context.Context, groupID, roleID string, maxItems int) (bool, error) {
	if maxItems <= 0 {
		maxItems = DefaultCleanupItems
	}
	item, err := s.get(ctx, groupPK(groupID), skRoles)
	if err != nil {
		return false, err
	}
	if item == nil {
		return true, nil
	}
	roles, err := unmarshal[Roles](item)
	if err != nil {
		return false, err
	}
	if _, ok := roles.Deleted[roleID]; !ok || roles.Roles[roleID] != nil {
		return true, nil
	}
	budget := maxItems
	for budget > 0 {
		n, err := s.dropDeletedRoleMembers(ctx, groupID, roleID, min(cleanupBatch, budget))
		if err != nil {
			return false, err
		}
		if n == 0 {
			break
		}
		budget -= n
	}
	if budget <= 0 {
		return false, nil
	}
	last, done, err := s.dropDeletedRoleFromChannels(ctx, groupID, roleID, roles.CleanupFrom[roleID], budget)
	if err != nil {
		return false, err
	}
	cursors := maps.Clone(roles.CleanupFrom)
	if cursors == nil {
		cursors = map[string]string{}
	}
	up := s.updateItem(groupPK(groupID), skRoles).
		SetExpr("$ = $ + ?", "rev", "rev", 1).
		If("attribute_exists($.$)", "deleted", roleID)
	if done {
		// The tombstone goes last: while it exists a later run finds the work.
		delete(cursors, roleID)
		up.RemoveExpr("$.$", "deleted", roleID)
	} else {
		cursors[roleID] = last
	}
	if len(cursors) > 0 {
		up.Set("cleanupFrom", &types.AttributeValueMemberM{Value: stringMap(cursors)})
	} else {
		up.Remove("cleanupFrom")
	}
	err = up.Run(ctx)
	if err != nil && !dynamo.IsCondCheckFailed(err) {
		return false, translate(err)
	}
	return done, nil
}

func stringMap(m map[string]string) map[string]types.AttributeValue {
	out := make(map[string]types.AttributeValue, len(m))
	for k, v := range m {
		out[k] = &types.AttributeValueMemberS{Value: v}
	}
	return out
}

// dropDeletedRoleMembers removes up to n RM records of a deleted role, with
// the roleID on each member record that still exists, in one transaction.
// It answers how many RM records it removed (0: none left).
func (s *Store) dropDeletedRoleMembers(ctx context.Context, groupID, roleID string, n int) (int, error) {
	items, _, err := call(ctx, s.partition(baseTable, groupPK(groupID)).
		Range("SK", dynamo.BeginsWith, roleMemberSK(roleID, "")).
		Project("userID").
		Consistent(true).
		SearchLimit(n).RequestLimit(1))
	if err != nil {
		return 0, err
	}
	uids := make([]string, 0, len(items))
	for _, it := range items {
		uids = append(uids, strAttr(it, "userID"))
	}
	if len(uids) == 0 {
		return 0, nil
	}
	// A member who has left has no record to update (RemoveMembers took the
	// roleID with it); their RM record goes alone.
	gone := map[string]bool{}
	for attempt := 0; ; attempt++ {
		t := &tx{}
		for _, uid := range uids {
			addTo(t, s.deleteItem(groupPK(groupID), roleMemberSK(roleID, uid)), nil)
			if gone[uid] {
				continue
			}
			up := s.updateItem(groupPK(groupID), memberSK(uid)).DeleteStringsFromSet("roleIDs", roleID).If(ifExists)
			addTo(t, up, func(map[string]types.AttributeValue) error { return &memberGone{uid} })
		}
		err := s.commit(ctx, t)
		var mg *memberGone
		switch {
		case err == nil:
			return len(uids), nil
		case errors.As(err, &mg) && !gone[mg.userID]:
			gone[mg.userID] = true
		case IsRetryable(err) && attempt < 10:
		default:
			return 0, err
		}
	}
}

type memberGone struct{ userID string }

func (e *memberGone) Error() string { return "member " + e.userID + " is gone" }

// dropDeletedRoleFromChannels goes through at most budget channels of the
// group after channel ID from ("" for the first), removing the deleted role
// from the channel roles and access list of each that names it; each
// channel's write is conditioned on the rev read and moves it. It answers
// the last channel gone through and whether none is left after it.
func (s *Store) dropDeletedRoleFromChannels(ctx context.Context, groupID, roleID, from string, budget int) (string, bool, error) {
	q := s.partition(baseTable, groupPK(groupID)).
		Range("SK", dynamo.BeginsWith, prefixChannel).
		Consistent(true).
		SearchLimit(budget).RequestLimit(1)
	if from != "" {
		q.StartFrom(dynamo.PagingKey(key(groupPK(groupID), channelSK(from))))
	}
	items, lek, err := call(ctx, q)
	if err != nil {
		return from, false, err
	}
	last := from
	for _, it := range items {
		ch, err := unmarshal[Channel](it)
		if err != nil {
			return last, false, err
		}
		if namesRole(ch, roleID) {
			if err := RetryErr(ctx, func() error { return s.dropRoleFromChannel(ctx, groupID, ch.ChannelID, roleID) }); err != nil {
				return last, false, err
			}
		}
		last = ch.ChannelID
	}
	return last, len(lek) == 0, nil
}

func namesRole(ch *Channel, roleID string) bool {
	return ch.RoleAuths[roleID] != nil || slices.Contains(ch.Roles, roleID)
}

// dropRoleFromChannel re-reads one channel and removes roleID from it,
// conditioned on the rev read.
func (s *Store) dropRoleFromChannel(ctx context.Context, groupID, channelID, roleID string) error {
	item, err := s.get(ctx, groupPK(groupID), channelSK(channelID))
	if err != nil {
		return err
	}
	if item == nil {
		return nil // the channel is gone
	}
	ch, err := unmarshal[Channel](item)
	if err != nil {
		return err
	}
	if !namesRole(ch, roleID) {
		return nil
	}
	up := s.updateItem(groupPK(groupID), channelSK(channelID)).
		SetExpr("$ = if_not_exists($, ?) + ?", "rev", "rev", 0, 1).
		If(ifExists)
	if _, ok := item["rev"]; ok {
		up.If("$ = ?", "rev", ch.Rev)
	} else {
		up.If("attribute_not_exists($)", "rev")
	}
	if ch.RoleAuths[roleID] != nil {
		up.RemoveExpr("$.$", "roleAuths", roleID)
	}
	if slices.Contains(ch.Roles, roleID) {
		up.DeleteStringsFromSet("roles", roleID)
	}
	err = up.Run(ctx)
	if dynamo.IsCondCheckFailed(err) {
		return fmt.Errorf("channel %s changed: %w", channelID, ErrRetry)
	}
	return translate(err)
}
