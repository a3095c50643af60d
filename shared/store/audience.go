package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

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
	in := &dynamodb.QueryInput{TableName: aws.String(s.table), Limit: aws.Int32(int32(limit))}
	switch {
	case source == SourceManagers:
		in.IndexName = aws.String(gsi1.name)
		in.KeyConditionExpression = aws.String("GSI1PK = :pk AND GSI1SK < :hi")
		in.ExpressionAttributeValues = map[string]types.AttributeValue{
			":pk": &types.AttributeValueMemberS{Value: membersByRankPK(groupID)},
			":hi": &types.AttributeValueMemberS{Value: rankPrefix(RoleAdmin - 1)},
		}
		in.ProjectionExpression = aws.String("userID")
	case strings.HasPrefix(source, SourceRole) && len(source) > len(SourceRole):
		in.KeyConditionExpression = aws.String("PK = :pk AND begins_with(SK, :p)")
		in.ExpressionAttributeValues = map[string]types.AttributeValue{
			":pk": &types.AttributeValueMemberS{Value: groupPK(groupID)},
			":p":  &types.AttributeValueMemberS{Value: roleMemberSK(strings.TrimPrefix(source, SourceRole), "")},
		}
		in.ProjectionExpression = aws.String("userID")
	default:
		return nil, "", fmt.Errorf("unknown audience source %q", source)
	}
	if cursor != "" {
		var k map[string]string
		if err := json.Unmarshal([]byte(cursor), &k); err != nil {
			return nil, "", fmt.Errorf("audience cursor: %w", err)
		}
		in.ExclusiveStartKey = make(map[string]types.AttributeValue, len(k))
		for name, v := range k {
			in.ExclusiveStartKey[name] = &types.AttributeValueMemberS{Value: v}
		}
	}
	out, err := s.db.Query(ctx, in)
	if err != nil {
		return nil, "", translate(err)
	}
	ids = make([]string, 0, len(out.Items))
	for _, it := range out.Items {
		if id := strAttr(it, "userID"); id != "" {
			ids = append(ids, id)
		}
	}
	if len(out.LastEvaluatedKey) > 0 {
		k := make(map[string]string, len(out.LastEvaluatedKey))
		for name := range out.LastEvaluatedKey {
			k[name] = strAttr(out.LastEvaluatedKey, name) // every key attribute is a string
		}
		b, _ := json.Marshal(k)
		next = string(b)
	}
	return ids, next, nil
}
