package model

// Channel view modes.
const (
	ChannelPublic  = 0
	ChannelPrivate = 1
)

// Sync modes of a channel in a category: a synced channel's permission
// layer is its category's.
const (
	Unsynced = 0
	Synced   = 1
)

// Layer is the permission layer of a channel or a category: who sees it
// (viewMode and its black/white list) and its roles.
type Layer struct {
	ViewMode int
	Users    []string
	Roles    []string
	// RoleAuths are the layer's roles, keyed by their parent server roleID.
	RoleAuths map[string]*ChannelRole
}

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
	// CategoryID is the category the channel is in ("" for none); while
	// SyncMode is Synced its permission layer is the category's and its own
	// layer fields are empty.
	CategoryID string `json:"categoryID" dynamodbav:"categoryID,omitempty"`
	SyncMode   int    `json:"syncMode" dynamodbav:"syncMode,omitempty"`
	Position   int64  `json:"position" dynamodbav:"position,omitempty"`
	// Gen counts the times the channel dropped its own settings (a move
	// into a category, synced). A member override applies only while it
	// carries the channel's Gen, so dropping them needs no write to each.
	Gen int64 `json:"-" dynamodbav:"gen,omitempty"`
	// Category is the layer of the category a synced channel follows,
	// attached by the store when it loads the channel for a decision. Its
	// Users name only the users that load asked about.
	Category *Layer `json:"-" dynamodbav:"-"`
}

// OwnLayer is the channel's own permission layer.
func (c *Channel) OwnLayer() *Layer {
	return &Layer{ViewMode: c.ViewMode, Users: c.Users, Roles: c.Roles, RoleAuths: c.RoleAuths}
}

// IsSynced reports whether the channel follows its category's layer.
func (c *Channel) IsSynced() bool { return c.CategoryID != "" && c.SyncMode == Synced }

// Category is a channel category of a group (频道分组): a name, a
// position, and a permission layer that its synced channels follow.
type Category struct {
	GroupID    string `json:"groupID" dynamodbav:"groupID"`
	CategoryID string `json:"categoryID" dynamodbav:"categoryID"`
	Name       string `json:"name" dynamodbav:"name"`
	Ext        string `json:"ext" dynamodbav:"ext"`
	ViewMode   int    `json:"viewMode" dynamodbav:"viewMode"`
	Position   int64  `json:"position" dynamodbav:"position"`
	CreateTime int64  `json:"createTime" dynamodbav:"createTime"`
	UpdateTime int64  `json:"updateTime" dynamodbav:"updateTime"`
	// Users and Roles are the category's blacklist (public) or whitelist
	// (private), with the same limits as a channel's.
	Users []string `json:"-" dynamodbav:"users,stringset,omitempty"`
	Roles []string `json:"-" dynamodbav:"roles,stringset,omitempty"`
	// RoleAuths are the category roles, keyed by their parent server role.
	RoleAuths map[string]*ChannelRole `json:"-" dynamodbav:"roleAuths"`
	// OverrideUsers are the users with a member override in the category,
	// so that a channel leaving it can copy them.
	OverrideUsers []string `json:"-" dynamodbav:"overrideUsers,stringset,omitempty"`
	Rev           int64    `json:"-" dynamodbav:"rev"`
}

// Layer is the category's permission layer.
func (c *Category) Layer() *Layer {
	return &Layer{ViewMode: c.ViewMode, Users: c.Users, Roles: c.Roles, RoleAuths: c.RoleAuths}
}

// ChannelRole is a channel's override of a server role; every item starts
// as inherit.
type ChannelRole struct {
	GroupID   string `json:"groupID" dynamodbav:"groupID"`
	ChannelID string `json:"channelID" dynamodbav:"channelID"`
	// CategoryID is set instead of ChannelID on a category role.
	CategoryID   string            `json:"categoryID,omitempty" dynamodbav:"categoryID,omitempty"`
	ParentRoleID string            `json:"parentRoleID" dynamodbav:"parentRoleID"`
	Auths        map[string]string `json:"auths" dynamodbav:"auths"`
	CreateTime   int64             `json:"createTime" dynamodbav:"createTime"`
	UpdateTime   int64             `json:"updateTime" dynamodbav:"updateTime"`
}

// MemberOverride is a member's own settings in a channel
// (G#<gid>/CO#<cid>#<uid>). JoinTime is the member's joinTime when it was
// set: an override left behind by an earlier membership of the same user
// does not apply to a later one. A category member override has
// CategoryID instead of ChannelID. Gen is the channel's Gen when it was set:
// a channel that dropped its own settings no longer applies it.
type MemberOverride struct {
	GroupID    string            `json:"groupID" dynamodbav:"groupID"`
	ChannelID  string            `json:"channelID,omitempty" dynamodbav:"channelID"`
	CategoryID string            `json:"categoryID,omitempty" dynamodbav:"categoryID,omitempty"`
	Gen        int64             `json:"-" dynamodbav:"gen,omitempty"`
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
