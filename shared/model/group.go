package model

import "encoding/json"

// Role levels of group members (OpenIM's numbering).
const (
	RoleOwner  = 100
	RoleAdmin  = 60
	RoleMember = 20
)

// Group statuses.
const (
	StatusOK        = 0
	StatusDismissed = 2
	StatusMuted     = 3
)

// Join sources.
const (
	JoinByAdmin      = 1
	JoinByInvitation = 2
	JoinBySearch     = 3
	JoinByQRCode     = 4
)

// Group is the group record.
type Group struct {
	GroupID                string `json:"groupID" dynamodbav:"groupID"`
	GroupName              string `json:"groupName" dynamodbav:"groupName"`
	Notification           string `json:"notification" dynamodbav:"notification"`
	Introduction           string `json:"introduction" dynamodbav:"introduction"`
	FaceURL                string `json:"faceURL" dynamodbav:"faceURL"`
	Ex                     string `json:"ex" dynamodbav:"ex"`
	Status                 int    `json:"status" dynamodbav:"status"`
	CreatorUserID          string `json:"creatorUserID" dynamodbav:"creatorUserID"`
	GroupType              int    `json:"groupType" dynamodbav:"groupType"`
	OwnerUserID            string `json:"ownerUserID" dynamodbav:"ownerUserID"`
	MemberCount            int64  `json:"memberCount" dynamodbav:"memberCount"`
	NeedVerification       int    `json:"needVerification" dynamodbav:"needVerification"`
	LookMemberInfo         int    `json:"lookMemberInfo" dynamodbav:"lookMemberInfo"`
	ApplyMemberFriend      int    `json:"applyMemberFriend" dynamodbav:"applyMemberFriend"`
	NotificationUpdateTime int64  `json:"notificationUpdateTime" dynamodbav:"notificationUpdateTime"`
	NotificationUserID     string `json:"notificationUserID" dynamodbav:"notificationUserID"`
	CreateTime             int64  `json:"createTime" dynamodbav:"createTime"`
	Version                int64  `json:"version" dynamodbav:"version"`
	// ChannelCount is the number of live channels, kept in step by the
	// store's CreateChannel and DeleteChannel so that MaxChannels holds in
	// the database.
	ChannelCount int64 `json:"-" dynamodbav:"channelCount,omitempty"`
	// PendingApplications counts the group's applications with
	// handleResult 0, moved in the transaction of every application change,
	// so that a handler's unhandled count is a read, not a count.
	PendingApplications int64 `json:"-" dynamodbav:"pendingApplications,omitempty"`
	// DisableInviteCodes 1 turns invite codes off: JoinByInviteCode is
	// refused (codes admit without approval, whatever needVerification says).
	DisableInviteCodes int `json:"disableInviteCodes,omitempty" dynamodbav:"disableInviteCodes,omitempty"`

	// RoleLevel is the caller's own level in the group, when they are a
	// member; it is not stored on the group.
	RoleLevel int `json:"roleLevel,omitempty" dynamodbav:"-"`
	// Roles is the group's role configuration, loaded by the store's
	// Snapshot with the group; it is stored in its own item.
	Roles *Roles `json:"-" dynamodbav:"-"`
}

// Member is one user's membership of a group.
type Member struct {
	GroupID        string   `json:"groupID" dynamodbav:"groupID"`
	UserID         string   `json:"userID" dynamodbav:"userID"`
	Nickname       string   `json:"nickname" dynamodbav:"nickname"`
	FaceURL        string   `json:"faceURL" dynamodbav:"faceURL"`
	RoleLevel      int      `json:"roleLevel" dynamodbav:"roleLevel"`
	JoinTime       int64    `json:"joinTime" dynamodbav:"joinTime"`
	JoinSource     int      `json:"joinSource" dynamodbav:"joinSource"`
	InviterUserID  string   `json:"inviterUserID" dynamodbav:"inviterUserID"`
	OperatorUserID string   `json:"operatorUserID" dynamodbav:"operatorUserID"`
	MuteEndTime    int64    `json:"muteEndTime" dynamodbav:"muteEndTime"`
	Ex             string   `json:"ex" dynamodbav:"ex"`
	RoleIDs        []string `json:"roleIDs" dynamodbav:"roleIDs,stringset,omitempty"`
	// Masked marks a reader's copy that keeps only the public fields
	// (PublicView): its JSON form leaves the private fields out rather than
	// claiming zero values (joinSource 0, "not muted") that are not true.
	Masked bool `json:"-" dynamodbav:"-"`
}

// PublicView is the copy of m that anyone allowed to read the group's
// members may see, whatever lookMemberInfo says: groupID, userID, nickname,
// faceURL and roleLevel. Everything else is private to the member, the
// owner and admins, and app admins.
func (m *Member) PublicView() *Member {
	return &Member{GroupID: m.GroupID, UserID: m.UserID, Nickname: m.Nickname, FaceURL: m.FaceURL, RoleLevel: m.RoleLevel, Masked: true}
}

// publicMemberJSON is the JSON form of a masked Member.
type publicMemberJSON struct {
	GroupID   string `json:"groupID"`
	UserID    string `json:"userID"`
	Nickname  string `json:"nickname"`
	FaceURL   string `json:"faceURL"`
	RoleLevel int    `json:"roleLevel"`
}

// MarshalJSON writes a masked member with its public fields only.
func (m Member) MarshalJSON() ([]byte, error) {
	if m.Masked {
		return json.Marshal(publicMemberJSON{m.GroupID, m.UserID, m.Nickname, m.FaceURL, m.RoleLevel})
	}
	type full Member // without the method, or it would recurse
	return json.Marshal(full(m))
}
