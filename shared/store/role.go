package store

import (
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/circles-im/circles/shared/errcode"
)

func rolesItem(r *Roles) map[string]types.AttributeValue {
	if r.Deleted == nil {
		r.Deleted = map[string]int64{}
	}
	return marshalItem(r, map[string]string{"PK": groupPK(r.GroupID), "SK": skRoles, "kind": kindRoles})
}

// putRoles writes next, the configuration built from the one read (whose
// Rev it carries), conditioned on the item still being at that rev.
func (s *Store) putRoles(t *tx, next *Roles) {
	read := next.Rev
	next.Rev = read + 1
	put := s.putItem(rolesItem(next))
	if read == 0 {
		put.If(ifAbsent)
	} else {
		put.If("$ = ?", "rev", read)
	}
	addTo(t, put, func(map[string]types.AttributeValue) error { return errVersionMoved })
}

// unmarshalRoles reads a ROLES item, or the default configuration when the
// group has none yet.
func unmarshalRoles(item map[string]types.AttributeValue, g *Group) (*Roles, error) {
	if item == nil {
		return DefaultRoles(g.GroupID, g.CreateTime), nil
	}
	r, err := unmarshal[Roles](item)
	if err != nil {
		return nil, err
	}
	if r.Roles == nil || r.Roles[EveryoneRoleID] == nil {
		return nil, errcode.New(errcode.Internal, "group %s: role configuration without @everyone", g.GroupID)
	}
	if r.Deleted == nil {
		r.Deleted = map[string]int64{}
	}
	for id, role := range r.Roles {
		if role.Auths == nil {
			role.Auths = map[string]string{}
		}
		role.RoleID, role.GroupID = id, g.GroupID
	}
	return r, nil
}

// RoleMembership is one user's membership of a custom role (G#<gid>/RM#<roleID>#<uid>),
// listed by ListRoleMembers. The member record's roleIDs mirror these
// records, and the role's memberCount counts them (invariant 6); all three
// change in the same transaction.
type RoleMembership struct {
	GroupID string `json:"groupID" dynamodbav:"groupID"`
	RoleID  string `json:"roleID" dynamodbav:"roleID"`
	UserID  string `json:"userID" dynamodbav:"userID"`
	AddTime int64  `json:"addTime" dynamodbav:"addTime"`
}

func roleMembershipItem(rm *RoleMembership) map[string]types.AttributeValue {
	return marshalItem(rm, map[string]string{"PK": groupPK(rm.GroupID), "SK": roleMemberSK(rm.RoleID, rm.UserID), "kind": kindRoleMember})
}

func unmarshalCustomAuths(item map[string]types.AttributeValue) (*CustomAuths, error) {
	if item == nil {
		return &CustomAuths{Items: map[string]*CustomAuth{}, Next: FirstCustomAuthKey}, nil
	}
	c, err := unmarshal[CustomAuths](item)
	if err != nil {
		return nil, err
	}
	if c.Items == nil {
		c.Items = map[string]*CustomAuth{}
	}
	return c, nil
}
