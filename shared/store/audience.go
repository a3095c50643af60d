package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/guregu/dynamo/v2"

	"github.com/circles-im/circles/shared/errcode"
)

// Audiences (an event's recipients named by a rule) are expanded by the
// delivery stage from paged sources, so that neither the request that
// commits the event nor any one read grows with the audience:
//
//   - SourceManagers: the owner and admins, from the rank index (GSI1),
//     whose sort key orders them before every ordinary member;
//   - SourceRole + roleID: the members of a role, from its role-membership
//     records G#<gid> / RM#<rid>#<uid>.
//
// A page resumes from an AudienceCursor, the key of the previous page's last
// item in the store's one cursor codec (cursor.go), bound to the source's
// partition. Cursors travel only in the delivery stage's own queue
// messages, never through the API.
const (
	SourceManagers = "managers"
	SourceRole     = "role:"
)

// AudienceCursor is where the next page of a source starts ("" = the first).
type AudienceCursor = string

// GroupRoles reads a group and its role configuration (into g.Roles),
// with the same batched read as Memberships: the delivery stage only
// chooses recipients with it, nothing is written from it.
func (s *Store) GroupRoles(ctx context.Context, groupID string) (*Group, error) {
	groups, err := s.groupsWithRoles(ctx, []string{groupID})
	if err != nil {
		return nil, err
	}
	g, ok := groups[groupID]
	if !ok {
		return nil, errcode.New(errcode.GroupNotFound, "group %s not found", groupID)
	}
	return g, nil
}

// AudiencePage reads up to limit user IDs of one audience source of a
// group, after cursor. next is "" when the source is exhausted.
func (s *Store) AudiencePage(ctx context.Context, groupID, source string, cursor AudienceCursor, limit int) (ids []string, next AudienceCursor, err error) {
	var ix index
	var pk string
	var q *dynamo.Query
	switch {
	case source == SourceManagers:
		ix, pk = gsi1, membersByRankPK(groupID)
		q = s.partition(ix, pk).Range(ix.sk, dynamo.Less, rankPrefix(RoleAdmin-1))
	case strings.HasPrefix(source, SourceRole) && len(source) > len(SourceRole):
		ix, pk = baseTable, groupPK(groupID)
		q = s.partition(ix, pk).Range(ix.sk, dynamo.BeginsWith, roleMemberSK(strings.TrimPrefix(source, SourceRole), ""))
	default:
		return nil, "", fmt.Errorf("unknown audience source %q", source)
	}
	// One request without a filter: it stops at the last item it returns,
	// so that item's key is where the next page starts.
	q.Project(append(keyNames(ix), "userID")...).SearchLimit(limit).RequestLimit(1)
	if cursor != "" {
		start, err := decodeKeyCursor(ix, pk, cursor)
		if err != nil {
			return nil, "", err
		}
		q.StartFrom(dynamo.PagingKey(start))
	}
	items, lek, err := call(ctx, q)
	if err != nil {
		return nil, "", err
	}
	ids = make([]string, 0, len(items))
	for _, it := range items {
		if id := strAttr(it, "userID"); id != "" {
			ids = append(ids, id)
		}
	}
	if lek != nil && len(items) > 0 {
		next = encodeKeyCursor(ix, items[len(items)-1])
	}
	return ids, next, nil
}
