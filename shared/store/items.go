package store

import (
	"strconv"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/event"
)

// kind tells entities apart in the stream and in scans; the stream's filter
// criteria pass only kind = "event".
const (
	kindGroup      = "group"
	kindMember     = "member"
	kindProfile    = "profile"
	kindEvent      = "event"
	kindIdem       = "idempotency"
	kindRoles      = "roles"
	kindRoleMember = "roleMember"
	kindChannel    = "channel"
	kindOverride   = "override"
	kindCustom     = "customAuths"
)

func groupItem(g *Group) map[string]types.AttributeValue {
	return marshalItem(g, map[string]string{"PK": groupPK(g.GroupID), "SK": skMeta, "kind": kindGroup})
}

// memberItem is m's record with its index keys; profileNickname is the
// user's profile nickname, which names the record in the search index
// (GSI3, search.go) while m has no group nickname.
func memberItem(m *Member, profileNickname string) map[string]types.AttributeValue {
	return marshalItem(m, nameKeyAttrs(map[string]string{
		"PK": groupPK(m.GroupID), "SK": memberSK(m.UserID), "kind": kindMember,
		"GSI1PK": membersByRankPK(m.GroupID), "GSI1SK": memberRankSK(m.RoleLevel, m.JoinTime, m.UserID),
		"GSI2PK": groupsOfUserPK(m.UserID), "GSI2SK": userGroupSK(m.JoinTime, m.GroupID),
	}, m, profileNickname))
}

func (s *Store) eventItem(ev *event.Event) map[string]types.AttributeValue {
	item := marshalItem(ev, map[string]string{"PK": eventPK(ev.GroupID), "SK": versionSK(ev.Version), "kind": kindEvent})
	item["expiresAt"] = &types.AttributeValueMemberN{Value: strconv.FormatInt(s.Now().Add(s.EventRetention).Unix(), 10)}
	return item
}

func unmarshal[T any](item map[string]types.AttributeValue) (*T, error) {
	var v T
	if err := attributevalue.UnmarshalMap(item, &v); err != nil {
		return nil, errcode.Wrap(errcode.Internal, err, "internal error")
	}
	return &v, nil
}

// intAttr reads a numeric attribute of an item returned on a failed condition.
func intAttr(item map[string]types.AttributeValue, name string) (int64, bool) {
	n, ok := item[name].(*types.AttributeValueMemberN)
	if !ok {
		return 0, false
	}
	v, err := strconv.ParseInt(n.Value, 10, 64)
	return v, err == nil
}

func strAttr(item map[string]types.AttributeValue, name string) string {
	if s, ok := item[name].(*types.AttributeValueMemberS); ok {
		return s.Value
	}
	return ""
}

// maxRecordBytes bounds the records that grow with use (the role
// configuration, the custom items): DynamoDB refuses items over 400 KB, so
// a write that would pass this bound answers LIMIT_EXCEEDED instead.
const maxRecordBytes = 350 * 1024
