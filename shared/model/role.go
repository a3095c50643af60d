package model

import "maps"

// Role types and the roleID of @everyone.
const (
	RoleTypeEveryone = 1
	RoleTypeCustom   = 2
	EveryoneRoleID   = "everyone"
)

// Item values as stored in auths maps; an item that is absent inherits.
const (
	AuthAllow = "allow"
	AuthDeny  = "deny"
)

// Role is a server role of a group. Auths hold only the items the role sets
// (item -> "allow" | "deny"); absent items inherit.
type Role struct {
	RoleID      string            `json:"roleID" dynamodbav:"roleID"`
	GroupID     string            `json:"groupID" dynamodbav:"groupID"`
	Name        string            `json:"name" dynamodbav:"name"`
	Icon        string            `json:"icon" dynamodbav:"icon"`
	Ext         string            `json:"ext" dynamodbav:"ext"`
	Type        int               `json:"type" dynamodbav:"type"`
	Priority    int               `json:"priority" dynamodbav:"priority"`
	Auths       map[string]string `json:"auths" dynamodbav:"auths"`
	MemberCount int64             `json:"memberCount" dynamodbav:"memberCount"`
	CreateTime  int64             `json:"createTime" dynamodbav:"createTime"`
	UpdateTime  int64             `json:"updateTime" dynamodbav:"updateTime"`
}

// Roles is the role configuration of a group: every server role, @everyone
// included, in one item (G#<gid>/ROLES). One item lets a permission decision
// read all roles in the same round trip as the group and the member, and
// lets a role change and the counts it moves commit as one write.
type Roles struct {
	GroupID string           `dynamodbav:"groupID"`
	Roles   map[string]*Role `dynamodbav:"roles"`
	// Deleted are roles already deleted whose memberships and channel roles
	// are still being removed (roleID -> deletedAt). They grant nothing.
	Deleted map[string]int64 `dynamodbav:"deleted"`
	// CleanupFrom is, per deleted role, the last channel its cleanup has
	// gone through, so that the next step resumes after it.
	CleanupFrom map[string]string `dynamodbav:"cleanupFrom,omitempty"`
	// Rev counts the writes of the item; each write is conditioned on the
	// rev it read, and 0 means the item does not exist yet (a group created
	// before roles existed gets its @everyone lazily, on first write).
	Rev int64 `dynamodbav:"rev"`
}

// DefaultRoles is the configuration of a new group: @everyone alone, with
// its default grants (sendMsg, remindOther, accountInfoSelf and recallMsg
// allowed, every other built-in item denied). Rev 0: not stored yet.
func DefaultRoles(groupID string, now int64) *Roles {
	auths := map[string]string{}
	for _, it := range everyoneBuiltIn {
		auths[it] = AuthDeny
	}
	for _, it := range everyoneAllowed {
		auths[it] = AuthAllow
	}
	return &Roles{
		GroupID: groupID,
		Roles: map[string]*Role{EveryoneRoleID: {
			RoleID: EveryoneRoleID, GroupID: groupID, Name: "@everyone", Type: RoleTypeEveryone,
			Priority: 0, Auths: auths, MemberCount: -1, CreateTime: now, UpdateTime: now,
		}},
		Deleted: map[string]int64{},
	}
}

// everyoneBuiltIn are the built-in items, which @everyone sets
// explicitly; everyoneAllowed are those it allows at creation.
var (
	everyoneBuiltIn = []string{
		"manageGroup", "manageChannel", "manageRole", "inviteMember", "kickMember", "muteMember", "muteGroup",
		"handleApplication", "accountInfoSelf", "accountInfoOther", "manageBlackWhiteList",
		"sendMsg", "recallMsg", "deleteMsg", "remindOther", "remindEveryone", "banMember",
	}
	everyoneAllowed = []string{"sendMsg", "remindOther", "accountInfoSelf", "recallMsg"}
)

// Custom counts the custom roles (type 2).
func (r *Roles) Custom() int {
	n := 0
	for _, role := range r.Roles {
		if role.Type == RoleTypeCustom {
			n++
		}
	}
	return n
}

// Clone returns a deep copy, to build the next configuration from the one
// read.
func (r *Roles) Clone() *Roles {
	out := &Roles{GroupID: r.GroupID, Roles: make(map[string]*Role, len(r.Roles)), Deleted: make(map[string]int64, len(r.Deleted)), Rev: r.Rev}
	for id, role := range r.Roles {
		c := *role
		c.Auths = make(map[string]string, len(role.Auths))
		for k, v := range role.Auths {
			c.Auths[k] = v
		}
		out.Roles[id] = &c
	}
	for id, t := range r.Deleted {
		out.Deleted[id] = t
	}
	if r.CleanupFrom != nil {
		out.CleanupFrom = maps.Clone(r.CleanupFrom)
	}
	return out
}

// CustomAuth is an app-wide custom permission item (key ≥ 10000).
type CustomAuth struct {
	Key          string `json:"key" dynamodbav:"key"`
	Name         string `json:"name" dynamodbav:"name"`
	DefaultRight string `json:"defaultRight" dynamodbav:"defaultRight"`
	CreateTime   int64  `json:"createTime" dynamodbav:"createTime"`
}

// CustomAuths are all custom items, in one item (APP/CUSTOMAUTHS) so that a
// permission check reads them in its single round trip.
type CustomAuths struct {
	Items map[string]*CustomAuth `dynamodbav:"items"`
	// Next is the key the next custom item gets; creation is conditioned on it.
	Next int64 `dynamodbav:"next"`
}

// FirstCustomAuthKey is the first custom item's key; built-in items are
// names, so a numeric key is always a custom item.
const FirstCustomAuthKey = 10000
