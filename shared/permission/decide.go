package permission

import (
	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/model"
)

// Op is a group operation that needs a decision.
type Op string

// The group operations Decide decides.
const (
	OpTransferOwner      Op = "TransferGroupOwner"
	OpDismiss            Op = "DismissGroup"
	OpSetGroupInfo       Op = "SetGroupInfo"
	OpMuteGroup          Op = "MuteGroup"
	OpInvite             Op = "InviteUserToGroup"
	OpKick               Op = "KickGroupMember"
	OpQuit               Op = "QuitGroup"
	OpJoin               Op = "JoinGroup"
	OpHandleApplication  Op = "GroupApplicationResponse"
	OpListApplications   Op = "GetGroupApplicationList"
	OpMuteMember         Op = "MuteGroupMember"
	OpSetMemberInfo      Op = "SetGroupMemberInfo"
	OpSetMemberRoleLevel Op = "SetGroupMemberInfo.roleLevel"
	OpReadMembers        Op = "ReadMembers"
	// OpBan is BanMembers for one target: banMember; a member target must
	// be outranked (as for a kick), and nobody bans themselves or the owner.
	OpBan Op = "BanMembers"
	// OpManageBans is UnbanMembers and ListBans: banMember.
	OpManageBans Op = "ListBans"
	// OpManageInviteCodes is CreateInviteCode, ListInviteCodes and
	// RevokeInviteCode: inviteMember, the right to add members without
	// approval, since a code admits without approval.
	OpManageInviteCodes Op = "InviteCodes"
	// OpJoinByInviteCode is JoinByInviteCode: like a join, for non-members.
	OpJoinByInviteCode Op = "JoinByInviteCode"
)

// Request is everything a decision needs, loaded by the caller in one
// snapshot: the group, the actor's member record (nil if not a member) and,
// for operations on another member, the target's record (nil if not a
// member).
type Request struct {
	Op     Op
	Actor  Actor
	Group  *model.Group
	Self   *model.Member
	Target *model.Member
	// TargetID names the target even when they are not a member.
	TargetID string
	// RoleLevel is the level asked for by OpSetMemberRoleLevel.
	RoleLevel int
}

// opItem is the permission item an operation needs, where it needs one.
var opItem = map[Op]Item{
	OpSetGroupInfo:      ManageGroup,
	OpMuteGroup:         MuteGroup,
	OpKick:              KickMember,
	OpHandleApplication: HandleApplication,
	OpListApplications:  HandleApplication,
	OpMuteMember:        MuteMember,
	OpBan:               BanMember,
	OpManageBans:        BanMember,
	OpManageInviteCodes: InviteMember,
}

// Decide answers whether the request is allowed; nil means yes, otherwise the
// typed error to return. Every group operation asks it, and nothing else
// compares roleLevels or ranks.
func Decide(r Request) error {
	g := r.Group
	if g.Status == model.StatusDismissed {
		return errcode.New(errcode.GroupDismissed, "group %s is dismissed", g.GroupID)
	}
	if r.Op == OpJoin || r.Op == OpJoinByInviteCode {
		if r.Self != nil {
			return errcode.New(errcode.AlreadyInGroup, "you are already a member of group %s", g.GroupID)
		}
		return nil
	}
	if err := RequireMember(r.Actor, g, r.Self); err != nil {
		return err
	}
	if it, ok := opItem[r.Op]; ok && !Holds(r.Actor, g, r.Self, it) {
		return errcode.New(errcode.NoPermission, "%s needs the %s permission", r.Op, it)
	}
	switch r.Op {
	case OpTransferOwner:
		if !IsOwnerOrAppAdmin(r.Actor, r.Self) {
			return errcode.New(errcode.NoPermission, "only the owner or an app admin may transfer the group")
		}
		if r.TargetID == r.Actor.UserID {
			return errcode.New(errcode.InvalidArgument, "the new owner must not be yourself")
		}
		if r.Target == nil {
			return notMember(r)
		}
		if r.Target.RoleLevel == model.RoleOwner {
			return errcode.New(errcode.InvalidArgument, "user %s already owns group %s", r.TargetID, g.GroupID)
		}
	case OpDismiss:
		if !IsOwnerOrAppAdmin(r.Actor, r.Self) {
			return errcode.New(errcode.NoPermission, "only the owner or an app admin may dismiss the group")
		}
	case OpKick, OpMuteMember:
		if r.TargetID == r.Actor.UserID {
			return errcode.New(errcode.NoPermission, "you cannot %s yourself", verb(r.Op))
		}
		if r.Target == nil {
			return notMember(r)
		}
		if r.Target.RoleLevel == model.RoleOwner {
			return errcode.New(errcode.NoPermission, "the owner cannot be %s", participle(r.Op))
		}
		if !Outranks(r.Actor, g, r.Self, r.Target) {
			return errcode.New(errcode.NoPermission, "you must outrank user %s", r.TargetID)
		}
	case OpBan:
		if r.TargetID == r.Actor.UserID {
			return errcode.New(errcode.NoPermission, "you cannot ban yourself")
		}
		// A user who is not a member may be banned ahead of time; a member is
		// removed by the ban, under a kick's rank rules.
		if r.Target == nil {
			return nil
		}
		if r.Target.RoleLevel == model.RoleOwner {
			return errcode.New(errcode.NoPermission, "the owner cannot be banned")
		}
		if !Outranks(r.Actor, g, r.Self, r.Target) {
			return errcode.New(errcode.NoPermission, "you must outrank user %s", r.TargetID)
		}
	case OpQuit:
		// Quitting another user is for app admins only.
		if r.TargetID != r.Actor.UserID && !r.Actor.AppAdmin {
			return errcode.New(errcode.NoPermission, "only app admins may remove another user with quit")
		}
		if r.Target == nil {
			return notMember(r)
		}
		// The owner leaves by transfer; only as the last member may they quit,
		// which dismisses the group.
		if r.Target.RoleLevel == model.RoleOwner && g.MemberCount > 1 {
			return errcode.New(errcode.OwnerCannotQuit, "the owner cannot quit group %s; transfer it first", g.GroupID)
		}
	case OpSetMemberInfo:
		if r.Target == nil {
			return notMember(r)
		}
		if r.TargetID == r.Actor.UserID {
			if !Holds(r.Actor, g, r.Self, AccountInfoSelf) {
				return errcode.New(errcode.NoPermission, "you may not edit your own member info")
			}
			return nil
		}
		if !Holds(r.Actor, g, r.Self, AccountInfoOther) {
			return errcode.New(errcode.NoPermission, "editing another member needs the accountInfoOther permission")
		}
		if !Outranks(r.Actor, g, r.Self, r.Target) {
			return errcode.New(errcode.NoPermission, "you must outrank user %s", r.TargetID)
		}
	case OpSetMemberRoleLevel:
		if r.TargetID == r.Actor.UserID {
			return errcode.New(errcode.NoPermission, "nobody changes their own roleLevel")
		}
		if r.RoleLevel != model.RoleAdmin && r.RoleLevel != model.RoleMember {
			return errcode.New(errcode.InvalidArgument, "roleLevel may only be set to 60 or 20; ownership moves by transfer")
		}
		if r.Target == nil {
			return notMember(r)
		}
		if r.Target.RoleLevel == model.RoleOwner {
			return errcode.New(errcode.NoPermission, "the owner's roleLevel changes only by transfer")
		}
		owner := IsOwnerOrAppAdmin(r.Actor, r.Self)
		adminOnOrdinary := r.Self != nil && r.Self.RoleLevel == model.RoleAdmin && r.Target.RoleLevel == model.RoleMember
		if !owner && !adminOnOrdinary {
			return errcode.New(errcode.NoPermission, "roleLevel is set by the owner, or by an admin on an ordinary member")
		}
	}
	return nil
}

// InvitesDirectly reports whether an invitation by the actor adds members
// at once; otherwise (needVerification 1 without inviteMember) it creates
// applications that a holder of handleApplication decides.
func InvitesDirectly(a Actor, g *model.Group, self *model.Member) bool {
	return g.NeedVerification != 1 || Holds(a, g, self, InviteMember)
}

// Holds reports whether the actor holds a server-level item in the group:
// app admins hold every item; members hold what Effective says
// on the group's roles.
func Holds(a Actor, g *model.Group, self *model.Member, it Item) bool {
	return HoldsIn(a, g, self, nil, nil, nil, it)
}

// Outranks reports whether the actor strictly outranks the target:
// owner > admin > members by their highest custom role (priority 1 is
// highest) > members with no custom role. App admins outrank everyone.
// (Nobody kicks or mutes the owner, but that is a rule of those
// operations, not of rank.)
func Outranks(a Actor, g *model.Group, self, target *model.Member) bool {
	if a.AppAdmin {
		return true
	}
	if self == nil {
		return false
	}
	if self.RoleLevel != target.RoleLevel {
		return self.RoleLevel > target.RoleLevel
	}
	if self.RoleLevel != model.RoleMember {
		return false
	}
	return bestPriority(g, self) < bestPriority(g, target)
}

// OutranksRole reports whether the actor ranks above a role: app admins,
// the owner and admins are above every role; a member is above the roles
// of a lower rank (a larger priority) than their own highest custom role.
func OutranksRole(a Actor, g *model.Group, self *model.Member, role *model.Role) bool {
	if a.AppAdmin {
		return true
	}
	if self == nil {
		return false
	}
	if self.RoleLevel >= model.RoleAdmin {
		return true
	}
	return role.Type == model.RoleTypeCustom && bestPriority(g, self) < role.Priority
}

// SeesFullMemberInfo reports whether the actor, already allowed to read the
// members (OpReadMembers), sees every field of targetID's member record.
// Under lookMemberInfo 1 ordinary members see only their own record in full
// and the public fields of others; admins, the owner and app admins see all.
func SeesFullMemberInfo(a Actor, g *model.Group, self *model.Member, targetID string) bool {
	if g.LookMemberInfo != 1 || a.AppAdmin || targetID == a.UserID {
		return true
	}
	return self != nil && self.RoleLevel >= model.RoleAdmin
}

func notMember(r Request) error {
	return errcode.New(errcode.NotInGroup, "user %s is not a member of group %s", r.TargetID, r.Group.GroupID)
}

func verb(op Op) string {
	if op == OpKick {
		return "kick"
	}
	return "mute"
}

func participle(op Op) string {
	if op == OpKick {
		return "kicked"
	}
	return "muted"
}
