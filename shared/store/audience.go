package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
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
// A page resumes from an AudienceCursor, the last evaluated key of the
// previous page. Cursors travel only in the delivery stage's own queue
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
	var q *dynamo.Query
	switch {
	case source == SourceManagers:
		q = s.partition(gsi1, membersByRankPK(groupID)).Range(gsi1.sk, dynamo.Less, rankPrefix(RoleAdmin-1))
	case strings.HasPrefix(source, SourceRole) && len(source) > len(SourceRole):
		q = s.partition(baseTable, groupPK(groupID)).Range("SK", dynamo.BeginsWith, roleMemberSK(strings.TrimPrefix(source, SourceRole), ""))
	default:
		return nil, "", fmt.Errorf("unknown audience source %q", source)
	}
	q.Project("userID").SearchLimit(limit).RequestLimit(1)
	if cursor != "" {
		var k map[string]string
		if err := json.Unmarshal([]byte(cursor), &k); err != nil {
			return nil, "", fmt.Errorf("audience cursor: %w", err)
		}
		start := make(dynamo.PagingKey, len(k))
		for name, v := range k {
			start[name] = &types.AttributeValueMemberS{Value: v}
		}
		q.StartFrom(start)
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
	if len(lek) > 0 {
		k := make(map[string]string, len(lek))
		for name := range lek {
			k[name] = strAttr(lek, name) // every key attribute is a string
		}
		b, _ := json.Marshal(k)
		next = string(b)
	}
	return ids, next, nil
}
