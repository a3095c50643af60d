package event

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/circles-im/circles/shared/model"
)

// Payload is the typed payload of one or more event types. Each event type
// has its payload types listed here (Payloads), and asyncapi.yaml describes
// exactly their fields: a test holds the two together.
type Payload interface {
	// Types are the event types that carry this payload.
	Types() []Type
}

// Payloads lists a zero value of every payload type.
func Payloads() []Payload {
	return []Payload{
		GroupCreatedPayload{}, GroupInfoPayload{}, ApplicationPayload{}, ApplicationHandledPayload{},
		UserPayload{}, UsersPayload{}, MemberKickedPayload{}, MemberEnterPayload{}, GroupDismissedPayload{},
		MemberMutedPayload{}, GroupStatusPayload{}, MemberInfoPayload{}, OwnerTransferredPayload{},
		GroupRepairedPayload{}, RolePayload{}, RolePrioritiesPayload{}, RoleDeletedPayload{},
		RoleMembersPayload{}, ChannelPayload{}, ChannelDeletedPayload{}, ChannelRolePayload{},
		MemberOverridePayload{}, AccessListPayload{},
		CategoryPayload{}, CategoryDeletedPayload{}, CategoryRolePayload{}, CategoryOverridePayload{},
		CategoryAccessListPayload{},
		BanPayload{}, UnbanPayload{}, InviteCodePayload{}, InviteCodeJoinPayload{},
		CategoryPositionsPayload{}, ChannelPositionsPayload{}, ChannelVisibilityPayload{},
		MembersInfoPayload{},
	}
}

// GroupCreatedPayload: the group as created and its first members.
type GroupCreatedPayload struct {
	Group         *model.Group `json:"group"`
	MemberUserIDs []string     `json:"memberUserIDs"`
}

func (GroupCreatedPayload) Types() []Type { return []Type{GroupCreated} }

// GroupInfoPayload names exactly the group fields a SetGroupInfo changed,
// with their new values; the notification's time and author follow a new
// notification.
type GroupInfoPayload struct {
	GroupName              *string `json:"groupName,omitempty"`
	Notification           *string `json:"notification,omitempty"`
	Introduction           *string `json:"introduction,omitempty"`
	FaceURL                *string `json:"faceURL,omitempty"`
	Ex                     *string `json:"ex,omitempty"`
	GroupType              *int    `json:"groupType,omitempty"`
	NeedVerification       *int    `json:"needVerification,omitempty"`
	LookMemberInfo         *int    `json:"lookMemberInfo,omitempty"`
	ApplyMemberFriend      *int    `json:"applyMemberFriend,omitempty"`
	DisableInviteCodes     *int    `json:"disableInviteCodes,omitempty"`
	NotificationUpdateTime *int64  `json:"notificationUpdateTime,omitempty"`
	NotificationUserID     *string `json:"notificationUserID,omitempty"`
}

func (GroupInfoPayload) Types() []Type {
	return []Type{GroupInfoSet, GroupInfoSetName, GroupInfoSetAnnouncement}
}

// ApplicationPayload: applications of one batch (one applicant, or the
// invitees of one invitation that needs approval).
type ApplicationPayload struct {
	UserIDs       []string `json:"userIDs"`
	JoinSource    int      `json:"joinSource"`
	InviterUserID string   `json:"inviterUserID"`
	ReqMsg        string   `json:"reqMsg"`
}

func (ApplicationPayload) Types() []Type { return []Type{JoinGroupApplication} }

// ApplicationHandledPayload: an application answered. Entered is set when
// it was agreed: whether the applicant became a member by it.
type ApplicationHandledPayload struct {
	UserID        string `json:"userID"`
	JoinSource    int    `json:"joinSource"`
	InviterUserID string `json:"inviterUserID"`
	HandleResult  int    `json:"handleResult"`
	HandledMsg    string `json:"handledMsg"`
	Entered       *bool  `json:"entered,omitempty"`
}

func (ApplicationHandledPayload) Types() []Type {
	return []Type{GroupApplicationAccepted, GroupApplicationRejected, MemberInvited}
}

// UserPayload names the one member a change is about.
type UserPayload struct {
	UserID string `json:"userID"`
}

func (UserPayload) Types() []Type { return []Type{MemberQuit, GroupMemberCancelMuted} }

// UsersPayload: the members one batch added by invitation.
type UsersPayload struct {
	UserIDs []string `json:"userIDs"`
}

func (UsersPayload) Types() []Type { return []Type{MemberInvited} }

// MemberKickedPayload: the members removed and why.
type MemberKickedPayload struct {
	UserIDs []string `json:"userIDs"`
	Reason  string   `json:"reason"`
}

func (MemberKickedPayload) Types() []Type { return []Type{MemberKicked} }

// MemberEnterPayload: a user who joined without approval, and how.
type MemberEnterPayload struct {
	UserID     string `json:"userID"`
	JoinSource int    `json:"joinSource"`
}

func (MemberEnterPayload) Types() []Type { return []Type{MemberEnter} }

// GroupDismissedPayload: DismissGroup names the member count; a group whose
// last member, its owner, quit names that owner and the reason.
type GroupDismissedPayload struct {
	MemberCount *int64 `json:"memberCount,omitempty"`
	Reason      string `json:"reason,omitempty"`
	UserID      string `json:"userID,omitempty"`
}

func (GroupDismissedPayload) Types() []Type { return []Type{GroupDismissed} }

// MemberMutedPayload: a member muted for MutedSeconds, until MuteEndTime
// (milliseconds).
type MemberMutedPayload struct {
	UserID       string `json:"userID"`
	MutedSeconds int64  `json:"mutedSeconds"`
	MuteEndTime  int64  `json:"muteEndTime"`
}

func (MemberMutedPayload) Types() []Type { return []Type{GroupMemberMuted} }

// GroupStatusPayload: the group's new status (0 ok, 3 muted).
type GroupStatusPayload struct {
	Status int `json:"status"`
}

func (GroupStatusPayload) Types() []Type { return []Type{GroupMuted, GroupCancelMuted} }

// MemberInfoPayload names the member and exactly the fields that changed,
// with their new values.
type MemberInfoPayload struct {
	UserID    string  `json:"userID"`
	Nickname  *string `json:"nickname,omitempty"`
	FaceURL   *string `json:"faceURL,omitempty"`
	Ex        *string `json:"ex,omitempty"`
	RoleLevel *int    `json:"roleLevel,omitempty"`
}

func (MemberInfoPayload) Types() []Type {
	return []Type{GroupMemberInfoSet, GroupMemberSetToAdmin, GroupMemberSetToOrdinaryUser}
}

// MembersInfoPayload: each member a SetGroupMembersInfo changed, with
// exactly the fields that changed (in the order asked).
type MembersInfoPayload struct {
	Members []MemberInfoPayload `json:"members"`
}

func (MembersInfoPayload) Types() []Type { return []Type{GroupMembersInfoSet} }

// OwnerTransferredPayload: the old owner keeps OldOwnerRoleLevel (the new
// owner's level before the transfer).
type OwnerTransferredPayload struct {
	OldOwnerUserID    string `json:"oldOwnerUserID"`
	NewOwnerUserID    string `json:"newOwnerUserID"`
	OldOwnerRoleLevel int    `json:"oldOwnerRoleLevel"`
}

func (OwnerTransferredPayload) Types() []Type { return []Type{GroupOwnerTransferred} }

// GroupRepairedPayload: what the consistency checker found and what its
// repair changed; only the parts a repair did are present.
type GroupRepairedPayload struct {
	Violations           []string `json:"violations"`
	Promoted             string   `json:"promoted,omitempty"`
	PreviousOwnerUserID  *string  `json:"previousOwnerUserID,omitempty"`
	OwnerUserID          string   `json:"ownerUserID,omitempty"`
	Demoted              []string `json:"demoted,omitempty"`
	PreviousMemberCount  *int64   `json:"previousMemberCount,omitempty"`
	MemberCount          *int64   `json:"memberCount,omitempty"`
	PreviousChannelCount *int64   `json:"previousChannelCount,omitempty"`
	ChannelCount         *int64   `json:"channelCount,omitempty"`
	Reindexed            []string `json:"reindexed,omitempty"`
	RecountedRoles       []string `json:"recountedRoles,omitempty"`
	RoleMembershipsFixed int      `json:"roleMembershipsFixed,omitempty"`
}

func (GroupRepairedPayload) Types() []Type { return []Type{GroupRepaired} }

// RolePayload: a server role as it is after the change.
type RolePayload struct {
	Role *model.Role `json:"role"`
}

func (RolePayload) Types() []Type { return []Type{RoleCreated, RoleUpdated, ServerRoleAuthUpdate} }

// RolePrioritiesPayload: UpdateRolePriorities' new priority by roleID.
type RolePrioritiesPayload struct {
	Priorities map[string]int `json:"priorities"`
}

func (RolePrioritiesPayload) Types() []Type { return []Type{RoleUpdated} }

// RoleDeletedPayload names the deleted role.
type RoleDeletedPayload struct {
	RoleID string `json:"roleID"`
}

func (RoleDeletedPayload) Types() []Type { return []Type{RoleDeleted} }

// RoleMembersPayload: the members a role gained or lost.
type RoleMembersPayload struct {
	RoleID  string   `json:"roleID"`
	UserIDs []string `json:"userIDs"`
}

func (RoleMembersPayload) Types() []Type {
	return []Type{ServerRoleMemberAdd, ServerRoleMemberDelete}
}

// ChannelPayload: a channel as it is after the change, without its access
// list and channel roles (their own events carry those).
type ChannelPayload struct {
	Channel model.Channel `json:"channel"`
}

func (ChannelPayload) Types() []Type { return []Type{ChannelCreated, ChannelUpdated} }

// ChannelDeletedPayload names the deleted channel.
type ChannelDeletedPayload struct {
	ChannelID string `json:"channelID"`
}

func (ChannelDeletedPayload) Types() []Type { return []Type{ChannelDeleted} }

// ChannelRolePayload: a channel role added, changed or removed (Op), with
// its auths after the change.
type ChannelRolePayload struct {
	ChannelID    string            `json:"channelID"`
	ParentRoleID string            `json:"parentRoleID"`
	Auths        map[string]string `json:"auths"`
	Op           string            `json:"op"`
}

func (ChannelRolePayload) Types() []Type { return []Type{ChannelRoleAuthUpdate} }

// MemberOverridePayload: a member's override in a channel after the change
// (empty auths: removed).
type MemberOverridePayload struct {
	ChannelID string            `json:"channelID"`
	UserID    string            `json:"userID"`
	Auths     map[string]string `json:"auths"`
}

func (MemberOverridePayload) Types() []Type { return []Type{MemberRoleAuthUpdate} }

// AccessListPayload: the users and roles an access-list change added or
// removed (Op) on the channel's blacklist or whitelist (Kind).
type AccessListPayload struct {
	ChannelID string   `json:"channelID"`
	Op        string   `json:"op"`
	Kind      string   `json:"kind"`
	UserIDs   []string `json:"userIDs"`
	RoleIDs   []string `json:"roleIDs"`
}

func (AccessListPayload) Types() []Type { return []Type{ChannelAccessListUpdate} }

// CategoryPayload: a category as it is after the change, without its
// access list and category roles (their own events carry those).
type CategoryPayload struct {
	Category model.Category `json:"category"`
}

func (CategoryPayload) Types() []Type { return []Type{CategoryCreated, CategoryUpdated} }

// CategoryDeletedPayload names the deleted category.
type CategoryDeletedPayload struct {
	CategoryID string `json:"categoryID"`
}

func (CategoryDeletedPayload) Types() []Type { return []Type{CategoryDeleted} }

// CategoryRolePayload: a category role added, changed or removed (Op),
// with its auths after the change.
type CategoryRolePayload struct {
	CategoryID   string            `json:"categoryID"`
	ParentRoleID string            `json:"parentRoleID"`
	Auths        map[string]string `json:"auths"`
	Op           string            `json:"op"`
}

func (CategoryRolePayload) Types() []Type { return []Type{CategoryRoleAuthUpdate} }

// CategoryOverridePayload: a member's override in a category after the
// change (empty auths: removed).
type CategoryOverridePayload struct {
	CategoryID string            `json:"categoryID"`
	UserID     string            `json:"userID"`
	Auths      map[string]string `json:"auths"`
}

func (CategoryOverridePayload) Types() []Type { return []Type{CategoryMemberAuthUpdate} }

// CategoryAccessListPayload: the users and roles an access-list change
// added or removed (Op) on the category's blacklist or whitelist (Kind).
type CategoryAccessListPayload struct {
	CategoryID string   `json:"categoryID"`
	Op         string   `json:"op"`
	Kind       string   `json:"kind"`
	UserIDs    []string `json:"userIDs"`
	RoleIDs    []string `json:"roleIDs"`
}

func (CategoryAccessListPayload) Types() []Type { return []Type{CategoryAccessListUpdate} }

// BanPayload: the users banned, why and until when (0: until lifted), and
// which of them were members and so were removed.
type BanPayload struct {
	UserIDs    []string `json:"userIDs"`
	Removed    []string `json:"removed"`
	Reason     string   `json:"reason"`
	ExpireTime int64    `json:"expireTime"`
}

func (BanPayload) Types() []Type { return []Type{BanMembers} }

// UnbanPayload: the users whose bans were lifted.
type UnbanPayload struct {
	UserIDs []string `json:"userIDs"`
}

func (UnbanPayload) Types() []Type { return []Type{UnbanMembers} }

// InviteCodePayload: an invite code created or revoked, named by its ID
// and hint (never the code itself).
type InviteCodePayload struct {
	CodeID     string   `json:"codeID"`
	Hint       string   `json:"hint"`
	ExpireTime int64    `json:"expireTime"`
	MaxUses    int64    `json:"maxUses"`
	RoleIDs    []string `json:"roleIDs"`
}

func (InviteCodePayload) Types() []Type { return []Type{InviteCodeCreated, InviteCodeRevoked} }

// InviteCodeJoinPayload: a user who joined with an invite code, and the
// roles the code granted them.
type InviteCodeJoinPayload struct {
	UserID  string   `json:"userID"`
	CodeID  string   `json:"codeID"`
	RoleIDs []string `json:"roleIDs"`
}

func (InviteCodeJoinPayload) Types() []Type { return []Type{MemberJoinedByInviteCode} }

// CategoryPositionsPayload: the categories a reorder named, with their new
// positions.
type CategoryPositionsPayload struct {
	Positions map[string]int64 `json:"positions"`
}

func (CategoryPositionsPayload) Types() []Type { return []Type{CategoryPositionsUpdate} }

// ChannelPositionsPayload: the channels of one category ("" for the
// uncategorised ones) a reorder named, with their new positions.
type ChannelPositionsPayload struct {
	CategoryID string           `json:"categoryID"`
	Positions  map[string]int64 `json:"positions"`
}

func (ChannelPositionsPayload) Types() []Type { return []Type{ChannelPositionsUpdate} }

// ChannelVisibilityPayload names the channel (or the category, whose
// synced channels follow its list) the recipient may have started or
// stopped seeing; the client reads its channels again.
type ChannelVisibilityPayload struct {
	ChannelID  string `json:"channelID"`
	CategoryID string `json:"categoryID"`
}

func (ChannelVisibilityPayload) Types() []Type { return []Type{ChannelVisibilityChanged} }

// payloadMap is p as the event stores and publishes it: its JSON object.
// A payload type that does not belong to t is a programming error, caught
// by the tests that emit every event.
func payloadMap(t Type, p Payload) map[string]any {
	if p == nil {
		return map[string]any{}
	}
	if !slices.Contains(p.Types(), t) {
		panic(fmt.Sprintf("event: %T is not a payload of %s", p, t))
	}
	b, err := json.Marshal(p)
	if err != nil {
		panic(fmt.Sprintf("event: marshal %T: %v", p, err))
	}
	out := map[string]any{}
	if err := json.Unmarshal(b, &out); err != nil {
		panic(fmt.Sprintf("event: unmarshal %T: %v", p, err))
	}
	return out
}

// FieldChanges is the payload P whose fields are the changed fields named
// in changes (field name -> new value, as the store lists them). A name P
// does not have is a programming error, caught by the tests of every
// change.
func FieldChanges[P Payload](changes map[string]any) P {
	var p P
	b, err := json.Marshal(changes)
	if err == nil {
		d := json.NewDecoder(bytes.NewReader(b))
		d.DisallowUnknownFields()
		err = d.Decode(&p)
	}
	if err != nil {
		panic(fmt.Sprintf("event: changes %v as %T: %v", changes, p, err))
	}
	return p
}
