package model

// Channel view modes.
const (
	ChannelPublic  = 0
	ChannelPrivate = 1
)

// Channel is a channel of a group (G#<gid>/C#<cid>). Its access list and its
// channel roles live in the same item, so a permission check in the channel
// reads them with the group, member and roles in one round trip; the
// store's limits on the access list keep it far below DynamoDB's 400 KB.
type Channel struct {
	GroupID    string `json:"groupID" dynamodbav:"groupID"`
	ChannelID  string `json:"channelID" dynamodbav:"channelID"`
	Name       string `json:"name" dynamodbav:"name"`
	Topic      string `json:"topic" dynamodbav:"topic"`
	Ext        string `json:"ext" dynamodbav:"ext"`
	ViewMode   int    `json:"viewMode" dynamodbav:"viewMode"`
	CreateTime int64  `json:"createTime" dynamodbav:"createTime"`
	UpdateTime int64  `json:"updateTime" dynamodbav:"updateTime"`
	// Users and Roles are the blacklist of a public channel or the
	// whitelist of a private one.
	Users []string `json:"-" dynamodbav:"users,stringset,omitempty"`
	Roles []string `json:"-" dynamodbav:"roles,stringset,omitempty"`
	// RoleAuths are the channel roles, keyed by their parent server roleID
	// (@everyone included).
	RoleAuths map[string]*ChannelRole `json:"-" dynamodbav:"roleAuths"`
	// Rev counts the writes of the item; each write is conditioned on the
	// rev it read.
	Rev int64 `json:"-" dynamodbav:"rev"`
}

// ChannelRole is a channel's override of a server role; every item starts
// as inherit.
type ChannelRole struct {
	GroupID      string            `json:"groupID" dynamodbav:"groupID"`
	ChannelID    string            `json:"channelID" dynamodbav:"channelID"`
	ParentRoleID string            `json:"parentRoleID" dynamodbav:"parentRoleID"`
	Auths        map[string]string `json:"auths" dynamodbav:"auths"`
	CreateTime   int64             `json:"createTime" dynamodbav:"createTime"`
	UpdateTime   int64             `json:"updateTime" dynamodbav:"updateTime"`
}

// MemberOverride is a member's own settings in a channel
// (G#<gid>/CO#<cid>#<uid>). JoinTime is the member's joinTime when it was
// set: an override left behind by an earlier membership of the same user
// does not apply to a later one.
type MemberOverride struct {
	GroupID    string            `json:"groupID" dynamodbav:"groupID"`
	ChannelID  string            `json:"channelID" dynamodbav:"channelID"`
	UserID     string            `json:"userID" dynamodbav:"userID"`
	Auths      map[string]string `json:"auths" dynamodbav:"auths"`
	JoinTime   int64             `json:"joinTime" dynamodbav:"joinTime"`
	UpdateTime int64             `json:"updateTime" dynamodbav:"updateTime"`
}

// ChannelGrant is a channel where a server role has a channel role, with
// one member's override there (nil if none).
type ChannelGrant struct {
	Channel  *Channel
	Override *MemberOverride
}
