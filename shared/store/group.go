package store

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2"

	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/event"
)

// UserError is a failure that concerns one user of a batch; batch
// operations report it in their per-user failed list.
type UserError struct {
	UserID string
	Err    *errcode.Error
}

func (e *UserError) Error() string { return fmt.Sprintf("user %s: %v", e.UserID, e.Err) }
func (e *UserError) Unwrap() error { return e.Err }

// CreateBatch is how many members (owner included) the first transaction of
// CreateGroup holds: group, roles, event and three items per member (the
// record, the profile check, the joined-log entry) stay within 100.
const CreateBatch = 32

// AddBatch is how many members one AddMembers transaction holds: each
// takes four items (the record, the profile check, the ban check and the
// joined-log entry), plus the group and the event.
const AddBatch = 24

// GetGroup reads a group with a strongly consistent read.
func (s *Store) GetGroup(ctx context.Context, groupID string) (*Group, error) {
	item, err := s.get(ctx, groupPK(groupID), skMeta)
	if err != nil {
		return nil, err
	}
	if item == nil {
		return nil, errcode.New(errcode.GroupNotFound, "group %s not found", groupID)
	}
	return unmarshal[Group](item)
}

// GetGroups returns the groups that exist, keyed by groupID. It is a view
// (view.go): eventually consistent unless the context asks otherwise.
func (s *Store) GetGroups(ctx context.Context, groupIDs []string) (map[string]*Group, error) {
	keys := make([]map[string]types.AttributeValue, len(groupIDs))
	for i, id := range groupIDs {
		keys[i] = key(groupPK(id), skMeta)
	}
	items, err := s.viewGet(ctx, keys)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*Group, len(items))
	for _, it := range items {
		g, err := unmarshal[Group](it)
		if err != nil {
			return nil, err
		}
		out[g.GroupID] = g
	}
	return out, nil
}

// GetMembers returns the member records of the given users that exist.
func (s *Store) GetMembers(ctx context.Context, groupID string, userIDs []string) (map[string]*Member, error) {
	keys := make([]map[string]types.AttributeValue, len(userIDs))
	for i, id := range userIDs {
		keys[i] = key(groupPK(groupID), memberSK(id))
	}
	items, err := s.batchGet(ctx, keys)
	if err != nil {
		return nil, err
	}
	return members(items)
}

func members(items []map[string]types.AttributeValue) (map[string]*Member, error) {
	out := make(map[string]*Member, len(items))
	for _, it := range items {
		m, err := unmarshal[Member](it)
		if err != nil {
			return nil, err
		}
		out[m.UserID] = m
	}
	return out, nil
}

// Snapshot reads a group, its role configuration (into g.Roles) and some of
// its members as one serializable snapshot (TransactGetItems), so a
// decision is made on a state that existed. At most 98 users.
func (s *Store) Snapshot(ctx context.Context, groupID string, userIDs ...string) (*Group, map[string]*Member, error) {
	g, ms, _, err := s.snapshot(ctx, groupID, userIDs, nil)
	return g, ms, err
}

// snapshot is Snapshot plus extra items read in the same call, answered in
// the order of extra (nil where the item does not exist).
func (s *Store) snapshot(ctx context.Context, groupID string, userIDs []string, extra []map[string]types.AttributeValue) (*Group, map[string]*Member, []map[string]types.AttributeValue, error) {
	return s.readSnapshot(ctx, readTx, groupID, userIDs, extra)
}

// readSnapshot is snapshot read the way how says: one TransactGetItems
// (readTx) or one BatchGetItem (readView, see view.go).
func (s *Store) readSnapshot(ctx context.Context, how reader, groupID string, userIDs []string, extra []map[string]types.AttributeValue) (*Group, map[string]*Member, []map[string]types.AttributeValue, error) {
	keys := append([]Item{key(groupPK(groupID), skMeta), key(groupPK(groupID), skRoles)}, extra...)
	seen := map[string]bool{}
	for _, id := range userIDs {
		if seen[id] || id == "" {
			continue
		}
		seen[id] = true
		keys = append(keys, key(groupPK(groupID), memberSK(id)))
	}
	got, err := s.readKeys(ctx, how, keys) // nil where the item does not exist
	if err != nil {
		return nil, nil, nil, err
	}
	if got[0] == nil {
		return nil, nil, nil, errcode.New(errcode.GroupNotFound, "group %s not found", groupID)
	}
	g, err := unmarshal[Group](got[0])
	if err != nil {
		return nil, nil, nil, err
	}
	if g.Roles, err = unmarshalRoles(got[1], g); err != nil {
		return nil, nil, nil, err
	}
	extras := got[2 : 2+len(extra)]
	var items []Item
	for _, it := range got[2+len(extra):] {
		if it != nil {
			items = append(items, it)
		}
	}
	ms, err := members(items)
	return g, ms, extras, err
}

// putMembers adds, for each new member, the member record (which must not
// exist), a check that the user has a profile, still with the nickname
// read into names (profileNicknames), which names the record in the search
// index, and the user's joined-log entry (joined.go) at the change's
// version. A profile renamed since it was read is a lost race: the caller
// reads again.
func (s *Store) putMembers(t *tx, ms []*Member, names map[string]string) {
	for _, m := range ms {
		uid := m.UserID
		s.logMembership(t, uid, m.GroupID, true)
		addTo(t, s.putItem(memberItem(m, names[uid])).If(ifAbsent), func(map[string]types.AttributeValue) error {
			return &UserError{UserID: uid, Err: errcode.New(errcode.AlreadyInGroup, "user %s is already in the group", uid)}
		})
		addTo(t, s.checkItem(userPK(uid), skProfile).If(ifExists).If("$ = ?", "nickname", names[uid]), func(old map[string]types.AttributeValue) error {
			if old != nil {
				return errVersionMoved
			}
			return &UserError{UserID: uid, Err: errcode.New(errcode.NotFound, "user %s has no profile", uid)}
		})
	}
}

// memberUIDs are the userIDs of ms.
func memberUIDs(ms []*Member) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.UserID
	}
	return out
}

// CreateGroup writes a new group (version 1) with its first members (the
// owner among them, at most CreateBatch) and its GroupCreated event, in one
// transaction. Nothing is written if the group ID is taken or any member has
// no profile.
func (s *Store) CreateGroup(ctx context.Context, g *Group, first []*Member, ev event.Event) (*event.Event, error) {
	if len(first) == 0 || len(first) > CreateBatch {
		return nil, fmt.Errorf("create group with %d members: want 1..%d", len(first), CreateBatch)
	}
	g.Version = 1
	g.MemberCount = int64(len(first))
	ev.GroupID, ev.Version, ev.EventID, ev.OccurredAt = g.GroupID, 1, NewID(), s.nowMillis()
	names, err := s.profileNicknames(ctx, memberUIDs(first))
	if err != nil {
		return nil, err
	}
	t := &tx{ref: &changeRef{groupID: g.GroupID, version: 1}}
	gid := g.GroupID
	addTo(t, s.putItem(groupItem(g)).If(ifAbsent), func(map[string]types.AttributeValue) error {
		return errcode.New(errcode.GroupIDExists, "group %s already exists", gid)
	})
	s.putMembers(t, first, names)
	g.Roles = DefaultRoles(gid, g.CreateTime)
	s.putRoles(t, g.Roles)
	addTo(t, s.putItem(s.eventItem(&ev)).If(ifAbsent), func(map[string]types.AttributeValue) error {
		return errcode.New(errcode.GroupIDExists, "group %s already exists", gid)
	})
	if err := s.commit(ctx, t); err != nil {
		return nil, err
	}
	return &ev, nil
}

// AddMembers adds members (at most AddBatch) to g as one change: the
// records, memberCount and the event commit together. A member that exists,
// a user without a profile or a banned user fails the whole batch with a
// *UserError.
func (s *Store) AddMembers(ctx context.Context, g *Group, ms []*Member, ev event.Event) (*event.Event, error) {
	if len(ms) == 0 || len(ms) > AddBatch {
		return nil, fmt.Errorf("add %d members: want 1..%d", len(ms), AddBatch)
	}
	names, err := s.profileNicknames(ctx, memberUIDs(ms))
	if err != nil {
		return nil, err
	}
	c := s.newChange(g, ev)
	c.meta.Add("memberCount", int64(len(ms)))
	out, err := s.commitChange(ctx, c, func(t *tx) {
		s.putMembers(t, ms, names)
		for _, m := range ms {
			s.checkNotBanned(t, g.GroupID, m.UserID)
		}
	})
	if err == nil {
		g.MemberCount += int64(len(ms))
	}
	return out, err
}

// TransferOwner moves ownership of g from its current owner to newOwner in
// one transaction: the group's ownerUserID (conditioned on the old owner),
// the new owner to 100 (conditioned on being a member below 100, and still
// at the level read), the old owner to the new owner's previous level
// (conditioned on still being 100). A muted new owner is unmuted.
// oldOwner and newOwner are the member records as read in the same snapshot
// as g.
func (s *Store) TransferOwner(ctx context.Context, g *Group, oldOwner, newOwner *Member, operator string, ev event.Event) (*event.Event, error) {
	prev := newOwner.RoleLevel
	c := s.newChange(g, ev)
	c.meta.Set("ownerUserID", attr(newOwner.UserID)).If("$ = ?", "ownerUserID", oldOwner.UserID)
	c.onMetaFail = func(map[string]types.AttributeValue) error { return errVersionMoved }
	out, err := s.commitChange(ctx, c, func(t *tx) {
		up := s.updateItem(groupPK(g.GroupID), memberSK(newOwner.UserID)).
			Set("roleLevel", RoleOwner).
			Set("muteEndTime", attr(0)).
			Set("operatorUserID", attr(operator)).
			Set("GSI1SK", memberRankSK(RoleOwner, newOwner.JoinTime, newOwner.UserID)).
			If(ifExists).
			If("$ < ?", "roleLevel", RoleOwner).
			If("$ = ?", "roleLevel", prev)
		addTo(t, up, func(old map[string]types.AttributeValue) error {
			if old == nil {
				return errcode.New(errcode.NotInGroup, "user %s is not a member", newOwner.UserID)
			}
			return errVersionMoved
		})
		down := s.updateItem(groupPK(g.GroupID), memberSK(oldOwner.UserID)).
			Set("roleLevel", prev).
			Set("operatorUserID", attr(operator)).
			Set("GSI1SK", memberRankSK(prev, oldOwner.JoinTime, oldOwner.UserID)).
			If(ifExists).
			If("$ = ?", "roleLevel", RoleOwner)
		addTo(t, down, func(map[string]types.AttributeValue) error {
			return errVersionMoved
		})
	})
	if err != nil {
		return nil, err
	}
	g.OwnerUserID = newOwner.UserID
	return out, nil
}

// ListJoinedGroups pages through the groups a user is a member of, oldest
// membership first. Each group carries the user's roleLevel. A dismissed
// group whose records are still being removed is left out.
func (s *Store) ListJoinedGroups(ctx context.Context, userID string, limit int, cursor string) (*Page[*Group], error) {
	items, next, err := s.page(ctx, pageQuery{ix: gsi2, partition: groupsOfUserPK(userID), forward: true, limit: limit, cursor: cursor})
	if err != nil {
		return nil, err
	}
	level := make(map[string]int, len(items))
	ids := make([]string, 0, len(items))
	for _, it := range items {
		gid := strAttr(it, "groupID")
		l, _ := intAttr(it, "roleLevel")
		level[gid] = int(l)
		ids = append(ids, gid)
	}
	groups, err := s.GetGroups(ctx, ids)
	if err != nil {
		return nil, err
	}
	page := &Page[*Group]{Items: []*Group{}, NextCursor: next}
	for _, id := range ids {
		g, ok := groups[id]
		if !ok || g.Status == StatusDismissed {
			continue
		}
		g.RoleLevel = level[id]
		page.Items = append(page.Items, g)
	}
	return page, nil
}

// ListEvents returns up to limit events of a group with version > after, in
// version order.
func (s *Store) ListEvents(ctx context.Context, groupID string, after int64, limit int) ([]event.Event, error) {
	items, _, err := call(ctx, s.partition(baseTable, eventPK(groupID)).
		Range("SK", dynamo.Greater, versionSK(after)).
		SearchLimit(limit).RequestLimit(1).
		Consistent(true))
	if err != nil {
		return nil, err
	}
	evs := make([]event.Event, 0, len(items))
	for _, it := range items {
		ev, err := unmarshal[event.Event](it)
		if err != nil {
			return nil, err
		}
		evs = append(evs, *ev)
	}
	return evs, nil
}

// RoleLevelsOf returns the user's roleLevel in each of the groups they are a
// member of.
func (s *Store) RoleLevelsOf(ctx context.Context, userID string, groupIDs []string) (map[string]int, error) {
	keys := make([]map[string]types.AttributeValue, len(groupIDs))
	for i, gid := range groupIDs {
		keys[i] = key(groupPK(gid), memberSK(userID))
	}
	items, err := s.batchGet(ctx, keys)
	if err != nil {
		return nil, err
	}
	out := make(map[string]int, len(items))
	for _, it := range items {
		l, _ := intAttr(it, "roleLevel")
		out[strAttr(it, "groupID")] = int(l)
	}
	return out, nil
}

// AllMembers reads every member record of a group, page by page. It is for
// the consistency checker and for tests: operations never read a whole group.
func (s *Store) AllMembers(ctx context.Context, groupID string) ([]*Member, error) {
	var out []*Member
	err := each(ctx, s.partition(baseTable, groupPK(groupID)).Range("SK", dynamo.BeginsWith, prefixMember).Consistent(true), func(it Item) error {
		m, err := unmarshal[Member](it)
		out = append(out, m)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
