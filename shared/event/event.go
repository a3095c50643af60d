package event

// Type names an event. The OpenIM ones keep their notification codes.
type Type string

const (
	GroupCreated                 Type = "GroupCreated"
	GroupInfoSet                 Type = "GroupInfoSet"
	JoinGroupApplication         Type = "JoinGroupApplication"
	MemberQuit                   Type = "MemberQuit"
	GroupApplicationAccepted     Type = "GroupApplicationAccepted"
	GroupApplicationRejected     Type = "GroupApplicationRejected"
	GroupOwnerTransferred        Type = "GroupOwnerTransferred"
	MemberKicked                 Type = "MemberKicked"
	MemberInvited                Type = "MemberInvited"
	MemberEnter                  Type = "MemberEnter"
	GroupDismissed               Type = "GroupDismissed"
	GroupMemberMuted             Type = "GroupMemberMuted"
	GroupMemberCancelMuted       Type = "GroupMemberCancelMuted"
	GroupMuted                   Type = "GroupMuted"
	GroupCancelMuted             Type = "GroupCancelMuted"
	GroupMemberInfoSet           Type = "GroupMemberInfoSet"
	GroupMemberSetToAdmin        Type = "GroupMemberSetToAdmin"
	GroupMemberSetToOrdinaryUser Type = "GroupMemberSetToOrdinaryUser"
	GroupInfoSetAnnouncement     Type = "GroupInfoSetAnnouncement"
	GroupInfoSetName             Type = "GroupInfoSetName"

	// GroupRepaired is written by the consistency checker when it repairs a group.
	GroupRepaired Type = "GroupRepaired"

	RoleCreated             Type = "RoleCreated"
	RoleUpdated             Type = "RoleUpdated"
	RoleDeleted             Type = "RoleDeleted"
	ServerRoleAuthUpdate    Type = "ServerRoleAuthUpdate"
	ServerRoleMemberAdd     Type = "ServerRoleMemberAdd"
	ServerRoleMemberDelete  Type = "ServerRoleMemberDelete"
	ChannelCreated          Type = "ChannelCreated"
	ChannelUpdated          Type = "ChannelUpdated"
	ChannelDeleted          Type = "ChannelDeleted"
	ChannelRoleAuthUpdate   Type = "ChannelRoleAuthUpdate"
	MemberRoleAuthUpdate    Type = "MemberRoleAuthUpdate"
	ChannelAccessListUpdate Type = "ChannelAccessListUpdate"

	CategoryCreated          Type = "CategoryCreated"
	CategoryUpdated          Type = "CategoryUpdated"
	CategoryDeleted          Type = "CategoryDeleted"
	CategoryRoleAuthUpdate   Type = "CategoryRoleAuthUpdate"
	CategoryMemberAuthUpdate Type = "CategoryMemberAuthUpdate"
	CategoryAccessListUpdate Type = "CategoryAccessListUpdate"

	BanMembers               Type = "BanMembers"
	UnbanMembers             Type = "UnbanMembers"
	InviteCodeCreated        Type = "InviteCodeCreated"
	InviteCodeRevoked        Type = "InviteCodeRevoked"
	MemberJoinedByInviteCode Type = "MemberJoinedByInviteCode"
	// GroupMembersInfoSet is SetGroupMembersInfo's one event for a batch.
	GroupMembersInfoSet Type = "GroupMembersInfoSet"

	CategoryPositionsUpdate Type = "CategoryPositionsUpdate"
	ChannelPositionsUpdate  Type = "ChannelPositionsUpdate"

	// ChannelVisibilityChanged is a notification, never a change of its
	// own: the delivery stage derives it from a change's Visibility.
	ChannelVisibilityChanged Type = "ChannelVisibilityChanged"
)

var codes = map[Type]int{
	GroupCreated:                 1501,
	GroupInfoSet:                 1502,
	JoinGroupApplication:         1503,
	MemberQuit:                   1504,
	GroupApplicationAccepted:     1505,
	GroupApplicationRejected:     1506,
	GroupOwnerTransferred:        1507,
	MemberKicked:                 1508,
	MemberInvited:                1509,
	MemberEnter:                  1510,
	GroupDismissed:               1511,
	GroupMemberMuted:             1512,
	GroupMemberCancelMuted:       1513,
	GroupMuted:                   1514,
	GroupCancelMuted:             1515,
	GroupMemberInfoSet:           1516,
	GroupMemberSetToAdmin:        1517,
	GroupMemberSetToOrdinaryUser: 1518,
	GroupInfoSetAnnouncement:     1519,
	GroupInfoSetName:             1520,
	GroupRepaired:                1530,

	// QChat has no OpenIM numbers; Circles numbers them from 1601.
	RoleCreated:             1601,
	RoleUpdated:             1602,
	RoleDeleted:             1603,
	ServerRoleAuthUpdate:    1604,
	ServerRoleMemberAdd:     1605,
	ServerRoleMemberDelete:  1606,
	ChannelCreated:          1607,
	ChannelUpdated:          1608,
	ChannelDeleted:          1609,
	ChannelRoleAuthUpdate:   1610,
	MemberRoleAuthUpdate:    1611,
	ChannelAccessListUpdate: 1612,

	CategoryCreated:          1613,
	CategoryUpdated:          1614,
	CategoryDeleted:          1615,
	CategoryRoleAuthUpdate:   1616,
	CategoryMemberAuthUpdate: 1617,
	CategoryAccessListUpdate: 1618,

	// Bans and invite codes: Circles' own, numbered from 1701.
	BanMembers:               1701,
	UnbanMembers:             1702,
	InviteCodeCreated:        1703,
	InviteCodeRevoked:        1704,
	MemberJoinedByInviteCode: 1705,
	GroupMembersInfoSet:      1706,

	CategoryPositionsUpdate: 1619,
	ChannelPositionsUpdate:  1620,

	ChannelVisibilityChanged: 1621,
}

// Code is the numeric notification code of the type (0 if unknown).
func (t Type) Code() int { return codes[t] }

// Types lists every known type.
func Types() []Type {
	out := make([]Type, 0, len(codes))
	for t := range codes {
		out = append(out, t)
	}
	return out
}

// Event is one committed change of a group. Version is the group's version
// after the change; versions of a group go 1, 2, 3… with no gap.
type Event struct {
	EventID     string `json:"eventID" dynamodbav:"eventID"`
	Type        Type   `json:"type" dynamodbav:"type"`
	Code        int    `json:"code" dynamodbav:"code"`
	GroupID     string `json:"groupID" dynamodbav:"groupID"`
	Version     int64  `json:"version" dynamodbav:"version"`
	ActorUserID string `json:"actorUserID" dynamodbav:"actorUserID"`
	OccurredAt  int64  `json:"occurredAt" dynamodbav:"occurredAt"`
	// Payload is the JSON object of the type's Payload (payload.go), as
	// stored, streamed and published.
	Payload map[string]any `json:"payload" dynamodbav:"payload"`
	// Recipients are the users who get a personal notification (inbox entry).
	// Empty (and no Audience) means the event is addressed to the whole
	// group and is read through GetGroupChanges only.
	Recipients []string `json:"recipients" dynamodbav:"recipients"`
	// Audience, when set, names more recipients by a rule instead of by
	// name, so that the event does not grow with its audience: the delivery
	// stage expands it with paged reads when it delivers the event (not when
	// the change commits).
	Audience *Audience `json:"audience,omitempty" dynamodbav:"audience,omitempty"`
	// Visibility, when set, names the users whose sight of a channel (or of
	// a category's synced channels) the change may have changed: the
	// delivery stage sends them a ChannelVisibilityChanged notification
	// (VisibilityNotice) beside the event's own.
	Visibility *Visibility `json:"visibility,omitempty" dynamodbav:"visibility,omitempty"`
}

// Visibility is the audience of a change's ChannelVisibilityChanged
// notification: Users by name and the members of Roles, expanded at
// delivery. A change that may change the sight of every member carries
// none: members read it through GetGroupChanges.
type Visibility struct {
	ChannelID  string   `json:"channelID,omitempty" dynamodbav:"channelID,omitempty"`
	CategoryID string   `json:"categoryID,omitempty" dynamodbav:"categoryID,omitempty"`
	Users      []string `json:"users,omitempty" dynamodbav:"users,omitempty"`
	Roles      []string `json:"roles,omitempty" dynamodbav:"roles,omitempty"`
}

// VisibilityNotice is the ChannelVisibilityChanged notification ev's
// Visibility asks for (nil if none): an event of its own ID
// (<eventID>-visibility, so its deliveries are marked apart from ev's), at
// ev's version, to Visibility's users and the members of its roles.
func (ev *Event) VisibilityNotice() *Event {
	v := ev.Visibility
	if v == nil || len(v.Users) == 0 && len(v.Roles) == 0 {
		return nil
	}
	n := New(ChannelVisibilityChanged, ev.ActorUserID, ChannelVisibilityPayload{ChannelID: v.ChannelID, CategoryID: v.CategoryID}, v.Users...)
	n.EventID, n.GroupID, n.Version, n.OccurredAt = ev.EventID+"-visibility", ev.GroupID, ev.Version, ev.OccurredAt
	if len(v.Roles) > 0 {
		n.Audience = &Audience{Roles: v.Roles}
	}
	return &n
}

// Audience is a set of users named by a rule, resolved at delivery time.
type Audience struct {
	// Holders of this server permission item: the group's owner and admins,
	// and the members of every custom role that allows it. (When @everyone
	// allows it, the other members are not notified: they find the subject
	// through the lists they can read, so that a large group's event is not
	// a mass notification.)
	Holders string `json:"holders,omitempty" dynamodbav:"holders,omitempty"`
	// Roles: the members of each of these custom roles.
	Roles []string `json:"roles,omitempty" dynamodbav:"roles,omitempty"`
}

// Empty reports whether the audience names nobody.
func (a *Audience) Empty() bool { return a == nil || a.Holders == "" && len(a.Roles) == 0 }

// Personal reports whether ev is delivered to anyone's inbox.
func (ev *Event) Personal() bool {
	return len(ev.Recipients) > 0 || !ev.Audience.Empty()
}

// New builds an event of type t with its typed payload (nil for none); the
// store fills in ID, version and time.
func New(t Type, actor string, payload Payload, recipients ...string) Event {
	if recipients == nil {
		recipients = []string{}
	}
	return Event{Type: t, Code: t.Code(), ActorUserID: actor, Payload: payloadMap(t, payload), Recipients: recipients}
}
