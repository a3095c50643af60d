package store

import (
	"context"
	"strings"

	"github.com/guregu/dynamo/v2"
)

// The paged reads of the consistency checker: a group of any size is read
// a page at a time (ReadGroupPage, ReadEventPage) between two reads of its
// head (ReadCheckHead), and what one page needs of another is read by key
// (GetMembers, RoleMembershipsExist), so no call holds more than a page.

// CheckHead is what a paged check reads at its start and end: the group,
// whose version, memberCount, status and roles rev a change moves (see
// ReadGroupState), and what its pages are checked against.
type CheckHead struct {
	Group      *Group // with Roles
	Categories *Categories
}

// ReadCheckHead reads the group, its role configuration and its categories
// in one TransactGetItems.
func (s *Store) ReadCheckHead(ctx context.Context, groupID string) (*CheckHead, error) {
	g, _, extra, err := s.snapshot(ctx, groupID, nil, []Item{key(groupPK(groupID), skCategories)})
	if err != nil {
		return nil, err
	}
	cats, err := unmarshalCategories(extra[0])
	if err != nil {
		return nil, err
	}
	return &CheckHead{Group: g, Categories: cats}, nil
}

// ReadGroupPage reads, strongly consistent, at most limit items of g's
// partition whose sort key follows after ("" for the first page), into a
// GroupState of g holding just those records (its Roles, Categories and
// Events are not read). next is the last sort key read, "" when the
// partition ended.
func (s *Store) ReadGroupPage(ctx context.Context, g *Group, after string, limit int) (st *GroupState, next string, err error) {
	st = &GroupState{Group: g, ChannelCategories: map[string]string{}}
	items, err := s.checkPage(ctx, groupPK(g.GroupID), after, limit, nil)
	if err != nil {
		return nil, "", err
	}
	for _, it := range items {
		if sk := strAttr(it, "SK"); sk == skRoles || sk == skCategories {
			continue // read with the head
		}
		if err := st.take(it); err != nil {
			return nil, "", err
		}
	}
	return st, lastSK(items, limit), nil
}

// ReadEventPage reads, strongly consistent, at most limit of the group's
// retained events whose sort key follows after, in version order.
func (s *Store) ReadEventPage(ctx context.Context, groupID, after string, limit int) (evs []EventVersion, next string, err error) {
	items, err := s.checkPage(ctx, eventPK(groupID), after, limit, []string{"SK", "version", "occurredAt", "expiresAt"})
	if err != nil {
		return nil, "", err
	}
	for _, it := range items {
		evs = append(evs, eventVersion(it))
	}
	return evs, lastSK(items, limit), nil
}

func (s *Store) checkPage(ctx context.Context, pk, after string, limit int, project []string) ([]Item, error) {
	q := s.partition(baseTable, pk).Consistent(true).Limit(limit)
	if after != "" {
		q.Range("SK", dynamo.Greater, after)
	}
	if project != nil {
		q.Project(project...)
	}
	return all(ctx, q)
}

// lastSK is where the next page starts: the last sort key of a full page.
func lastSK(items []Item, limit int) string {
	if len(items) < limit {
		return ""
	}
	return strAttr(items[len(items)-1], "SK")
}

// RoleMembershipsExist answers which of the (roleID, userID) pairs have a
// role-membership record in the group: one strongly consistent
// BatchGetItem per 100 pairs.
func (s *Store) RoleMembershipsExist(ctx context.Context, groupID string, pairs [][2]string) (map[[2]string]bool, error) {
	keys := make([]Item, len(pairs))
	for i, p := range pairs {
		keys[i] = key(groupPK(groupID), roleMemberSK(p[0], p[1]))
	}
	items, err := s.batchGet(ctx, keys)
	if err != nil {
		return nil, err
	}
	out := make(map[[2]string]bool, len(items))
	for _, it := range items {
		rest := strings.TrimPrefix(strAttr(it, "SK"), prefixRoleMember)
		if rid, uid, ok := strings.Cut(rest, "#"); ok {
			out[[2]string{rid, uid}] = true
		}
	}
	return out, nil
}
