package store

import "github.com/circles-im/circles/shared/model"

// The entities live in package model, which has no AWS dependency; these
// aliases keep the store's callers compiling as they are, and the store
// marshals the model types directly by their dynamodbav tags.
type (
	Group          = model.Group
	Member         = model.Member
	Role           = model.Role
	Roles          = model.Roles
	CustomAuth     = model.CustomAuth
	CustomAuths    = model.CustomAuths
	Channel        = model.Channel
	ChannelRole    = model.ChannelRole
	MemberOverride = model.MemberOverride
	ChannelGrant   = model.ChannelGrant
	Application    = model.Application
)

// Role levels of group members.
const (
	RoleOwner  = model.RoleOwner
	RoleAdmin  = model.RoleAdmin
	RoleMember = model.RoleMember
)

// Group statuses.
const (
	StatusOK        = model.StatusOK
	StatusDismissed = model.StatusDismissed
	StatusMuted     = model.StatusMuted
)

// Join sources.
const (
	JoinByAdmin      = model.JoinByAdmin
	JoinByInvitation = model.JoinByInvitation
	JoinBySearch     = model.JoinBySearch
	JoinByQRCode     = model.JoinByQRCode
)

// Role types, the roleID of @everyone, item values and the first custom
// item's key.
const (
	RoleTypeEveryone   = model.RoleTypeEveryone
	RoleTypeCustom     = model.RoleTypeCustom
	EveryoneRoleID     = model.EveryoneRoleID
	AuthAllow          = model.AuthAllow
	AuthDeny           = model.AuthDeny
	FirstCustomAuthKey = model.FirstCustomAuthKey
)

// Channel view modes.
const (
	ChannelPublic  = model.ChannelPublic
	ChannelPrivate = model.ChannelPrivate
)

// Handle results of an application.
const (
	ApplicationPending = model.ApplicationPending
	ApplicationAgreed  = model.ApplicationAgreed
	ApplicationRefused = model.ApplicationRefused
)

// DefaultRoles is model.DefaultRoles: a new group's configuration, @everyone
// alone.
func DefaultRoles(groupID string, now int64) *Roles { return model.DefaultRoles(groupID, now) }

// Profile is a user's public profile.
type Profile struct {
	UserID     string `json:"userID" dynamodbav:"userID"`
	Nickname   string `json:"nickname" dynamodbav:"nickname"`
	FaceURL    string `json:"faceURL" dynamodbav:"faceURL"`
	Ex         string `json:"ex" dynamodbav:"ex"`
	CreateTime int64  `json:"createTime" dynamodbav:"createTime"`
	UpdateTime int64  `json:"updateTime" dynamodbav:"updateTime"`
}

// Page is one page of a list and the cursor of the next ("" on the last).
type Page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"nextCursor"`
}
