package permission

import (
	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/store"
)

// Op is a group operation that needs a decision.
type Op string

const (
	OpTransferOwner Op = "TransferGroupOwner"
)

// Request is everything a decision needs, loaded by the caller in one
// snapshot: the group, the actor's member record (nil if not a member) and,
// for operations on another member, the target's record (nil if not a
// member).
type Request struct {
	Op       Op
	Actor    Actor
	Group    *store.Group
	Self     *store.Member
	Target   *store.Member
	TargetID string
}

// Decide answers whether the request is allowed; nil means yes, otherwise the
// typed error to return. Every operation asks it.
func Decide(r Request) error {
	if r.Group.Status == store.StatusDismissed {
		return errcode.New(errcode.GroupDismissed, "group %s is dismissed", r.Group.GroupID)
	}
	if r.Self == nil && !r.Actor.AppAdmin {
		return errcode.New(errcode.NotInGroup, "you are not a member of group %s", r.Group.GroupID)
	}
	switch r.Op {
	case OpTransferOwner:
		if !r.Actor.AppAdmin && r.Self.RoleLevel != store.RoleOwner {
			return errcode.New(errcode.NoPermission, "only the owner or an app admin may transfer the group")
		}
		if r.TargetID == r.Actor.UserID {
			return errcode.New(errcode.InvalidArgument, "the new owner must not be yourself")
		}
		if r.Target == nil {
			return errcode.New(errcode.NotInGroup, "user %s is not a member of group %s", r.TargetID, r.Group.GroupID)
		}
		if r.Target.RoleLevel == store.RoleOwner {
			return errcode.New(errcode.InvalidArgument, "user %s already owns group %s", r.TargetID, r.Group.GroupID)
		}
		return nil
	}
	return errcode.New(errcode.Internal, "no rule for operation %s", r.Op)
}
